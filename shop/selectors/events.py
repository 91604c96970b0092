"""Reads for the event pages: places left, sponsorships left, paid sponsors, staff totals.

A ticket or a sponsorship is *taken* while its donation is paid, or pending and younger
than ``EVENT_HOLD_MINUTES`` (a hold). Refunded, cancelled and expired ones free their place.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from shop.models import Donation, Event, EventTicket, HostingRequest, Sponsorship, SponsorshipTier
from shop.platform.money import sum_money

PAID = Donation.Status.PAID
PENDING = Donation.Status.PENDING


def hold_cutoff(now=None):
    """Pending purchases made before this moment no longer hold their places."""
    return (now or timezone.now()) - timedelta(minutes=settings.EVENT_HOLD_MINUTES)


def taken_q(now=None) -> Q:
    """Tickets or sponsorships that count against a limit: paid, or pending within the hold."""
    return Q(donation__status=PAID) | Q(donation__status=PENDING, donation__created_at__gte=hold_cutoff(now))


def hold_expires_at(donation: Donation):
    return donation.created_at + timedelta(minutes=settings.EVENT_HOLD_MINUTES)


def hold_expired(donation: Donation, now=None) -> bool:
    return donation.status == PENDING and donation.created_at < hold_cutoff(now)


def tickets_taken(event: Event, now=None) -> int:
    return EventTicket.objects.filter(taken_q(now), event=event).aggregate(n=Sum("quantity"))["n"] or 0


def tickets_sold(event: Event) -> int:
    return EventTicket.objects.filter(event=event, donation__status=PAID).aggregate(n=Sum("quantity"))["n"] or 0


def places_left(event: Event, now=None) -> int:
    return max(event.capacity - tickets_taken(event, now), 0)


def sponsorships_taken(tier: SponsorshipTier, now=None) -> int:
    return Sponsorship.objects.filter(taken_q(now), tier=tier).count()


def sponsorships_left(tier: SponsorshipTier, now=None) -> int | None:
    """None: the tier has no limit."""
    if tier.max_sponsors is None:
        return None
    return _left(tier, sponsorships_taken(tier, now))


def _left(tier: SponsorshipTier, taken: int) -> int | None:
    return None if tier.max_sponsors is None else max(tier.max_sponsors - taken, 0)


def upcoming_events(now=None):
    """Published events that have not ended, soonest first."""
    return Event.objects.filter(is_published=True, ends_at__gt=now or timezone.now()).order_by("starts_at", "id")


def published_event(slug: str) -> Event | None:
    return Event.objects.filter(slug=slug, is_published=True).first()


def on_sale(event: Event, now=None) -> bool:
    """Tickets and sponsorships are sold until the event starts."""
    return event.is_published and event.starts_at > (now or timezone.now())


def paid_sponsors(event: Event):
    """Sponsorships shown on the public page: their donation is paid (a refund takes them off)."""
    return Sponsorship.objects.filter(event=event, donation__status=PAID).select_related("tier").order_by("-tier__amount", "id")


@dataclass(frozen=True)
class TierRow:
    tier: SponsorshipTier
    left: int | None
    deductible: Decimal

    @property
    def benefit_lines(self) -> list[str]:
        return [line.strip() for line in self.tier.benefits.splitlines() if line.strip()]


def event_page(event: Event, now=None) -> dict:
    """What the event page shows, in the same queries whatever its ticket types and tiers
    (``ticket_types`` and ``tiers`` also give the page's forms their choices)."""
    ticket_types = list(event.ticket_types.filter(is_active=True))
    tiers = list(event.sponsorship_tiers.all())
    taken = dict(Sponsorship.objects.filter(taken_q(now), event=event).order_by().values("tier_id")
                 .annotate(n=Count("id")).values_list("tier_id", "n")) if tiers else {}
    return {"event": event, "places_left": places_left(event, now),
            "ticket_rows": [(t, t.price - t.fair_market_value) for t in ticket_types],
            "tier_rows": [TierRow(t, _left(t, taken.get(t.pk, 0)), t.amount - t.fair_market_value) for t in tiers],
            "ticket_types": ticket_types, "tiers": tiers, "sponsors": paid_sponsors(event), "on_sale": on_sale(event, now)}


def event_page_changes_at(event: Event, now=None):
    """When the event page changes with nothing written: its sale closes at the start, and the
    oldest hold on a ticket or sponsorship runs out (its place is free again). None: neither."""
    now = now or timezone.now()
    held_since = (Donation.objects.filter(Q(event_ticket__event=event) | Q(sponsorship__event=event), status=PENDING,
                                          created_at__gte=hold_cutoff(now))
                  .aggregate(oldest=Min("created_at"))["oldest"])
    moments = [event.starts_at]
    if held_since is not None:
        moments.append(held_since + timedelta(minutes=settings.EVENT_HOLD_MINUTES))
    return min((moment for moment in moments if moment > now), default=None)


def event_purchase(donation) -> EventTicket | Sponsorship | None:
    """The ticket purchase or sponsorship a donation pays for, if any."""
    if not isinstance(donation, Donation):
        return None
    for model in (EventTicket, Sponsorship):
        found = model.objects.select_related("event").filter(donation=donation).first()
        if found is not None:
            return found
    return None


# -- staff --------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventTotals:
    event: Event
    sold: int
    held: int
    sponsors: int
    raised: Decimal

    @property
    def left(self) -> int:
        return max(self.event.capacity - self.sold - self.held, 0)


def event_totals(event: Event, now=None) -> EventTotals:
    sold = tickets_sold(event)
    held = tickets_taken(event, now) - sold
    tickets = sum_money(Donation.objects.filter(event_ticket__event=event, status=PAID), "total")
    sponsorships = sum_money(Donation.objects.filter(sponsorship__event=event, status=PAID), "total")
    sponsors = Sponsorship.objects.filter(event=event, donation__status=PAID).count()
    return EventTotals(event, sold, held, sponsors, tickets + sponsorships)


def staff_events() -> list[EventTotals]:
    return [event_totals(e) for e in Event.objects.order_by("-starts_at", "-id")]


def ticket_rows(event: Event, now=None) -> list[tuple[EventTicket, str]]:
    """Every purchase of the event's tickets with its state as the buyer would understand it."""
    rows = []
    for ticket in EventTicket.objects.filter(event=event).select_related("ticket_type", "donation").order_by("id"):
        rows.append((ticket, purchase_state(ticket.donation, now)))
    return rows


def sponsorship_rows(event: Event, now=None) -> list[tuple[Sponsorship, str]]:
    qs = Sponsorship.objects.filter(event=event).select_related("tier", "donation__donor").order_by("id")
    return [(s, purchase_state(s.donation, now)) for s in qs]


def purchase_state(donation: Donation, now=None) -> str:
    """A ticket's or sponsorship's status: its donation's, with an expired hold said as such."""
    if hold_expired(donation, now):
        return "Hold expired"
    if donation.status == PENDING:
        return "Held, waiting for payment"
    return donation.get_status_display()


def hosting_requests():
    """New requests first (oldest first among them), then decided ones, newest first."""
    new = list(HostingRequest.objects.filter(status=HostingRequest.Status.NEW).order_by("created_at", "id"))
    decided = list(HostingRequest.objects.exclude(status=HostingRequest.Status.NEW).select_related("decided_by")
                   .order_by("-decided_at", "-id")[:50])
    return new, decided

