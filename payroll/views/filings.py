"""Quarterly filings: Form 941 (with its deposit schedule or Schedule B), the federal tax
deposits, Florida RT-6 and Form 940, for payroll staff. Reads, and one POST per deposit."""
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from payroll.forms.filings import DepositForm, QuarterForm
from payroll.selectors import filings
from payroll.services.filings import deposit_record
from payroll.services.people import audit
from payroll.tax_lines import state_unemployment_name
from payroll.withholding import UnknownTaxYear, tax_years_text
from shop.platform.csv_export import csv_response
from shop.platform.errors import DomainError
from shop.platform.roles import PAYROLL_STAFF, role_required


def _picked(request):
    today = timezone.localdate()
    default_year, default_quarter = filings.quarter_of(today)
    form = QuarterForm(request.GET or {"year": default_year, "quarter": default_quarter})
    if form.is_valid():
        return form, form.cleaned_data["year"], form.cleaned_data["quarter"]
    return form, default_year, default_quarter


@role_required(PAYROLL_STAFF)
def quarter_filings(request):
    form, year, quarter = _picked(request)
    context = {"form": form, "year": year, "quarter": quarter}
    try:
        form_941 = filings.form_941(year, quarter)
    except UnknownTaxYear:
        context["error"] = (f"There are no payroll tax tables for {year}, so its filings cannot be worked out. "
                            f"Tax tables exist for {tax_years_text()}.")
        return render(request, "payroll/filings.html", context, status=404)
    start, end = form_941.start, form_941.end
    deposits = [d for d in filings.deposits(year) if start <= d.liability.start <= end]
    context.update({
        "form_941": form_941, "rows_941": filings.form_941_rows(form_941),
        "rt6": filings.rt6(year, quarter), "rt6_rows": filings.rt6_rows(filings.rt6(year, quarter)),
        "form_940": filings.form_940(year) if quarter == 4 else None,
        "schedule": filings.deposit_schedule(year),
        "deposits": [(d, DepositForm(initial={"liability_start": d.liability.start, "liability_end": d.liability.end}))
                     for d in deposits],
        "due": filings.filings_due(timezone.localdate()),
        "state_tax_name": state_unemployment_name(),
    })
    return render(request, "payroll/filings.html", context)


def _form_or_404(year, quarter):
    if quarter not in (1, 2, 3, 4):
        raise Http404("A quarter is 1 to 4.")
    try:
        return filings.form_941(year, quarter)
    except UnknownTaxYear:
        raise Http404(f"There are no payroll tax tables for {year}.") from None


@role_required(PAYROLL_STAFF)
def form_941_csv(request, year, quarter):
    form = _form_or_404(year, quarter)
    audit(request.user, "form941.exported", None, ip=request.META.get("REMOTE_ADDR"), year=year, quarter=quarter)
    return csv_response(f"form-941-{year}-q{quarter}.csv", ["line", "description", "amount"],
                        filings.form_941_rows(form))


@role_required(PAYROLL_STAFF)
def form_941_pdf(request, year, quarter):
    from payroll.services.filings import form_941_pdf as draw

    form = _form_or_404(year, quarter)
    audit(request.user, "form941.exported", None, ip=request.META.get("REMOTE_ADDR"), year=year, quarter=quarter,
          format="pdf")
    response = HttpResponse(draw(form), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="form-941-{year}-q{quarter}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(PAYROLL_STAFF)
def rt6_csv(request, year, quarter):
    _form_or_404(year, quarter)
    report = filings.rt6(year, quarter)
    audit(request.user, "rt6.exported", None, ip=request.META.get("REMOTE_ADDR"), year=year, quarter=quarter)
    return csv_response(f"rt6-{year}-q{quarter}.csv", ["line", "description", "amount"], filings.rt6_rows(report))


@require_POST
@role_required(PAYROLL_STAFF)
def deposit_paid(request):
    form = DepositForm(request.POST)
    back = reverse("payroll:quarter_filings")
    if not form.is_valid():
        messages.error(request, "Give the date paid and the EFTPS confirmation number. "
                       + " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    data = form.cleaned_data
    year, quarter = filings.quarter_of(data["liability_start"])
    back += f"?year={year}&quarter={quarter}"
    try:
        deposit_record(request.user, liability_start=data["liability_start"], liability_end=data["liability_end"],
                       paid_on=data["paid_on"], confirmation=data["confirmation"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back, permanent=False)
    messages.success(request, "Deposit recorded.")
    return redirect(back)
