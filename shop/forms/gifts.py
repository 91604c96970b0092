from django import forms

from shop.models import BoxSize, ClassicBox, GiftDesign, Organisation, OrganisationMember, PaletteColour, ProductVariant, RecipientList
from shop.models.rates import US_STATES
from shop.platform.form_fields import DateField, DecimalField, IntegerField, ModelChoiceField, ModelMultipleChoiceField
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
        # Not Django's "---------": an empty choice is our standard colour (the preview's default).
        self.fields["ribbon"].empty_label = "Our standard ribbon (berry)"
        self.fields["tissue"].empty_label = "Our standard tissue (natural)"
        self.fields["size"].empty_label = None  # a design always has a size

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


SHIPPING_QUOTES = [("per_recipient", "To each recipient"), ("bulk", "One bulk shipment")]


class QuoteForm(forms.Form):
    """The builder's quote: also for boxes sent by claim link (taxed at the highest rate; the state is not asked)."""

    quantity = IntegerField(min_value=1, max_value=5000, initial=25)
    shipping = forms.ChoiceField(choices=SHIPPING_QUOTES + [("claim_link", "By claim link (recipients give their address)")])
    state = forms.ChoiceField(choices=[("", "Not chosen (quoted without sales tax)")] + US_STATES, required=False, label="Ship to state")


class PublicQuoteForm(QuoteForm):
    """The public catalogue's instant quote: a classic box (by its slug) and a quantity."""

    shipping = forms.ChoiceField(choices=SHIPPING_QUOTES)
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


class ClaimOrderForm(forms.Form):
    """Order gifts sent by claim link: links to pass on, or named recipients we e-mail."""

    delivery = forms.ChoiceField(choices=[("links", "I send the links myself (download a CSV of links)"),
                                          ("email", "E-mail my recipients for me")],
                                 widget=forms.RadioSelect, initial="links", label="How recipients get their link")
    quantity = IntegerField(min_value=1, max_value=2000, required=False, label="Gifts (when you send the links)")
    recipients = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=200_000,
                                 label="Recipients to e-mail",
                                 help_text="One a line: name, e-mail address (two spreadsheet columns paste in too).")
    sender_name = forms.CharField(max_length=120, label="From", help_text="As the recipient reads it, e.g. “Acme People Team”.")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=300,
                           label="A note for the recipients (optional)")
    alternatives = ModelMultipleChoiceField(queryset=GiftDesign.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            label="Let recipients choose instead from (optional)",
                                            help_text="Your other boxes at this box's price or less.")
    expires_on = DateField(label="Links expire after")
    outcome = forms.ChoiceField(choices=[("credit", "Cancel them: their value back as account credit"),
                                         ("refund", "Cancel them: their value refunded to the card"),
                                         ("fallback", "Ship them to a fallback address")],
                                widget=forms.RadioSelect, initial="credit", label="Gifts not claimed by then")
    fallback_name = forms.CharField(max_length=120, required=False, label="Fallback: deliver to (name)")
    fallback_company = forms.CharField(max_length=120, required=False, label="Company")
    fallback_line1 = forms.CharField(max_length=200, required=False, label="Address")
    fallback_line2 = forms.CharField(max_length=200, required=False, label="Address line 2")
    fallback_city = forms.CharField(max_length=100, required=False, label="City")
    fallback_state = forms.ChoiceField(choices=[("", "State")] + US_STATES, required=False, label="State")
    fallback_zip = forms.CharField(max_length=10, required=False, label="ZIP code", validators=[zip_code])
    in_hand_date = DateField(label="Boxes ready by")
    po_number = forms.CharField(max_length=40, required=False, label="PO number (optional)")

    FALLBACK_REQUIRED = ("fallback_name", "fallback_line1", "fallback_city", "fallback_state", "fallback_zip")

    def __init__(self, *args, design=None, **kwargs):
        super().__init__(*args, **kwargs)
        if design is not None:
            self.fields["alternatives"].queryset = GiftDesign.objects.filter(
                organisation=design.organisation).exclude(pk=design.pk).order_by("name")
            if design.organisation.payment_terms != Organisation.Terms.CARD:
                # An invoiced order has no card to refund (claims.claim_order_place refuses it): not offered.
                outcome = self.fields["outcome"]
                outcome.choices = [c for c in outcome.choices if c[0] != "refund"]
                outcome.error_messages["invalid_choice"] = (
                    "Invoiced orders' unclaimed gifts come back as account credit or go to a fallback address.")

    def clean(self):
        data = super().clean()
        if data.get("delivery") == "links" and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", "How many gifts (one link each)?")
        if data.get("delivery") == "email" and not (data.get("recipients") or "").strip():
            self.add_error("recipients", "List the recipients: a name and an e-mail address a line.")
        if data.get("outcome") == "fallback":
            for name in self.FALLBACK_REQUIRED:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Needed for the fallback address.")
        return data

    def fallback(self):
        from shop.services.gifts.orders import ShipTo

        d = self.cleaned_data
        if d["outcome"] != "fallback":
            return None
        return ShipTo(name=d["fallback_name"], company=d["fallback_company"], line1=d["fallback_line1"],
                      line2=d["fallback_line2"], city=d["fallback_city"], state=d["fallback_state"], zip=d["fallback_zip"])


class ClaimForm(forms.Form):
    """The recipient's own shipping address (and box, when there is a choice)."""

    box = forms.TypedChoiceField(coerce=int, choices=(), widget=forms.RadioSelect, required=False, label="Choose your box")
    name = forms.CharField(max_length=120, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"}))
    company = forms.CharField(max_length=120, required=False, label="Company (optional)",
                              widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    line1 = forms.CharField(max_length=200, label="Street address",
                            widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    line2 = forms.CharField(max_length=200, required=False, label="Apartment, suite (optional)",
                            widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))
    city = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    state = forms.ChoiceField(choices=[("", "State")] + US_STATES,
                              widget=forms.Select(attrs={"autocomplete": "address-level1"}))
    zip = forms.CharField(max_length=10, label="ZIP code", validators=[zip_code],
                          widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}))
    email = forms.EmailField(required=False, max_length=254, label="E-mail for tracking updates (optional)",
                             help_text="We write once, when it ships. The sender never sees this e-mail address.",
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    share_address = forms.BooleanField(required=False, label="The sender may see my address",
                                       help_text="Leave unticked and they see only that you claimed and the tracking.")

    def __init__(self, *args, boxes=(), **kwargs):
        super().__init__(*args, **kwargs)
        if boxes:
            self.fields["box"].choices = [(box.design_id, box.name) for box in boxes]
            self.fields["box"].required = True
        else:
            del self.fields["box"]

    def ship_to(self):
        from shop.services.gifts.orders import ShipTo

        d = self.cleaned_data
        return ShipTo(name=d["name"], company=d["company"], line1=d["line1"], line2=d["line2"], city=d["city"],
                      state=d["state"], zip=d["zip"])


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
