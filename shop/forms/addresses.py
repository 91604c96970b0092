"""Address fields the way browsers fill them: each with its ``autocomplete`` token
(https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#autofill), phone
as ``type=tel`` and e-mail as ``type=email``; and the saved-address book's form."""
from django import forms

from shop.models.rates import US_STATES
from shop.platform.form_fields import ConstantChoiceField, QuickSelect, QuickTextInput
from shop.platform.validators import zip_code

STATE_CHOICES = [("", "Choose a state")] + US_STATES


class Autofill:
    """A form mixin: ``AUTOFILL`` maps field names to their ``autocomplete`` tokens; an e-mail
    field also gets ``inputmode=email``, a ZIP ``inputmode=numeric``, a phone ``type=tel``."""

    AUTOFILL: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, token in self.AUTOFILL.items():
            attrs = self.fields[name].widget.attrs
            attrs["autocomplete"] = token
            if token.endswith("email"):
                attrs["inputmode"] = "email"
            elif token.endswith("postal-code"):
                attrs["inputmode"] = "numeric"
            elif token.endswith("tel"):
                self.fields[name].widget.input_type = "tel"
                attrs["inputmode"] = "tel"


def _text(token: str, **attrs) -> forms.TextInput:
    return QuickTextInput(attrs={"autocomplete": token, **attrs})


def address_fields(section: str = "shipping", *, required: bool = True) -> dict[str, forms.Field]:
    """Name, address lines, city, state, ZIP and phone, tokens under ``section`` ("shipping")."""
    def token(name):
        return f"{section} {name}"
    return {
        "name": forms.CharField(label="Full name", max_length=120, widget=_text(token("name"))),
        "line1": forms.CharField(label="Address", max_length=200, required=required,
                                 widget=_text(token("address-line1"))),
        "line2": forms.CharField(label="Apartment, suite (optional)", max_length=200, required=False,
                                 widget=_text(token("address-line2"))),
        "city": forms.CharField(label="City", max_length=100, required=required, widget=_text(token("address-level2"))),
        "state": ConstantChoiceField(label="State", choices=STATE_CHOICES, required=required,
                                     widget=QuickSelect(attrs={"autocomplete": token("address-level1")})),
        "postal_code": forms.CharField(label="ZIP code", max_length=10, required=required, validators=[zip_code],
                                       widget=_text(token("postal-code"), inputmode="numeric")),
        "phone": forms.CharField(label="Phone (optional)", max_length=30, required=False,
                                 widget=QuickTextInput(attrs={"type": "tel", "autocomplete": token("tel"),
                                                              "inputmode": "tel"})),
    }


def country_field() -> forms.ChoiceField:
    """We deliver in the United States only; the field tells the browser which country's
    address format to fill (``shipping country``)."""
    return forms.ChoiceField(label="Country", choices=[("US", "United States")], initial="US", required=False,
                             widget=forms.Select(attrs={"autocomplete": "shipping country"}))


# A new saved address: the address fields and whether it becomes the default.
AddressForm = type(forms.Form)("AddressForm", (forms.Form,), {
    "__module__": __name__,
    "__doc__": "A new saved address.",
    **address_fields(),
    "make_default": forms.BooleanField(label="Make this my default address", required=False),
})
