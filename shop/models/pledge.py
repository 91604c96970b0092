"""The public pledge to learn to spot and report trafficking: one per e-mail address."""
import secrets

from django.db import models
from django.db.models.functions import Lower


def badge_slug() -> str:
    return secrets.token_urlsafe(9)


class Pledge(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "An individual"
        BUSINESS = "business", "A business"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = models.CharField(max_length=120)
    email = models.EmailField()
    business_name = models.CharField(max_length=160, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    badge = models.CharField(max_length=20, unique=True, default=badge_slug, editable=False,
                             help_text="Businesses' public badge page address.")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(Lower("email"), name="one_pledge_per_email")]

    def __str__(self):
        return self.business_name or self.name
