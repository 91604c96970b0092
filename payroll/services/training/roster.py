"""A session's attendance roster: program staff mark everyone at once, the program lead
approves it, and approval pays it as training time once (``records.session_attendance_approve``,
the one rule for paid attendance: approving again never pays twice).

The roster is saved all or nothing: each row goes through ``records.attendance_record`` or
``records.attendance_update`` (so an approved session's changes are paid at once, and a row
already in an approved pay run is refused), and any refused row rolls every row back, its
message kept on that row."""
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from payroll.models import Attendance, TrainingSession
from payroll.selectors.training import scheduled_minutes, session_roster
from payroll.services.people import audit
from payroll.services.training.records import (
    TrainingError,
    attendance_record,
    attendance_update,
    session_attendance_approve,
    session_save,
)

PART_OF_THE_SESSION = (Attendance.Status.LATE, Attendance.Status.LEFT_EARLY, Attendance.Status.EXCUSED)


class RosterError(TrainingError):
    """Some rows were refused; ``rows`` maps each refused employee id to its message."""

    def __init__(self, message: str, rows: dict[int, str] | None = None):
        super().__init__(message)
        self.rows = rows or {}


@dataclass(frozen=True)
class Mark:
    employee_id: int
    status: str
    minutes: int | None  # None or the session's length: the whole session


def is_lead(session: TrainingSession, user) -> bool:
    """The program's lead (or a superuser) approves its sessions."""
    return bool(getattr(user, "is_superuser", False) or (user.pk is not None and session.program.lead_id == user.pk))


def mark_problem(mark: Mark, length: int) -> str | None:
    """What is wrong with one row, before anything is written (None: nothing)."""
    if mark.status not in Attendance.Status.values:
        return "Choose present, late, left early, absent or excused."
    minutes = mark.minutes
    if mark.status == Attendance.Status.ABSENT:
        return None
    if minutes is not None and minutes > length:
        return f"At most {length} minutes: the session is {length} minutes long."
    if mark.status in (Attendance.Status.LATE, Attendance.Status.LEFT_EARLY) and (not minutes or minutes >= length):
        return f"Late or left early: record the minutes attended (fewer than the session's {length})."
    return None


def _stored_minutes(mark: Mark, length: int) -> int:
    """Absent: none; present for the session's length: 0, which means the whole session (so it
    follows the session's times if they are corrected before approval)."""
    if mark.status == Attendance.Status.ABSENT:
        return 0
    if mark.status == Attendance.Status.PRESENT and (mark.minutes is None or mark.minutes == length):
        return 0
    return mark.minutes or 0


@transaction.atomic
def roster_save(session_id: int, marks: list[Mark], actor) -> int:
    """Save a session's roster in one transaction; returns how many rows changed. Only people on
    the roster may be marked. Once the session is approved (paid), only its lead may change it."""
    session = TrainingSession.objects.select_for_update().select_related("program").get(pk=session_id)
    if session.attendance_approved_at is not None and not is_lead(session, actor):
        raise TrainingError("This session's attendance is approved and paid; only the program lead can change it now.")
    roster = {line.employee.pk: line for line in session_roster(session.pk)["lines"]}
    length = scheduled_minutes(session)
    rows: dict[int, str] = {}
    changed = 0
    for mark in marks:
        line = roster.get(mark.employee_id)
        if line is None:
            rows[mark.employee_id] = "This person is not on the session's roster."
            continue
        problem = mark_problem(mark, length)
        if problem:
            rows[mark.employee_id] = problem
            continue
        minutes = _stored_minutes(mark, length)
        try:
            if line.attendance is None:
                attendance_record(session, line.employee, mark.status, minutes, actor, enrollment=line.enrollment)
                changed += 1
            elif (line.attendance.status, line.attendance.minutes_attended) != (mark.status, minutes):
                attendance_update(line.attendance.pk, mark.status, minutes, actor)
                changed += 1
        except TrainingError as error:
            rows[mark.employee_id] = error.message
    if rows:
        raise RosterError("Nothing was saved: correct the rows marked below.", rows)
    audit(actor, "training.roster_saved", None, session=session.pk, changed=changed)
    return changed


@transaction.atomic
def roster_approve(session_id: int, actor) -> int:
    """The program lead approves the session's attendance: each attendee's time is paid once.
    Returns how many time entries were made (0 when approved again with nothing new)."""
    session = TrainingSession.objects.select_related("program").get(pk=session_id)
    if not is_lead(session, actor):
        raise TrainingError("Only the program's lead can approve its sessions' attendance.")
    if not Attendance.objects.filter(session=session).exists():
        raise TrainingError("Mark the roster before approving it.")
    return len(session_attendance_approve(session.pk, actor))


MAX_SERIES = 60  # sessions in one series (a year of weekly sessions and then some)


@transaction.atomic
def session_series_create(*, program, cohort, first: date, until: date | None, start_time, end_time, topic: str,
                          trainer: str, actor) -> list[TrainingSession]:
    """Create a session, or a weekly series of them (same weekday and times) from ``first``
    through ``until``; all or none. Returns them in date order."""

    if cohort is not None and cohort.program_id != program.pk:
        raise TrainingError("That cohort belongs to another program.")
    if until is not None and until < first:
        raise TrainingError("The series cannot end before its first session.")
    days = [first]
    while until is not None and days[-1] + timedelta(days=7) <= until:
        days.append(days[-1] + timedelta(days=7))
        if len(days) > MAX_SERIES:
            raise TrainingError(f"A series has at most {MAX_SERIES} sessions; end it sooner.")
    series = uuid.uuid4() if len(days) > 1 else None
    made = []
    for day in days:
        session = TrainingSession(program=program, cohort=cohort, date=day, start_time=start_time, end_time=end_time,
                                  topic=topic.strip(), trainer=trainer.strip(), series=series)
        made.append(session_save(session, actor, ["date", "start_time", "end_time", "topic"]))
    return made
