"""Reads for the volunteer pages and the coordinators' pages and reports (fixed query counts)."""
import zoneinfo
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.utils import timezone

from payroll.models import BackgroundCheck, GroupMember, Kiosk, Shift, ShiftRole, SignUp, Volunteer, WaiverVersion
from payroll.models.volunteers import wall_clock
from shop.models import OrganisationMember

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _roles_with_fill():
    return Prefetch("roles", queryset=ShiftRole.objects.annotate(
        taken=Sum("signups__party_size", filter=Q(signups__status=SignUp.Status.CONFIRMED), default=0),
        waiting=Count("signups", filter=Q(signups__status=SignUp.Status.WAITLISTED)),
    ).order_by("id"))


def _fill(shift: Shift) -> Shift:
    roles = list(shift.roles.all())
    shift.capacity_total = sum(r.capacity for r in roles)
    shift.taken_total = sum(r.taken for r in roles)
    shift.waiting_total = sum(r.waiting for r in roles)
    shift.fill_percent = round(100 * shift.taken_total / shift.capacity_total) if shift.capacity_total else 0
    for role in roles:
        role.openings = max(role.capacity - role.taken, 0)
    return shift


def visible_shifts(user):
    """Shifts a volunteer may see: open to all, or for an organisation the user belongs to."""
    orgs = OrganisationMember.objects.filter(user_id=user.pk).values("organisation_id")
    return Shift.objects.filter(Q(organisation__isnull=True) | Q(organisation_id__in=orgs))


def open_shifts(user, now: datetime | None = None, weeks: int = 12) -> list[Shift]:
    now = now or timezone.now()
    shifts = (visible_shifts(user).filter(status=Shift.Status.SCHEDULED, starts_at__gt=now,
                                          starts_at__lte=now + timedelta(weeks=weeks))
              .select_related("organisation").prefetch_related(_roles_with_fill(), "required_skills").order_by("starts_at"))
    return [_fill(s) for s in shifts]


def shift_for_volunteer(shift_id: int, user) -> Shift | None:
    shift = (visible_shifts(user).filter(pk=shift_id).select_related("organisation")
             .prefetch_related(_roles_with_fill(), "required_skills").first())
    return _fill(shift) if shift else None


def my_signups(volunteer: Volunteer):
    return SignUp.objects.filter(volunteer=volunteer).select_related("shift", "role")


@dataclass
class VolunteerPage:
    upcoming: list = field(default_factory=list)
    history: list = field(default_factory=list)
    total_hours: Decimal = ZERO


def _has_hours(signup: SignUp) -> bool:
    """Whether a sign-up's hours count (the home's and the certificate's one rule): a place
    on the shift, checked out (so check-in to check-out is known)."""
    return signup.status == SignUp.Status.CONFIRMED and signup.checked_out_at is not None


def volunteer_page(volunteer: Volunteer, now: datetime | None = None) -> VolunteerPage:
    """Upcoming shifts and the history. A shift counts in the history (and its hours in the
    total) once it is over or the volunteer has checked out, so the home's total is always
    the certificate's (``hours_history``), even on the day, before the shift's end."""
    now = now or timezone.now()
    page = VolunteerPage()
    for signup in my_signups(volunteer).exclude(status=SignUp.Status.CANCELLED).order_by("shift__starts_at"):
        if _has_hours(signup):
            page.history.append(signup)
        elif signup.shift.ends_at >= now:
            page.upcoming.append(signup)
        elif signup.status == SignUp.Status.CONFIRMED and not signup.shift.cancelled:
            page.history.append(signup)
    page.history.reverse()
    page.total_hours = sum((s.hours for s in page.history if _has_hours(s)), ZERO)
    return page


def hours_history(volunteer: Volunteer) -> tuple[list[SignUp], Decimal]:
    """Shifts with recorded hours, oldest first, and their total (for the certificate)."""
    rows = [s for s in my_signups(volunteer).filter(status=SignUp.Status.CONFIRMED, checked_out_at__isnull=False)
            .order_by("shift__starts_at") if _has_hours(s)]
    return rows, sum((s.hours for s in rows), ZERO)


# -- coordinators -----------------------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_view(monday: date) -> OrderedDict:
    """Monday to Sunday, each day's shifts with their fill levels."""
    shifts = (Shift.objects.filter(starts_at__gte=_day_start(monday), starts_at__lt=_day_start(monday + timedelta(days=7)))
              .select_related("organisation").prefetch_related(_roles_with_fill()).order_by("starts_at"))
    days = OrderedDict((monday + timedelta(days=n), []) for n in range(7))
    for shift in shifts:
        days.setdefault(shift.local_start.date(), []).append(_fill(shift))
    return days


def roster(shift_id: int) -> dict | None:
    shift = (Shift.objects.filter(pk=shift_id).select_related("organisation", "series")
             .prefetch_related(_roles_with_fill(), "required_skills").first())
    if shift is None:
        return None
    signups = list(shift.signups.select_related("volunteer", "role").prefetch_related("members", "volunteer__waivers")
                   .order_by("role_id", "waitlisted_at", "created_at", "id"))
    _waiver_status(shift, signups)
    return {
        "shift": _fill(shift),
        "confirmed": [s for s in signups if s.status == SignUp.Status.CONFIRMED],
        "waitlisted": sorted((s for s in signups if s.status == SignUp.Status.WAITLISTED), key=lambda s: (s.waitlisted_at, s.pk)),
        "cancelled": [s for s in signups if s.status == SignUp.Status.CANCELLED],
        "shift_messages": list(shift.messages.select_related("sender")[:10]),
    }


@dataclass
class RosterPerson:
    """One person of a sign-up on the roster: the leader (``member`` None) or a named member."""

    name: str
    age: int
    minor: bool
    signed: bool
    member: GroupMember | None = None


def _waiver_status(shift: Shift, signups: list[SignUp]) -> None:
    """Set ``people`` on each sign-up: the leader then each member, with their age on the
    day and whether a waiver of the current version is in force (from the prefetched rows)."""
    now = timezone.now()
    current = WaiverVersion.objects.filter(published_at__lte=now).order_by("-published_at", "-version").first()
    day, adult = shift.local_start.date(), settings.VOLUNTEER_ADULT_AGE
    for signup in signups:
        leader = signup.volunteer
        leader_signed = current is not None and any(w.version_id == current.pk and w.expires_at > now for w in leader.waivers.all())
        age = leader.age_on(day)
        people = [RosterPerson(leader.full_name, age, age < adult, leader_signed)]
        for member in signup.members.all():
            age = member.age_on(day)
            signed = current is not None and member.waiver_version_id == current.pk and member.expires_at > now
            people.append(RosterPerson(member.full_name, age, age < adult, signed, member))
        signup.people = people


def short_name(full_name: str) -> str:
    """First name and last initial ("Robin O."), the only name a kiosk shows."""
    words = full_name.split()
    if not words:
        return "Volunteer"
    return words[0] if len(words) == 1 else f"{words[0]} {words[-1][0].upper()}."


def kiosk_signups(kiosk: Kiosk):
    """The confirmed sign-ups a kiosk serves: its shift's, or those of every shift starting on its day."""
    signups = SignUp.objects.filter(status=SignUp.Status.CONFIRMED, shift__status=Shift.Status.SCHEDULED)
    if kiosk.shift_id:
        return signups.filter(shift_id=kiosk.shift_id)
    return signups.filter(shift__starts_at__gte=_day_start(kiosk.day), shift__starts_at__lt=_day_start(kiosk.day + timedelta(days=1)))


@dataclass
class KioskRow:
    """What the kiosk shows of one sign-up: no full name, contact or anything else."""

    signup_id: int
    name: str
    party_size: int
    state: str  # "waiting", "in" or "out"
    since: datetime | None
    shift: str


def kiosk_rows(kiosk: Kiosk, query: str = "") -> list[KioskRow]:
    """The kiosk's list, by name (a search matches the whole name, the row shows the short
    one), in one query that reads no column but these."""
    signups = kiosk_signups(kiosk)
    if query.strip():
        signups = signups.filter(volunteer__full_name__icontains=query.strip())
    rows = signups.order_by("volunteer__full_name", "id").values(
        "pk", "party_size", "checked_in_at", "checked_out_at", "volunteer__full_name", "shift__title", "shift__starts_at",
        "shift__time_zone")
    out = []
    for r in rows:
        zone = zoneinfo.ZoneInfo(r["shift__time_zone"])
        state = "out" if r["checked_out_at"] else "in" if r["checked_in_at"] else "waiting"
        out.append(KioskRow(r["pk"], short_name(r["volunteer__full_name"]), r["party_size"], state,
                            wall_clock(r["checked_in_at"], zone) if r["checked_in_at"] else None,
                            f"{r['shift__title']} · {wall_clock(r['shift__starts_at'], zone):%-I:%M %p}"))
    return out


def _in_range(start: date, end: date):
    return SignUp.objects.filter(shift__starts_at__gte=_day_start(start), shift__starts_at__lt=_day_start(end + timedelta(days=1)))


def no_shows(start: date, end: date) -> list[dict]:
    """Volunteers marked no-show in the range, most no-shows first, with their shifts."""
    rows = (_in_range(start, end).filter(status=SignUp.Status.CONFIRMED, attendance=SignUp.Attendance.NO_SHOW)
            .select_related("volunteer", "shift", "role").order_by("volunteer__full_name", "shift__starts_at"))
    people = OrderedDict()
    for signup in rows:
        person = people.setdefault(signup.volunteer_id, {"volunteer": signup.volunteer, "signups": []})
        person["signups"].append(signup)
    return sorted(people.values(), key=lambda p: (-len(p["signups"]), p["volunteer"].full_name))


def needs_review() -> list[SignUp]:
    return list(SignUp.objects.filter(needs_review=True).select_related("volunteer", "shift", "role")
                .order_by("shift__starts_at"))


@dataclass
class HoursRow:
    name: str
    email: str = ""
    shifts: int = 0
    hours: Decimal = ZERO
    person_hours: Decimal = ZERO


@dataclass(frozen=True)
class HourValue:
    since: date
    dollars: Decimal
    source: str


def hour_value_on(day: date) -> HourValue | None:
    """The value of a volunteer hour in force on ``day`` (settings.VOLUNTEER_HOUR_VALUES)."""
    rates = sorted((date.fromisoformat(since), Decimal(dollars), source)
                   for since, dollars, source in settings.VOLUNTEER_HOUR_VALUES)
    in_force = [rate for rate in rates if rate[0] <= day]
    return HourValue(*in_force[-1]) if in_force else None


def hours_value(person_hours: Decimal, rate: HourValue | None) -> Decimal | None:
    """Everyone's hours (a party's members too) at the rate, to the cent."""
    return None if rate is None else (person_hours * rate.dollars).quantize(CENT, rounding=ROUND_HALF_UP)


def hours_report(start: date, end: date) -> dict:
    """Hours from check-in to check-out, by volunteer and by organisation. A party leader's
    ``hours`` are their own; ``person_hours`` count every member of the party."""
    rows = (_in_range(start, end).filter(status=SignUp.Status.CONFIRMED, checked_out_at__isnull=False)
            .select_related("volunteer", "organisation"))
    by_volunteer, by_org = {}, defaultdict(lambda: HoursRow(name=""))
    for signup in rows:
        person = by_volunteer.setdefault(signup.volunteer_id, HoursRow(signup.volunteer.full_name, signup.volunteer.email))
        org = by_org[signup.organisation.name if signup.organisation else "(no organisation)"]
        for row in (person, org):
            row.shifts += 1
            row.hours += signup.hours
            row.person_hours += signup.person_hours
    for name, row in by_org.items():
        row.name = name
    rate = hour_value_on(end)
    person_hours = sum((row.person_hours for row in by_volunteer.values()), ZERO)
    return {
        "volunteers": sorted(by_volunteer.values(), key=lambda r: r.name.casefold()),
        "organisations": sorted(by_org.values(), key=lambda r: r.name.casefold()),
        "person_hours": person_hours, "rate": rate, "value": hours_value(person_hours, rate),
    }


# -- background checks ------------------------------------------------------------------

EXPIRING_DAYS = 30  # cleared checks that run out within this many days are the coordinator's to-do


def background_checks_expiring(today: date, days: int = EXPIRING_DAYS):
    """Cleared checks in date today that run out within ``days``, unless the volunteer already
    has a cleared one that lasts longer (renewed): soonest first, one query."""
    renewed = BackgroundCheck.objects.filter(volunteer=OuterRef("volunteer"), status=BackgroundCheck.Status.CLEARED,
                                             expires_on__gt=OuterRef("expires_on"))
    return (BackgroundCheck.objects.filter(status=BackgroundCheck.Status.CLEARED, checked_on__lte=today, expires_on__gt=today,
                                           expires_on__lte=today + timedelta(days=days))
            .exclude(Exists(renewed)).select_related("volunteer").order_by("expires_on", "id"))


def background_checks_recent(limit: int = 50):
    return BackgroundCheck.objects.select_related("volunteer", "recorded_by").order_by("-recorded_at", "-id")[:limit]
