"""Reads for the training pages and the funders' report. Constant query counts: each
reader runs a fixed number of queries however many people, sessions or programs there are.

Small numbers identify people: in anything shown outside a single record (dashboard and
CSV), a count under ``SMALL_GROUP``, one more cell of its column so it cannot be subtracted
out of the total, and any rate over a hidden cell read ``HIDDEN`` (``payroll/disclosure.py``)."""
from dataclasses import dataclass, field
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum
from django.utils import timezone

from payroll import disclosure
from payroll.disclosure import HIDDEN, SMALL_GROUP
from payroll.models import (
    Attendance,
    CompetencySignoff,
    Credential,
    Employee,
    Enrollment,
    FollowUp,
    Program,
    TimeEntry,
    TrainingSession,
)
from payroll.selectors.consent import transcript_recipients

NOT_FROM_A_SESSION = "Training not recorded at a session"
HUNDREDTH = Decimal("0.01")


# -- training hours: the one source ---------------------------------------------------------


def scheduled_minutes(session) -> int:
    """How long a session is scheduled to run, in minutes."""
    to_time = models.TimeField().to_python  # a session made in code may still hold "14:00" strings
    start = datetime.combine(session.date, to_time(session.start_time))
    end = datetime.combine(session.date, to_time(session.end_time))
    return max(0, int((end - start).total_seconds()) // 60)


def attendance_hours(attendance: Attendance) -> Decimal | None:
    """The training hours one attendance earns, or None when it earns none.

    Present with no minutes recorded means present for the whole session: its scheduled
    length. Late, left early and excused count only the minutes recorded (someone excused
    for part of it); absent earns nothing. The pay-run time entry of an attendance is made from this."""
    if attendance.status == Attendance.Status.ABSENT:
        return None
    minutes = attendance.minutes_attended or 0
    if not minutes and attendance.status == Attendance.Status.PRESENT:
        minutes = scheduled_minutes(attendance.session)
    if not minutes:
        return None
    return (Decimal(minutes) / Decimal(60)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass
class TrainingHours:
    """Training hours by program (``None``: training time not recorded at a session), with
    how many people they went to, and the totals (a person counts once in ``participants``)."""

    by_program: dict = field(default_factory=dict)
    total: Decimal = Decimal("0.00")
    participants: int = 0


def training_hours(*, employee_id: int | None = None, year: int | None = None) -> TrainingHours:
    """The training hours payroll pays: approved training time entries (those made from
    attendance and any entered directly). The participant record, the dashboard and the
    employee's pay page all read them here, so they agree with what pay runs pay. Two queries."""
    entries = TimeEntry.objects.filter(kind=TimeEntry.Kind.TRAINING, approved_at__isnull=False)
    if employee_id is not None:
        entries = entries.filter(employee_id=employee_id)
    if year is not None:
        entries = entries.filter(date__year=year)
    program = "training_attendance__session__program"
    result = TrainingHours()
    rows = (entries.values(program, f"{program}__name", f"{program}__required_hours")
            .annotate(hours=Sum("hours"), participants=Count("employee", distinct=True))
            .order_by(F(f"{program}__name").asc(nulls_last=True)))
    for row in rows:
        result.by_program[row[program]] = {
            "program": row[f"{program}__name"] or NOT_FROM_A_SESSION, "hours": row["hours"].quantize(HUNDREDTH),
            "required_hours": row[f"{program}__required_hours"], "participants": row["participants"],
        }
    totals = entries.aggregate(hours=Sum("hours"), participants=Count("employee", distinct=True))
    result.total = (totals["hours"] or Decimal(0)).quantize(HUNDREDTH)
    result.participants = totals["participants"]
    return result


# -- a session's roster -----------------------------------------------------------------


@dataclass
class RosterLine:
    """One row of a session's roster: who, their enrolment, and the attendance recorded (None:
    not yet marked). Pages show the person masked, as every training list does."""

    employee: Employee
    enrollment: Enrollment | None
    attendance: Attendance | None


def session_roster(session_id: int) -> dict | None:
    """A session and its roster: everyone enrolled in its program (its cohort's, for a cohort's
    session) on its day, and anyone whose attendance is already recorded. Three queries."""
    session = TrainingSession.objects.select_related("program__lead", "cohort", "approved_by").filter(pk=session_id).first()
    if session is None:
        return None
    enrolled = Enrollment.objects.filter(program_id=session.program_id, start_date__lte=session.date).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=session.date)).exclude(status=Enrollment.Status.PAUSED)
    if session.cohort_id is not None:
        enrolled = enrolled.filter(cohort_id=session.cohort_id)
    attendances = {a.employee_id: a for a in Attendance.objects.filter(session=session)
                   .select_related("employee", "enrollment", "time_entry")}
    lines: dict[int, RosterLine] = {}
    for enrollment in enrolled.select_related("employee").order_by("employee_id", "-start_date"):
        lines.setdefault(enrollment.employee_id, RosterLine(enrollment.employee, enrollment,
                                                            attendances.get(enrollment.employee_id)))
    for employee_id, attendance in attendances.items():
        if employee_id not in lines:
            lines[employee_id] = RosterLine(attendance.employee, attendance.enrollment, attendance)
    return {
        "session": session,
        "scheduled_minutes": scheduled_minutes(session),
        "lines": sorted(lines.values(), key=lambda line: line.employee.pk),
    }


def program_sessions(program_id: int) -> dict | None:
    """A program, its cohorts and its sessions (newest first) with how many are marked. Three queries."""
    program = Program.objects.select_related("lead").filter(pk=program_id).first()
    if program is None:
        return None
    sessions = list(TrainingSession.objects.filter(program=program).select_related("cohort")
                    .annotate(marked=Count("attendances")).order_by("-date", "-start_time"))
    return {"program": program, "sessions": sessions, "cohorts": list(program.cohorts.order_by("-start_date"))}


def cohort_calendar(cohort_id: int) -> dict | None:
    """A cohort's sessions (its own and its program's whole-program ones), by month: two queries."""
    from payroll.models import Cohort

    cohort = Cohort.objects.select_related("program").filter(pk=cohort_id).first()
    if cohort is None:
        return None
    sessions = (TrainingSession.objects.filter(program_id=cohort.program_id)
                .filter(Q(cohort_id=cohort.pk) | Q(cohort__isnull=True))
                .filter(date__gte=cohort.start_date).order_by("date", "start_time"))
    if cohort.end_date:
        sessions = sessions.filter(date__lte=cohort.end_date)
    months: dict = {}
    for session in sessions.annotate(marked=Count("attendances")):
        months.setdefault(session.date.replace(day=1), []).append(session)
    return {"cohort": cohort, "months": list(months.items())}


def program_list() -> list[Program]:
    """Every program with its lead (one query)."""
    return list(Program.objects.select_related("lead").order_by("-active", "name"))


# -- one participant --------------------------------------------------------------------


def participant_record(employee_id: int) -> dict | None:
    """Everything about one participant's training, in eight queries."""
    employee = Employee.objects.filter(pk=employee_id).first()
    if employee is None:
        return None
    enrollments = list(
        Enrollment.objects.filter(employee=employee)
        .select_related("program", "cohort")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("due_date", "id")))
        .order_by("-start_date", "-id")
    )
    hours = training_hours(employee_id=employee.pk)
    attended = (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY)
    counts = Attendance.objects.filter(employee=employee).aggregate(
        present=Count("id", filter=Q(status__in=attended)),  # late and left early came too
        absent=Count("id", filter=Q(status=Attendance.Status.ABSENT)),
        excused=Count("id", filter=Q(status=Attendance.Status.EXCUSED)),
    )
    signoffs = list(
        CompetencySignoff.objects.filter(employee=employee).select_related("competency__program", "assessor").order_by("-date", "-id")
    )
    credentials = list(Credential.objects.filter(employee=employee).order_by("-date", "-id"))
    return {
        "employee": employee,
        "enrollments": enrollments,
        "hours_by_program": [
            {"program": row["program"], "hours": row["hours"], "required_hours": row["required_hours"]}
            for row in hours.by_program.values()
        ],
        "total_hours": hours.total,
        "attendance": counts,
        "attendance_rate": attendance_rate(counts["present"], counts["absent"]),
        "signoffs": signoffs,
        "credentials": credentials,
        "follow_ups": [f for e in enrollments for f in e.follow_ups.all()],
        # -- consent (issue 24): the partners a transcript may go to today --
        "transcript_recipients": transcript_recipients(employee.pk, timezone.localdate()),
    }


def attendance_rate(present: int, absent: int) -> Decimal | None:
    """Present ÷ (present + absent), as a percentage; excused sessions count for neither."""
    expected = present + absent
    if not expected:
        return None
    return (Decimal(100) * present / expected).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def participant_export(employee_id: int) -> dict | None:
    """The complete training record, for a data-rights request (JSON-ready)."""
    record = participant_record(employee_id)
    if record is None:
        return None
    employee = record["employee"]
    attendances = (
        Attendance.objects.filter(employee=employee).select_related("session__program", "time_entry").order_by("session__date", "id")
    )
    return {
        "employee_id": employee.pk,
        "enrollments": [
            {"id": e.pk, "program": e.program.name, "cohort": e.cohort.name if e.cohort else None,
             "start_date": e.start_date, "target_end": e.target_end, "status": e.status, "exit_date": e.exit_date,
             "exit_reason": e.exit_reason, "outcome": e.outcome,
             "follow_ups": [
                 {"due_months": f.due_months, "due_date": f.due_date, "done_at": f.done_at,
                  "employment_status": f.employment_status, "hourly_wage_band": f.hourly_wage_band,
                  "housing_stable": f.housing_stable, "note": f.note, "could_not_reach": f.could_not_reach}
                 for f in e.follow_ups.all()
             ]}
            for e in record["enrollments"]
        ],
        "attendance": [
            {"session_date": a.session.date, "program": a.session.program.name, "topic": a.session.topic,
             "status": a.status, "minutes_attended": a.minutes_attended,
             "paid_hours": a.time_entry.hours if a.time_entry else None}
            for a in attendances
        ],
        "hours_by_program": record["hours_by_program"],
        "competencies": [
            {"program": s.competency.program.name, "competency": s.competency.name, "level": s.level, "date": s.date,
             "note": s.note}
            for s in record["signoffs"]
        ],
        "credentials": [
            {"name": c.name, "issuer": c.issuer, "date": c.date, "expiry": c.expiry} for c in record["credentials"]
        ],
        "service_plan": _plan_export(employee.pk),
    }


def _plan_export(employee_id: int) -> dict | None:
    """The participant's service plan (casework), goals with steps and progress notes."""
    from payroll.selectors.casework import service_plan  # casework reads training's rules: imported late

    plan = service_plan(employee_id)
    if plan["plan"] is None:
        return None
    return {
        "review_date": plan["plan"].review_date,
        "goals": [
            {"domain": g.domain.name, "goal": g.title, "target_date": g.target_date, "status": g.status,
             "closed_on": g.closed_on,
             "steps": [{"step": s.text, "target_date": s.target_date, "done_on": s.done_on} for s in g.steps.all()],
             "progress": [{"date": p.date, "note": p.text} for p in g.progress_notes.all()]}
            for g in plan["goals"]
        ],
    }


def participant_list() -> list[Employee]:
    """Everyone with a training enrollment, with their enrollments (two queries)."""
    return list(
        Employee.objects.filter(enrollments__isnull=False)
        .distinct()
        .prefetch_related(Prefetch("enrollments", queryset=Enrollment.objects.select_related("program").order_by("-start_date")))
        .order_by("id")
    )


# -- the dashboard (aggregates, small groups and what would reveal them suppressed) -------

NOT_APPLICABLE = "–"  # a cell a row cannot have (enrolments of training not recorded at a session)

# The table's count columns (figure key, heading): each column's total row is the total of
# the rows above it, the one equation ``payroll/disclosure.py`` protects.
COUNT_COLUMNS = ("enrolled", "hours", "exited", "completed", "reached_6", "employed_6", "reached_12", "employed_12")
# Rates: (column, part, whole).
RATE_COLUMNS = (("completion_rate", "completed", "exited"), ("employment_rate_6", "employed_6", "reached_6"),
                ("employment_rate_12", "employed_12", "reached_12"))


@dataclass
class DashboardRow:
    label: str
    enrolled_now: str
    hours_this_year: str
    exited: str
    completed: str
    completion_rate: str
    reached_6: str
    employed_6: str
    employment_rate_6: str
    reached_12: str
    employed_12: str
    employment_rate_12: str


DASHBOARD_COLUMNS = [
    ("label", "Program"), ("enrolled_now", "Enrolled now"), ("hours_this_year", "Training hours this year"),
    ("exited", "Left the program"), ("completed", "Completed"), ("completion_rate", "Completion rate"),
    ("reached_6", "Reached at 6 months"), ("employed_6", "Employed at 6 months"), ("employment_rate_6", "Employment rate at 6 months"),
    ("reached_12", "Reached at 12 months"), ("employed_12", "Employed at 12 months"), ("employment_rate_12", "Employment rate at 12 months"),
]
def _small(figures: dict | None, key: str) -> bool | None:
    """Whether a cell counts fewer than ``SMALL_GROUP`` people (None: the row has no such cell).
    Hours are as small as the number of people they went to."""
    if figures is None:
        return None
    if key == "hours":
        return figures.get("participants", 0) < SMALL_GROUP
    return figures.get(key, 0) < SMALL_GROUP


def _value(figures: dict | None, key: str):
    if figures is None:
        return None
    return figures.get(key) or (Decimal(0) if key == "hours" else 0)


def dashboard_table(labels: list[str], figures: list[dict], total: dict, hours_only: dict | None = None) -> dict:
    """The published rows and total for the figures of each program (and of the hours-only row
    of training not recorded at a session), with small groups and what would reveal them hidden
    (``payroll/disclosure.py``). Pure: no queries."""
    rows = [(label, dict(f)) for label, f in zip(labels, figures)]
    if hours_only is not None:
        rows.append((NOT_FROM_A_SESSION, {"hours": hours_only.get("hours"), "participants": hours_only.get("participants", 0)}))
    every = [f for _, f in rows] + [total]
    only_hours = [False] * len(labels) + ([True] if hours_only is not None else []) + [False]

    def own(i, key):  # the figures of row i for this column, None where the row has no such cell
        return None if only_hours[i] and key != "hours" else every[i]

    hidden = {}
    for key in COUNT_COLUMNS:
        cells = [own(i, key) for i in range(len(every))]
        hidden[key] = disclosure.hidden_cells([_value(c, key) for c in cells], [_small(c, key) for c in cells])

    def shown(i, key):
        if own(i, key) is None:
            return NOT_APPLICABLE
        if hidden[key][i]:
            return HIDDEN
        value = _value(every[i], key)
        return f"{value:.2f}" if key == "hours" else str(value)

    published = []
    for i, figs in enumerate(every):
        label = rows[i][0] if i < len(rows) else "All programs"
        cells = {name: shown(i, key) for name, key in (
            ("enrolled_now", "enrolled"), ("hours_this_year", "hours"), ("exited", "exited"), ("completed", "completed"),
            ("reached_6", "reached_6"), ("employed_6", "employed_6"), ("reached_12", "reached_12"), ("employed_12", "employed_12"))}
        for name, part, whole in RATE_COLUMNS:
            if own(i, part) is None:
                cells[name] = NOT_APPLICABLE
            else:
                cells[name] = disclosure.shown_rate(_value(figs, part), _value(figs, whole), hidden[part][i], hidden[whole][i])
        published.append(DashboardRow(label=label, **cells))
    return {"rows": published[:-1], "total": published[-1]}


def training_dashboard(year: int) -> dict:
    """Per program and in total: enrolled now (distinct people), training hours paid this
    year (and how many people they went to), exits and completions, and employment among
    those reached at the 6- and 12-month follow-ups. Nine queries."""
    programs = list(Program.objects.order_by("name"))
    figures: dict = {p.pk: {} for p in programs}
    total: dict = {}

    enrolled = Enrollment.objects.filter(status=Enrollment.Status.ACTIVE)
    for r in enrolled.values("program").annotate(n=Count("employee", distinct=True)):
        figures[r["program"]]["enrolled"] = r["n"]
    total["enrolled"] = enrolled.aggregate(n=Count("employee", distinct=True))["n"]

    hours = training_hours(year=year)
    for program_id, row in hours.by_program.items():
        if program_id is not None:
            figures[program_id].update(hours=row["hours"], participants=row["participants"])
    total.update(hours=hours.total, participants=hours.participants)

    exits = Enrollment.objects.filter(exit_date__isnull=False)
    exit_counts = {"exited": Count("id"), "completed": Count("id", filter=Q(status=Enrollment.Status.COMPLETED))}
    for r in exits.values("program").annotate(**exit_counts):
        figures[r["program"]].update(exited=r["exited"], completed=r["completed"])
    total.update(exits.aggregate(**exit_counts))

    reached = FollowUp.objects.filter(done_at__isnull=False, could_not_reach=False, due_months__in=(6, 12))
    employed = Q(employment_status__in=FollowUp.EMPLOYED)
    follow = {"reached": Count("id"), "employed": Count("id", filter=employed)}
    for r in reached.values("enrollment__program", "due_months").annotate(**follow):
        m = r["due_months"]
        figures[r["enrollment__program"]].update({f"reached_{m}": r["reached"], f"employed_{m}": r["employed"]})
    for r in reached.values("due_months").annotate(**follow).order_by():
        m = r["due_months"]
        total.update({f"reached_{m}": r["reached"], f"employed_{m}": r["employed"]})

    credentials = Credential.objects.filter(date__year=year).count()
    table = dashboard_table([p.name for p in programs], [figures[p.pk] for p in programs], total,
                            hours.by_program.get(None))
    return {
        "year": year,
        **table,
        "credentials_this_year": str(credentials) if credentials >= SMALL_GROUP else HIDDEN,
        "indicators": wioa_indicators(year),
        "columns": DASHBOARD_COLUMNS,
        "explained": disclosure.EXPLAINED,
    }


# -- WIOA's primary indicators of performance ----------------------------------------------

# The Workforce Innovation and Opportunity Act, section 116(b)(2)(A)(i), and the Department of
# Labor's guidance on reporting them (TEGL 10-16, Change 2): each indicator as this record
# can measure it. Employment is what the 6- and 12-month follow-ups found (the second and
# fourth quarters after exit), among those reached; earnings are the hourly wage band people
# gave at the 6-month follow-up, not wage records.
SKILL_GAIN_LEVELS = (CompetencySignoff.Level.COMPETENT, CompetencySignoff.Level.CAN_TEACH)
WAGE_BANDS = list(FollowUp.WageBand)


@dataclass
class Indicator:
    name: str
    measured: str
    part: str
    whole: str
    rate: str


def _indicator(name: str, measured: str, part: int, whole: int) -> Indicator:
    """One indicator, by the rule of the tables above: a count under ``SMALL_GROUP`` is not
    shown, and a rate only over shown counts."""
    small_part, small_whole = part < SMALL_GROUP, whole < SMALL_GROUP
    return Indicator(name=name, measured=measured, part=HIDDEN if small_part else str(part),
                     whole=HIDDEN if small_whole else str(whole),
                     rate=disclosure.shown_rate(part, whole, small_part, small_whole))


def median_band(bands: list[str]) -> str:
    """The median of wage bands (ordered as ``FollowUp.WageBand``): the middle one, or
    "between A and B" when an even count's two middle ones differ."""
    if not bands:
        return ""
    ordered = sorted(bands, key=lambda b: WAGE_BANDS.index(b))
    low, high = ordered[(len(ordered) - 1) // 2], ordered[len(ordered) // 2]
    label = dict(FollowUp.WageBand.choices)
    return label[low] if low == high else f"between {label[low]} and {label[high]}"


def wioa_indicators(year: int) -> dict:
    """The five WIOA indicators for program year ``year`` (a calendar year here), all programs
    together. Five queries."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    employed = Q(employment_status__in=FollowUp.EMPLOYED)
    reached = FollowUp.objects.filter(done_at__isnull=False, could_not_reach=False, due_date__range=(start, end))
    rows = []
    for months, quarter in ((6, "second"), (12, "fourth")):
        counts = reached.filter(due_months=months).aggregate(whole=Count("id"), part=Count("id", filter=employed))
        rows.append(_indicator(f"Employment rate, {quarter} quarter after exit",
                               f"employed at the {months}-month follow-up, of those reached, follow-ups due in {year}",
                               counts["part"], counts["whole"]))
    bands = list(reached.filter(employed, due_months=6).exclude(hourly_wage_band="").values_list("hourly_wage_band", flat=True))
    median = median_band(bands) if len(bands) >= SMALL_GROUP else HIDDEN

    # Credential attainment: those who left in the year before, with a credential dated from
    # their start to a year after they left (the year after exit has then passed).
    left = list(Enrollment.objects.filter(exit_date__year=year - 1).values_list("employee_id", "start_date", "exit_date"))
    earned = defaultdict(list)
    for employee_id, day in Credential.objects.filter(employee_id__in={e for e, _, _ in left}).values_list("employee_id", "date"):
        earned[employee_id].append(day)
    credentialled = sum(1 for employee_id, began, exited in left
                        if any(began <= day <= exited + timedelta(days=365) for day in earned[employee_id]))
    rows.append(_indicator("Credential attainment rate", f"a credential during the program or within a year of leaving, "
                           f"of those who left in {year - 1}", credentialled, len(left)))

    # Measurable skill gains: enrolled at some time in the year, signed off as competent (or
    # able to teach others) in one of their program's competencies during the year.
    enrolled = Enrollment.objects.filter(Q(exit_date__isnull=True) | Q(exit_date__gte=start), start_date__lte=end)
    gained = enrolled.filter(Exists(CompetencySignoff.objects.filter(
        employee=OuterRef("employee"), competency__program=OuterRef("program"), level__in=SKILL_GAIN_LEVELS,
        date__range=(start, end))))
    rows.append(_indicator("Measurable skill gains rate", f"signed off competent in a competency of their program in {year}, "
                           f"of those enrolled at some time in {year}", gained.count(), enrolled.count()))
    return {"rows": rows, "median_band": median,
            "median_measured": f"hourly wage band at the 6-month follow-up of those employed, follow-ups due in {year}"}
