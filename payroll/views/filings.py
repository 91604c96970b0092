"""Quarterly filings: Form 941 (with its deposit schedule or Schedule B), the federal tax
deposits, Florida RT-6 and Form 940, for payroll staff. Reads, and one POST per deposit."""
from datetime import date

from django.contrib import messages
from django.http import Http404
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
from shop.platform.security import download


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
    # Form 940 is annual (shown with Q4); a 501(c)(3) is told it is FUTA-exempt in every quarter.
    if filings.settings_on(date(year, 12, 31)).section_501c3:
        form_940 = filings.Form940(year=year, exempt=True)
    else:
        form_940 = filings.form_940(year) if quarter == 4 else None
    deposits = [d for d in filings.deposits(year) if start <= d.liability.start <= end]
    rt6 = filings.rt6(year, quarter)
    tax_settings = filings.settings_on(end)
    context.update({
        "form_941": form_941, "rows_941": filings.form_941_rows(form_941),
        "rt6": rt6, "rt6_rows": filings.rt6_rows(rt6),
        "form_940": form_940, "rows_940": None if form_940 is None or form_940.exempt else filings.form_940_rows(form_940),
        "schedule": filings.deposit_schedule(year),
        "deposits": [(d, DepositForm(initial={"liability_start": d.liability.start, "liability_end": d.liability.end}))
                     for d in deposits],
        "due": filings.filings_due(timezone.localdate()),
        "state_tax_name": state_unemployment_name(),
        "tax_settings": tax_settings, "tax_rate_percent": tax_settings.reemployment_tax_rate * 100,
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
    return download(draw(form), f"form-941-{year}-q{quarter}.pdf")


@role_required(PAYROLL_STAFF)
def rt6_csv(request, year, quarter):
    _form_or_404(year, quarter)
    report = filings.rt6(year, quarter)
    audit(request.user, "rt6.exported", None, ip=request.META.get("REMOTE_ADDR"), year=year, quarter=quarter)
    return csv_response(f"rt6-{year}-q{quarter}.csv", ["line", "description", "amount"], filings.rt6_rows(report))


@role_required(PAYROLL_STAFF)
def rt6_pdf(request, year, quarter):
    from payroll.services.filings import rt6_pdf as draw

    _form_or_404(year, quarter)
    report = filings.rt6(year, quarter)
    audit(request.user, "rt6.exported", None, ip=request.META.get("REMOTE_ADDR"), year=year, quarter=quarter,
          format="pdf")
    return download(draw(report, state_unemployment_name()), f"rt6-{year}-q{quarter}.pdf")


def _form_940_or_404(year):
    try:
        form = filings.form_940(year)
    except UnknownTaxYear:
        raise Http404(f"There are no payroll tax tables for {year}.") from None
    if form.exempt:
        raise Http404(f"The organisation is a 501(c)(3) in {year}: FUTA-exempt, it files no Form 940.")
    return form


@role_required(PAYROLL_STAFF)
def form_940_csv(request, year):
    form = _form_940_or_404(year)
    audit(request.user, "form940.exported", None, ip=request.META.get("REMOTE_ADDR"), year=year)
    return csv_response(f"form-940-{year}.csv", ["line", "description", "amount"], filings.form_940_rows(form))


@role_required(PAYROLL_STAFF)
def form_940_pdf(request, year):
    from payroll.services.filings import form_940_pdf as draw

    form = _form_940_or_404(year)
    audit(request.user, "form940.exported", None, ip=request.META.get("REMOTE_ADDR"), year=year, format="pdf")
    return download(draw(form), f"form-940-{year}.pdf")


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
