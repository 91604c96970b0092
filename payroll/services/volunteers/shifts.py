"""Coordinators' use cases: shifts (create, weekly series, edit, copy, cancel), messages
to a shift, check-in and check-out, no-shows, reminders and the automatic sign-out."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from payroll.models import ReminderSent, Shift, ShiftChange, ShiftMessage, ShiftRole, ShiftSeries, SignUp, Skill
from payroll.models.volunteers import validate_time_zone
from payroll.services.volunteers.changes import change_record, change_words
from payroll.services.volunteers.signups import (
    VolunteerError,
    confirmed_places,
    enqueue_notice,
    one_writer,
    waitlist_promote,
    waiver_problem,
)
from shop.models import Organisation
from shop.platform.validators import sane_date

MAX_SERIES_WEEKS = 52


@dataclass
class ShiftDetails:
    """What a coordinator says about a shift (times are wall-clock times in ``time_zone``)."""

    title: str
    location: str
    day: date
    start_time: time
    end_time: time
    roles: list[tuple[str, int]]
    description: str = ""
    time_zone: str = settings.TIME_ZONE
    minimum_age: int = 0
    required_skills: tuple[Skill, ...] = ()
    organisation: Organisation | None = None
    signup_cutoff_hours: int = 12
    cancel_deadline_hours: int = 24
    checked_roles: frozenset[str] = frozenset()  # casefolded names of the roles that need a cleared background check
    renamed_from: dict[str, str] = field(default_factory=dict)  # casefolded new name -> casefolded old name


def _times(details: ShiftDetails, day: date) -> tuple[datetime, datetime]:
    _check_day(day)
    try:
        validate_time_zone(details.time_zone)
    except ValidationError as error:
        raise VolunteerError(" ".join(error.messages)) from error
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(details.time_zone)
    starts, ends = datetime.combine(day, details.start_time, zone), datetime.combine(day, details.end_time, zone)
    if ends <= starts:
        raise VolunteerError("The shift must end after it starts (on the same day).")
    return starts, ends


def _check_day(day: date) -> None:
    try:
        sane_date(day)
    except ValidationError as error:
        raise VolunteerError(" ".join(error.messages)) from error


def _check_roles(roles: list[tuple[str, int]]) -> None:
    if not roles:
        raise VolunteerError("A shift needs at least one role, such as “Warehouse sorting: 10”.")
    names = [name.casefold() for name, _ in roles]
    if len(set(names)) != len(names):
        raise VolunteerError("Each role on a shift needs its own name.")
    if any(not 1 <= capacity <= 500 for _, capacity in roles):
        raise VolunteerError("Each role takes between 1 and 500 people.")


def _fields(details: ShiftDetails) -> dict:
    return {"title": details.title.strip(), "description": details.description.strip(), "location": details.location.strip(),
            "time_zone": details.time_zone, "minimum_age": details.minimum_age, "organisation": details.organisation,
            "signup_cutoff_hours": details.signup_cutoff_hours, "cancel_deadline_hours": details.cancel_deadline_hours}


def _make(details: ShiftDetails, day: date, actor, series=None) -> Shift:
    starts, ends = _times(details, day)
    shift = Shift.objects.create(starts_at=starts, ends_at=ends, series=series, created_by=actor, **_fields(details))
    shift.required_skills.set(details.required_skills)
    ShiftRole.objects.bulk_create([ShiftRole(shift=shift, name=name.strip(), capacity=capacity,
                                             requires_background_check=name.strip().casefold() in details.checked_roles)
                                   for name, capacity in details.roles])
    return shift


@transaction.atomic
def shift_create(details: ShiftDetails, actor, *, repeat_until: date | None = None, except_dates=()) -> list[Shift]:
    """One shift, or a weekly series from ``details.day`` to ``repeat_until`` skipping ``except_dates``."""
    _check_roles(details.roles)
    _times(details, details.day)
    if repeat_until is None:
        return [_make(details, details.day, actor)]
    if repeat_until < details.day:
        raise VolunteerError("The series must end on or after the first day.")
    # Counted before any date is made, so a last day of 9999-12-31 is refused, not overflowed.
    if (repeat_until - details.day).days // 7 + 1 > MAX_SERIES_WEEKS:
        raise VolunteerError(f"A series runs for at most {MAX_SERIES_WEEKS} weeks; make another one after that.")
    days = [details.day + timedelta(weeks=n) for n in range((repeat_until - details.day).days // 7 + 1)]
    skipped = set(except_dates)
    stray = sorted(d for d in skipped if d not in days)
    if stray:
        raise VolunteerError(f"{', '.join(f'{d:%b %-d, %Y}' for d in stray)} is not a day of this series.")
    series = ShiftSeries.objects.create(title=details.title.strip(), first_date=details.day, until=repeat_until,
                                        exceptions=sorted(d.isoformat() for d in skipped), created_by=actor)
    return [_make(details, d, actor, series) for d in days if d not in skipped]


def shift_update(shift_id: int, details: ShiftDetails, actor) -> Shift:
    """Edit one shift. A role keeps its sign-ups; capacity never drops below those signed
    up; a role with sign-ups cannot be removed; more places go to the waitlist at once.
    A new time or place is e-mailed to everyone signed up or waitlisted, a renamed role
    to the people in it, once per change with a fresh .ics (``changes``); a save that
    changes none of these sends nothing."""
    _check_roles(details.roles)
    with one_writer(), transaction.atomic():
        shift = Shift.objects.select_for_update().get(pk=shift_id)
        if shift.cancelled:
            raise VolunteerError("This shift is cancelled; copy it to schedule it again.")
        starts, ends = _times(details, details.day)
        roles = {role.name.casefold(): role for role in ShiftRole.objects.select_for_update().filter(shift=shift)}
        wanted = {name.strip().casefold(): (name.strip(), capacity) for name, capacity in details.roles}
        matched = {}  # wanted name -> the role it is (by name, or the role it renames)
        for key, (name, _capacity) in wanted.items():
            old = details.renamed_from.get(key)
            if key in roles or old is None:
                matched[key] = roles.get(key)
            elif old in wanted:
                raise VolunteerError(f"“{name}” renames a role that is still on the list; give it a new name or drop one line.")
            elif old not in roles:
                raise VolunteerError(f"“{name}” renames a role this shift does not have; check the name after “was”.")
            else:
                matched[key] = roles[old]
        kept = {role.pk for role in matched.values() if role is not None}
        for role in roles.values():
            if role.pk not in kept and role.signups.exists():
                raise VolunteerError(f"{role.name} has sign-ups (some may be cancelled); it cannot be removed. "
                                     "Lower its capacity instead, or rename it with “(was …)”.")
        for key, role in matched.items():
            if role is not None and wanted[key][1] < confirmed_places(role):
                raise VolunteerError(f"{role.name} already has {confirmed_places(role)} people signed up; "
                                     "its capacity cannot go below that.")
        for role in roles.values():
            if role.pk not in kept:
                role.delete()
        now = timezone.now()
        renamed = []
        for key, (name, capacity) in wanted.items():
            role = matched[key]
            checked = key in details.checked_roles
            if role is None:
                ShiftRole.objects.create(shift=shift, name=name, capacity=capacity, requires_background_check=checked)
                continue
            grew = capacity > role.capacity
            if role.name != name:
                renamed.append((role, role.name, name))
            role.name, role.capacity, role.requires_background_check = name, capacity, checked
            role.save(update_fields=["name", "capacity", "requires_background_check"])
            if grew and now < starts:
                waitlist_promote(role, now)
        before = {"starts_at": shift.starts_at, "ends_at": shift.ends_at, "location": shift.location}
        for field, value in _fields(details).items():
            setattr(shift, field, value)
        shift.starts_at, shift.ends_at = starts, ends
        shift.save()
        shift.required_skills.set(details.required_skills)
        moved = (before["starts_at"], before["ends_at"], before["location"]) != (shift.starts_at, shift.ends_at, shift.location)
        if (moved or renamed) and now < max(before["ends_at"], shift.ends_at):
            what = change_words(shift, before, [(old, new) for _, old, new in renamed])
            # A new time or place concerns everyone; a renamed role only the people in it.
            told = shift.signups.all() if moved else shift.signups.filter(role__in=[role for role, _, _ in renamed])
            change_record(shift, ShiftChange.Kind.CHANGED, what, actor, told)
        return shift


@transaction.atomic
def shift_copy(shift_id: int, day: date, actor) -> Shift:
    """The same shift (roles, rules, times of day) on another day, with nobody signed up."""
    source = Shift.objects.prefetch_related("roles", "required_skills").get(pk=shift_id)
    details = ShiftDetails(
        title=source.title, description=source.description, location=source.location, day=day,
        start_time=source.local_start.time(), end_time=source.local_end.time(), time_zone=source.time_zone,
        roles=[(r.name, r.capacity) for r in source.roles.all()], minimum_age=source.minimum_age,
        checked_roles=frozenset(r.name.casefold() for r in source.roles.all() if r.requires_background_check),
        required_skills=tuple(source.required_skills.all()), organisation=source.organisation,
        signup_cutoff_hours=source.signup_cutoff_hours, cancel_deadline_hours=source.cancel_deadline_hours,
    )
    return _make(details, day, actor)


@transaction.atomic
def shift_cancel(shift_id: int, actor, reason: str = "") -> int:
    """Cancel a shift and e-mail everyone signed up or waitlisted; returns how many."""
    shift = Shift.objects.select_for_update().get(pk=shift_id)
    if shift.cancelled:
        raise VolunteerError("This shift is already cancelled.")
    shift.status, shift.cancelled_at, shift.cancel_reason = Shift.Status.CANCELLED, timezone.now(), reason.strip()[:200]
    shift.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    if shift.series_id:
        series = ShiftSeries.objects.select_for_update().get(pk=shift.series_id)
        day = shift.local_start.date().isoformat()
        if day not in series.exceptions:
            series.exceptions = sorted([*series.exceptions, day])
            series.save(update_fields=["exceptions"])
    return change_record(shift, ShiftChange.Kind.CANCELLED, ["Cancelled" + (f": {shift.cancel_reason}" if shift.cancel_reason else "")],
                         actor, shift.signups.all())


@transaction.atomic
def shift_message(shift_id: int, actor, subject: str, body: str) -> ShiftMessage:
    """Message everyone signed up or waitlisted, by their preferred channel (a Celery task)."""
    from payroll.tasks import send_shift_message

    if not subject.strip() or not body.strip():
        raise VolunteerError("Write a subject and a message.")
    shift = Shift.objects.get(pk=shift_id)
    count = shift.signups.filter(status__in=SignUp.ACTIVE).count()
    if count == 0:
        raise VolunteerError("Nobody is signed up for this shift yet.")
    message = ShiftMessage.objects.create(shift=shift, sender=actor, subject=subject.strip()[:150], body=body.strip(),
                                          recipients=count)
    transaction.on_commit(lambda: send_shift_message.delay(message.pk))
    return message


def shift_message_send(message_id: int) -> int:
    from payroll.services.volunteers.notify import notify

    message = ShiftMessage.objects.select_related("shift").get(pk=message_id)
    signups = message.shift.signups.filter(status__in=SignUp.ACTIVE).select_related("volunteer")
    for signup in signups:
        notify(signup.volunteer, message.subject, "payroll/email/shift_message", {"message": message})
    return len(signups)


# -- on the day -------------------------------------------------------------------------


def _on_the_day(signup_id: int) -> SignUp:
    signup = SignUp.objects.select_for_update().select_related("shift", "volunteer").filter(pk=signup_id).first()
    if signup is None:
        raise VolunteerError("No such sign-up.")
    if signup.status != SignUp.Status.CONFIRMED:
        raise VolunteerError("Only volunteers with a place on the shift can be checked in.")
    if signup.shift.cancelled:
        raise VolunteerError("This shift was cancelled.")
    return signup


@transaction.atomic
def check_in(signup_id: int, actor, now: datetime | None = None) -> SignUp:
    now = now or timezone.now()
    signup = _on_the_day(signup_id)
    if signup.checked_in_at is not None:
        raise VolunteerError(f"{signup.volunteer.full_name} is already checked in.")
    if now < signup.shift.starts_at - timedelta(hours=2) or now > signup.shift.ends_at:
        raise VolunteerError("Check-in opens two hours before the shift and closes when it ends.")
    if waiver_problem(signup.volunteer):
        # Nobody works unwaivered (at the kiosk or on the roster), judged by the waiver as it
        # stands now (a check-in queued offline is judged when it arrives); the message names no one.
        raise VolunteerError("The volunteer waiver is not signed (or has expired): please see the coordinator "
                             "before checking in.")
    signup.checked_in_at, signup.checked_in_by, signup.attendance = now, actor, SignUp.Attendance.PRESENT
    signup.save(update_fields=["checked_in_at", "checked_in_by", "attendance"])
    from payroll.services.volunteers.groups import group_check_in

    signup.members_left_out = group_check_in(signup, now)  # members with no waiver in force stay out
    return signup


@transaction.atomic
def check_out(signup_id: int, actor, now: datetime | None = None) -> SignUp:
    now = now or timezone.now()
    signup = _on_the_day(signup_id)
    if signup.checked_in_at is None:
        raise VolunteerError(f"{signup.volunteer.full_name} has not checked in.")
    if signup.checked_out_at is not None:
        raise VolunteerError(f"{signup.volunteer.full_name} has already checked out.")
    signup.checked_out_at = now
    signup.save(update_fields=["checked_out_at"])
    return signup


@transaction.atomic
def mark_no_show(signup_id: int, actor) -> SignUp:
    signup = _on_the_day(signup_id)
    if signup.checked_in_at is not None:
        raise VolunteerError(f"{signup.volunteer.full_name} checked in; they were here.")
    if timezone.now() < signup.shift.starts_at:
        raise VolunteerError("No-shows are marked once the shift has started.")
    signup.attendance = SignUp.Attendance.NO_SHOW
    signup.save(update_fields=["attendance"])
    return signup


@transaction.atomic
def hours_correct(signup_id: int, actor, checked_in_at: datetime, checked_out_at: datetime) -> SignUp:
    """A coordinator sets the times (e.g. after an automatic sign-out) and clears the flag."""
    signup = _on_the_day(signup_id)
    if checked_out_at <= checked_in_at:
        raise VolunteerError("Check-out must be after check-in.")
    if checked_out_at - checked_in_at > timedelta(hours=24):
        raise VolunteerError("That is more than 24 hours on one shift.")
    signup.checked_in_at, signup.checked_out_at = checked_in_at, checked_out_at
    signup.attendance, signup.needs_review = SignUp.Attendance.PRESENT, False
    signup.save(update_fields=["checked_in_at", "checked_out_at", "attendance", "needs_review"])
    return signup


def auto_check_out(now: datetime | None = None) -> int:
    """Sign out everyone checked in more than ``VOLUNTEER_AUTO_CHECKOUT_HOURS`` ago, at the
    shift's end (never later than that limit) and flag the entry for review."""
    now = now or timezone.now()
    limit = timedelta(hours=settings.VOLUNTEER_AUTO_CHECKOUT_HOURS)
    done = 0
    stale = SignUp.objects.filter(checked_in_at__isnull=False, checked_out_at__isnull=True, checked_in_at__lte=now - limit)
    for signup_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            signup = SignUp.objects.select_for_update().select_related("shift").get(pk=signup_id)
            if signup.checked_out_at is not None:  # checked out meanwhile, or another run did it
                continue
            signup.checked_out_at = min(max(signup.shift.ends_at, signup.checked_in_at), signup.checked_in_at + limit)
            signup.needs_review = True
            signup.save(update_fields=["checked_out_at", "needs_review"])
            done += 1
    return done


# -- reminders --------------------------------------------------------------------------

REMINDERS = ((ReminderSent.Kind.H48, timedelta(hours=48)), (ReminderSent.Kind.H2, timedelta(hours=2)))


def reminders_due(now: datetime):
    """(sign-up id, kind) for every confirmed sign-up inside a reminder window that has no
    reminder of that kind yet. The 48-hour window stops where the 2-hour one begins."""
    due = []
    for kind, ahead in REMINDERS:
        later_than = now + timedelta(hours=2) if kind == ReminderSent.Kind.H48 else now
        signups = (SignUp.objects.filter(status=SignUp.Status.CONFIRMED, shift__status=Shift.Status.SCHEDULED,
                                         shift__starts_at__gt=later_than, shift__starts_at__lte=now + ahead)
                   .exclude(reminders__kind=kind).values_list("pk", flat=True))
        due += [(signup_id, kind) for signup_id in signups]
    return due


def reminders_send(now: datetime | None = None) -> int:
    """Record each due reminder, then send it after the record commits. The unique key on
    (sign-up, kind) makes a second or concurrent beat run skip it: sent at most once."""
    from payroll.services.volunteers.notify import channel_for

    now = now or timezone.now()
    sent = 0
    for signup_id, kind in reminders_due(now):
        try:
            with transaction.atomic():
                signup = SignUp.objects.select_related("volunteer").get(pk=signup_id)
                ReminderSent.objects.create(signup=signup, kind=kind, channel=channel_for(signup.volunteer))
                enqueue_notice(signup_id, f"reminder_{kind}")
        except IntegrityError:
            continue
        sent += 1
    return sent
