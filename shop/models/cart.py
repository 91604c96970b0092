from django.conf import settings
from django.db import models

from shop.platform.money import quantize

from .catalog import ProductVariant

# Where a guest's cart id is kept in the session.
SESSION_CART_KEY = "cart_id"


class Cart(models.Model):
    """A shopping cart: a guest's (found through the session) or a customer's (one per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    # A gift card's line (its product ``is_gift_card``): one line per card bought, with its
    # amount (the variant's, or the one chosen) and who gets it when. Never merged.
    gift_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    gift_recipient_name = models.CharField(max_length=120, blank=True)
    gift_recipient_email = models.EmailField(blank=True)
    gift_message = models.CharField(max_length=300, blank=True)
    gift_deliver_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], condition=models.Q(gift_amount__isnull=True),
                                    name="cartline_one_per_variant"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cartline_quantity_positive"),
        ]

    @property
    def gift_label(self) -> str:
        """A gift card line's description: for whom, and when it is sent."""
        who = self.gift_recipient_name or self.gift_recipient_email or "you"
        when = f", sent {self.gift_deliver_on:%B %-d, %Y}" if self.gift_deliver_on else ""
        return f"For {who}{when}"[:120]

    @property
    def unit_price(self):
        return self.gift_amount if self.gift_amount is not None else self.variant.price

    @property
    def total(self):
        return quantize(self.unit_price * self.quantity)
