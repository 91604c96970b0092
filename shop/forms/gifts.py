from django import forms

from shop.models import BoxSize, ClassicBox, GiftDesign, OrganisationMember, PaletteColour, ProductVariant, RecipientList
from shop.models.rates import US_STATES
from shop.platform.form_fields import DateField, DecimalField, IntegerField, ModelChoiceField
from shop.platform.validators import zip_code


class NewDesignForm(forms.Form):
    organisation = ModelChoiceField(queryset=None, empty_label=None)
    name = forms.CharField(max_length=120, initial="New gift box")
    size = ModelChoiceField(queryset=BoxSize.objects.all(), empty_label=None)
    start_from = ModelChoiceField(queryset=ClassicBox.objects.filter(active=True), required=False,
                                        empty_label="An empty box", label="Start from")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        from shop.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])


class DesignItemForm(forms.Form):
    variant = ModelChoiceField(
        queryset=ProductVariant.objects.filter(product__is_active=True, product__gift_slots__gt=0).select_related("product"),
        label="Item",
    )
    quantity = IntegerField(min_value=0, max_value=20, initial=1, help_text="0 takes it out of the box.")


class DesignDetailsForm(forms.ModelForm):
    class Meta:
        model = GiftDesign
        fields = ["name", "size", "ribbon", "tissue", "initials", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 300, "data-counter": "message-count"})}
        help_texts = {"initials": "1 to 3 letters for the monogram.", "message": "Up to 300 characters on the card."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ribbon"].queryset = PaletteColour.objects.filter(active=True, use__in=["ribbon", "both"])
        self.fields["tissue"].queryset = PaletteColour.objects.filter(active=True, use__in=["tissue", "both"])

    def clean_initials(self):
        return self.cleaned_data["initials"].upper()

    def clean(self):
        data = super().clean()
        size = data.get("size")
        if size is not None and self.instance.pk:
            from shop.services.gifts.quote import design_slots_used

            used = design_slots_used(self.instance)
            if used > size.slots:
                self.add_error("size", f"The items take {used} slots; the {size.name.lower()} box has {size.slots}.")
        return data


class LogoForm(forms.Form):
    logo = forms.FileField(help_text="PNG, JPEG or SVG, up to 5 MB; at least 300 px on the short side.")


class QuoteForm(forms.Form):
    quantity = IntegerField(min_value=1, max_value=5000, initial=25)
    shipping = forms.ChoiceField(choices=[("per_recipient", "To each recipient"), ("bulk", "One bulk shipment")])
    state = forms.ChoiceField(choices=[("", "No sales tax state")] + US_STATES, required=False, label="Ship to state")


class PublicQuoteForm(QuoteForm):
    """The public catalogue's instant quote: a classic box (by its slug) and a quantity."""

    box = forms.ChoiceField(choices=[], label="Box")
    field_order = ["box", "quantity", "shipping", "state"]

    def __init__(self, *args, boxes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["box"].choices = [(box.slug, box.name) for box in boxes]




class GiftOrderForm(forms.Form):
    """Ship one box to each recipient of a checked list, or every box to one address."""

    shipping = forms.ChoiceField(choices=[("per_recipient", "One box to each recipient on a list"),
                                          ("bulk", "Every box in one bulk shipment")],
                                 widget=forms.RadioSelect, initial="per_recipient")
    recipient_list = ModelChoiceField(queryset=RecipientList.objects.none(), required=False,
                                            empty_label="Choose a checked list", label="Recipient list")
    quantity = IntegerField(min_value=1, max_value=5000, required=False, label="Boxes (bulk shipment)")
    ship_to_name = forms.CharField(max_length=120, required=False, label="Deliver to (name)")
    ship_to_company = forms.CharField(max_length=120, required=False, label="Company")
    ship_to_line1 = forms.CharField(max_length=200, required=False, label="Address")
    ship_to_line2 = forms.CharField(max_length=200, required=False, label="Address line 2")
    ship_to_city = forms.CharField(max_length=100, required=False, label="City")
    ship_to_state = forms.ChoiceField(choices=[("", "State")] + US_STATES, required=False, label="State")
    ship_to_zip = forms.CharField(max_length=10, required=False, label="ZIP code", validators=[zip_code])
    in_hand_date = DateField(label="Needed in hand by")
    po_number = forms.CharField(max_length=40, required=False, label="PO number (optional)",
                                help_text="Your purchase order number; we print it on the invoice.")

    BULK_REQUIRED = ("quantity", "ship_to_name", "ship_to_line1", "ship_to_city", "ship_to_state", "ship_to_zip")

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["recipient_list"].queryset = RecipientList.objects.filter(
                organisation=organisation, status=RecipientList.Status.READY)

    def clean(self):
        data = super().clean()
        if data.get("shipping") == "per_recipient" and not data.get("recipient_list"):
            self.add_error("recipient_list", "Choose the recipient list (upload one on the recipients page).")
        if data.get("shipping") == "bulk":
            for name in self.BULK_REQUIRED:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Needed for a bulk shipment.")
        return data

    def ship_to(self):
        from shop.services.gifts.orders import ShipTo

        d = self.cleaned_data
        if d["shipping"] != "bulk":
            return None
        return ShipTo(name=d["ship_to_name"], company=d["ship_to_company"], line1=d["ship_to_line1"],
                      line2=d["ship_to_line2"], city=d["ship_to_city"], state=d["ship_to_state"], zip=d["ship_to_zip"])


class RecipientListForm(forms.Form):
    name = forms.CharField(max_length=120, required=False, help_text="For example “Client holiday list 2026”.")
    file = forms.FileField(label="CSV file", help_text="Up to 2,000 recipients. Use the template's columns.")


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=OrganisationMember.Role.choices, initial=OrganisationMember.Role.MEMBER)


class ShipmentForm(forms.Form):
    carrier = forms.CharField(max_length=40, initial="UPS")
    tracking_number = forms.CharField(max_length=60)
    boxes = IntegerField(min_value=1, required=False, help_text="Bulk orders: boxes in this parcel.")
    recipient_row = IntegerField(min_value=2, required=False, label="Recipient row",
                                       help_text="Recipient-list orders: the row in the uploaded list.")


class TrackingImportForm(forms.Form):
    file = forms.FileField(label="Tracking CSV", help_text="Columns: row, carrier, tracking_number.")


class ProofReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve the proof"), ("changes", "Ask for changes")],
                                 widget=forms.RadioSelect)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class ProofUploadForm(forms.Form):
    file = forms.FileField(help_text="A PDF, PNG or JPEG of the finished box, up to 10 MB.",
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))


class ColumnMappingForm(forms.Form):
    """What each unknown column of a recipient file is (or "ignore"), one choice per column,
    named by its spreadsheet letter."""

    def __init__(self, *args, pending: dict, samples: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        from shop.services.gifts.recipients import IGNORE
        from shop.services.recipients_import import LABELS

        options = [("", "Choose…"), (IGNORE, "Ignore this column")] + [
            (column, LABELS[column].capitalize()) for column in pending.get("choices", [])]
        samples = samples or {}
        for column in pending.get("columns", []):
            letter = column["letter"]
            shown = samples.get(letter) or []
            self.fields[f"column_{letter}"] = forms.ChoiceField(
                choices=options, label=f"Column {letter}: “{column['header']}”",
                help_text=("For example: " + " · ".join(shown)) if shown else "The column is empty.")

    def choices(self) -> dict[str, str]:
        return {name.removeprefix("column_"): value for name, value in self.cleaned_data.items()}


class GiftStartForm(QuoteForm):
    """"Start an order": the organisation and the quote it starts from. A visitor also fills
    in the sign-up form (``shop.forms.accounts.SignupForm``) in the same page."""

    organisation = forms.CharField(max_length=120, label="Organisation name")
    your_name = forms.CharField(max_length=120, label="Your name", help_text="Your invoices are addressed to you.")
    box = forms.ChoiceField(choices=[], label="Box to start from")
    invoice_terms = forms.BooleanField(
        required=False, label="We would like to pay by invoice (net 30)",
        help_text="Our team reviews this within a working day; until then, orders are paid by card.")
    field_order = ["organisation", "your_name", "box", "quantity", "shipping", "state", "invoice_terms"]

    def __init__(self, *args, boxes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["box"].choices = [(box.slug, box.name) for box in boxes]
        self.fields["quantity"].label = "Boxes"


class BudgetForm(forms.Form):
    """A member's spending budget; an empty amount takes the limit away."""

    period = forms.ChoiceField(choices=[("month", "a month"), ("quarter", "a quarter"), ("year", "a year")],
                               label="Per")
    amount = DecimalField(min_value=0, max_value=10_000_000, max_digits=10, decimal_places=2, required=False,
                          label="Budget (US dollars)", help_text="Leave empty for no limit.")


class OrderDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve and place the order"), ("decline", "Decline it")],
                                 widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000,
                           help_text="E-mailed to whoever placed the order; needed to decline.")
