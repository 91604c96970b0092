"""Reads for casework: a participant's service plan, the case notes a user may read (the rule
is ``payroll.services.casework.readable_notes_q``), what program staff should do next (plan
reviews due, rosters to mark and approve), and the goals table of the funders' report. Each in
a fixed number of queries."""
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse

from payroll import disclosure
from payroll.disclosure import SMALL_GROUP
from payroll.models import (
    CaseNote,
    CaseNoteVersion,
    Employee,
    Enrollment,
    Goal,
    GoalDomain,
    GoalStep,
    Program,
    ProgressNote,
    ServicePlan,
    TrainingSession,
)
from payroll.services.casework import readable_notes_q

REVIEW_AHEAD_DAYS = 14


def service_plan(employee_id: int) -> dict | None:
    """A participant, their plan (None before anything is written) and its goals with steps and
    progress notes, by domain. Five queries."""
    employee = Employee.objects.filter(pk=employee_id).first()
    if employee is None:
        return None
    plan = ServicePlan.objects.filter(employee=employee).first()
    goals = []
    if plan is not None:
        goals = list(
            Goal.objects.filter(plan=plan).select_related("domain")
            .prefetch_related(Prefetch("steps", queryset=GoalStep.objects.order_by("id")),
                              Prefetch("progress_notes", queryset=ProgressNote.objects.select_related("author")
                                       .order_by("-date", "-id")))
            .order_by("domain__position", "status", "id")
        )
    return {"employee": employee, "plan": plan, "goals": goals}


def review_status(plan: ServicePlan | None, today: date) -> str:
    """"overdue", "due" (within ``REVIEW_AHEAD_DAYS``), "" otherwise or with no review date."""
    if plan is None or plan.review_date is None:
        return ""
    if plan.review_date < today:
        return "overdue"
    return "due" if plan.review_date <= today + timedelta(days=REVIEW_AHEAD_DAYS) else ""


def participant_notes(employee_id: int, user) -> list[CaseNote]:
    """The case notes about a participant that ``user`` may read, newest first, each with its
    versions (``note.current``: the newest). Two queries."""
    notes = list(
        CaseNote.objects.filter(employee_id=employee_id).filter(readable_notes_q(user))
        .select_related("program", "author")
        .prefetch_related(Prefetch("versions", queryset=CaseNoteVersion.objects.select_related("author")
                                   .order_by("-number")))
        .order_by("-created_at", "-id")
    )
    for note in notes:
        versions = list(note.versions.all())
        note.current, note.version_count = versions[0], len(versions)
    return notes


def case_note(note_id: int, user) -> CaseNote | None:
    """One note with every version (newest first), or None when there is none ``user`` may read
    (a note someone may not read is answered as if it did not exist). Two queries."""
    note = (CaseNote.objects.filter(pk=note_id).filter(readable_notes_q(user))
            .select_related("program__lead", "author", "employee")
            .prefetch_related(Prefetch("versions", queryset=CaseNoteVersion.objects.select_related("author")
                                       .order_by("-number")))
            .first())
    if note is not None:
        note.all_versions = list(note.versions.all())
        note.current = note.all_versions[0]
    return note


def note_programs(employee_id: int) -> list[Program]:
    """The programs a note about this participant may be filed under: theirs first (one query)."""
    return list(Program.objects.annotate(theirs=Count("enrollments", filter=Q(enrollments__employee_id=employee_id)))
                .filter(Q(theirs__gt=0) | Q(active=True)).order_by("-theirs", "name"))


# -- the program staff's to-dos (the staff home) -----------------------------------------------------


@dataclass(frozen=True)
class Due:
    label: str
    url: str
    detail: str = ""
    urgent: bool = False


def _day(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


ROSTERS_LISTED = 10


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def program_staff_due(user, today: date) -> list[Due]:
    """Sessions in the past whose roster nobody marked, rosters waiting for this user's approval
    (as the program's lead), and service plans to review within ``REVIEW_AHEAD_DAYS`` or
    overdue. Three queries."""
    due: list[Due] = []
    unmarked = list(TrainingSession.objects.filter(date__lt=today).annotate(marked=Count("attendances"))
                    .filter(marked=0).select_related("program").order_by("-date", "-start_time")[:ROSTERS_LISTED + 1])
    for session in unmarked[:ROSTERS_LISTED]:
        due.append(Due(f"Mark the roster: {session.program.name}, {session.topic}", _url("payroll:training_session", session.pk),
                       f"held {_day(session.date)}", urgent=(today - session.date).days > 7))
    if len(unmarked) > ROSTERS_LISTED:
        due.append(Due(f"More than {ROSTERS_LISTED} past sessions have no roster marked", reverse("payroll:training_programs")))
    if user.pk is not None:
        waiting = (TrainingSession.objects.filter(program__lead_id=user.pk, attendance_approved_at__isnull=True,
                                                  date__lte=today)
                   .annotate(marked=Count("attendances")).filter(marked__gt=0).select_related("program")
                   .order_by("date", "start_time"))
        for session in waiting:
            due.append(Due(f"Approve the roster: {session.program.name}, {session.topic}", _url("payroll:training_session", session.pk),
                           f"held {_day(session.date)}; you lead the program"))
    plans = ServicePlan.objects.filter(review_date__lte=today + timedelta(days=REVIEW_AHEAD_DAYS)).order_by("review_date", "id")
    for plan in plans:
        overdue = plan.review_date < today
        due.append(Due(f"Review the service plan of participant no. {plan.employee_id}", _url("payroll:casework_plan", plan.employee_id),
                       f"review {'was due' if overdue else 'due'} {_day(plan.review_date)}"
                       + (" (overdue)" if overdue else ""), urgent=overdue))
    return due


# -- the funders' report: goals by domain ---------------------------------------------------------------

GOAL_COLUMNS = [("label", "Domain"), ("with_goal", "People with a goal"), ("achieved", "People who achieved one"),
                ("rate", "Achievement rate"), ("by_exit", "Achieved one by leaving a program")]
GOAL_COUNTS = ("with_goal", "achieved", "by_exit")


def goals_by_domain() -> dict:
    """People with a service-plan goal in each domain, how many achieved one, and how many had
    achieved one by the day they left a program (an outcome at exit), with the total (distinct
    people), small groups and what would reveal them hidden as in every published table
    (``payroll/disclosure.py``). Two queries."""
    domains = list(GoalDomain.objects.order_by("position", "name"))
    achieved = Q(status=Goal.Status.ACHIEVED)
    left_after = Exists(Enrollment.objects.filter(employee_id=OuterRef("plan__employee_id"), exit_date__isnull=False,
                                                  exit_date__gte=OuterRef("closed_on")))
    goals = Goal.objects.all()
    counts = {"with_goal": Count("plan__employee", distinct=True),
              "achieved": Count("plan__employee", distinct=True, filter=achieved),
              "by_exit": Count("plan__employee", distinct=True, filter=left_after & achieved)}
    by_domain = {r["domain"]: r for r in goals.values("domain").annotate(**counts).order_by()}
    total = goals.aggregate(**counts)
    shown_domains = [d for d in domains if d.active or d.pk in by_domain]
    figures = [by_domain.get(d.pk, dict.fromkeys(GOAL_COUNTS, 0)) for d in shown_domains] + [total]
    hidden = {key: disclosure.hidden_cells([f[key] for f in figures], [f[key] < SMALL_GROUP for f in figures])
              for key in GOAL_COUNTS}
    rows = []
    for i, f in enumerate(figures):
        cells = {key: disclosure.HIDDEN if hidden[key][i] else str(f[key]) for key in GOAL_COUNTS}
        cells["rate"] = disclosure.shown_rate(f["achieved"], f["with_goal"], hidden["achieved"][i], hidden["with_goal"][i])
        rows.append({"label": shown_domains[i].name if i < len(shown_domains) else "All domains", **cells})
    return {"columns": GOAL_COLUMNS, "rows": rows[:-1], "total": rows[-1]}
