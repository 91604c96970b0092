"""Corporate gift boxes: organisations and their members, the box catalogue, designs."""
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxLengthValidator, MinValueValidator, RegexValidator
from django.db import models

from .catalog import MONEY, ProductVariant


class Organisation(models.Model):
    """A corporate client. Everything a member makes belongs to exactly one organisation."""

    class Terms(models.TextChoices):
        CARD = "card", "Card only"
        NET30 = "net30", "Invoice, net 30"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    billing_contact = models.CharField(max_length=120, blank=True)
    billing_email = models.EmailField(blank=True)
    billing_address = models.TextField(blank=True)
    payment_terms = models.CharField(max_length=8, choices=Terms.choices, default=Terms.CARD,
                                     help_text="Set by shop staff; invoices only after approval.")
    terms_requested_at = models.DateTimeField(null=True, blank=True,
                                              help_text="When the client asked to pay by invoice (net 30).")
    terms_approved_at = models.DateTimeField(null=True, blank=True)
    terms_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationMember(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Administrator"
        MEMBER = "member", "Member"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership")]


class GiftBudget(models.Model):
    """What a member may spend on gift orders in each period before an administrator must
    approve the order (administrators themselves are not limited)."""

    class Period(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"
        YEAR = "year", "Year"

    member = models.OneToOneField(OrganisationMember, on_delete=models.CASCADE, related_name="budget")
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.MONTH)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class BoxSize(models.Model):
    name = models.CharField(max_length=40, unique=True)
    slots = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)], help_text="How many slots of products fit.")
    base_price = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slots"]

    def __str__(self):
        return f"{self.name} ({self.slots} slots)"


class PaletteColour(models.Model):
    class Use(models.TextChoices):
        RIBBON = "ribbon", "Ribbon"
        TISSUE = "tissue", "Tissue"
        BOTH = "both", "Ribbon and tissue"

    name = models.CharField(max_length=40, unique=True)
    hex = models.CharField(max_length=7, validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #7a2e3a.")])
    use = models.CharField(max_length=8, choices=Use.choices, default=Use.BOTH)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class VolumeTier(models.Model):
    """A discount on every box from a quantity on (demo: 25+ 5%, 100+ 10%, 250+ 15%)."""

    min_quantity = models.PositiveIntegerField(unique=True, validators=[MinValueValidator(2)])
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2,
                                           validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["min_quantity"]
        constraints = [models.CheckConstraint(condition=models.Q(discount_percent__lt=100), name="tier_discount_below_100")]

    def __str__(self):
        return f"{self.min_quantity}+ boxes: {self.discount_percent}% off"


class ClassicBox(models.Model):
    """A named combination, ordered as it is or opened in the builder as a start."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    size = models.ForeignKey(BoxSize, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="classic-boxes/", blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "classic boxes"

    def __str__(self):
        return self.name


class ClassicBoxItem(models.Model):
    box = models.ForeignKey(ClassicBox, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(ProductVariant, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])


def private_storage():
    return storages["private"]


initials_validator = RegexValidator(r"^[A-Za-z]{1,3}$", "Initials are 1 to 3 letters.")


class GiftDesign(models.Model):
    """A box a member designed: size, products, colours, logo, monogram and card message."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="designs")
    name = models.CharField(max_length=120)
    size = models.ForeignKey(BoxSize, on_delete=models.PROTECT, related_name="+")
    ribbon = models.ForeignKey(PaletteColour, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tissue = models.ForeignKey(PaletteColour, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    logo = models.FileField(upload_to="logos/", blank=True, storage=private_storage,
                            help_text="Stored under a generated name; served only to the organisation and staff.")
    initials = models.CharField(max_length=3, blank=True, validators=[initials_validator])
    message = models.TextField(blank=True, validators=[MaxLengthValidator(300)])
    # What the public quote asked for when the account was opened ("Start an order"): the
    # builder's quote and order form start from it.
    planned_quantity = models.PositiveIntegerField(null=True, blank=True)
    planned_shipping = models.CharField(max_length=16, blank=True)
    planned_state = models.CharField(max_length=2, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return self.name


class GiftDesignItem(models.Model):
    design = models.ForeignKey(GiftDesign, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(ProductVariant, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["design", "variant"], name="design_variant_once")]


# A claim-link order's tax line (the quote, builder, order page, invoice and e-mail): it is
# charged at the highest rate up front and settled by shop/services/gifts/claims.py.
ESTIMATED_TAX_LABEL = ("Sales tax (estimated at the highest rate a recipient's address can owe; what is not owed "
                       "comes back as account credit once the gifts are claimed)")
EACH_RECIPIENT = "each recipient's state"


def sales_tax_label(tax_state: str | None, *, claim_link: bool = False, taxed: bool = True) -> str:
    """The one wording of a gift quote's or order's tax line: "Sales tax (FL)", "(each
    recipient's state)", "(no state chosen)", or a claim-link order's estimate ("(none)" when
    nothing was charged: no taxed state in the table, or placed before claim links were taxed)."""
    if claim_link:
        return ESTIMATED_TAX_LABEL if taxed else "Sales tax (none)"
    return f"Sales tax ({tax_state})" if tax_state else "Sales tax (no state chosen)"


def order_tax_state(order) -> str | None:
    """Where an order's tax is for: each recipient's state (a recipient list), or its one address's."""
    if order.recipient_list_id and order.shipping_mode != "claim_link":
        return EACH_RECIPIENT
    return order.destination_state or None


def new_gift_order_number() -> str:
    from .orders import random_number

    return random_number("GB-", 7)


class GiftOrder(models.Model):
    """An order for many boxes of one design: quote snapshot, proof, payment, production."""

    class Status(models.TextChoices):
        PLACED = "placed", "Placed: waiting for the proof"
        PROOF_READY = "proof_ready", "Proof ready for review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Proof approved"
        IN_PRODUCTION = "in_production", "In production"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for an administrator's approval"
        DECLINED = "declined", "Declined by an administrator"

    class Payment(models.TextChoices):
        CARD = "card", "Card (authorised now, charged on proof approval)"
        INVOICE = "invoice", "Invoice, net 30"

    number = models.CharField(max_length=20, unique=True, default=new_gift_order_number, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="gift_orders")
    design = models.ForeignKey(GiftDesign, on_delete=models.PROTECT, related_name="orders")
    design_name = models.CharField(max_length=120)
    size_name = models.CharField(max_length=40)
    initials = models.CharField(max_length=3, blank=True)
    message = models.TextField(blank=True)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    shipping_mode = models.CharField(max_length=16)
    destination_state = models.CharField(max_length=2, blank=True)
    recipient_list = models.ForeignKey("RecipientList", null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    ship_to_name = models.CharField(max_length=120, blank=True, help_text="Bulk shipment: who receives the boxes.")
    ship_to_company = models.CharField(max_length=120, blank=True)
    ship_to_line1 = models.CharField(max_length=200, blank=True)
    ship_to_line2 = models.CharField(max_length=200, blank=True)
    ship_to_city = models.CharField(max_length=100, blank=True)
    ship_to_zip = models.CharField(max_length=10, blank=True)
    ribbon_name = models.CharField(max_length=40, blank=True)
    tissue_name = models.CharField(max_length=40, blank=True)
    has_logo = models.BooleanField(default=False)
    in_hand_date = models.DateField()
    po_number = models.CharField(max_length=40, blank=True, verbose_name="PO number",
                                 help_text="The client's purchase order number, printed on the invoice.")
    box_price = models.DecimalField(**MONEY)
    # The price of one box split as the quote showed it, frozen at placing (the box packed by
    # hand + the items + the logo and monogram fees = box_price). Orders placed before the split
    # was kept have it only when their lines account for it (migration 0037): None = not known.
    base_price = models.DecimalField(**MONEY, null=True, blank=True,
                                     help_text="The box itself, packed by hand (assembly included), per box.")
    items_price = models.DecimalField(**MONEY, null=True, blank=True, help_text="The items in one box.")
    logo_fee = models.DecimalField(**MONEY, default=Decimal("0.00"), help_text="The logo, per box.")
    monogram_fee = models.DecimalField(**MONEY, default=Decimal("0.00"), help_text="The monogram, per box.")
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                           help_text="The volume tier in force (None: no tier, or not known).")
    discount_from = models.PositiveIntegerField(null=True, blank=True, help_text="The tier's smallest number of boxes.")
    discount = models.DecimalField(**MONEY)
    boxes_subtotal = models.DecimalField(**MONEY)
    shipping = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    credit_applied = models.DecimalField(**MONEY, default=Decimal("0.00"),
                                         help_text="The organisation's account credit spent on the order when it was "
                                                   "placed; the card or invoice is for the rest (shop/services/gifts/credit.py).")
    assembly_wage = models.DecimalField(**MONEY, help_text="Survivor assembly labour per box, at the time of the order.")
    stock_held = models.PositiveIntegerField(
        default=0, help_text="Ordered boxes whose items this order took from the stock and has not given back "
                             "(shop/services/gifts/stock.py): the quantity at placing, less the alternatives claimed "
                             "and the unclaimed gifts cancelled; 0 while waiting for approval and once cancelled.")
    payment = models.CharField(max_length=8, choices=Payment.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLACED)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Over the placer's budget: an administrator approves or declines it, with a note.
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    production_started_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def boxes_before_discount(self) -> Decimal:
        """The boxes at their price, before the volume discount (``boxes_subtotal`` is after it)."""
        return self.boxes_subtotal + self.discount

    def __str__(self):
        return self.number

    @property
    def tax_label(self) -> str:
        """The tax line's name: a claim-link order's tax is an estimate settled once the gifts are claimed."""
        return sales_tax_label(order_tax_state(self), claim_link=self.shipping_mode == "claim_link", taxed=bool(self.tax))

    @property
    def fees(self) -> tuple[tuple[str, Decimal], ...]:
        """The customisation per box, each fee named, as ``GiftQuote.fees``."""
        return (("Logo", self.logo_fee),) * bool(self.logo_fee) + (("Monogram", self.monogram_fee),) * bool(self.monogram_fee)

    @property
    def split_known(self) -> bool:
        """Whether the box's price split (items, box, fees) was kept for this order."""
        return self.base_price is not None and self.items_price is not None

    @property
    def amount_due(self):
        """What the card or the invoice is for: the total less the account credit spent on it."""
        return self.total - self.credit_applied

    @property
    def stripe_payment_intent_id(self) -> str:
        """Read-only: the card order's PaymentIntent, from its payment row ("" for an invoice order)."""
        payments = list(self.payments.all())
        return (payments[-1].stripe_payment_intent_id or "") if payments else ""


class GiftOrderLine(models.Model):
    """One product in every box of the order, frozen at the price and wage content of the day."""

    order = models.ForeignKey(GiftOrder, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(ProductVariant, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    per_box = models.PositiveSmallIntegerField()
    unit_price = models.DecimalField(**MONEY)
    wage_content = models.DecimalField(**MONEY)


class ClaimCampaign(models.Model):
    """A gift order sent by claim link: one ``GiftClaim`` per gift; each recipient opens a
    link, confirms an address and perhaps picks a box. The claimed addresses are rows of
    ``recipient_list``, a list of the order's own that the client never sees (its status
    is ``claims``), so staff ship them as any recipient list. At ``expires_on`` the gifts
    left unclaimed come back as credit, a refund, or go to the fallback address."""

    class Delivery(models.TextChoices):
        LINKS = "links", "I send the links myself (a CSV of links)"
        EMAIL = "email", "Mended e-mails each named recipient"

    class Outcome(models.TextChoices):
        CREDIT = "credit", "Cancel them: the unclaimed value back as account credit"
        REFUND = "refund", "Cancel them: the unclaimed value refunded to the card"
        FALLBACK = "fallback", "Ship them to a fallback address"

    order = models.OneToOneField(GiftOrder, on_delete=models.CASCADE, related_name="claim_campaign")
    recipient_list = models.OneToOneField("RecipientList", on_delete=models.PROTECT, related_name="claim_campaign")
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    sender_name = models.CharField(max_length=120, help_text="Who the gift is from, as the recipient reads it.")
    note = models.TextField(blank=True, validators=[MaxLengthValidator(300)])
    expires_on = models.DateField(help_text="The last day a link can be claimed.")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    fallback_name = models.CharField(max_length=120, blank=True)
    fallback_company = models.CharField(max_length=120, blank=True)
    fallback_line1 = models.CharField(max_length=200, blank=True)
    fallback_line2 = models.CharField(max_length=200, blank=True)
    fallback_city = models.CharField(max_length=100, blank=True)
    fallback_state = models.CharField(max_length=2, blank=True)
    fallback_zip = models.CharField(max_length=10, blank=True)
    alternatives = models.ManyToManyField(GiftDesign, blank=True, related_name="+",
                                          help_text="Other boxes of the client's a recipient may pick instead.")
    settled_at = models.DateTimeField(null=True, blank=True, help_text="When the unclaimed gifts were dealt with.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Claim links for {self.order}"


class GiftClaim(models.Model):
    """One gift waiting for its recipient. ``value`` is its share of what the client paid
    (the shares of an order sum to its total exactly), the amount a cancelled claim returns.
    ``tax_estimated`` is its share of the order's tax (charged at the highest rate; the shares
    sum to the order's tax exactly, and are part of ``value``); ``tax`` is what it owes where it
    went, fixed when it is claimed or sent to the fallback address (None until then)."""

    class Status(models.TextChoices):
        OPEN = "open", "Not claimed yet"
        CLAIMED = "claimed", "Claimed"
        CANCELLED = "cancelled", "Unclaimed: cancelled"
        FALLBACK = "fallback", "Unclaimed: sent to the fallback address"

    campaign = models.ForeignKey(ClaimCampaign, on_delete=models.CASCADE, related_name="claims")
    number = models.PositiveIntegerField(help_text="1 to N within the order; the row of its address in the list.")
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    value = models.DecimalField(**MONEY)
    tax_estimated = models.DecimalField(**MONEY, default=Decimal("0.00"),
                                        help_text="Its share of the order's sales tax, charged at the highest rate.")
    tax = models.DecimalField(**MONEY, null=True, blank=True,
                              help_text="The sales tax it owes where it went, fixed when claimed or sent to the "
                                        "fallback address; the difference comes back as credit at settlement.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    recipient = models.OneToOneField("GiftRecipient", null=True, blank=True, on_delete=models.PROTECT, related_name="claim")
    chosen_design = models.ForeignKey(GiftDesign, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    chosen_name = models.CharField(max_length=120, blank=True, help_text="The box the recipient picked, by name.")
    items_taken = models.JSONField(
        default=dict, blank=True,
        help_text="What the alternative box took from the stock when claimed (variant id → units), "
                  "given back exactly if the order is cancelled, whatever the design holds since.")
    wage_adjustment = models.DecimalField(
        **MONEY, default=0,
        help_text="The chosen alternative's wages per box less the ordered box's, fixed at the claim "
                  "(posted to the wage fund once the order is paid; negative when it carries less).")
    share_address = models.BooleanField(default=False, help_text="The recipient agreed the client may see the address.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    settlement = models.CharField(max_length=80, blank=True, help_text="The credit or refund that returned its value.")
    tracking_emailed_at = models.DateTimeField(null=True, blank=True,
                                               help_text="When the recipient was e-mailed the tracking (once).")

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="claim_number_once"),
                       models.CheckConstraint(condition=models.Q(value__gte=0), name="claim_value_not_negative")]

    def __str__(self):
        return f"Gift {self.number} of {self.campaign.order}"


class GiftClaimLink(models.Model):
    """A link to a claim: only the SHA-256 of its secret is kept, so the links cannot be read
    back out of the database. A claim may have several (a links CSV downloaded again, a
    reminder); any of them claims it once."""

    claim = models.ForeignKey(GiftClaim, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)


class OrganisationCredit(models.Model):
    """An entry in an organisation's account credit (positive: credit given, negative: spent).
    Each has a unique key from its source (``claims:GB-1234567`` for unclaimed gifts,
    ``tax:GB-…`` for the sales tax a claim-link order's gifts did not owe,
    ``spent:GB-…`` for an order it paid, ``returned:GB-…`` when that order was declined or
    cancelled), so nothing is credited or spent twice."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credits")
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=200)
    key = models.CharField(max_length=80, unique=True)
    order = models.ForeignKey(GiftOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="credits")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Proof(models.Model):
    order = models.ForeignKey(GiftOrder, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(upload_to="proofs/", storage=private_storage)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, blank=True, choices=[("approved", "Approved"), ("changes", "Changes requested")])
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]


class InvoiceSequence(models.Model):
    """One row: the last invoice number issued. Locked while a number is taken, so none is skipped."""

    last_number = models.PositiveIntegerField(default=0)


class Invoice(models.Model):
    number = models.PositiveIntegerField(unique=True)
    order = models.OneToOneField(GiftOrder, on_delete=models.PROTECT, related_name="invoice")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invoices")
    amount = models.DecimalField(**MONEY)
    issued_on = models.DateField()
    due_on = models.DateField()
    paid_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"Invoice {self.number:06d}"


def invitation_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class OrganisationInvitation(models.Model):
    """An e-mailed invitation to join an organisation; accepted by a user with that e-mail."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=8, choices=OrganisationMember.Role.choices, default=OrganisationMember.Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]


class RecipientList(models.Model):
    """A recipient CSV uploaded by a member; checked all-or-nothing by a Celery task."""

    class Status(models.TextChoices):
        PROCESSING = "processing", "Checking"
        MAPPING = "mapping", "Waiting for column choices"
        READY = "ready", "Ready"
        FAILED = "failed", "Not imported"
        CLAIMS = "claims", "Addresses given by claim link"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="recipient_lists")
    name = models.CharField(max_length=120)
    source = models.FileField(upload_to="recipient-lists/", storage=private_storage)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    row_errors = models.JSONField(default=list, blank=True, help_text="Every bad row: row number, column, reason.")
    notes = models.JSONField(default=list, blank=True, help_text="Columns of the file that were not used, and why.")
    unmapped_columns = models.JSONField(default=dict, blank=True,
                                        help_text="While waiting for choices: the unknown columns, the required ones missing, what they may be.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def progress_percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0


class RecipientColumnMapping(models.Model):
    """What an organisation said a column of its recipient files is (``column`` blank: ignore
    it), by the header's key (``recipients_import.header_key``); applied to its next files."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="column_mappings")
    header_key = models.CharField(max_length=100)
    header = models.CharField(max_length=200, help_text="The header as the file spelt it.")
    column = models.CharField(max_length=16, blank=True)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["header_key"]
        constraints = [models.UniqueConstraint(fields=["organisation", "header_key"], name="column_mapping_once")]


class GiftRecipient(models.Model):
    recipient_list = models.ForeignKey(RecipientList, on_delete=models.CASCADE, related_name="recipients")
    row = models.PositiveIntegerField(help_text="The row in the uploaded file (the header is row 1).")
    name = models.CharField(max_length=120)
    company = models.CharField(max_length=120, blank=True)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip = models.CharField(max_length=10)
    country = models.CharField(max_length=2, default="US")
    message = models.TextField(blank=True, help_text="Replaces the default card message when set.")
    email = models.EmailField(blank=True, help_text="From the file's e-mail column, when it has one.")

    class Meta:
        ordering = ["row"]
        constraints = [models.UniqueConstraint(fields=["recipient_list", "row"], name="recipient_row_once")]


class Shipment(models.Model):
    """A parcel on its way: to one recipient, or boxes in bulk, with the carrier's tracking."""

    order = models.ForeignKey(GiftOrder, on_delete=models.CASCADE, related_name="shipments")
    recipient = models.ForeignKey(GiftRecipient, null=True, blank=True, on_delete=models.PROTECT, related_name="shipments")
    boxes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    carrier = models.CharField(max_length=40)
    tracking_number = models.CharField(max_length=60)
    shipped_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["shipped_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "recipient"], name="one_shipment_per_recipient",
                                               condition=models.Q(recipient__isnull=False))]
