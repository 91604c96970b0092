"""Discount codes, and what each took off an order (the snapshot that is also its use).

A code's uses are its ``OrderDiscount`` rows whose order was not cancelled: an unpaid order
that is cancelled or expires gives its use back. ``shop/services/discounts.py`` counts them
with the code's row locked, so two checkouts cannot both take a code's last use.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .catalog import MONEY, Category, Product
from .orders import Order, OrderLine


def normalise_code(text: str) -> str:
    """Codes are matched without regard to case or surrounding spaces."""
    return (text or "").strip().upper()


class DiscountCode(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage off"
        AMOUNT = "amount", "Fixed amount off"
        FREE_SHIPPING = "free_shipping", "Free shipping"

    code = models.CharField(max_length=40, unique=True, help_text="What the customer types; matched in any case.")
    description = models.CharField(max_length=120, blank=True, help_text="Shown beside the code, e.g. “10% off your first order”.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(**MONEY, default=0,
                                help_text="The percentage (10 is 10%) or the dollars off; 0 for free shipping.")
    minimum_spend = models.DecimalField(**MONEY, default=0, help_text="What the items it applies to must come to.")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Uses in all; empty for no limit.")
    per_customer_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Uses per customer (account or e-mail address); empty for no limit.")
    combinable = models.BooleanField(default=False, help_text="May be used on an order together with other codes.")
    products = models.ManyToManyField(Product, blank=True, related_name="+",
                                      help_text="Limit it to these products (and/or the categories below).")
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0, minimum_spend__gte=0), name="discountcode_not_negative"),
            models.CheckConstraint(condition=~models.Q(kind="percent", value__gt=100), name="discountcode_percent_at_most_100"),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        self.code = normalise_code(self.code)
        if not self.code or not all(c.isalnum() or c in "-_" for c in self.code):
            raise ValidationError({"code": "Use letters, digits, - and _ only."})
        if self.kind == self.Kind.PERCENT and not (0 < (self.value or 0) <= 100):
            raise ValidationError({"value": "A percentage is above 0 and at most 100."})
        if self.kind == self.Kind.AMOUNT and not (self.value or 0) > 0:
            raise ValidationError({"value": "Enter the dollars off (above $0.00)."})
        if self.kind == self.Kind.FREE_SHIPPING and self.value:
            raise ValidationError({"value": "Free shipping takes no value: leave it 0."})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must be after the start."})

    def is_current(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.is_active and (self.starts_at is None or self.starts_at <= now)
                and (self.ends_at is None or now < self.ends_at))


class OrderDiscount(models.Model):
    """A code used on an order: a snapshot of the code as it was, and what it took off."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="discounts")
    discount_code = models.ForeignKey(DiscountCode, on_delete=models.PROTECT, related_name="uses")
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=DiscountCode.Kind.choices)
    label = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY, help_text="Off the goods: the sum of its lines.")
    shipping_amount = models.DecimalField(**MONEY, default=0, help_text="Off the shipping.")
    position = models.PositiveSmallIntegerField(default=0, help_text="The order it was applied in.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "discount_code"], name="orderdiscount_code_once_per_order"),
            models.CheckConstraint(condition=models.Q(amount__gte=0, shipping_amount__gte=0),
                                   name="orderdiscount_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} on {self.order_id}"


class OrderDiscountLine(models.Model):
    """What one code took off one order line."""

    order_discount = models.ForeignKey(OrderDiscount, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="discount_parts")
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order_discount", "order_line"], name="orderdiscountline_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="orderdiscountline_not_negative"),
        ]
