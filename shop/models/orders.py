"""Orders and their lines: immutable snapshots of what was bought, at what price."""
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from .catalog import MONEY, Product, ProductVariant
from .rates import US_STATES, ShippingMethod

NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def random_number(prefix: str, length: int) -> str:
    """A human-friendly reference: a prefix and characters that cannot be misread (no 0/O, 1/I)."""
    return prefix + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(length))


def new_order_number() -> str:
    return random_number("MT-", 8)


class Order(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Fulfilled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    number = models.CharField(max_length=20, unique=True, default=new_order_number, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)

    # Delivery: a snapshot of the method and the address.
    shipping_method = models.ForeignKey(ShippingMethod, null=True, on_delete=models.SET_NULL, related_name="+")
    shipping_method_name = models.CharField(max_length=80)
    is_pickup = models.BooleanField(default=False)
    ship_name = models.CharField("name", max_length=120)
    ship_line1 = models.CharField("address", max_length=200, blank=True)
    ship_line2 = models.CharField("address line 2", max_length=200, blank=True)
    ship_city = models.CharField("city", max_length=100, blank=True)
    ship_state = models.CharField("state", max_length=2, choices=US_STATES, blank=True)
    ship_postal_code = models.CharField("ZIP code", max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)

    # Money, fixed when the order is placed.
    subtotal = models.DecimalField(**MONEY, help_text="The lines before discounts.")
    discount_total = models.DecimalField(**MONEY, default=0, help_text="All discounts: the sum of the lines' discounts.")
    shipping = models.DecimalField(**MONEY, help_text="The shipping charged, after any free-shipping code.")
    shipping_discount = models.DecimalField(**MONEY, default=0, help_text="Taken off the shipping by discount codes.")
    shipping_tax = models.DecimalField(**MONEY, default=0)
    tax = models.DecimalField(**MONEY, help_text="All sales tax: the lines' tax plus the shipping tax.")
    surtax = models.DecimalField(**MONEY, default=0, help_text="The part of the tax that is a county surtax.")
    tax_county = models.CharField(max_length=40, blank=True, help_text="The county whose surtax was charged.")
    total = models.DecimalField(**MONEY)
    amount_refunded = models.DecimalField(**MONEY, default=0)
    gift_card_total = models.DecimalField(**MONEY, default=0, help_text="What gift cards paid of the total.")

    reserved_until = models.DateTimeField(null=True, blank=True, help_text="Stock is held for the order until then.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    carrier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=80, blank=True)

    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    shipped_email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Sums (total = subtotal + shipping + tax) are kept by the placing service: SQLite
        # compares decimals as floats, so arithmetic constraints would be unreliable there.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_refunded__gte=0, amount_refunded__lte=models.F("total")),
                name="order_refund_within_total",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("shop:order_detail", args=[self.number])

    @property
    def refundable(self):
        return self.total - self.amount_refunded

    @property
    def amount_due(self):
        """What is paid at Stripe: the total less what gift cards paid."""
        return self.total - self.gift_card_total

    @property
    def is_paid(self):
        return self.state in PAID_STATES

    @property
    def state_tax(self):
        """The sales tax without the county surtax (the "Florida sales tax" line)."""
        return self.tax - self.surtax

    @property
    def tax_state(self) -> str | None:
        """The state the order's sales tax is for: the organisation's own for a local pickup
        (as ``shop.selectors.pricing.price_items`` priced it), else the delivery address's."""
        if self.is_pickup:
            return settings.MENDED_ORG["STATE"]
        return self.ship_state or None

    @property
    def tax_label(self) -> str:
        """The tax line's name on the order's pages and e-mails: "Sales tax (FL)"; a placed
        order always had its address, so without a state (an old row) it stays plain."""
        return f"Sales tax ({self.tax_state})" if self.tax_state else "Sales tax"

    @property
    def status_label(self) -> str:
        """The order's status as customers read it: the one label both the order list and the
        order page show, so they never disagree (staff pages show the state's own name)."""
        if self.state == self.State.PENDING:
            return "Waiting for the payment to be confirmed"
        return self.get_state_display()

    @property
    def wage_content(self):
        return sum((line.wage_content * line.quantity for line in self.lines.all()), 0)


# Every state an order can reach once Stripe confirmed its payment.
PAID_STATES = tuple(s for s in Order.State.values if s not in (Order.State.PENDING, Order.State.CANCELLED))


class OrderLine(models.Model):
    """What was bought, frozen at checkout: later catalog changes never alter it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="+")
    variant = models.ForeignKey(ProductVariant, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    variant_label = models.CharField(max_length=120, blank=True)
    sku = models.CharField(max_length=40)
    unit_price = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField()
    wage_content = models.DecimalField(**MONEY, help_text="Wage content per unit at the time of sale.")
    line_total = models.DecimalField(**MONEY, help_text="Unit price × quantity, before discounts.")
    discount = models.DecimalField(**MONEY, default=0)
    tax = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orderline_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.title}"

    @property
    def gross(self):
        """What the customer paid for the line: its price less its discount, plus its tax."""
        return self.line_total - self.discount + self.tax
