"""Stripe payments, refunds and the stored webhook events (the outbox)."""
from django.conf import settings
from django.db import models

from .catalog import MONEY
from .orders import Order, OrderLine

# The kinds whose owner is a ``Donation`` (a gift, a month of a monthly gift, tickets, a sponsorship).
DONATION_KINDS = ("gift", "monthly", "ticket", "sponsorship")


class Payment(models.Model):
    """One attempt to take money at Stripe, pointing at the one thing it pays for.

    Every owner that takes money has its payments here: a shop order, a gift box order, a
    one-time gift, one month of a monthly gift (its Stripe invoice), event tickets and a
    sponsorship (the last four are ``Donation`` rows). ``kind`` names the owner and exactly one
    owner key is set, as the database checks. The Stripe ids are unique, so the webhook finds
    the payment by the id Stripe sends and hands it to its owner's service
    (``shop/services/stripe_events.py``). ``status`` is Stripe's, as last fetched; each change
    is kept in ``PaymentStatusChange``. Refunds are ``Refund`` rows against the payment.
    """

    class Kind(models.TextChoices):
        ORDER = "order", "Shop order"
        GIFT_ORDER = "gift_order", "Gift box order"
        GIFT = "gift", "One-time gift"
        MONTHLY = "monthly", "Monthly gift (one month)"
        TICKET = "ticket", "Event tickets"
        SPONSORSHIP = "sponsorship", "Event sponsorship"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ORDER)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    gift_order = models.ForeignKey("shop.GiftOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    donation = models.ForeignKey("shop.Donation", null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    gift_card = models.ForeignKey("shop.GiftCard", null=True, blank=True, on_delete=models.PROTECT, related_name="payments",
                                  help_text="A gift card's part of an order: taken off the card's balance, not at Stripe.")
    stripe_payment_intent_id = models.CharField(max_length=80, unique=True, null=True, blank=True)
    stripe_invoice_id = models.CharField(max_length=80, unique=True, null=True, blank=True,
                                         help_text="A monthly gift's month: the Stripe invoice it was charged by.")
    stripe_charge_id = models.CharField(max_length=80, unique=True, null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="usd")
    status = models.CharField(max_length=40)
    last_error = models.CharField(max_length=300, blank=True)
    demo = models.BooleanField(
        default=False, help_text="Demo data (seed_demo): never charged at Stripe, so a refund moves no money."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="order", order__isnull=False, gift_order__isnull=True, donation__isnull=True)
                    | models.Q(kind="gift_order", order__isnull=True, gift_order__isnull=False, donation__isnull=True)
                    | models.Q(kind__in=DONATION_KINDS, order__isnull=True, gift_order__isnull=True, donation__isnull=False)
                ),
                name="payment_one_owner_of_its_kind",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(gift_card__isnull=True) | models.Q(
                    kind="order", stripe_payment_intent_id__isnull=True, stripe_invoice_id__isnull=True,
                    stripe_charge_id__isnull=True),
                name="payment_gift_card_is_no_stripe_payment",
            ),
        ]

    def __str__(self):
        return self.stripe_payment_intent_id or self.stripe_invoice_id or f"Payment {self.pk}"

    @property
    def owner(self):
        """The order, gift order or donation this payment is for."""
        return self.order or self.gift_order or self.donation


class PaymentStatusChange(models.Model):
    """One change of a payment's status, kept as it happened (never edited)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(max_length=40, blank=True)
    new_status = models.CharField(max_length=40)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.payment}: {self.old_status or '-'} -> {self.new_status}"


class Refund(models.Model):
    """Money given back against one payment: several are allowed, each partial or whole; the
    ones not failed never sum above the payment (``shop.services.refunds.refund_room``).
    ``order`` is set for a shop order's refund, whose ``RefundLine`` rows split it over the lines."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for Stripe"
        SUCCEEDED = "succeeded", "Refunded"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    shipping_amount = models.DecimalField(**MONEY, default=0, help_text="The part of the refund that returns shipping.")
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    stripe_refund_id = models.CharField(max_length=80, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"Refund {self.pk} of {self.order or self.payment.owner}"


class RefundLine(models.Model):
    """A refund's share of one order line, allocated to the cent when the refund is made."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refund_lines")
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["refund", "order_line"], name="refundline_once_per_line"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="refundline_amount_non_negative"),
        ]


class StripeEvent(models.Model):
    """Every verified webhook event, stored once by Stripe's id before it is processed."""

    stripe_id = models.CharField(max_length=80, unique=True)
    type = models.CharField(max_length=80, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.type} {self.stripe_id}"
