from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .catalog import MONEY

US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
    ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]


class ShippingMethod(models.Model):
    FLAT = "flat"
    PICKUP = "pickup"
    KIND_CHOICES = [(FLAT, "Flat-rate delivery"), (PICKUP, "Local pickup")]

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=KIND_CHOICES, default=FLAT)
    price = models.DecimalField(**MONEY, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))])
    free_over = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Orders with a subtotal at or above this ship free."
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="shipping_price_non_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_pickup(self):
        return self.kind == self.PICKUP


class TaxRate(models.Model):
    """Sales tax by destination state, as a fraction (0.0600 is 6%)."""

    state = models.CharField(max_length=2, choices=US_STATES, unique=True)
    rate = models.DecimalField(
        max_digits=6, decimal_places=4, validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.2"))]
    )
    applies_to_shipping = models.BooleanField(default=False)

    class Meta:
        ordering = ["state"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=Decimal("0.2")), name="tax_rate_range"),
        ]

    def __str__(self):
        return f"{self.state}: {self.rate:.2%}"
