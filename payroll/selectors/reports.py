"""Payroll reports: W-2 boxes 1 to 6, cost by kind of work, wages funded versus paid."""
from dataclasses import dataclass
from decimal import Decimal



from payroll.models import Employee, PayStub, Posting
from payroll.services.payruns import COUNTED
from payroll.tax_lines import EMPLOYER_LINES, TAX_CODES, W2_LINES
from payroll.withholding import require_tax_year
from shop.platform.money import ZERO, cents_sum, from_cents, quantize, sum_money

STUB_SUMS = ("gross", "production_pay", "training_pay", "pto_pay", "overtime_premium", "bonus", *TAX_CODES, "net")


def _stub_sums(stubs) -> dict[str, Decimal]:
    row = stubs.aggregate(**{f: cents_sum(f) for f in STUB_SUMS})
    return {f: from_cents(int(row[f] or 0)) for f in STUB_SUMS}


@dataclass(frozen=True)
class W2Row:
    employee: Employee
    boxes: dict[str, Decimal]  # by the W-2 export's column (payroll.tax_lines.W2_COLUMNS)


def w2_rows(year: int) -> list[W2Row]:
    """The W-2 wage and tax boxes of every tax line that has them, for each employee paid in
    the year (no pre-tax deductions are offered, so each line's wages are worked out from gross
    pay: Social Security wages stop at the year's wage base)."""
    require_tax_year(year)  # a year without tables is an error even when nobody was paid in it
    codes = [line.code for line in W2_LINES]
    rows = (
        PayStub.objects.filter(pay_run__status__in=COUNTED, pay_run__pay_date__year=year)
        .values("employee_id")
        .annotate(**{f: cents_sum(f) for f in ("gross", *codes)})
        .order_by("employee_id")
    )
    employees = Employee.objects.in_bulk([r["employee_id"] for r in rows])
    result = []
    for r in rows:
        gross = from_cents(int(r["gross"]))
        boxes = {}
        for line in W2_LINES:
            boxes[line.w2.wages_column] = quantize(line.w2.wages(gross, year))
            boxes[line.w2.tax_column] = from_cents(int(r[line.code]))
        result.append(W2Row(employee=employees[r["employee_id"]], boxes=boxes))
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
    cost = paid["gross"] + sum((paid[line.code] for line in EMPLOYER_LINES), ZERO)
    return {"funded_by_sales": funded, "payroll_cost": cost, "gap": cost - funded if cost > funded else ZERO}
