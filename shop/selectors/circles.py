"""Reads for giving circles: progress toward the yearly goal, members, and the staff report.

What a circle has raised in a year is the sum of its paid gifts' ``amount`` (what the
organisation nets; a refunded gift is no longer paid, so it drops out) with ``paid_at`` in
that calendar year (local time). A member is a donor with an active or past-due monthly
gift credited to the circle. Sums are taken in whole cents (exact on SQLite too).

Public pages get only ``CircleProgress`` (totals and a count). A circle's total is shown
once at least ``PUBLIC_MIN_DONORS`` different donors have given to it that year: with one
donor the "total" would be that person's own giving.
"""
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone

from shop.models import CircleInvitation, Donation, GivingCircle, RecurringGift
from shop.platform.money import ZERO, cents_sum, from_cents

R = RecurringGift.Status
MEMBER_STATUSES = (R.ACTIVE, R.PAST_DUE)
PUBLIC_MIN_DONORS = 2


@dataclass(frozen=True)
class CircleProgress:
    circle: GivingCircle
    year: int
    raised: Decimal
    donors: int  # different donors who gave to the circle in the year
    members: int

    @property
    def goal(self) -> Decimal:
        return self.circle.yearly_goal

    @property
    def percent(self) -> int:
        """Whole percent of the goal raised, rounded down (99.6% is not "100%"); may pass 100."""
        if self.goal <= 0:
            return 0
        return int((self.raised * 100 / self.goal).to_integral_value(rounding=ROUND_FLOOR))

    @property
    def bar_percent(self) -> int:
        return max(0, min(100, self.percent))

    @property
    def reached(self) -> bool:
        return self.raised >= self.goal

    @property
    def total_shown(self) -> bool:
        """Whether a public page may show the total (and the percent, which gives it away)."""
        return self.donors >= PUBLIC_MIN_DONORS


def _paid_in(year: int):
    return Donation.objects.filter(status=Donation.Status.PAID, paid_at__year=year, circle__isnull=False)


def raised_by_circle(year: int, circle_ids=None) -> dict[int, tuple[Decimal, int]]:
    """circle id → (raised in the year, different donors who gave)."""
    qs = _paid_in(year)
    if circle_ids is not None:
        qs = qs.filter(circle_id__in=circle_ids)
    rows = qs.values("circle_id").annotate(cents=cents_sum("amount"), donors=Count("donor", distinct=True))
    return {r["circle_id"]: (from_cents(int(r["cents"] or 0)), r["donors"]) for r in rows}


def member_counts(circle_ids=None) -> dict[int, int]:
    """circle id → donors with an active or past-due monthly gift credited to it."""
    qs = RecurringGift.objects.filter(circle__isnull=False, status__in=MEMBER_STATUSES)
    if circle_ids is not None:
        qs = qs.filter(circle_id__in=circle_ids)
    return {r["circle_id"]: r["n"] for r in qs.values("circle_id").annotate(n=Count("donor", distinct=True))}


def progress_for(circles, year: int) -> list[CircleProgress]:
    circles = list(circles)
    ids = [c.pk for c in circles]
    raised, members = raised_by_circle(year, ids), member_counts(ids)
    return [CircleProgress(c, year, *raised.get(c.pk, (ZERO, 0)), members.get(c.pk, 0)) for c in circles]


def circle_progress(circle: GivingCircle, year: int | None = None) -> CircleProgress:
    return progress_for([circle], year or timezone.localdate().year)[0]


def public_circles(year: int | None = None) -> list[CircleProgress]:
    return progress_for(GivingCircle.objects.filter(is_active=True), year or timezone.localdate().year)


def public_circle(slug: str) -> GivingCircle | None:
    return GivingCircle.objects.filter(slug=slug, is_active=True).prefetch_related("leaders").first()


def leader_first_names(circle: GivingCircle) -> list[str]:
    return [u.first_name for u in circle.leaders.all() if u.first_name]


# -- leaders --------------------------------------------------------------------------

def circle_for_leader(user, slug: str) -> GivingCircle | None:
    """The circle, if ``user`` is one of its leaders (nobody else, staff included)."""
    if not user.is_authenticated:
        return None
    return GivingCircle.objects.filter(slug=slug, leaders=user).first()


@dataclass(frozen=True)
class Member:
    """One donor as their circle's leaders see them: a name (or not), since when, and how it stands. No amounts."""

    name: str
    joined_on: object  # date of the first paid month, or of signing up while the first is awaited
    status: str
    status_label: str

    @property
    def is_member(self) -> bool:
        return self.status in MEMBER_STATUSES


_STATUS_ORDER = [R.ACTIVE, R.PAST_DUE, R.PAUSED, R.CANCELLED]


def circle_members(circle: GivingCircle) -> list[Member]:
    """The circle's donors, one row each (a donor may have more than one monthly gift in it).

    A donor who asked to stay anonymous on any of these gifts is "Anonymous member".
    Monthly gifts still waiting for their first payment are not listed.
    """
    gifts = (RecurringGift.objects.filter(circle=circle).exclude(status=R.INCOMPLETE).select_related("donor")
             .annotate(first_paid=Min("donations__paid_at", filter=Q(donations__paid_at__isnull=False))))
    by_donor = defaultdict(list)
    for gift in gifts:
        by_donor[gift.donor_id].append(gift)
    labels = dict(R.choices)
    members = []
    for donor_gifts in by_donor.values():
        status = min((g.status for g in donor_gifts), key=_STATUS_ORDER.index)
        joined = min(g.first_paid or g.created_at for g in donor_gifts)
        anonymous = any(g.anonymous for g in donor_gifts)
        name = "Anonymous member" if anonymous else donor_gifts[0].donor.name
        members.append(Member(name, timezone.localdate(joined), status, labels[status]))
    members.sort(key=lambda m: (_STATUS_ORDER.index(m.status), m.joined_on, m.name))
    return members


def circle_invitations(circle: GivingCircle):
    return CircleInvitation.objects.filter(circle=circle).select_related("invited_by")


# -- staff ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CircleReport:
    progress: CircleProgress
    gifts: int  # paid gifts kept in the year
    refunded: Decimal  # gifts paid in the year and refunded since
    new_members: int  # donors whose first gift to the circle was paid in the year
    cancelled: int  # donors whose monthly gift to the circle was cancelled in the year
    monthly_gifts: int  # active or past-due monthly gifts
    monthly_total: Decimal  # what those bring in a month (the gifts the organisation nets)
    leaders: list
    invited: int
    joined: int

    @property
    def circle(self) -> GivingCircle:
        return self.progress.circle

    @property
    def average_monthly(self) -> Decimal:
        if not self.monthly_gifts:
            return ZERO
        return (self.monthly_total / self.monthly_gifts).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def circle_report(year: int) -> list[CircleReport]:
    circles = list(GivingCircle.objects.prefetch_related("leaders"))
    progress = progress_for(circles, year)
    year_rows = {
        r["circle_id"]: r for r in Donation.objects.filter(circle__isnull=False, paid_at__year=year)
        .values("circle_id").annotate(gifts=Count("id", filter=Q(status=Donation.Status.PAID)),
                                      refunded=cents_sum("amount", filter=Q(status=Donation.Status.REFUNDED)))
    }
    new_members = defaultdict(int)
    firsts = (Donation.objects.filter(circle__isnull=False, paid_at__isnull=False)
              .values("circle_id", "donor_id").annotate(first=Min("paid_at")))
    for r in firsts:
        if timezone.localtime(r["first"]).year == year:
            new_members[r["circle_id"]] += 1
    cancelled = {
        r["circle_id"]: r["n"] for r in RecurringGift.objects.filter(circle__isnull=False, status=R.CANCELLED,
                                                                     cancelled_at__year=year)
        .values("circle_id").annotate(n=Count("donor", distinct=True))
    }
    monthly = {
        r["circle_id"]: r for r in RecurringGift.objects.filter(circle__isnull=False, status__in=MEMBER_STATUSES)
        .values("circle_id").annotate(n=Count("id"), cents=cents_sum("amount"))
    }
    invitations = {
        r["circle_id"]: r for r in CircleInvitation.objects.values("circle_id")
        .annotate(invited=Count("id"), joined=Count("id", filter=Q(joined_at__isnull=False)))
    }
    out = []
    for p in progress:
        c = p.circle.pk
        y, m, i = year_rows.get(c, {}), monthly.get(c, {}), invitations.get(c, {})
        out.append(CircleReport(
            progress=p, gifts=y.get("gifts", 0), refunded=from_cents(int(y.get("refunded") or 0)),
            new_members=new_members[c], cancelled=cancelled.get(c, 0), monthly_gifts=m.get("n", 0),
            monthly_total=from_cents(int(m.get("cents") or 0)),
            leaders=[u.get_full_name() or u.email for u in p.circle.leaders.all()],
            invited=i.get("invited", 0), joined=i.get("joined", 0),
        ))
    return out
