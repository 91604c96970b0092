"""Giving circles: groups of monthly givers (e.g. a women's circle) working toward a yearly goal.

A member is a donor whose monthly gift is credited to the circle (``RecurringGift.circle``);
each paid month is a ``Donation`` with the same ``circle``. Public pages show the circle's
progress and member count, never what anyone gives.
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from .catalog import MONEY


class GivingCircle(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    yearly_goal = models.DecimalField(**MONEY, help_text="Gifts credited to the circle in a calendar year.")
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_circles")
    is_active = models.BooleanField(default=True, help_text="Shown on the public circles page and open to new members.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(yearly_goal__gt=0), name="circle_goal_positive")]

    def __str__(self):
        return self.name


def invitation_token() -> str:
    return secrets.token_urlsafe(24)


class CircleInvitation(models.Model):
    """A leader's e-mailed invitation to join a circle (one open invitation per address)."""

    circle = models.ForeignKey(GivingCircle, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    token = models.CharField(max_length=40, unique=True, default=invitation_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["circle", "email"], name="circle_invitation_once_per_email")]

    def __str__(self):
        return f"{self.email} → {self.circle}"
