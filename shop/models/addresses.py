"""A signed-in customer's saved delivery addresses: chosen at checkout, one of them the default."""
from django.conf import settings
from django.db import models

from shop.models.rates import US_STATES
from shop.platform.validators import zip_code

MAX_ADDRESSES = 20  # per customer: an address book, not a mailing list


class Address(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField("Full name", max_length=120)
    line1 = models.CharField("Address", max_length=200)
    line2 = models.CharField("Apartment, suite (optional)", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=US_STATES)
    postal_code = models.CharField("ZIP code", max_length=10, validators=[zip_code])
    phone = models.CharField(max_length=30, blank=True)
    is_default = models.BooleanField(default=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-last_used_at", "-id"]
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(is_default=True), name="one_default_address_per_user"),
        ]

    def __str__(self):
        street = ", ".join(part for part in (self.line1, self.line2) if part)
        return f"{self.name}, {street}, {self.city}, {self.state} {self.postal_code}"

    def lines(self) -> list[str]:
        return [part for part in (self.name, self.line1, self.line2,
                                  f"{self.city}, {self.state} {self.postal_code}") if part]

    def same_place(self, line1: str, line2: str, city: str, state: str, postal_code: str, name: str) -> bool:
        """The same delivery as these typed fields (case and spacing aside)."""
        def norm(text):
            return " ".join((text or "").split()).casefold()
        return all(norm(a) == norm(b) for a, b in ((self.line1, line1), (self.line2, line2), (self.city, city),
                                                   (self.state, state), (self.postal_code, postal_code),
                                                   (self.name, name)))
