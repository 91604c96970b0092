"""Events: pop-up shops, fundraisers and events hosted at the organisation's space.

A ticket or a sponsorship is paid like a one-time gift: a ``Donation`` whose ``goods_value``
is the fair market value of what the payer receives, so its receipt shows the deductible
part. ``EventTicket`` and ``Sponsorship`` point at that donation; they count as sold once it
is paid (and hold their places while it is pending, for ``EVENT_HOLD_MINUTES``).
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .catalog import MONEY
from .giving import Donation


class Event(models.Model):
    class Kind(models.TextChoices):
        POPUP = "popup", "Pop-up shop"
        FUNDRAISER = "fundraiser", "Fundraiser"
        HOSTED = "hosted", "Hosted at our space"

    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FUNDRAISER)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=160, help_text="The place's name.")
    address = models.CharField(max_length=300, blank=True)
    capacity = models.PositiveIntegerField(help_text="Tickets that can be sold, all ticket types together.")
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="event_capacity_positive"),
        ]

    def __str__(self):
        return self.title


class TicketType(models.Model):
    """A kind of ticket: its price and the fair market value of what it buys (dinner, drinks)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(max_length=80)
    price = models.DecimalField(**MONEY)
    fair_market_value = models.DecimalField(**MONEY, default=0, help_text="Good-faith estimate of what a ticket holder receives.")
    benefit_description = models.CharField(max_length=200, blank=True, help_text="What the ticket buys, as printed on the receipt.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["event", "price", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="tickettype_price_positive"),
            models.CheckConstraint(condition=Q(fair_market_value__gte=0) & Q(fair_market_value__lte=F("price")),
                                   name="tickettype_fmv_within_price"),
        ]

    def __str__(self):
        return f"{self.event}: {self.name}"


class EventTicket(models.Model):
    """One purchase of ``quantity`` tickets of one type, paid by ``donation``."""

    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="tickets")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="tickets")
    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="event_ticket")
    quantity = models.PositiveIntegerField()
    buyer_name = models.CharField(max_length=120)
    buyer_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="eventticket_quantity_positive")]

    def __str__(self):
        return f"{self.quantity} × {self.ticket_type}"


class SponsorshipTier(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sponsorship_tiers")
    name = models.CharField(max_length=80)
    amount = models.DecimalField(**MONEY)
    benefits = models.TextField(help_text="What the sponsor receives (one per line).")
    fair_market_value = models.DecimalField(**MONEY, default=0, help_text="Good-faith estimate of the benefits' value.")
    max_sponsors = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")

    class Meta:
        ordering = ["event", "-amount", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="sponsortier_amount_positive"),
            models.CheckConstraint(condition=Q(fair_market_value__gte=0) & Q(fair_market_value__lte=F("amount")),
                                   name="sponsortier_fmv_within_amount"),
        ]

    def __str__(self):
        return f"{self.event}: {self.name}"


class Sponsorship(models.Model):
    """A sponsor's purchase of a tier. Its logo and link appear on the event page once paid."""

    tier = models.ForeignKey(SponsorshipTier, on_delete=models.PROTECT, related_name="sponsorships")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="sponsorships")
    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="sponsorship")
    sponsor_name = models.CharField(max_length=160)
    logo = models.ImageField(upload_to="sponsor-logos/", blank=True)
    link = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.sponsor_name} ({self.tier})"


class HostingRequest(models.Model):
    """A request from another organisation to host an event at the organisation's space."""

    class Status(models.TextChoices):
        NEW = "new", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    organisation = models.CharField(max_length=160)
    contact_name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    date = models.DateField()
    expected_guests = models.PositiveIntegerField()
    purpose = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    staff_message = models.TextField(blank=True, help_text="Sent to the requester with the decision.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(expected_guests__gt=0), name="hostingrequest_guests_positive")]

    def __str__(self):
        return f"{self.organisation} on {self.date}"
