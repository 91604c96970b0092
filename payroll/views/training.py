"""Training pages for program staff (superusers pass). Every read of a participant's
record is audited as ``training.viewed`` (or .transcript/.exported) with the address."""
import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.utils import timezone

from payroll.admin import masked_name
from payroll.models import Consent, Employee, Partner
from payroll.selectors.casework import goals_by_domain
from payroll.selectors.training import (
    participant_export,
    participant_list,
    participant_record,
    cohort_calendar,
    program_list,
    program_sessions,
    session_roster,
    training_dashboard,
)
from payroll.forms.training import CredentialForm, EnrollForm, ExitForm, FollowUpForm, RosterRowForm, SessionSeriesForm, SignoffForm
from payroll.services.consent import consent_for, consent_refusal
from payroll.services.people import audit
from payroll.services.training.records import (
    competency_signoff,
    credential_add,
    enrollment_create,
    enrollment_exit,
    follow_up_record,
)
from payroll.services.training.roster import (
    Mark,
    RosterError,
    is_lead,
    roster_approve,
    roster_save,
    session_series_create,
)
from payroll.services.training.transcript import transcript_pdf
from shop.platform.csv_export import csv_response
from shop.platform.errors import DomainError
from shop.platform.roles import PROGRAM_STAFF, role_required
from shop.platform.validators import MAX_ID, ascii_int, report_year
from shop.platform.audit import client_ip
from shop.platform.security import download, no_store


def _record_or_404(employee_id):
    record = participant_record(employee_id)
    if record is None:
        raise Http404("No such participant")
    return record


@role_required(PROGRAM_STAFF)
def participants(request):
    people = [{"employee": e, "masked": masked_name(e.legal_name), "enrollments": list(e.enrollments.all())}
              for e in participant_list()]
    return no_store(render(request, "payroll/training/participants.html", {"people": people}))


@role_required(PROGRAM_STAFF)
def participant(request, employee_id):
    record = _record_or_404(employee_id)
    audit(request.user, "training.viewed", record["employee"], ip=client_ip(request))
    return no_store(render(request, "payroll/training/participant.html", {**record, **_forms(record["employee"])}))


@role_required(PROGRAM_STAFF)
def participant_transcript(request, employee_id):
    """The transcript for the partner named by ``?to=``, only under a current consent naming
    them for it (``payroll.services.consent.consent_for``)."""
    record = _record_or_404(employee_id)
    partner_id = ascii_int(request.GET.get("to", ""))
    recipient = Partner.objects.filter(pk=partner_id).first() if partner_id and partner_id <= MAX_ID else None
    consent = consent_for(record["employee"], Consent.Kind.TRANSCRIPT, recipient)
    if consent is None:
        audit(request.user, "training.transcript_refused", record["employee"], ip=client_ip(request),
              recipient=recipient.pk if recipient else None)
        reason = consent_refusal(record["employee"], Consent.Kind.TRANSCRIPT, recipient)
        response = render(request, "payroll/training/transcript_refused.html", {**record, "reason": reason}, status=403)
        return no_store(response)
    audit(request.user, "training.transcript", record["employee"], ip=client_ip(request), recipient=recipient.pk,
          consent=consent.pk)
    return download(transcript_pdf(record, recipient=recipient), f"training-transcript-{record['employee'].pk}.pdf")


@role_required(PROGRAM_STAFF)
def participant_export_json(request, employee_id):
    data = participant_export(employee_id)
    if data is None:
        raise Http404("No such participant")
    audit(request.user, "training.exported", Employee.objects.get(pk=employee_id), ip=client_ip(request))
    return download(json.dumps(data, cls=DjangoJSONEncoder, indent=2), f"training-record-{employee_id}.json",
                    "application/json")


@role_required(PROGRAM_STAFF)
def participant_export_pdf(request, employee_id):
    """The complete record as a PDF, for the participant's own request (no consent needed: it is theirs)."""
    record = _record_or_404(employee_id)
    audit(request.user, "training.exported", record["employee"], ip=client_ip(request), format="pdf")
    return download(transcript_pdf(record, complete=True), f"training-record-{employee_id}.pdf")


def _year(request):
    return report_year(request.GET.get("year", "")) or timezone.localdate().year


@role_required(PROGRAM_STAFF)
def dashboard(request):
    return render(request, "payroll/training/dashboard.html", {**training_dashboard(_year(request)),
                                                                "goals": goals_by_domain()})


@role_required(PROGRAM_STAFF)
def dashboard_csv(request):
    data = training_dashboard(_year(request))
    rows = [[getattr(row, key) for key, _ in data["columns"]] for row in [*data["rows"], data["total"]]]
    rows += [[], ["Credentials earned this year", data["credentials_this_year"]]]
    rows += [[], ["WIOA indicator", "Rate", "People counted", "Out of", "Measured as"]]
    rows += [[i.name, i.rate, i.part, i.whole, i.measured] for i in data["indicators"]["rows"]]
    rows += [["Median earnings, second quarter after exit", data["indicators"]["median_band"], "", "",
              data["indicators"]["median_measured"]]]
    goals = goals_by_domain()  # casework: service-plan goals by domain, suppressed the same way
    rows += [[], [title for _, title in goals["columns"]]]
    rows += [[row[key] for key, _ in goals["columns"]] for row in [*goals["rows"], goals["total"]]]
    return csv_response(f'training-outcomes-{data["year"]}.csv', [title for _, title in data["columns"]], rows)


def _forms(employee, data=None, which=None):
    """The record page's forms; the one named ``which`` is bound to ``data``."""
    def bound(name):
        return data if name == which else None

    return {
        "enroll_form": EnrollForm(bound("enroll"), prefix="enroll"),
        "exit_form": ExitForm(bound("exit"), prefix="exit", employee=employee),
        "signoff_form": SignoffForm(bound("signoff"), prefix="signoff"),
        "credential_form": CredentialForm(bound("credential"), prefix="credential"),
        "follow_up_form": FollowUpForm(bound("follow-up"), prefix="follow-up", employee=employee),
    }


def _apply(action, employee, data, actor):
    if action == "enroll":
        enrollment_create(employee=employee, program=data["program"], cohort=data["cohort"], start_date=data["start_date"],
                          target_end=data["target_end"], actor=actor)
    elif action == "exit":
        enrollment_exit(data["enrollment"].pk, status=data["status"], exit_date=data["exit_date"], reason=data["reason"],
                        outcome=data["outcome"], actor=actor)
    elif action == "signoff":
        competency_signoff(employee, data["competency"], data["level"], data["date"], actor, note=data["note"])
    elif action == "credential":
        credential_add(employee, data["name"], data["issuer"], data["date"], actor, expiry=data["expiry"])
    elif action == "follow-up":
        follow_up_record(data["follow_up"].pk, actor=actor, could_not_reach=data["could_not_reach"],
                         employment_status=data["employment_status"], hourly_wage_band=data["hourly_wage_band"],
                         housing_stable=data["housing_stable"], note=data["note"])


ACTION_FORMS = {"enroll": "enroll_form", "exit": "exit_form", "signoff": "signoff_form", "credential": "credential_form",
                "follow-up": "follow_up_form"}


@role_required(PROGRAM_STAFF)
@require_POST
def participant_action(request, employee_id, action):
    """Enroll, record an exit, sign off a competency, add a credential or record a follow-up."""
    employee = Employee.objects.filter(pk=employee_id).first()
    if employee is None or action not in ACTION_FORMS:
        raise Http404("No such participant or action")
    forms = _forms(employee, request.POST, action)
    form = forms[ACTION_FORMS[action]]
    if form.is_valid():
        try:
            _apply(action, employee, form.cleaned_data, request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect("payroll:training_participant", employee.pk)
    record = _record_or_404(employee_id)
    return no_store(render(request, "payroll/training/participant.html", {**record, **forms}, status=400))


# -- programs, sessions and their rosters ---------------------------------------------------


@role_required(PROGRAM_STAFF)
def programs(request):
    return no_store(render(request, "payroll/training/programs.html", {"programs": program_list()}))


@role_required(PROGRAM_STAFF)
def program(request, program_id):
    data = program_sessions(program_id)
    if data is None:
        raise Http404("No such program")
    form = SessionSeriesForm(program=data["program"])
    return no_store(render(request, "payroll/training/program.html", {**data, "form": form}))


@role_required(PROGRAM_STAFF)
@require_POST
def program_sessions_add(request, program_id):
    """Add one session, or a weekly series of them, to a program (all or none)."""
    data = program_sessions(program_id)
    if data is None:
        raise Http404("No such program")
    form = SessionSeriesForm(request.POST, program=data["program"])
    if form.is_valid():
        try:
            made = session_series_create(program=data["program"], actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{len(made)} session{'s' if len(made) != 1 else ''} added.")
            return redirect("payroll:training_program", program_id)
    return no_store(render(request, "payroll/training/program.html", {**data, "form": form}, status=400))


@role_required(PROGRAM_STAFF)
def cohort(request, cohort_id):
    data = cohort_calendar(cohort_id)
    if data is None:
        raise Http404("No such cohort")
    return no_store(render(request, "payroll/training/cohort.html", data))


def _roster_or_404(session_id):
    roster = session_roster(session_id)
    if roster is None:
        raise Http404("No such session")
    return roster


def _roster_forms(roster, data=None):
    """One row form per person on the roster, bound to ``data`` on a submit. Unmarked rows start
    as present for the session's scheduled length."""
    length = roster["scheduled_minutes"]
    rows = []
    for line in roster["lines"]:
        attendance = line.attendance
        initial = {"status": attendance.status if attendance else "present",
                   "minutes": (attendance.minutes_attended if attendance and attendance.minutes_attended else length)}
        rows.append({"line": line, "masked": masked_name(line.employee.legal_name),
                     "form": RosterRowForm(data, prefix=f"p{line.employee.pk}", initial=initial)})
    return rows


def _session_page(request, roster, rows, status=200):
    session = roster["session"]
    context = {**roster, "rows": rows, "is_lead": is_lead(session, request.user)}
    return no_store(render(request, "payroll/training/session.html", context, status=status))


@role_required(PROGRAM_STAFF)
@require_http_methods(["GET", "HEAD", "POST"])
def session(request, session_id):
    """A session's roster: GET shows it, POST saves every row in one transaction (all or nothing)."""
    roster = _roster_or_404(session_id)
    if request.method != "POST":
        return _session_page(request, roster, _roster_forms(roster))
    rows = _roster_forms(roster, request.POST)
    if all([r["form"].is_valid() for r in rows]):
        marks = [Mark(r["line"].employee.pk, r["form"].cleaned_data["status"], r["form"].cleaned_data["minutes"])
                 for r in rows]
        try:
            changed = roster_save(roster["session"].pk, marks, request.user)
        except RosterError as error:
            for r in rows:
                if r["line"].employee.pk in error.rows:
                    r["form"].add_error(None, error.rows[r["line"].employee.pk])
            messages.error(request, error.message)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Roster saved ({changed} changed).")
            return redirect("payroll:training_session", session_id)
    else:
        messages.error(request, "Nothing was saved: correct the rows marked below.")
    return _session_page(request, roster, rows, status=400)


@role_required(PROGRAM_STAFF)
@require_POST
def session_approve(request, session_id):
    """The program lead approves the roster: the attendees' training time is paid, once."""
    roster = _roster_or_404(session_id)
    try:
        made = roster_approve(roster["session"].pk, request.user)
    except DomainError as error:
        messages.error(request, error.message)
        fresh = _roster_or_404(session_id)
        return _session_page(request, fresh, _roster_forms(fresh), status=400)
    messages.success(request, f"Attendance approved: {made} training time entries made for payroll." if made
                     else "Attendance approved; everyone on it was already paid.")
    return redirect("payroll:training_session", session_id)
