"""Giving: donors, one-time and monthly gifts, tax receipts and year-end statements.

A ``Donation`` is one payment (a one-time gift, or one month of a monthly gift). A
``Receipt`` is the tax acknowledgment of one donation: numbered from a gap-free yearly
sequence, a frozen snapshot that is never edited; a correction or a refund voids it.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from .catalog import MONEY
from .orders import random_number


class Fund(models.TextChoices):
    GENERAL = "general", "General operating"
    COUNSELLING = "counselling", "Counselling and mental health"
    CARE = "care", "Care management"
    WAGES = "wages", "Survivor wages and job training"


# Designations payroll credits to the wage fund in its ledger; the others are tracked here.
WAGE_FUND_DESIGNATIONS = (Fund.WAGES,)


class Donor(models.Model):
    """One giver, matched by e-mail (lower case). Logged-in users see the gifts of their verified e-mail."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=120)
    address_line1 = models.CharField(max_length=120, blank=True)
    address_line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, " ".join(p for p in (self.city, self.state, self.postal_code) if p)]
        return "\n".join(p for p in parts if p)


class Tribute(models.TextChoices):
    NONE = "", "No tribute"
    HONOUR = "honour", "In honour of"
    MEMORY = "memory", "In memory of"


def new_donation_number() -> str:
    return random_number("GIFT-", 8)


def new_monthly_number() -> str:
    return random_number("MONTHLY-", 8)


class RecurringGift(models.Model):
    """A monthly gift: a Stripe customer (its own) with a default card and a subscription.

    The plan is one cent a unit and the quantity is the monthly total in cents, so a new
    amount is a quantity change. Pausing cancels the Stripe subscription and resuming
    starts a new one on the same customer and card.
    """

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Waiting for the first payment"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=20, unique=True, default=new_monthly_number, editable=False)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="recurring_gifts")
    donor_name = models.CharField(max_length=120, blank=True, help_text="As given with this gift (each month's receipt shows it).")
    donor_address = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             help_text="The account signed in when the gift was made: it is theirs to change, pause or cancel.")
    given_details = models.JSONField(default=dict, blank=True, help_text="Name and address parts as typed (see donor_update_from_gift).")
    amount = models.DecimalField(**MONEY, help_text="The monthly gift the organisation nets.")
    fee_covered = models.DecimalField(**MONEY, default=0)
    total = models.DecimalField(**MONEY, help_text="Charged each month: the gift plus any fees covered.")
    cover_fees = models.BooleanField(default=False)
    fund = models.CharField(max_length=20, choices=Fund.choices, default=Fund.GENERAL)
    anonymous = models.BooleanField(default=False)
    tribute = models.CharField(max_length=10, choices=Tribute.choices, blank=True, default="")
    tribute_name = models.CharField(max_length=120, blank=True)
    tribute_notify_email = models.EmailField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INCOMPLETE)
    circle = models.ForeignKey("shop.GivingCircle", null=True, blank=True, on_delete=models.PROTECT, related_name="monthly_gifts",
                               help_text="The giving circle this monthly gift counts toward.")
    stripe_customer_id = models.CharField(max_length=80, unique=True, null=True, blank=True)
    stripe_plan_id = models.CharField(max_length=80, blank=True)
    stripe_subscription_id = models.CharField(max_length=80, unique=True, null=True, blank=True)
    failed_charges = models.PositiveIntegerField(default=0, help_text="Failed charges since the last successful one.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recurringgift_amount_positive"),
        ]

    def __str__(self):
        return f"{self.number} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.PAST_DUE, self.Status.PAUSED)


class Donation(models.Model):
    """One payment to the organisation. ``total`` is what was charged; ``amount`` the gift the
    organisation nets (``total`` minus any fees the donor chose to cover).

    ``goods_value`` is the fair market value of anything the donor received (a ticket, a
    sponsorship benefit): the receipt then says so and limits the deductible amount.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for payment"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    number = models.CharField(max_length=20, unique=True, default=new_donation_number, editable=False)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="donations")
    donor_name = models.CharField(max_length=120, help_text="As given with this gift (the receipt shows it).")
    donor_address = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             help_text="The account signed in when the gift was made (it sees the gift on its giving page).")
    given_details = models.JSONField(default=dict, blank=True, help_text="Name and address parts as typed (see donor_update_from_gift).")
    recurring = models.ForeignKey(RecurringGift, null=True, blank=True, on_delete=models.PROTECT, related_name="donations")
    amount = models.DecimalField(**MONEY)
    fee_covered = models.DecimalField(**MONEY, default=0)
    total = models.DecimalField(**MONEY)
    fund = models.CharField(max_length=20, choices=Fund.choices, default=Fund.GENERAL)
    anonymous = models.BooleanField(default=False, help_text="Leave the name off public pages.")
    tribute = models.CharField(max_length=10, choices=Tribute.choices, blank=True, default="")
    tribute_name = models.CharField(max_length=120, blank=True)
    tribute_notify_email = models.EmailField(blank=True)
    tribute_notified_at = models.DateTimeField(null=True, blank=True)
    goods_description = models.CharField(max_length=300, blank=True)
    goods_value = models.DecimalField(**MONEY, default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    circle = models.ForeignKey("shop.GivingCircle", null=True, blank=True, on_delete=models.PROTECT, related_name="donations")
    # Its Stripe ids are on its ``payments`` (``shop.models.Payment``), the one payment record.
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    # total == amount + fee_covered is checked by the services (SQLite adds decimals as floats).

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(condition=Q(fee_covered__gte=0), name="donation_fee_not_negative"),
            models.CheckConstraint(condition=Q(goods_value__gte=0), name="donation_goods_not_negative"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(paid_at__isnull=False), name="donation_paid_has_date"),
        ]

    def __str__(self):
        return self.number

    @property
    def deductible(self):
        from shop.platform.money import ZERO

        return max(self.total - self.goods_value, ZERO)

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.PAID

    @property
    def payment(self):
        """The gift's latest payment (one-time gifts have one; a month of a monthly gift, its invoice's)."""
        payments = list(self.payments.all())  # uses a prefetch when there is one
        return payments[-1] if payments else None

    @property
    def stripe_payment_intent_id(self) -> str | None:
        """Read-only: the PaymentIntent of ``payment`` (the payment row is the source of truth)."""
        payment = self.payment
        return payment.stripe_payment_intent_id if payment else None


class ReceiptSequence(models.Model):
    """One row per year: the last receipt number issued. Locked while a number is taken."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class ReceiptImmutable(Exception):
    """An issued receipt's content never changes: void it and issue a new one."""


RECEIPT_CONTENT_FIELDS = (
    "number", "year", "sequence", "donation_id", "donor_name", "donor_address", "org_legal_name", "org_address",
    "org_ein", "received_on", "amount", "designation", "goods_description", "goods_value", "deductible",
    "tribute", "fl_registration", "issued_at",
)


class ReceiptQuerySet(models.QuerySet):
    def update(self, **kwargs):
        touched = {k.removesuffix("_id") for k in kwargs} & {f.removesuffix("_id") for f in RECEIPT_CONTENT_FIELDS}
        if touched:
            raise ReceiptImmutable(f"A receipt's content cannot change ({', '.join(sorted(touched))}); void and reissue it.")
        return super().update(**kwargs)


class Receipt(models.Model):
    """A tax receipt as issued: a snapshot of everything printed on it."""

    number = models.CharField(max_length=20, unique=True)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="receipts")
    donor_name = models.CharField(max_length=120)
    donor_address = models.TextField(blank=True)
    org_legal_name = models.CharField(max_length=200)
    org_address = models.CharField(max_length=300)
    org_ein = models.CharField(max_length=20)
    received_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    designation = models.CharField(max_length=80)
    goods_description = models.CharField(max_length=300, blank=True)
    goods_value = models.DecimalField(**MONEY, default=0)
    deductible = models.DecimalField(**MONEY)
    tribute = models.CharField(max_length=140, blank=True, help_text='e.g. "In memory of Rose Diaz".')
    fl_registration = models.CharField(max_length=40, blank=True)
    issued_at = models.DateTimeField()
    # Not content: what happened to the receipt afterwards.
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")
    emailed_at = models.DateTimeField(null=True, blank=True)
    copies_sent = models.PositiveIntegerField(default=0)

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="receipt_sequence_once_per_year"),
            models.UniqueConstraint(fields=["donation"], condition=Q(voided_at__isnull=True), name="receipt_one_valid_per_donation"),
            models.CheckConstraint(condition=Q(goods_value__gte=0) & Q(deductible__gte=0), name="receipt_values_not_negative"),
        ]

    def __str__(self):
        return f"Receipt {self.number}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values(*RECEIPT_CONTENT_FIELDS).first()
            if stored is not None:
                changed = [f for f in RECEIPT_CONTENT_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise ReceiptImmutable(
                        f"Receipt {stored['number']} was issued and cannot be edited ({', '.join(changed)}); void and reissue it."
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReceiptImmutable("A receipt is never deleted; void it instead.")


class DonationChargeFailure(models.Model):
    """One failed monthly charge (an invoice's attempt), recorded once however often Stripe says so."""

    recurring = models.ForeignKey(RecurringGift, on_delete=models.CASCADE, related_name="failures")
    stripe_invoice_id = models.CharField(max_length=80)
    attempt = models.PositiveIntegerField(default=1)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["stripe_invoice_id", "attempt"], name="chargefailure_once_per_attempt")]


class StatementRun(models.Model):
    """A staff-started (or January beat) run of year-end statements, with its progress."""

    class Status(models.TextChoices):
        RUNNING = "running", "Sending"
        DONE = "done", "Done"

    year = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0, help_text="Statements e-mailed by this run (not before).")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class YearEndStatement(models.Model):
    """One donor's statement for one year, sent once."""

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="statements")
    year = models.PositiveIntegerField()
    gifts = models.PositiveIntegerField(default=0)
    total = models.DecimalField(**MONEY, default=0)
    deductible = models.DecimalField(**MONEY, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "donor_id"]
        constraints = [models.UniqueConstraint(fields=["donor", "year"], name="statement_once_per_donor_year")]
