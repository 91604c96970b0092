"""Job training: enrollments and exits (with follow-ups), session attendance paid as
training time entries, competency sign-offs, credentials and follow-up reminders.

Attendance becomes pay only through ``payroll.services.time``, so the employment and
minimum-wage checks apply, and each attendance is linked to the one entry it made."""
import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from payroll.models import (
    Attendance,
    Cohort,
    Competency,
    CompetencySignoff,
    Credential,
    Employee,
    Enrollment,
    FollowUp,
    Program,
    TimeEntry,
    TrainingSession,
)
from payroll.selectors.training import attendance_hours
from payroll.services.people import audit
from payroll.services.time import (
    LOCKED_RUN_STATUSES,
    time_entries_approve,
    time_entry_add,
    time_entry_change,
    time_entry_remove,
)
from shop.platform import mail
from shop.platform.errors import DomainError

FOLLOW_UP_MONTHS = (3, 6, 12)
PAID_AFTER_APPROVAL = "This attendance was paid in an approved pay run; correct it with an off-cycle correction run."


class TrainingError(DomainError):
    pass


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def session_source(session_id: int) -> str:
    return f"training-session:{session_id}"


# -- enrollments ------------------------------------------------------------------------


@transaction.atomic
def enrollment_create(*, employee: Employee, program: Program, start_date: date, actor, cohort: Cohort | None = None,
                      target_end: date | None = None) -> Enrollment:
    if cohort is not None and cohort.program_id != program.pk:
        raise TrainingError("That cohort belongs to another program.")
    if Enrollment.objects.filter(employee=employee, program=program, status=Enrollment.Status.ACTIVE).exists():
        raise TrainingError("This person is already enrolled in that program.")
    enrollment = Enrollment.objects.create(employee=employee, program=program, cohort=cohort, start_date=start_date,
                                           target_end=target_end)
    audit(actor, "training.enrolled", employee, enrollment=enrollment.pk, program=program.pk)
    return enrollment


@transaction.atomic
def enrollment_exit(enrollment_id: int, *, status: str, exit_date: date, reason: str, outcome: str, actor) -> Enrollment:
    """Close an enrollment (completed or withdrawn) and schedule follow-ups at 3, 6 and 12 months."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment_id)
    if status not in (Enrollment.Status.COMPLETED, Enrollment.Status.WITHDRAWN):
        raise TrainingError("An enrollment ends as completed or withdrawn.")
    if enrollment.exit_date is not None:
        raise TrainingError("This enrollment has already ended.")
    if exit_date < enrollment.start_date:
        raise TrainingError("The exit date is before the enrollment started.")
    if outcome and outcome not in Enrollment.Outcome.values:
        raise TrainingError("Choose one of the listed outcomes.")
    enrollment.status, enrollment.exit_date = status, exit_date
    enrollment.exit_reason, enrollment.outcome = reason.strip()[:200], outcome
    enrollment.save(update_fields=["status", "exit_date", "exit_reason", "outcome"])
    for months in FOLLOW_UP_MONTHS:
        FollowUp.objects.get_or_create(enrollment=enrollment, due_months=months,
                                       defaults={"due_date": add_months(exit_date, months)})
    audit(actor, "training.exited", enrollment.employee, enrollment=enrollment.pk, status=status)
    return enrollment


@transaction.atomic
def follow_up_record(follow_up_id: int, *, actor, could_not_reach: bool = False, employment_status: str = "",
                     hourly_wage_band: str = "", housing_stable: bool | None = None, note: str = "") -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().select_related("enrollment").get(pk=follow_up_id)
    follow_up.could_not_reach = could_not_reach
    follow_up.employment_status = "" if could_not_reach else employment_status
    follow_up.hourly_wage_band = "" if could_not_reach else hourly_wage_band
    follow_up.housing_stable = None if could_not_reach else housing_stable
    follow_up.note = note[:200]
    follow_up.done_at = timezone.now()
    try:
        follow_up.full_clean()
    except ValidationError as error:
        raise TrainingError(_messages(error)) from error
    follow_up.save()
    audit(actor, "training.follow_up", follow_up.enrollment.employee, follow_up=follow_up.pk)
    return follow_up


# -- sessions, attendance and paid hours ------------------------------------------------

SESSION_TIMING = ("date", "start_time", "end_time")


@transaction.atomic
def session_save(session: TrainingSession, actor, changed: list[str] = ()) -> TrainingSession:
    """Create or correct a session. Once its attendance is paid, its day and times are fixed
    (the paid entries carry them): correct the attendance instead."""
    if session.pk and session.attendance_approved_at and set(changed) & set(SESSION_TIMING):
        raise TrainingError("This session's attendance is approved and paid by its date and times; they can no longer change.")
    try:
        session.full_clean()
    except ValidationError as error:
        raise TrainingError(_messages(error)) from error
    session.save()
    audit(actor, "training.session_saved", None, session=session.pk, fields=sorted(changed))
    return session


@transaction.atomic
def session_delete(session_id: int, actor) -> None:
    """Remove a session recorded by mistake; one whose attendance is approved (paid) stays."""
    session = TrainingSession.objects.select_for_update().get(pk=session_id)
    if session.attendance_approved_at is not None:
        raise TrainingError("This session's attendance is approved and paid; it cannot be removed.")
    audit(actor, "training.session_removed", None, session=session.pk)
    session.delete()



@transaction.atomic
def attendance_record(session: TrainingSession, employee: Employee, status: str, minutes: int | None, actor,
                      enrollment: Enrollment | None = None) -> Attendance:
    """Record one person's attendance (present with no minutes: the whole session). After
    the session's approval it is paid at once."""
    minutes = minutes or 0
    if Attendance.objects.filter(session=session, employee=employee).exists():
        raise TrainingError("This person's attendance at the session is already recorded; change it instead.")
    attendance = Attendance(session=session, employee=employee, status=status, minutes_attended=minutes, enrollment=enrollment)
    try:
        attendance.full_clean()
    except ValidationError as error:
        raise TrainingError(_messages(error)) from error
    attendance.save()
    if session.attendance_approved_at is not None:
        _sync_time_entry(attendance, actor)
    return attendance


def _create_entry(attendance: Attendance, hours: Decimal, actor) -> TimeEntry:
    session = attendance.session
    if hours < Decimal("0.25"):
        raise TrainingError(f"Attendance of {attendance.minutes_attended} minutes is too short to pay; record at least 15 minutes.")
    try:
        # A session's length bounds its hours and staff recorded it: past 12 in a day needs no
        # second confirmation here (24 is still the limit, and every other rule holds).
        return time_entry_add(attendance.employee, session.date, hours, TimeEntry.Kind.TRAINING, actor,
                              note=f"Training: {session.topic}"[:200], source=session_source(session.pk),
                              confirmed_long_day=True)
    except ValidationError as error:
        raise TrainingError(_messages(error)) from error


@transaction.atomic
def session_attendance_approve(session_id: int, actor) -> list[TimeEntry]:
    """Pay each attendee once: one approved training time entry per paid attendance.
    Approving again pays only attendance not yet paid; it never pays anyone twice."""
    session = TrainingSession.objects.select_for_update().get(pk=session_id)
    attendances = Attendance.objects.select_for_update().filter(session=session).select_related("employee")
    already = {
        entry.employee_id: entry
        for entry in TimeEntry.objects.filter(source=session_source(session.pk), kind=TimeEntry.Kind.TRAINING)
    }
    created, linked = [], []
    for attendance in attendances:
        attendance.session = session
        hours = attendance_hours(attendance)
        if attendance.time_entry_id is not None or hours is None:
            continue
        entry = already.get(attendance.employee_id)  # made earlier but never linked: link it, pay it once
        if entry is None:
            entry = _create_entry(attendance, hours, actor)
            created.append(entry)
        linked.append(entry.pk)
        attendance.time_entry = entry
        attendance.save(update_fields=["time_entry"])
    time_entries_approve(linked, actor)
    if session.attendance_approved_at is None:
        session.attendance_approved_at, session.approved_by = timezone.now(), actor
        session.save(update_fields=["attendance_approved_at", "approved_by"])
    audit(actor, "training.attendance_approved", None, session=session.pk, entries=len(created))
    return created


def _sync_time_entry(attendance: Attendance, actor) -> None:
    """Make the attendance's paid entry match it: create, change or remove it."""
    entry = attendance.time_entry
    if entry is not None and entry.pay_run_id and entry.pay_run.status in LOCKED_RUN_STATUSES:
        raise TrainingError(PAID_AFTER_APPROVAL)
    hours = attendance_hours(attendance)
    if hours is None:
        if entry is not None:
            attendance.time_entry = None
            attendance.save(update_fields=["time_entry"])
            time_entry_remove(entry.pk, actor)
        return
    if entry is None:
        entry = _create_entry(attendance, hours, actor)
        time_entries_approve([entry.pk], actor)
        attendance.time_entry = entry
        attendance.save(update_fields=["time_entry"])
        return
    if hours < Decimal("0.25"):
        raise TrainingError(f"Attendance of {attendance.minutes_attended} minutes is too short to pay; record at least 15 minutes.")
    time_entry_change(entry.pk, actor, confirmed_long_day=True, hours=hours)


@transaction.atomic
def attendance_update(attendance_id: int, status: str, minutes: int | None, actor) -> Attendance:
    """Correct an attendance. Once its hours are in an approved or paid pay run, refused."""
    minutes = minutes or 0
    attendance = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("session", "employee", "time_entry__pay_run")
        .get(pk=attendance_id)
    )
    entry = attendance.time_entry
    if entry is not None and entry.pay_run_id and entry.pay_run.status in LOCKED_RUN_STATUSES:
        raise TrainingError(PAID_AFTER_APPROVAL)
    attendance.status, attendance.minutes_attended = status, minutes
    try:
        attendance.full_clean(exclude=["time_entry"])
    except ValidationError as error:
        raise TrainingError(_messages(error)) from error
    attendance.save(update_fields=["status", "minutes_attended"])
    if attendance.session.attendance_approved_at is not None:
        _sync_time_entry(attendance, actor)
    audit(actor, "training.attendance_changed", attendance.employee, attendance=attendance.pk, status=status, minutes=minutes)
    return attendance


# -- competencies and credentials -------------------------------------------------------


@transaction.atomic
def competency_signoff(employee: Employee, competency: Competency, level: str, day: date, actor, note: str = "") -> CompetencySignoff:
    if level not in CompetencySignoff.Level.values:
        raise TrainingError("Choose one of the listed levels.")
    signoff = CompetencySignoff.objects.create(employee=employee, competency=competency, level=level, date=day,
                                               assessor=actor if getattr(actor, "is_authenticated", False) else None,
                                               note=note[:200])
    audit(actor, "training.signoff", employee, competency=competency.pk, level=level)
    return signoff


@transaction.atomic
def credential_add(employee: Employee, name: str, issuer: str, day: date, actor, expiry: date | None = None) -> Credential:
    if expiry is not None and expiry < day:
        raise TrainingError("A credential cannot expire before it was earned.")
    if not name.strip() or not issuer.strip():
        raise TrainingError("Name the credential and who issued it.")
    credential = Credential.objects.create(employee=employee, name=name.strip(), issuer=issuer.strip(), date=day, expiry=expiry)
    audit(actor, "training.credential", employee, credential=credential.pk)
    return credential


# -- reminders --------------------------------------------------------------------------


def follow_ups_due_remind(today: date) -> int:
    """E-mail program staff the follow-ups due this week (Monday to Sunday), not yet done.

    The e-mail names no one: it carries record numbers and a link that needs a login.
    Returns the number of follow-ups listed."""
    from shop.models import User
    from shop.platform.roles import PROGRAM_STAFF

    monday = today - timedelta(days=today.weekday())
    due = list(
        FollowUp.objects.filter(done_at__isnull=True, due_date__range=(monday, monday + timedelta(days=6)))
        .select_related("enrollment")
        .order_by("due_date", "id")
    )
    recipients = sorted(
        User.objects.filter(groups__name=PROGRAM_STAFF, is_active=True).exclude(email="").values_list("email", flat=True).distinct()
    )
    if not due or not recipients:
        return len(due)
    base = settings.SITE_URL.rstrip("/")
    items = [{"follow_up": f, "link": base + reverse("payroll:training_participant", args=[f.enrollment.employee_id])}
             for f in due]
    mail.send(to=recipients, subject=f"Training follow-ups due this week ({len(due)})",
              template="payroll/email/training_follow_ups", context={"due": items})
    return len(due)


@transaction.atomic
def training_records_anonymise(today: date) -> int:
    """Remove the free text of training records whose exit is older than the retention period.

    Dates, statuses, outcomes, hours, sign-off levels and credentials stay, so every count
    and rate on the dashboard is unchanged; notes and reasons, which may describe a person,
    go. Returns how many enrollments were anonymised.
    """
    cutoff = add_months(today, -12 * settings.TRAINING_RETENTION_YEARS)
    due = list(Enrollment.objects.select_for_update().filter(exit_date__lt=cutoff, anonymised_at__isnull=True))
    for enrollment in due:
        FollowUp.objects.filter(enrollment=enrollment).update(note="")
        CompetencySignoff.objects.filter(employee_id=enrollment.employee_id, competency__program_id=enrollment.program_id).update(note="")
    Enrollment.objects.filter(pk__in=[e.pk for e in due]).update(exit_reason="", anonymised_at=timezone.now())
    from payroll.services.casework import casework_text_remove  # casework builds on training: imported late

    casework_text_remove(sorted({e.employee_id for e in due}), cutoff)
    if due:
        audit(None, "training.anonymised", None, enrollments=len(due))
    return len(due)
