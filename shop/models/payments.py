"""Stripe payments, refunds and the stored webhook events (the outbox)."""
from django.conf import settings
from django.db import models

from .catalog import MONEY
from .orders import Order, OrderLine


class Payment(models.Model):
    """One Stripe PaymentIntent for an order. Its status is Stripe's, as last fetched."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    stripe_payment_intent_id = models.CharField(max_length=80, unique=True)
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=40)
    last_error = models.CharField(max_length=300, blank=True)
    demo = models.BooleanField(
        default=False, help_text="Demo data (seed_demo): never charged at Stripe, so a refund moves no money."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.stripe_payment_intent_id


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for Stripe"
        SUCCEEDED = "succeeded", "Refunded"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
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
        return f"Refund {self.pk} of {self.order}"


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
