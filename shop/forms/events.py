"""Forms for the event pages: buying tickets, sponsoring, asking to host, and staff decisions."""
from django import forms
from django.utils import timezone

from shop.forms.addresses import Autofill
from shop.forms.giving import US_STATES
from shop.services.events import MAX_EXPECTED_GUESTS, MAX_TICKETS_PER_PURCHASE
from shop.platform.form_fields import DateField, IntegerField, ModelChoiceField, choices_read
from shop.platform.validators import zip_code

ZIP = {"max_length": 10, "required": False, "label": "ZIP code", "validators": [zip_code]}


# The buyer's own receipt address, as browsers fill it.
RECEIPT_AUTOFILL = {"address_line1": "billing address-line1", "city": "billing address-level2",
                    "state": "billing address-level1", "postal_code": "billing postal-code"}


class _ReceiptAddress(Autofill, forms.Form):
    address_line1 = forms.CharField(max_length=120, required=False, label="Address (for your receipt, optional)")
    city = forms.CharField(max_length=80, required=False)
    state = forms.ChoiceField(choices=US_STATES, required=False)
    postal_code = forms.CharField(**ZIP)


class TicketForm(_ReceiptAddress):
    ticket_type = ModelChoiceField(queryset=None, empty_label=None, label="Ticket")
    quantity = IntegerField(min_value=1, max_value=MAX_TICKETS_PER_PURCHASE, initial=1, label="How many")
    name = forms.CharField(max_length=120, label="Your full name")
    email = forms.EmailField(label="Your e-mail")

    field_order = ["ticket_type", "quantity", "name", "email", "address_line1", "city", "state", "postal_code"]
    AUTOFILL = {"name": "name", "email": "email", **RECEIPT_AUTOFILL}

    def __init__(self, *args, event, ticket_types=None, **kwargs):
        """``ticket_types``: the event's active ones, when the page has read them already."""
        kwargs.setdefault("prefix", "ticket")
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].queryset = event.ticket_types.filter(is_active=True)
        self.fields["ticket_type"].label_from_instance = lambda t: f"{t.name} (${t.price:,.2f})"
        if ticket_types is not None:
            choices_read(self.fields["ticket_type"], ticket_types)


class SponsorForm(_ReceiptAddress):
    tier = ModelChoiceField(queryset=None, empty_label=None, label="Sponsorship")
    sponsor_name = forms.CharField(max_length=160, label="Sponsor's name, as shown on the event page and the receipt")
    contact_name = forms.CharField(max_length=120, label="Your full name")
    email = forms.EmailField(label="Your e-mail")
    link = forms.URLField(required=False, assume_scheme="https", max_length=200, label="Sponsor's website (optional)")
    logo = forms.FileField(required=False, label="Logo (PNG or JPEG, at most 2 MB, optional)",
                           widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}))

    field_order = ["tier", "sponsor_name", "link", "logo", "contact_name", "email", "address_line1", "city", "state",
                   "postal_code"]
    AUTOFILL = {"sponsor_name": "organization", "link": "url", "contact_name": "name", "email": "email",
                **RECEIPT_AUTOFILL}

    def __init__(self, *args, event, tiers=None, **kwargs):
        """``tiers``: the event's sponsorship tiers, when the page has read them already."""
        kwargs.setdefault("prefix", "sponsor")
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = event.sponsorship_tiers.all()
        self.fields["tier"].label_from_instance = lambda t: f"{t.name} (${t.amount:,.2f})"
        if tiers is not None:
            choices_read(self.fields["tier"], tiers)

    def clean_link(self):
        link = self.cleaned_data["link"]
        if link and not link.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Enter a web address starting with https://.")
        return link


class HostingRequestForm(Autofill, forms.Form):
    AUTOFILL = {"organisation": "organization", "contact_name": "name", "email": "email", "phone": "tel"}

    organisation = forms.CharField(max_length=160, label="Organisation")
    contact_name = forms.CharField(max_length=120, label="Your name")
    email = forms.EmailField(label="Your e-mail")
    phone = forms.CharField(max_length=30, required=False, label="Phone (optional)")
    date = DateField(label="Date of the event")
    expected_guests = IntegerField(min_value=1, max_value=MAX_EXPECTED_GUESTS, label="Expected guests")
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=4000, label="What is the event for?")

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day <= timezone.localdate():
            raise forms.ValidationError("Choose a date in the future.")
        return day


class HostingDecisionForm(forms.Form):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000,
                              label="Message to the requester (optional)")
