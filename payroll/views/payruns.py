from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from payroll.charts import balance_line, flow_bars
from payroll.forms.payruns import AdjustmentsForm, ApproveForm, OwnTimeEntryForm, PayRunCreateForm, VoidForm
from payroll.models import Employee, JournalEntry, PayAdjustment, PayRun, PayStub
from payroll.selectors.people import new_hires as new_hire_list
from payroll.selectors.payroll import my_pay, payrun_paper_checks, payrun_review
from payroll.selectors.reports import cost_by_kind, funded_versus_paid, w2_rows
from payroll.selectors.payroll import payrun_list as payrun_list_selector
from payroll.selectors.wage_fund import (
    SOURCES,
    entry_source,
    fund_balance,
    fund_warnings,
    journal,
    next_payroll,
    payroll_outlook,
    weekly_flows,
)
from payroll.services import paystubs, payruns, yearend
from payroll.services import people as people_services
from payroll.services.direct_deposit import payrun_bank_file_sent, payrun_nacha
from payroll.services.people import audit
from payroll.services.time import TimeEntryNeedsConfirmation, time_entry_add
from payroll.tax_lines import EMPLOYER_LINES, W2_COLUMNS
from payroll.withholding import UnknownTaxYear
from shop.platform.csv_export import csv_response
from shop.platform.errors import DomainError
from shop.platform.roles import PAYROLL_STAFF, role_required, user_has_role
from shop.platform.validators import MAX_ID, ascii_int, report_year, sane_date
from shop.platform.security import download, no_store


@role_required(PAYROLL_STAFF)
def wage_fund(request):
    balance, training_balance = fund_balance(), fund_balance("training_fund")
    today = timezone.localdate()
    flows = weekly_flows(today)
    scheduled = next_payroll(today)
    page = Paginator(journal(), 25).get_page(request.GET.get("page"))
    context = {
        "balance": balance,
        "training_balance": training_balance,
        "flows": flows,
        "sources": SOURCES,
        "chart": flow_bars(flows),
        "balance_chart": balance_line(flows),
        "outlook": payroll_outlook(balance, today, scheduled),
        "warnings": fund_warnings(balance, training_balance, scheduled),
        "page": page,
    }
    return render(request, "payroll/wage_fund.html", context)


@role_required(PAYROLL_STAFF)
def journal_entry(request, entry_id):
    entry = JournalEntry.objects.prefetch_related("postings__account").filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such entry")
    return render(request, "payroll/journal_entry.html", {"entry": entry, "source": entry_source(entry)})


# -- pay runs (payroll staff) ----------------------------------------------------------


@role_required(PAYROLL_STAFF)
def payrun_list(request):
    form = PayRunCreateForm(request.POST or None, initial=_next_period_initial())
    if request.method == "POST" and form.is_valid():
        try:
            run = payruns.payrun_create(request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{run} created. Calculate it when the hours are approved.")
            return redirect("payroll:payrun", run.pk)
    warnings = fund_warnings(fund_balance(), fund_balance("training_fund"), next_payroll(timezone.localdate()))
    return render(request, "payroll/payruns.html", {"runs": payrun_list_selector(), "form": form, "warnings": warnings},
                  status=400 if form.errors else 200)


def _next_period_initial():
    start, end, pay_date = payruns.pay_period_containing(timezone.localdate() - timedelta(days=14))
    return {"period_start": start, "period_end": end, "pay_date": pay_date}


@role_required(PAYROLL_STAFF)
def payrun_detail(request, run_id):
    run = get_object_or_404(PayRun, pk=run_id)
    context = {"run": run, "void_form": VoidForm(), "approve_form": ApproveForm(), **payrun_review(run)}
    # The register lists every employee's pay (and the paper checks their names): a read of their records.
    audit(request.user, "payrun.viewed", None, ip=request.META.get("REMOTE_ADDR"), target=run,
          employees=[stub.employee_id for stub in context["stubs"]][:500])
    return render(request, "payroll/payrun.html", context)


@role_required(PAYROLL_STAFF)
def payrun_checks(request, run_id):
    """The run's paper checks, to print: who, how much, and where to send it (audited)."""
    run = get_object_or_404(PayRun, pk=run_id)
    checks, total = payrun_paper_checks(run)
    audit(request.user, "payrun.checks_viewed", None, ip=request.META.get("REMOTE_ADDR"), target=run,
          employees=[stub.employee_id for stub in checks][:500])
    response = render(request, "payroll/payrun_checks.html", {"run": run, "checks": checks, "total": total})
    return no_store(response)


@role_required(PAYROLL_STAFF)
def payrun_amounts(request, run_id):
    """Bonus or extra pay per person for a run not yet approved; saving sends it back to draft."""
    run = get_object_or_404(PayRun, pk=run_id)
    employees = payruns.payrun_employees(run)
    current = dict(PayAdjustment.objects.filter(pay_run=run).values_list("employee_id", "amount"))
    form = AdjustmentsForm(request.POST or None, employees=employees, current=current,
                           initial={"note": PayAdjustment.objects.filter(pay_run=run).values_list("note", flat=True).first()})
    editable = run.status in payruns.RECALCULABLE
    if request.method == "POST" and editable and form.is_valid():
        try:
            payruns.payrun_adjustments_set(run.pk, request.user, form.amounts(), note=form.cleaned_data["note"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Amounts saved. Calculate the run to work out the pay.")
            return redirect("payroll:payrun", run.pk)
    elif request.method == "POST" and not editable:
        form.add_error(None, f"This pay run is {run.get_status_display().lower()}; its amounts can no longer change.")
    audit(request.user, "payrun.amounts_viewed", None, ip=request.META.get("REMOTE_ADDR"), target=run,
          employees=[e.pk for e in form.employees][:500])
    saved = [amount for amount in current.values() if amount]
    return render(request, "payroll/payrun_amounts.html", {"run": run, "form": form, "editable": editable,
                                                           "saved_total": sum(saved, Decimal("0.00")), "saved_count": len(saved)},
                  status=400 if form.errors else 200)


@never_cache
@role_required(PAYROLL_STAFF)
def payrun_progress(request, run_id):
    run = get_object_or_404(PayRun, pk=run_id)
    return JsonResponse({"status": run.status, "done": run.progress_done, "total": run.progress_total,
                         "percent": run.progress_percent, "error": run.last_error})


@require_POST
@role_required(PAYROLL_STAFF)
def payrun_action(request, run_id, action):
    run = get_object_or_404(PayRun, pk=run_id)
    try:
        if action == "calculate":
            payruns.payrun_start_calculation(run.pk, request.user)
            if PayRun.objects.filter(pk=run.pk, status=PayRun.Status.CALCULATED).exists():  # done already
                messages.success(request, "Calculated. Check the register below; a second payroll person approves it.")
            else:
                messages.info(request, "Calculating… this page shows the progress.")
        elif action == "approve":
            form = ApproveForm(request.POST)
            if not form.is_valid():
                raise DomainError("Keep the reason for approving to 500 characters or fewer.")
            payruns.payrun_approve(run.pk, request.user, override_reason=form.cleaned_data["override_reason"])
            messages.success(request, "Approved. The cost is drawn from the funds and the pay stubs are being made.")
        elif action == "bank-file-sent":
            payrun_bank_file_sent(run.pk, request.user)
            messages.success(request, "Recorded: the direct-deposit file went to the bank.")
        elif action == "mark-paid":
            payruns.payrun_mark_paid(run.pk, request.user)
            messages.success(request, "Marked paid.")
        elif action == "void":
            form = VoidForm(request.POST)
            if not form.is_valid():
                raise DomainError("Say why the run is voided.")
            payruns.payrun_void(run.pk, request.user, form.cleaned_data["reason"])
            messages.success(request, "Voided by reversing entries. Pay the hours again with a correction run.")
        else:
            raise Http404("No such action")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("payroll:payrun", run.pk)


@role_required(PAYROLL_STAFF)
def payrun_nacha_download(request, run_id):
    run = get_object_or_404(PayRun, pk=run_id)
    try:
        text = payrun_nacha(run.pk)  # only reads: the same file every time
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("payroll:payrun", run.pk)
    audit(request.user, "nacha.downloaded", None, ip=request.META.get("REMOTE_ADDR"), target=run)
    return download(text, f"payroll-{run.pay_date:%Y%m%d}-run{run.pk}.ach", "text/plain")


# -- the employee's own pay page --------------------------------------------------------


@login_required
def my_pay_page(request):
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404("No pay records for this login")
    w2_years = sorted({stub.pay_run.pay_date.year for stub in employee.stubs.filter(pay_run__status__in=payruns.COUNTED)
                       .select_related("pay_run").only("pay_run__pay_date")}, reverse=True)
    response = render(request, "payroll/my_pay.html", {"employee": employee, "w2_years": w2_years, **my_pay(employee)})
    return no_store(response)


@login_required
def pay_stub_pdf_download(request, stub_id):
    """The stub's PDF: for the employee it belongs to, or payroll staff (audited)."""
    stub = get_object_or_404(PayStub.objects.select_related("employee", "pay_run"), pk=stub_id)
    own = getattr(request.user, "employee", None) == stub.employee
    if not own and not user_has_role(request.user, PAYROLL_STAFF):
        raise Http404("No such pay stub")
    if stub.pay_run.status not in payruns.COUNTED:
        raise Http404("This pay stub is not final")
    if not own:
        audit(request.user, "paystub.viewed", stub.employee, ip=request.META.get("REMOTE_ADDR"), target=stub)
    # Staff download several stubs of one pay date: the employee number tells the files apart.
    filename = f"pay-stub-{stub.pay_run.pay_date}.pdf" if own else f"pay-stub-{stub.pay_run.pay_date}-no{stub.employee_id}.pdf"
    if stub.pdf:
        return no_store(FileResponse(stub.pdf.open("rb"), content_type="application/pdf", filename=filename, as_attachment=True))
    # The stub task has not run yet: drawn for this request only (it saves and mails nothing).
    return download(paystubs.pay_stub_pdf(stub), filename)


# -- year end and reports ---------------------------------------------------------------


@role_required(PAYROLL_STAFF)
def w2_export(request, year):
    """W-2 boxes 1 to 6 per employee, as CSV for the filing software (audited, never cached)."""
    try:
        rows = w2_rows(year)
    except UnknownTaxYear:
        from payroll.withholding import tax_years_text

        error = (f"There is no W-2 data for {year}: there are no payroll tax tables for that year. "
                 f"Tax tables exist for {tax_years_text()}.")
        return render(request, "payroll/reports.html", {**_reports_context(timezone.localdate().year), "error": error},
                      status=404)
    audit(request.user, "w2.exported", None, ip=request.META.get("REMOTE_ADDR"), year=year, employees=len(rows))
    return csv_response(
        f"w2-{year}.csv", ["employee_id", "legal_name", "ssn", *W2_COLUMNS],
        ([row.employee.pk, row.employee.legal_name, row.employee.ssn, *(row.boxes[c] for c in W2_COLUMNS)] for row in rows),
    )


@role_required(PAYROLL_STAFF)
def payroll_reports(request):
    year = report_year(request.GET.get("year", "")) or timezone.localdate().year
    return render(request, "payroll/reports.html", _reports_context(year))


def _reports_context(year):
    cost = cost_by_kind(year)
    return {"year": year, "cost": cost, "funding": funded_versus_paid(year),
            "employer_taxes": [(line, cost[line.code]) for line in EMPLOYER_LINES]}


@login_required
def my_time(request):
    """Employees allowed to enter their own hours do it here; payroll staff approve them."""
    employee = getattr(request.user, "employee", None)
    if employee is None or not employee.employee_can_enter_time:
        raise Http404("Your hours are entered by staff")
    form = OwnTimeEntryForm(request.POST or None)
    ask_confirm = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = time_entry_add(employee, data["date"], data["hours"], data["kind"], request.user, note=data["note"],
                                   confirmed_long_day=data["confirm_long_day"])
        except TimeEntryNeedsConfirmation as warning:
            ask_confirm = True
            form.add_error("confirm_long_day", warning.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if entry.after_period_paid:
                messages.success(request, "Saved. The pay period of that day is already paid, so these hours will be "
                                          "paid in the next pay run once payroll staff approve them.")
            else:
                messages.success(request, "Saved. Payroll staff will approve it.")
            return redirect("payroll:my_time")
    entries = employee.time_entries.select_related("pay_run").order_by("-date", "-id")[:40]
    response = render(request, "payroll/my_time.html", {"form": form, "entries": entries, "ask_confirm": ask_confirm}, status=400 if form.errors else 200)
    return no_store(response)


# -- W-2s, W-3, W-2c and the Florida new-hire report (issue 20, part d) ---------------------


@role_required(PAYROLL_STAFF)
def w2_pdf_all(request, year):
    """Every W-2 (Copies B, C, 2), the employer's Copies D and the W-3, as one PDF (audited)."""
    try:
        content = yearend.all_w2s_pdf(year)
    except (UnknownTaxYear, DomainError) as error:
        raise Http404(getattr(error, "message", str(error)))
    audit(request.user, "w2.pdf_downloaded", None, ip=request.META.get("REMOTE_ADDR"), year=year)
    return download(content, f"w2-w3-{year}.pdf")


@role_required(PAYROLL_STAFF)
def w2c_pdf_download(request, year):
    try:
        content = yearend.w2c_pdf(year)
    except (UnknownTaxYear, DomainError) as error:
        raise Http404(getattr(error, "message", str(error)))
    audit(request.user, "w2c.pdf_downloaded", None, ip=request.META.get("REMOTE_ADDR"), year=year)
    return download(content, f"w2c-{year}.pdf")


@role_required(PAYROLL_STAFF)
@require_POST
def w2_issue(request, year):
    try:
        counts = yearend.w2_issue(year, request.user)
    except (UnknownTaxYear, DomainError) as error:
        messages.error(request, getattr(error, "message", str(error)))
    else:
        messages.success(request, f"{year} W-2s marked issued: {counts['issued']} new, "
                                  f"{counts['corrected']} corrected (download the W-2c for those).")
    return redirect(f"{reverse('payroll:reports')}?year={year}")


@login_required
def my_w2_download(request, year):
    """The employee's own W-2 for the year (Copies B, C and 2); nobody else's is reachable here."""
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404("No pay records for this login")
    try:
        content = yearend.employee_w2_pdf(employee, year)
    except (UnknownTaxYear, DomainError) as error:
        raise Http404(getattr(error, "message", str(error)))
    return download(content, f"w2-{year}.pdf")


@role_required(PAYROLL_STAFF)
def new_hires(request):
    """Every hire with its Florida report due date; staff mark a report sent (POST)."""
    today = timezone.localdate()
    if request.method == "POST":
        try:
            employee_id = ascii_int(request.POST.get("employee", ""))
            if employee_id is None or not 0 < employee_id <= MAX_ID:
                raise ValueError("not an employee id")
            on = date.fromisoformat(request.POST.get("reported_on", "") or today.isoformat())
            sane_date(on)
            people_services.new_hire_mark_reported(employee_id, on, request.user)
        except (ValueError, ValidationError, Employee.DoesNotExist):
            return render(request, "payroll/new_hires.html",
                          {"hires": [], "today": today, "error": "Choose a hire and a valid date."},
                          status=400)
        except DomainError as error:
            return render(request, "payroll/new_hires.html",
                          {"hires": [], "today": today, "error": error.message}, status=400)
        messages.success(request, "Marked reported.")
        return redirect("payroll:new_hires")
    hires = new_hire_list()
    return render(request, "payroll/new_hires.html",
                  {"hires": hires, "today": today, "overdue": [h for h in hires if h.overdue(today)]})


@role_required(PAYROLL_STAFF)
def new_hires_csv(request):
    """The unreported hires in the fields Florida asks for (audited: it holds full SSNs)."""
    pending = [h.employee for h in new_hire_list() if h.reported_on is None]
    audit(request.user, "new_hire.exported", None, ip=request.META.get("REMOTE_ADDR"), employees=len(pending))
    return csv_response("florida-new-hires.csv", people_services.NEW_HIRE_COLUMNS,
                        people_services.new_hire_rows(pending))
