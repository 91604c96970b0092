"""Casework: a participant's service plan (goals, steps, progress notes, the review date)
and case notes (written once, corrected only by a new version, read only by those allowed).

Who may read a case note is ``may_read``, the one rule (the selectors filter by the same one,
``readable_notes_q``): program staff for a program-team note; for a restricted note only its
author and its program's lead. A superuser is neither unless they wrote it or lead the program:
a restricted note is kept from everyone else, administrators included. Every read of a note
is recorded in the audit trail by the pages that show it."""
from datetime import date

from django.db import transaction
from django.db.models import Max, Q

from payroll.models import (
    CaseNote,
    CaseNoteVersion,
    Employee,
    Goal,
    GoalDomain,
    GoalStep,
    Program,
    ProgressNote,
    ServicePlan,
)
from payroll.models.casework import GOAL_MAX_CHARS, NOTE_MAX_CHARS, PROGRESS_MAX_CHARS
from payroll.services.people import audit
from payroll.services.training.records import TrainingError
from shop.platform.roles import PROGRAM_STAFF, user_has_role


class CaseworkError(TrainingError):
    pass


def _text(value: str, limit: int, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseworkError(f"Write the {what}.")
    if len(value) > limit:
        raise CaseworkError(f"The {what} is {len(value):,} characters; at most {limit:,}.")
    return value


# -- who may read and correct a note -----------------------------------------------------------


def readable_notes_q(user) -> Q:
    """The case notes ``user`` may read, as a filter (nothing for someone who is not program staff)."""
    if not user_has_role(user, PROGRAM_STAFF):
        return Q(pk__in=[])
    return (Q(confidentiality=CaseNote.Confidentiality.TEAM) | Q(author_id=user.pk)
            | Q(program__lead_id=user.pk))


def may_read(note: CaseNote, user) -> bool:
    if not user_has_role(user, PROGRAM_STAFF):
        return False
    if note.confidentiality == CaseNote.Confidentiality.TEAM:
        return True
    return user.pk in (note.author_id, note.program.lead_id)


def may_correct(note: CaseNote, user) -> bool:
    """A note is corrected by its author or its program's lead (never by the rest of the team)."""
    return may_read(note, user) and user.pk in (note.author_id, note.program.lead_id)


# -- case notes ---------------------------------------------------------------------------------


@transaction.atomic
def case_note_write(*, employee: Employee, program: Program, confidentiality: str, body: str, actor) -> CaseNote:
    if confidentiality not in CaseNote.Confidentiality.values:
        raise CaseworkError("Choose who may read the note.")
    if not user_has_role(actor, PROGRAM_STAFF):
        raise CaseworkError("Only program staff write case notes.")
    body = _text(body, NOTE_MAX_CHARS, "note")
    note = CaseNote.objects.create(employee=employee, program=program, confidentiality=confidentiality, author=actor)
    CaseNoteVersion.objects.create(note=note, number=1, body=body, author=actor)
    audit(actor, "casework.note_written", employee, target=note, confidentiality=confidentiality)
    return note


@transaction.atomic
def case_note_correct(note_id: int, *, body: str, reason: str, actor) -> CaseNoteVersion:
    """Correct a note by adding a version; every earlier version stays as it was."""
    note = CaseNote.objects.select_for_update().select_related("program").get(pk=note_id)
    if not may_correct(note, actor):
        raise CaseworkError("Only the note's author or the program lead can correct it.")
    body = _text(body, NOTE_MAX_CHARS, "note")
    reason = _text(reason, 200, "reason for the correction")
    number = (note.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = CaseNoteVersion.objects.create(note=note, number=number, body=body, reason=reason, author=actor)
    audit(actor, "casework.note_corrected", note.employee_id, target=note, version=number)
    return version


def case_notes_read(actor, employee: Employee, notes: list[CaseNote], ip: str | None) -> None:
    """Record that ``actor`` read these notes (one event naming them all: a page of notes)."""
    if notes:
        audit(actor, "casework.notes_read", employee, ip=ip, notes=[n.pk for n in notes])


# -- service plans --------------------------------------------------------------------------------


def _plan(employee: Employee, actor) -> ServicePlan:
    plan, made = ServicePlan.objects.get_or_create(employee=employee, defaults={"created_by": actor})
    if made:
        audit(actor, "casework.plan_started", employee, target=plan)
    return plan


def _goal(employee: Employee, goal_id: int) -> Goal:
    goal = Goal.objects.select_for_update().filter(pk=goal_id, plan__employee=employee).first()
    if goal is None:
        raise CaseworkError("That goal is not in this participant's plan.")
    return goal


@transaction.atomic
def plan_review_set(employee: Employee, review_date: date | None, actor) -> ServicePlan:
    plan = _plan(employee, actor)
    plan.review_date = review_date
    plan.save(update_fields=["review_date"])
    audit(actor, "casework.plan_review", employee, target=plan, review_date=str(review_date or ""))
    return plan


@transaction.atomic
def goal_add(employee: Employee, *, domain: GoalDomain, title: str, target_date: date | None, actor) -> Goal:
    if not domain.active:
        raise CaseworkError("That domain is no longer used; choose another.")
    plan = _plan(employee, actor)
    goal = Goal.objects.create(plan=plan, domain=domain, title=_text(title, GOAL_MAX_CHARS, "goal"),
                               target_date=target_date)
    audit(actor, "casework.goal_added", employee, target=goal, domain=domain.slug)
    return goal


@transaction.atomic
def goal_status_set(employee: Employee, goal_id: int, *, status: str, on: date, actor) -> Goal:
    """Achieved or dropped on a day, or open again (which forgets the day)."""
    if status not in Goal.Status.values:
        raise CaseworkError("Choose open, achieved or dropped.")
    goal = _goal(employee, goal_id)
    goal.status = status
    goal.closed_on = None if status == Goal.Status.OPEN else on
    goal.save(update_fields=["status", "closed_on"])
    audit(actor, "casework.goal_status", employee, target=goal, status=status)
    return goal


@transaction.atomic
def step_add(employee: Employee, goal_id: int, *, text: str, target_date: date | None, actor) -> GoalStep:
    goal = _goal(employee, goal_id)
    step = GoalStep.objects.create(goal=goal, text=_text(text, GOAL_MAX_CHARS, "step"), target_date=target_date)
    audit(actor, "casework.step_added", employee, target=step)
    return step


@transaction.atomic
def step_done(employee: Employee, step_id: int, *, on: date | None, actor) -> GoalStep:
    """Mark a step done on a day (None: not done after all)."""
    step = GoalStep.objects.select_for_update().filter(pk=step_id, goal__plan__employee=employee).first()
    if step is None:
        raise CaseworkError("That step is not in this participant's plan.")
    step.done_on = on
    step.save(update_fields=["done_on"])
    audit(actor, "casework.step_done", employee, target=step, done=on is not None)
    return step


@transaction.atomic
def progress_add(employee: Employee, goal_id: int, *, on: date, text: str, actor) -> ProgressNote:
    goal = _goal(employee, goal_id)
    note = ProgressNote.objects.create(goal=goal, date=on, text=_text(text, PROGRESS_MAX_CHARS, "progress note"),
                                       author=actor if getattr(actor, "is_authenticated", False) else None)
    audit(actor, "casework.progress", employee, target=note)
    return note


# -- retention ---------------------------------------------------------------------------------------


def casework_text_remove(employee_ids: list[int], cutoff: date) -> list[int]:
    """Remove the casework text (goals, steps, progress, every version of every case note) of
    those of ``employee_ids`` whose every enrollment ended before ``cutoff``: called by the
    training records' retention task, in its transaction. Domains, dates and statuses stay, so
    the goals table keeps its counts. Returns whose text was removed."""
    from payroll.models import Enrollment

    recent = set(Enrollment.objects.filter(employee_id__in=employee_ids)
                 .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=cutoff)).values_list("employee_id", flat=True))
    gone = sorted(set(employee_ids) - recent)
    if gone:
        Goal.objects.filter(plan__employee_id__in=gone).update(title="")
        GoalStep.objects.filter(goal__plan__employee_id__in=gone).update(text="")
        ProgressNote.objects.filter(goal__plan__employee_id__in=gone).update(text="")
        CaseNoteVersion.objects.filter(note__employee_id__in=gone).update(body="", reason="")
    return gone
