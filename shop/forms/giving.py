"""Forms for the donate page, the donor's monthly-gift changes and the staff giving pages."""
from decimal import Decimal

from django import forms
from django.conf import settings

from shop.forms.addresses import Autofill
from shop.models import Fund
from shop.models.giving import Tribute
from shop.services.donations import MAX_GIFT, MIN_GIFT
from shop.platform.validators import zip_code
from shop.platform.form_fields import DecimalField, IntegerField

US_STATES = [("", "—")] + [(s, s) for s in (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR").split()]


def preset_choices():
    return [(str(a), f"${a:,.0f}") for a in settings.DONATION_PRESETS] + [("other", "Other amount")]


class DonateForm(Autofill, forms.Form):
    preset = forms.ChoiceField(label="Amount", widget=forms.RadioSelect, choices=())
    other_amount = DecimalField(label="Other amount ($)", required=False, min_value=MIN_GIFT, max_value=MAX_GIFT,
                                      decimal_places=2, max_digits=9)
    frequency = forms.ChoiceField(choices=[("once", "One time"), ("monthly", "Monthly")], widget=forms.RadioSelect,
                                  initial="once")
    fund = forms.ChoiceField(label="Where your gift goes", choices=Fund.choices, initial=Fund.GENERAL)
    cover_fees = forms.BooleanField(required=False, label="Add the card fee so the whole gift reaches the work")
    anonymous = forms.BooleanField(required=False, label="Keep my name off public pages")
    tribute = forms.ChoiceField(choices=Tribute.choices, required=False, label="Tribute")
    tribute_name = forms.CharField(max_length=120, required=False, label="Their name")
    tribute_notify_email = forms.EmailField(required=False, label="Tell someone about this gift (their e-mail, optional)")
    name = forms.CharField(max_length=120, label="Your full name")
    email = forms.EmailField(label="Your e-mail")
    address_line1 = forms.CharField(max_length=120, required=False, label="Address")
    address_line2 = forms.CharField(max_length=120, required=False, label="Address line 2")
    city = forms.CharField(max_length=80, required=False)
    state = forms.ChoiceField(choices=US_STATES, required=False)
    postal_code = forms.CharField(max_length=10, required=False, label="ZIP code", validators=[zip_code])

    # The giver's own name, e-mail and receipt address, as browsers fill them (not the tribute's).
    AUTOFILL = {"name": "name", "email": "email", "address_line1": "billing address-line1",
                "address_line2": "billing address-line2", "city": "billing address-level2",
                "state": "billing address-level1", "postal_code": "billing postal-code"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tribute_notify_email"].widget.attrs["autocomplete"] = "off"  # someone else's address
        self.fields["preset"].choices = preset_choices()
        self.fields["preset"].initial = preset_choices()[1][0] if len(preset_choices()) > 2 else "other"

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset == "other":
            if data.get("other_amount") is None and "other_amount" not in self.errors:
                self.add_error("other_amount", "Enter the amount you would like to give.")
            data["amount"] = data.get("other_amount")
        elif preset:
            data["amount"] = Decimal(preset)
        if data.get("tribute") and not (data.get("tribute_name") or "").strip():
            self.add_error("tribute_name", "Give the name of the person the gift honours or remembers.")
        if not data.get("tribute"):
            data["tribute_name"] = data["tribute_notify_email"] = ""
        return data


class AmountForm(forms.Form):
    amount = DecimalField(label="New monthly amount ($)", min_value=MIN_GIFT, max_value=MAX_GIFT, decimal_places=2,
                                max_digits=9)


class RefundDonationForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)


class CorrectReceiptForm(forms.Form):
    donor_name = forms.CharField(max_length=120)
    donor_address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(max_length=150)


class StatementRunForm(forms.Form):
    """Step one asks for the year and shows what would be sent; step two (``confirm``) sends.

    ``expected`` is how many statements the preview showed: if that changed meanwhile, the
    page shows the new preview instead of sending."""

    year = IntegerField(min_value=2000, max_value=2100)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    expected = IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean_year(self):
        from shop.services.statements import StatementError, year_check

        year = self.cleaned_data["year"]
        try:
            year_check(year)
        except StatementError as error:
            raise forms.ValidationError(error.message) from error
        return year
