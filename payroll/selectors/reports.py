"""Payroll reports: W-2 boxes 1 to 6, cost by kind of work, wages funded versus paid."""
from dataclasses import dataclass
from decimal import Decimal



from payroll.models import Employee, PayStub, Posting
from payroll.services.payruns import COUNTED
from payroll.withholding import social_security_wage_base
from shop.money import ZERO, cents_sum, from_cents, quantize, sum_money

STUB_SUMS = (
    "gross", "federal_income_tax", "social_security", "medicare", "production_pay", "training_pay", "pto_pay",
    "overtime_premium", "bonus", "employer_social_security", "employer_medicare", "state_unemployment", "net",
)


def _stub_sums(stubs) -> dict[str, Decimal]:
    row = stubs.aggregate(**{f: cents_sum(f) for f in STUB_SUMS})
    return {f: from_cents(int(row[f] or 0)) for f in STUB_SUMS}


@dataclass(frozen=True)
class W2Row:
    employee: Employee
    box1_wages: Decimal
    box2_federal_tax: Decimal
    box3_ss_wages: Decimal
    box4_ss_tax: Decimal
    box5_medicare_wages: Decimal
    box6_medicare_tax: Decimal


def w2_rows(year: int) -> list[W2Row]:
    """Boxes 1-6 for each employee paid in the year (no pre-tax deductions are offered, so
    federal, Social Security and Medicare wages are gross pay; Social Security wages stop at
    the year's wage base)."""
    wage_base = social_security_wage_base(year)
    rows = (
        PayStub.objects.filter(pay_run__status__in=COUNTED, pay_run__pay_date__year=year)
        .values("employee_id")
        .annotate(**{f: cents_sum(f) for f in ("gross", "federal_income_tax", "social_security", "medicare")})
        .order_by("employee_id")
    )
    employees = Employee.objects.in_bulk([r["employee_id"] for r in rows])
    result = []
    for r in rows:
        gross = from_cents(int(r["gross"]))
        result.append(W2Row(
            employee=employees[r["employee_id"]],
            box1_wages=gross,
            box2_federal_tax=from_cents(int(r["federal_income_tax"])),
            box3_ss_wages=quantize(min(gross, wage_base)),
            box4_ss_tax=from_cents(int(r["social_security"])),
            box5_medicare_wages=gross,
            box6_medicare_tax=from_cents(int(r["medicare"])),
        ))
    return result


def cost_by_kind(year: int) -> dict[str, Decimal]:
    return _stub_sums(PayStub.objects.filter(pay_run__status__in=COUNTED, pay_run__pay_date__year=year))


def funded_versus_paid(year: int) -> dict[str, Decimal]:
    """Wage content credited from sales (less refunds) against gross wages and employer taxes paid."""
    sales = Posting.objects.filter(
        account__code="wage_fund", entry__date__year=year, entry__source_type__in=("order_line", "refund")
    )
    funded = -sum_money(sales)
    paid = _stub_sums(PayStub.objects.filter(pay_run__status__in=COUNTED, pay_run__pay_date__year=year))
    cost = paid["gross"] + paid["employer_social_security"] + paid["employer_medicare"] + paid["state_unemployment"]
    return {"funded_by_sales": funded, "payroll_cost": cost, "gap": cost - funded if cost > funded else ZERO}
