from decimal import Decimal

from django import forms
from django.forms.utils import ErrorDict

from shop.models import ShippingMethod
from shop.forms.addresses import address_fields, country_field
from shop.models.rates import US_STATES
from shop.selectors.discounts import MAX_CODES, parse_codes
from shop.selectors.giftcards import MAX_CARDS
from shop.selectors.giftcards import parse_codes as parse_gift_card_codes
from shop.selectors.surtax import counties_for_zip, county_choice, florida_counties
from shop.services.cart import MAX_LINE_QUANTITY
from shop.platform.form_fields import ConstantChoiceField, DecimalField, IntegerField, ModelChoiceField, QuickSelect, choices_read


class AddToCartForm(forms.Form):
    variant = forms.TypedChoiceField(label="Option", coerce=int)
    quantity = IntegerField(label="Quantity", min_value=1, max_value=MAX_LINE_QUANTITY, initial=1)

    def __init__(self, *args, product, **kwargs):
        """``product``: the product page's data (``shop.selectors.catalog.product_detail``)."""
        super().__init__(*args, **kwargs)
        variants = product.variants
        self.fields["variant"].choices = [
            (v.pk, f"{v.label or 'Standard'}{'' if v.in_stock else ' (out of stock)'}") for v in variants
        ]
        if len(variants) == 1:
            self.fields["variant"].widget = forms.HiddenInput()
            self.fields["variant"].initial = variants[0].pk


class CartQuantityForm(forms.Form):
    quantity = IntegerField(label="Quantity", min_value=0, max_value=MAX_LINE_QUANTITY)


class _ShippingChoices:
    """``methods``: the active shipping methods already read, so that showing the form reads
    them no second time (a posted choice is still checked against the database)."""

    def __init__(self, *args, methods=None, **kwargs):
        super().__init__(*args, **kwargs)
        if methods is not None:
            choices_read(self.fields["shipping_method"], methods)


_ESTIMATE_ZIP = address_fields(required=False)["postal_code"]


class CartEstimateForm(_ShippingChoices, forms.Form):
    """Shipping method and destination state, to show shipping and sales tax before checkout."""

    shipping_method = ModelChoiceField(
        label="Delivery", queryset=ShippingMethod.objects.filter(is_active=True), empty_label=None, widget=QuickSelect
    )
    state = ConstantChoiceField(label="Ship to state", choices=[("", "Choose a state")] + US_STATES, required=False,
                              widget=QuickSelect)
    # Florida: the ZIP code finds the county, for its surtax (left empty: the state's rate alone).
    postal_code = _ESTIMATE_ZIP




NEW_ADDRESS = "new"
_ADDRESS = address_fields(required=False)  # required for delivery only: see clean()


class CheckoutForm(_ShippingChoices, forms.Form):
    """Who is buying and where it goes. The address is needed unless it is a local pickup.

    ``addresses``: a signed-in customer's saved addresses (``shop.selectors.addresses``): one
    of them may be chosen instead of typing (``saved_address``), and a typed one saved."""

    email = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    name = _ADDRESS["name"]
    line1 = _ADDRESS["line1"]
    line2 = _ADDRESS["line2"]
    city = _ADDRESS["city"]
    state = _ADDRESS["state"]
    postal_code = _ADDRESS["postal_code"]
    country = country_field()
    # Florida: asked only where the ZIP code does not settle the county's surtax (see clean()).
    county = forms.ChoiceField(label="County", required=False, choices=(),
                               widget=forms.Select(attrs={"autocomplete": "off"}))
    phone = _ADDRESS["phone"]
    shipping_method = ModelChoiceField(
        label="Delivery", queryset=ShippingMethod.objects.filter(is_active=True), empty_label=None, widget=QuickSelect
    )
    # Shown beside the order summary, outside the <form> element it belongs to (``form=``), so
    # that Enter in an address field still presses "Continue to payment", not "Apply".
    discount_code = forms.CharField(label="Discount code", max_length=100, required=False, widget=forms.TextInput(
        attrs={"form": "checkout-form", "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}))

    # Gift cards pay the total (several may, separated by commas); their balance is shown on Apply.
    gift_cards = forms.CharField(label="Gift card codes", max_length=200, required=False, widget=forms.TextInput(
        attrs={"form": "checkout-form", "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
               "placeholder": "XXXX-XXXX-XXXX-XXXX"}),
        help_text="Several cards: separate them with commas.")

    def __init__(self, *args, addresses=(), can_save=False, applying: bool = False, **kwargs):
        """``applying``: the customer pressed Apply beside the code; only the code (and what the
        summary is priced for) is checked, the other fields are not complained about yet."""
        super().__init__(*args, **kwargs)
        self.applying = applying
        self.fields["county"].choices = [("", "Choose your county")] + [(c, f"{c} County") for c in florida_counties()]
        self.addresses = {a.pk: a for a in addresses}
        if self.addresses:
            choices = [(str(a.pk), str(a)) for a in addresses] + [(NEW_ADDRESS, "A new address (below)")]
            self.fields["saved_address"] = forms.ChoiceField(label="Deliver to", choices=choices,
                                                             widget=forms.RadioSelect, required=False)
        if can_save:  # a signed-in customer: a guest has no address book
            self.fields["save_address"] = forms.BooleanField(label="Save this address for next time", required=False)
            self.fields["default_address"] = forms.BooleanField(label="Make it my default address", required=False)

    @property
    def asks_county(self) -> bool:
        """Whether the county choice is shown: it was asked for, or one was chosen."""
        return "county" in self.errors or bool(self.is_bound and self.data.get("county"))

    def _check_county(self, data) -> None:
        """Florida's surtax goes by county: a ZIP in several counties (or one not in the table)
        asks which; the county found or chosen goes into ``data["county"]``."""
        county, problem = county_choice(data.get("state"), data.get("postal_code"), data.get("county"))
        if problem:
            spanned = counties_for_zip(data.get("postal_code"))
            if spanned:
                self.fields["county"].choices = [("", "Choose your county")] + [(c, f"{c} County") for c in spanned]
            if "county" not in self.errors:
                self.add_error("county", problem)
        else:
            data["county"] = county

    @property
    def offers_saving(self) -> bool:
        return "save_address" in self.fields

    def chosen_address(self):
        """The saved address chosen (cleaned), or None."""
        value = self.cleaned_data.get("saved_address") or NEW_ADDRESS
        return None if value == NEW_ADDRESS else self.addresses[int(value)]

    def clean_discount_code(self) -> list[str]:
        codes = parse_codes(self.cleaned_data.get("discount_code", ""))
        if len(codes) > MAX_CODES:
            raise forms.ValidationError(f"At most {MAX_CODES} codes can be used on one order.")
        return codes

    def clean_gift_cards(self) -> list[str]:
        codes = parse_gift_card_codes(self.cleaned_data.get("gift_cards", ""))
        if len(codes) > MAX_CARDS:
            raise forms.ValidationError(f"At most {MAX_CARDS} gift cards can be used on one order.")
        return codes

    def full_clean(self):
        super().full_clean()
        if self.applying and self.is_bound:
            self._errors = ErrorDict(
                {name: errors for name, errors in self._errors.items() if name in ("discount_code", "gift_cards")})

    def clean(self):
        data = super().clean()
        if self.applying:
            return data
        method = data.get("shipping_method")
        chosen = self.chosen_address() if "saved_address" not in self.errors else None
        if chosen is not None:
            for field in ("line1", "line2", "city", "state", "postal_code"):
                data[field] = getattr(chosen, field)
                self.errors.pop(field, None)  # what was typed below is not used
            data["phone"] = data.get("phone") or chosen.phone
        elif method is not None and not method.is_pickup:
            for field in ("line1", "city", "state", "postal_code"):
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, "This field is required for delivery.")
        if method is not None and not method.is_pickup and not ({"state", "postal_code"} & set(self.errors)):
            self._check_county(data)
        return data

    def details(self) -> dict:
        """The cleaned fields as ``CheckoutDetails`` takes them."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("saved_address", "country", "discount_code", "gift_cards")}
        chosen = self.chosen_address()
        data["address_id"] = chosen.pk if chosen is not None else None
        return data


class ShipOrderForm(forms.Form):
    carrier = forms.CharField(max_length=60)
    tracking_number = forms.CharField(max_length=80)


class RefundForm(forms.Form):
    amount = DecimalField(label="Amount to refund (USD)", max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(max_length=200, required=False)
