"""Service plans and case notes, for program staff (superusers pass the role, but not a
restricted note's rule). Every page that shows a note's text records the read in the audit
trail; a note the reader may not read is a 404, as if it did not exist."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from payroll.admin import masked_name
from payroll.forms.casework import (
    CaseNoteForm,
    CorrectionForm,
    GoalForm,
    GoalStatusForm,
    ProgressForm,
    ReviewForm,
    StepDoneForm,
    StepForm,
)
from payroll.models import Employee
from payroll.selectors.casework import case_note, note_programs, participant_notes, review_status, service_plan
from payroll.services import casework
from payroll.services.people import audit
from shop.platform.errors import DomainError
from shop.platform.roles import PROGRAM_STAFF, role_required
from shop.platform.audit import client_ip
from shop.platform.security import no_store


def _employee_or_404(employee_id) -> Employee:
    employee = Employee.objects.filter(pk=employee_id).first()
    if employee is None:
        raise Http404("No such participant")
    return employee


# -- the service plan ----------------------------------------------------------------------------

PLAN_FORMS = {"review": ReviewForm, "goal": GoalForm, "step": StepForm, "step-done": StepDoneForm,
              "goal-status": GoalStatusForm, "progress": ProgressForm}
NEEDS_EMPLOYEE = ("step", "step-done", "goal-status", "progress")


def _plan_forms(employee, plan, goals=(), data=None, which=None):
    """The plan page's forms (the one named ``which`` bound to ``data``); a goal's forms start
    on the newest open goal, the one most often written about."""
    newest = next((g.pk for g in sorted(goals, key=lambda g: -g.pk) if g.status == "open"), None)

    def make(name):
        kwargs = {"employee": employee} if name in NEEDS_EMPLOYEE else {}
        initial = {"review_date": plan.review_date} if name == "review" and plan else {"goal": newest}
        return PLAN_FORMS[name](data if name == which else None, prefix=name, initial=initial, **kwargs)

    return {f"{name.replace('-', '_')}_form": make(name) for name in PLAN_FORMS}


def _plan_page(request, data, forms, status=200):
    context = {**data, **forms, "masked": masked_name(data["employee"].legal_name),
               "review": review_status(data["plan"], timezone.localdate()), "today": timezone.localdate()}
    return no_store(render(request, "payroll/casework/plan.html", context, status=status))


@role_required(PROGRAM_STAFF)
def plan(request, employee_id):
    data = service_plan(employee_id)
    if data is None:
        raise Http404("No such participant")
    audit(request.user, "casework.plan_viewed", data["employee"], ip=client_ip(request))
    return _plan_page(request, data, _plan_forms(data["employee"], data["plan"], data["goals"]))


def _apply(action, employee, d, actor):
    if action == "review":
        casework.plan_review_set(employee, d["review_date"], actor)
    elif action == "goal":
        casework.goal_add(employee, domain=d["domain"], title=d["title"], target_date=d["target_date"], actor=actor)
    elif action == "step":
        casework.step_add(employee, d["goal"].pk, text=d["text"], target_date=d["target_date"], actor=actor)
    elif action == "step-done":
        casework.step_done(employee, d["step"].pk, on=d["done_on"], actor=actor)
    elif action == "goal-status":
        casework.goal_status_set(employee, d["goal"].pk, status=d["status"], on=d["on"] or timezone.localdate(),
                                 actor=actor)
    elif action == "progress":
        casework.progress_add(employee, d["goal"].pk, on=d["date"], text=d["text"], actor=actor)


@role_required(PROGRAM_STAFF)
@require_POST
def plan_action(request, employee_id, action):
    """Set the review date, add a goal or a step, mark a step done, close a goal, note progress."""
    employee = _employee_or_404(employee_id)
    if action not in PLAN_FORMS:
        raise Http404("No such action")
    data = service_plan(employee.pk)
    forms = _plan_forms(employee, data["plan"], data["goals"], request.POST, action)
    form = forms[f"{action.replace('-', '_')}_form"]
    if form.is_valid():
        try:
            _apply(action, employee, form.cleaned_data, request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect("payroll:casework_plan", employee.pk)
    return _plan_page(request, data, forms, status=400)


# -- case notes ------------------------------------------------------------------------------------


def _notes_page(request, employee, form, status=200):
    notes = participant_notes(employee.pk, request.user)
    casework.case_notes_read(request.user, employee, notes, client_ip(request))
    context = {"employee": employee, "masked": masked_name(employee.legal_name), "notes": notes, "form": form}
    return no_store(render(request, "payroll/casework/notes.html", context, status=status))


@role_required(PROGRAM_STAFF)
@require_http_methods(["GET", "HEAD", "POST"])
def notes(request, employee_id):
    """A participant's case notes that the reader may read (each read audited), and a new note."""
    employee = _employee_or_404(employee_id)
    programs = note_programs(employee.pk)
    if request.method != "POST":
        return _notes_page(request, employee, CaseNoteForm(programs=programs))
    form = CaseNoteForm(request.POST, programs=programs)
    if form.is_valid():
        try:
            note = casework.case_note_write(employee=employee, program=form.cleaned_data["program"],
                                            confidentiality=form.cleaned_data["confidentiality"],
                                            body=form.cleaned_data["body"], actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Note saved.")
            return redirect("payroll:casework_note", note.pk)
    return _notes_page(request, employee, form, status=400)


def _note_page(request, note, form, status=200):
    audit(request.user, "casework.note_read", note.employee, ip=client_ip(request), target=note,
          versions=len(note.all_versions))
    context = {"note": note, "employee": note.employee, "masked": masked_name(note.employee.legal_name),
               "form": form, "may_correct": casework.may_correct(note, request.user)}
    return no_store(render(request, "payroll/casework/note.html", context, status=status))


@role_required(PROGRAM_STAFF)
@require_http_methods(["GET", "HEAD", "POST"])
def note(request, note_id):
    """One note and every version of it; its author or the program lead POST a correction."""
    found = case_note(note_id, request.user)
    if found is None:
        raise Http404("No such note")
    if request.method != "POST":
        return _note_page(request, found, CorrectionForm(initial={"body": found.current.body}))
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            casework.case_note_correct(found.pk, body=form.cleaned_data["body"], reason=form.cleaned_data["reason"],
                                       actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Correction saved as a new version; the earlier text is kept.")
            return redirect("payroll:casework_note", found.pk)
    return _note_page(request, found, form, status=400)
