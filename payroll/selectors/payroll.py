"""Reads for the payroll pages and the employee's own pay page."""
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from payroll.models import Employee, PayRun, PayStub, TimeEntry
from payroll.selectors.training import training_hours
from payroll.selectors.wage_fund import fund_balance
from payroll.services.payruns import COUNTED, payrun_funding, payrun_totals
from payroll.tax_lines import EMPLOYEE_LINES, EMPLOYER_LINES, YTD_LINES


def payrun_review(run: PayRun) -> dict:
    """Totals, the register, whether the funds cover the run and who is paid by paper check."""
    stubs = list(run.stubs.select_related("employee").order_by("employee_id"))
    totals = payrun_totals(run) if stubs else None
    funding = payrun_funding(totals) if totals is not None else None
    unapproved = TimeEntry.objects.filter(
        date__range=(run.period_start, run.period_end), approved_at__isnull=True
    ).count()
    return {
        "stubs": stubs,
        "totals": totals,
        "wage_balance": funding.wage_balance if funding else fund_balance("wage_fund"),
        "training_balance": funding.training_balance if funding else fund_balance("training_fund"),
        "funding": funding,
        "covered": funding is None or run.status != PayRun.Status.CALCULATED or funding.covered,
        "unapproved_entries": unapproved,
        "paper_checks": [stub for stub in stubs if stub.paid_by_check],
        "tax_lines": {"employee": EMPLOYEE_LINES, "employer": EMPLOYER_LINES},  # the register's columns
    }


def payrun_paper_checks(run: PayRun) -> tuple[list[PayStub], Decimal]:
    """The stubs of a run paid by paper check, with the people to write the checks to, and their total."""
    checks = list(run.stubs.filter(paid_by_check=True).select_related("employee").order_by("employee_id"))
    return checks, sum((stub.net for stub in checks), Decimal("0.00"))


def my_pay(employee: Employee) -> dict:
    year = timezone.localdate().year
    stubs = list(
        PayStub.objects.filter(employee=employee, pay_run__status__in=COUNTED)
        .select_related("pay_run")
        .order_by("-pay_run__pay_date")
    )
    this_year = [s for s in stubs if s.pay_run.pay_date.year == year]
    latest = this_year[0].ytd if this_year else {}
    training = training_hours(employee_id=employee.pk, year=year).total
    taxes = [(line, latest.get(line.code)) for line in YTD_LINES]  # the year's taxes, line by line
    return {"stubs": stubs, "ytd": latest, "ytd_taxes": taxes, "training_hours": training, "year": year}


def payrun_list():
    return PayRun.objects.prefetch_related(Prefetch("stubs", queryset=PayStub.objects.only("id", "pay_run_id", "gross"))).order_by("-pay_date", "-id")
