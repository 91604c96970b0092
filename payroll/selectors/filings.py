"""Quarterly and annual filings from the ledger of what was actually paid: the approved and
paid pay runs' stubs (``payroll.services.payruns.COUNTED``), by pay date.

* Form 941 (Employer's Quarterly Federal Tax Return) and its instructions: lines 1-15,
  Part 2 line 16 (monthly liability) or Schedule B (liability by pay date, semiweekly).
* The deposit schedule and due dates: IRS Publication 15 (Circular E), section 11,
  "Depositing Taxes".
* Form 940 (FUTA) and its instructions, for an organisation that is not a 501(c)(3).
* Florida Department of Revenue Form RT-6, Employer's Quarterly Report, and its instructions.

Reads only; a fixed number of queries per form (the stubs of the year, the deposits, the
settings). Money is Decimal; every total is a sum of cents.
"""
from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from django.conf import settings as django_settings
from django.urls import reverse

from payroll.models import Employee, PayrollSetting, PayStub, TaxDeposit
from payroll.selectors.people import new_hire_due_date
from payroll.services.payruns import COUNTED
from payroll.tax_lines import FORM_941_LINES
from payroll.withholding import fica_rates, require_tax_year
from shop.platform.money import ZERO, quantize

# Publication 15 (2026), section 11: the lookback period's total taxes decide the schedule.
LOOKBACK_MONTHLY_LIMIT = Decimal("50000")  # "$50,000 or less ... you're a monthly schedule depositor"
NEXT_DAY_LIMIT = Decimal("100000")  # "$100,000 Next-Day Deposit Rule"
# Pub 15 section 11, "Accuracy of Deposits Rule" / Form 941 instructions line 12: a quarter
# whose liability (and the prior quarter's) is under $2,500 may be paid with the return.
SMALL_QUARTER_LIMIT = Decimal("2500")
# Form 940 instructions, Part 2 line 5 and Part 2 line 8: FUTA is 0.6% (6.0% less the 5.4%
# maximum credit) of the first $7,000 paid to each employee in the year.
FUTA_WAGE_BASE = Decimal("7000")
FUTA_NET_RATE = Decimal("0.006")
# Florida DOR RT-89, Instructions for Excess Wage Computation (and RT-6N, line 3; Florida
# Statutes 443.1217(2)): taxable wages are the first $7,000 paid to each employee in a
# calendar year (from 2015); the amount over it is excess wages, never larger than line 2.
FLORIDA_WAGE_BASE = Decimal("7000")

MONTHLY, SEMIWEEKLY = "monthly", "semiweekly"


# --------------------------------------------------------------------------- dates


def quarter_months(year: int, quarter: int) -> tuple[int, int, int]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("a quarter is 1, 2, 3 or 4")
    first = 3 * quarter - 2
    return first, first + 1, first + 2


def quarter_span(year: int, quarter: int) -> tuple[date, date]:
    first, _, last = quarter_months(year, quarter)
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _last_day_of_next_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    return day + timedelta(weeks=n - 1)


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    return day - timedelta(days=1) if day.weekday() == 5 else day + timedelta(days=1) if day.weekday() == 6 else day


@cache
def legal_holidays(year: int) -> frozenset[date]:
    """The legal holidays that move a deposit (Pub 15 section 11, "Legal holiday": the federal
    holidays), as observed (a Saturday's on the Friday, a Sunday's on the Monday).
    Inauguration Day (Jan 20 every four years, next in 2029) is not included."""
    mon, thu = 0, 3
    return frozenset({
        _observed(date(year, 1, 1)), _nth_weekday(year, 1, mon, 3), _nth_weekday(year, 2, mon, 3),
        _last_weekday(year, 5, mon), _observed(date(year, 6, 19)), _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, mon, 1), _nth_weekday(year, 10, mon, 2), _observed(date(year, 11, 11)),
        _nth_weekday(year, 11, thu, 4), _observed(date(year, 12, 25)),
    })


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in legal_holidays(day.year)


def business_day_on_or_after(day: date) -> date:
    """Pub 15 section 11: a deposit due on a Saturday, Sunday or legal holiday is made on time
    on the next business day."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def next_business_day(day: date) -> date:
    return business_day_on_or_after(day + timedelta(days=1))


def semiweekly_due(pay_date: date) -> date:
    """Pub 15 section 11, "Semiweekly Deposit Schedule": wages paid Wednesday, Thursday or
    Friday are deposited by the following Wednesday; Saturday to Tuesday by the following
    Friday; at least three business days after the semiweekly period ends (holidays add days)."""
    weekday = pay_date.weekday()
    if weekday in (2, 3, 4):  # Wed, Thu, Fri -> next Wednesday
        period_end, due = pay_date + timedelta(days=4 - weekday), pay_date + timedelta(days=(2 - weekday) % 7 or 7)
    else:  # Sat, Sun, Mon, Tue -> next Friday
        period_end, due = pay_date + timedelta(days=(1 - weekday) % 7), pay_date + timedelta(days=(4 - weekday) % 7)
    business_days, day = 0, period_end
    while business_days < 3:
        day += timedelta(days=1)
        if is_business_day(day):
            business_days += 1
    return max(business_day_on_or_after(due), day)


def semiweekly_period(pay_date: date) -> tuple[date, date]:
    """The semiweekly period (Wed-Fri or Sat-Tue) holding ``pay_date``, cut at the quarter's
    edges (Pub 15: a period that spans two quarters is two liabilities)."""
    weekday = pay_date.weekday()
    if weekday in (2, 3, 4):
        start, end = pay_date - timedelta(days=weekday - 2), pay_date + timedelta(days=4 - weekday)
    else:
        back = (weekday - 5) % 7
        start = pay_date - timedelta(days=back)
        end = start + timedelta(days=3)
    q_start, q_end = quarter_span(*quarter_of(pay_date))
    return max(start, q_start), min(end, q_end)


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class OrgTaxSettings:
    section_501c3: bool
    reemployment_tax_rate: Decimal
    reimbursing_employer: bool
    effective_from: date | None  # None: no row yet, the defaults


def settings_on(day: date) -> OrgTaxSettings:
    """The payroll tax settings in effect on ``day`` (defaults before the first row: the
    FUTA_EXEMPT setting (true: the organisation is a 501(c)(3), as the site's footer says), the
    STATE_UNEMPLOYMENT_RATE setting, paying the tax)."""
    row = PayrollSetting.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if row is None:
        return OrgTaxSettings(django_settings.FUTA_EXEMPT, django_settings.STATE_UNEMPLOYMENT_RATE, False, None)
    return OrgTaxSettings(row.section_501c3, row.reemployment_tax_rate, row.reimbursing_employer, row.effective_from)


# --------------------------------------------------------------------------- the ledger


@dataclass(frozen=True)
class PaidStub:
    employee_id: int
    pay_date: date
    period_start: date
    period_end: date
    gross: Decimal
    ytd_before: Decimal  # the employee's gross paid earlier in the year (by pay date)
    income_tax: Decimal  # Form 941 line 3 lines
    fica: Decimal  # Form 941 line 5 lines, both halves

    @property
    def liability(self) -> Decimal:
        return self.income_tax + self.fica


def _paid_stubs(start: date, end: date) -> list[PaidStub]:
    """Every counted stub paid from Jan 1 of ``start``'s year to ``end``, with year-to-date
    wages before it (one query)."""
    codes = [line.code for line in FORM_941_LINES]
    rows = (
        PayStub.objects.filter(pay_run__status__in=COUNTED, pay_run__pay_date__range=(date(start.year, 1, 1), end))
        .values("employee_id", "gross", "pay_run__pay_date", "pay_run__period_start", "pay_run__period_end",
                "pay_run_id", *codes)
        .order_by("pay_run__pay_date", "pay_run_id", "employee_id")
    )
    ytd: dict[int, Decimal] = defaultdict(lambda: ZERO)
    out, year = [], start.year
    for r in rows:
        if r["pay_run__pay_date"].year != year:  # a new calendar year starts from zero
            ytd.clear()
            year = r["pay_run__pay_date"].year
        gross = quantize(r["gross"])
        out.append(PaidStub(
            employee_id=r["employee_id"], pay_date=r["pay_run__pay_date"], period_start=r["pay_run__period_start"],
            period_end=r["pay_run__period_end"], gross=gross, ytd_before=ytd[r["employee_id"]],
            income_tax=sum((quantize(r[line.code]) for line in FORM_941_LINES if line.form_941 == "3"), ZERO),
            fica=sum((quantize(r[line.code]) for line in FORM_941_LINES if line.form_941 == "5"), ZERO),
        ))
        ytd[r["employee_id"]] += gross
    return [s for s in out if s.pay_date >= start]


def _portion_over(stub: PaidStub, base: Decimal) -> Decimal:
    """The part of this payment above ``base`` for the year (the rest is below it)."""
    return max(ZERO, stub.ytd_before + stub.gross - max(base, stub.ytd_before))


def _portion_under(stub: PaidStub, base: Decimal) -> Decimal:
    return stub.gross - _portion_over(stub, base)


def _employees_on_the_12th(stubs: list[PaidStub], day: date) -> int:
    """Form 941 line 1 / RT-6 line 1 (RT-6N: employees "who worked during or received pay for
    the payroll period including the 12th of each month"): people paid for the pay period
    that includes ``day``."""
    return len({s.employee_id for s in stubs if s.period_start <= day <= s.period_end})


# --------------------------------------------------------------------------- deposit schedule


@dataclass(frozen=True)
class Liability:
    start: date  # first and last pay date of the deposit period
    end: date
    amount: Decimal
    due: date
    rule: str  # "monthly", "semiweekly" or "next-day ($100,000)"


@dataclass(frozen=True)
class Schedule:
    year: int
    kind: str  # MONTHLY or SEMIWEEKLY at the start of the year
    lookback_start: date
    lookback_end: date
    lookback_total: Decimal
    liabilities: tuple[Liability, ...]  # the year's deposits, in due order
    became_semiweekly_on: date | None  # a $100,000 day made a monthly depositor semiweekly


def _lookback(year: int) -> tuple[date, date]:
    """Pub 15 section 11, "Lookback period": July 1 two years back to June 30 last year."""
    return date(year - 2, 7, 1), date(year - 1, 6, 30)


def deposit_schedule(year: int, until: date | None = None) -> Schedule:
    """The year's deposit schedule and every deposit liability with its due date.

    Monthly: a month's liability by the 15th of the next month. Semiweekly: see
    ``semiweekly_due``. $100,000 next-day rule: once the liability accumulated in a deposit
    period reaches $100,000, it is due the next business day, and a monthly depositor is a
    semiweekly one for the rest of the year (Pub 15 section 11). A new employer (no lookback
    liability) is a monthly depositor.
    """
    lb_start, lb_end = _lookback(year)
    lookback_total = ZERO
    for y in range(lb_start.year, lb_end.year + 1):
        lookback_total += sum((s.liability for s in _paid_stubs(max(lb_start, date(y, 1, 1)), min(lb_end, date(y, 12, 31)))), ZERO)
    kind = MONTHLY if lookback_total <= LOOKBACK_MONTHLY_LIMIT else SEMIWEEKLY
    stubs = _paid_stubs(date(year, 1, 1), until or date(year, 12, 31))
    by_day: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for s in stubs:
        by_day[s.pay_date] += s.liability
    liabilities, current, became = [], kind, None
    open_key, open_start, open_last, accrued = None, None, None, ZERO

    def due_of(key, first: date) -> date:
        if key[0] == MONTHLY:  # the 15th of the following month
            month = key[1]
            return business_day_on_or_after(date(month.year + (month.month == 12), month.month % 12 + 1, 15))
        return semiweekly_due(first)

    for day in sorted(by_day):
        key = (MONTHLY, date(day.year, day.month, 1)) if current == MONTHLY else (SEMIWEEKLY, semiweekly_period(day))
        if open_key is not None and open_key != key:
            if accrued > 0:
                liabilities.append(Liability(open_start, open_last, accrued, due_of(open_key, open_start), open_key[0]))
            open_key, accrued = None, ZERO
        if open_key is None:
            open_key, open_start = key, day
        accrued += by_day[day]
        open_last = day
        if accrued >= NEXT_DAY_LIMIT:
            liabilities.append(Liability(open_start, day, accrued, next_business_day(day), "next-day ($100,000)"))
            open_key, accrued = None, ZERO
            if current == MONTHLY:
                current, became = SEMIWEEKLY, day
    if open_key is not None and accrued > 0:
        liabilities.append(Liability(open_start, open_last, accrued, due_of(open_key, open_start), open_key[0]))
    return Schedule(year, kind, lb_start, lb_end, lookback_total, tuple(liabilities), became)


# --------------------------------------------------------------------------- Form 941


@dataclass(frozen=True)
class Form941:
    year: int
    quarter: int
    start: date
    end: date
    line1: int  # employees paid for the pay period including the 12th of the quarter's third month
    line2: Decimal  # wages, tips and other compensation
    line3: Decimal  # federal income tax withheld
    line4: bool  # no wages subject to Social Security or Medicare tax
    line5a_wages: Decimal
    line5a_tax: Decimal
    line5c_wages: Decimal
    line5c_tax: Decimal
    line5d_wages: Decimal
    line5d_tax: Decimal
    line5e: Decimal
    line6: Decimal
    line7: Decimal  # current quarter's adjustment for fractions of cents
    line10: Decimal
    line11: Decimal
    line12: Decimal
    line13: Decimal  # deposits recorded for the quarter
    line14: Decimal  # balance due
    line15: Decimal  # overpayment
    schedule: str  # MONTHLY or SEMIWEEKLY for this quarter
    months: tuple[Decimal, Decimal, Decimal]  # Part 2 line 16 (monthly depositor)
    schedule_b: dict[date, Decimal] = field(default_factory=dict)  # liability by pay date (semiweekly)
    may_pay_with_return: bool = False  # line 12 under $2,500 (Pub 15 section 11)

    @property
    def total_liability(self) -> Decimal:
        return sum(self.schedule_b.values(), ZERO) if self.schedule == SEMIWEEKLY else sum(self.months, ZERO)


def form_941(year: int, quarter: int) -> Form941:
    """Form 941 for the quarter from the counted stubs paid in it (Form 941 instructions)."""
    require_tax_year(year)
    start, end = quarter_span(year, quarter)
    rates = fica_rates(year)
    stubs = _paid_stubs(start, end)
    months = quarter_months(year, quarter)
    line2 = sum((s.gross for s in stubs), ZERO)
    line3 = sum((s.income_tax for s in stubs), ZERO)
    line5a_wages = sum((_portion_under(s, rates["social_security_wage_base"]) for s in stubs), ZERO)
    line5c_wages = line2
    line5d_wages = sum((_portion_over(s, rates["additional_medicare_threshold"]) for s in stubs), ZERO)
    # Form 941 lines 5a, 5c and 5d: column 1 x 0.124, x 0.029 and x 0.009 (the tables' rates).
    line5a_tax = quantize(line5a_wages * rates["social_security"])
    line5c_tax = quantize(line5c_wages * rates["medicare"])
    line5d_tax = quantize(line5d_wages * rates["additional_medicare"])
    line5e = line5a_tax + line5c_tax + line5d_tax
    line6 = line3 + line5e
    # Line 7: what was actually withheld and owed per pay period (rounded each time) less the
    # line 5 figures worked out on the quarter's totals.
    line7 = sum((s.fica for s in stubs), ZERO) - line5e
    line10 = line6 + line7
    line11 = ZERO  # no nonrefundable credits are claimed
    line12 = line10 - line11
    line13 = sum((d.amount for d in TaxDeposit.objects.filter(liability_start__range=(start, end))), ZERO)
    schedule = deposit_schedule(year, until=end)
    semiweekly = schedule.kind == SEMIWEEKLY or (schedule.became_semiweekly_on is not None
                                                 and schedule.became_semiweekly_on <= end)
    by_day: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for s in stubs:
        by_day[s.pay_date] += s.liability
    month_totals = tuple(sum((v for d, v in by_day.items() if d.month == m), ZERO) for m in months)
    return Form941(
        year=year, quarter=quarter, start=start, end=end,
        line1=_employees_on_the_12th(stubs, date(year, months[2], 12)),
        line2=line2, line3=line3, line4=line5c_wages == 0,
        line5a_wages=line5a_wages, line5a_tax=line5a_tax, line5c_wages=line5c_wages, line5c_tax=line5c_tax,
        line5d_wages=line5d_wages, line5d_tax=line5d_tax, line5e=line5e, line6=line6, line7=line7,
        line10=line10, line11=line11, line12=line12, line13=line13,
        line14=max(ZERO, line12 - line13), line15=max(ZERO, line13 - line12),
        schedule=SEMIWEEKLY if semiweekly else MONTHLY, months=month_totals,
        schedule_b=dict(sorted(by_day.items())) if semiweekly else {},
        may_pay_with_return=line12 < SMALL_QUARTER_LIMIT,
    )


# --------------------------------------------------------------------------- deposits


@dataclass(frozen=True)
class DepositDue:
    liability: Liability
    deposit: TaxDeposit | None

    @property
    def paid(self) -> bool:
        return self.deposit is not None


def deposits(year: int) -> list[DepositDue]:
    """The year's federal tax deposits with their due dates, and the ones recorded as made."""
    schedule = deposit_schedule(year)
    recorded = {(d.liability_start, d.liability_end): d
                for d in TaxDeposit.objects.filter(liability_start__year=year)}
    return [DepositDue(li, recorded.get((li.start, li.end))) for li in schedule.liabilities]


# --------------------------------------------------------------------------- Form 940 (FUTA)


@dataclass(frozen=True)
class Form940:
    year: int
    exempt: bool  # a 501(c)(3): no FUTA, no Form 940
    line3: Decimal = ZERO  # total payments to all employees
    line4: Decimal = ZERO  # payments exempt from FUTA
    line5: Decimal = ZERO  # payments over $7,000 to each employee
    line6: Decimal = ZERO  # subtotal, 4 + 5
    line7: Decimal = ZERO  # total taxable FUTA wages, 3 - 6
    line8: Decimal = ZERO  # FUTA tax before adjustments, 7 x 0.006
    quarters: tuple[Decimal, Decimal, Decimal, Decimal] = (ZERO, ZERO, ZERO, ZERO)  # Part 5 line 16a-d

    @property
    def line17(self) -> Decimal:
        return sum(self.quarters, ZERO)


def form_940(year: int) -> Form940:
    """Form 940 figures, or the exemption of a 501(c)(3) (the setting on Dec 31 of the year)."""
    require_tax_year(year)
    if settings_on(date(year, 12, 31)).section_501c3:
        return Form940(year=year, exempt=True)
    stubs = _paid_stubs(date(year, 1, 1), date(year, 12, 31))
    line3 = sum((s.gross for s in stubs), ZERO)
    line5 = sum((_portion_over(s, FUTA_WAGE_BASE) for s in stubs), ZERO)
    line7 = line3 - line5
    taxable = [sum((_portion_under(s, FUTA_WAGE_BASE) for s in stubs if quarter_of(s.pay_date)[1] == q), ZERO)
               for q in (1, 2, 3, 4)]
    cumulative, quarters = ZERO, []
    for amount in taxable:  # rounded on the running total, so the quarters add up to line 8
        quarters.append(quantize((cumulative + amount) * FUTA_NET_RATE) - quantize(cumulative * FUTA_NET_RATE))
        cumulative += amount
    return Form940(year=year, exempt=False, line3=line3, line4=ZERO, line5=line5, line6=line5, line7=line7,
                   line8=quantize(line7 * FUTA_NET_RATE), quarters=tuple(quarters))


# --------------------------------------------------------------------------- Florida RT-6


@dataclass(frozen=True)
class RT6:
    year: int
    quarter: int
    employees_on_12th: tuple[int, int, int]  # covered employees in the pay period including the 12th
    gross_wages: Decimal  # line 2
    excess_wages: Decimal  # line 3: over $7,000 per employee this year
    taxable_wages: Decimal  # line 4
    rate: Decimal
    tax_due: Decimal  # line 5 (zero for a reimbursing employer)
    reimbursing: bool
    employees: tuple[tuple[int, Decimal, Decimal], ...]  # (employee id, gross, taxable) for the wage report


def rt6(year: int, quarter: int) -> RT6:
    """Florida RT-6 figures for the quarter (RT-6 instructions: lines 2-5)."""
    start, end = quarter_span(year, quarter)
    org = settings_on(start)
    stubs = _paid_stubs(start, end)
    gross = sum((s.gross for s in stubs), ZERO)
    excess = sum((_portion_over(s, FLORIDA_WAGE_BASE) for s in stubs), ZERO)
    taxable = gross - excess
    per_employee: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for s in stubs:
        per_employee[s.employee_id][0] += s.gross
        per_employee[s.employee_id][1] += _portion_under(s, FLORIDA_WAGE_BASE)
    return RT6(
        year=year, quarter=quarter,
        employees_on_12th=tuple(_employees_on_the_12th(stubs, date(year, m, 12)) for m in quarter_months(year, quarter)),
        gross_wages=gross, excess_wages=excess, taxable_wages=taxable, rate=org.reemployment_tax_rate,
        tax_due=ZERO if org.reimbursing_employer else quantize(taxable * org.reemployment_tax_rate),
        reimbursing=org.reimbursing_employer,
        employees=tuple((k, v[0], v[1]) for k, v in sorted(per_employee.items())),
    )


# --------------------------------------------------------------------------- what is due


@dataclass(frozen=True)
class FilingDue:
    label: str
    due: date
    url: str
    overdue: bool


SHOW_AFTER_DUE = timedelta(days=30)  # a filing stays on the list this long after its due date
SHOW_BEFORE_DUE = timedelta(days=45)


def filings_due(on: date) -> list[FilingDue]:
    """Filings and deposits due around ``on``: Form 941 and RT-6 for an ended quarter (last
    day of the month after it: Form 941 instructions, "When Must You File?"; RT-6
    instructions), Form 940 by Jan 31 (Form 940 instructions) unless the organisation is a
    501(c)(3), the federal tax deposits not recorded as made, and new-hire reports not sent."""
    out = new_hires_due(on)
    year, quarter = quarter_of(on)
    for _ in (1, 2):  # the two quarters before this one
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        start, end = quarter_span(year, quarter)
        due = _last_day_of_next_month(end)
        if due + SHOW_AFTER_DUE < on:
            continue
        url = reverse("payroll:quarter_filings") + f"?year={year}&quarter={quarter}"
        out.append(FilingDue(f"Form 941, Q{quarter} {year}", due, url, on > due))
        out.append(FilingDue(f"Florida RT-6, Q{quarter} {year}", due, url, on > due))
    last_year = on.year - 1
    due_940 = date(on.year, 1, 31)
    if on <= due_940 + SHOW_AFTER_DUE and not settings_on(date(last_year, 12, 31)).section_501c3:
        url = reverse("payroll:quarter_filings") + f"?year={last_year}&quarter=4"
        out.append(FilingDue(f"Form 940, {last_year}", due_940, url, on > due_940))
    for year in sorted({on.year - 1, on.year}):
        for item in deposits(year):
            li = item.liability
            if item.paid or li.due > on + SHOW_BEFORE_DUE:
                continue
            y, q = quarter_of(li.start)
            url = reverse("payroll:quarter_filings") + f"?year={y}&quarter={q}"
            dates = f"pay date {li.end:%b %-d, %Y}" if li.start == li.end else f"pay dates {li.start:%b %-d}–{li.end:%b %-d, %Y}"
            out.append(FilingDue(f"Federal tax deposit, {dates}", li.due, url, on > li.due))
    return sorted(out, key=lambda f: (f.due, f.label))


# --------------------------------------------------------------------------- rows for CSV and PDF


def form_941_rows(form: Form941) -> list[tuple[str, str, object]]:
    """(line, description, value) in the form's order (the CSV and the PDF print these)."""
    rows = [
        ("1", "Number of employees who received wages for the pay period including the 12th of the third month", form.line1),
        ("2", "Wages, tips, and other compensation", form.line2),
        ("3", "Federal income tax withheld from wages, tips, and other compensation", form.line3),
        ("4", "No wages, tips, and other compensation are subject to social security or Medicare tax",
         "X" if form.line4 else ""),
        ("5a col 1", "Taxable social security wages", form.line5a_wages),
        ("5a col 2", "Taxable social security wages x 0.124", form.line5a_tax),
        ("5c col 1", "Taxable Medicare wages & tips", form.line5c_wages),
        ("5c col 2", "Taxable Medicare wages & tips x 0.029", form.line5c_tax),
        ("5d col 1", "Taxable wages & tips subject to Additional Medicare Tax withholding", form.line5d_wages),
        ("5d col 2", "Subject to Additional Medicare Tax withholding x 0.009", form.line5d_tax),
        ("5e", "Total social security and Medicare taxes", form.line5e),
        ("6", "Total taxes before adjustments", form.line6),
        ("7", "Current quarter's adjustment for fractions of cents", form.line7),
        ("10", "Total taxes after adjustments", form.line10),
        ("11", "Total nonrefundable credits", form.line11),
        ("12", "Total taxes after adjustments and nonrefundable credits", form.line12),
        ("13", "Total deposits for this quarter", form.line13),
        ("14", "Balance due", form.line14),
        ("15", "Overpayment", form.line15),
        ("16", f"Deposit schedule: {form.schedule} schedule depositor", form.schedule),
    ]
    if form.schedule == MONTHLY:
        for n, (month, amount) in enumerate(zip(quarter_months(form.year, form.quarter), form.months), start=1):
            rows.append((f"16 month {n}", f"Tax liability, {calendar.month_name[month]}", amount))
        rows.append(("16 total", "Total liability for quarter (equals line 12)", form.total_liability))
    else:
        for day, amount in form.schedule_b.items():
            rows.append((f"Schedule B {day:%b} {day.day}", f"Tax liability, pay date {day.isoformat()}", amount))
        rows.append(("Schedule B total", "Total liability for the quarter (equals line 12)", form.total_liability))
    return rows


def rt6_rows(report: RT6) -> list[tuple[str, str, object]]:
    m = quarter_months(report.year, report.quarter)
    rows = [(f"1 month {n}", f"Covered employees in the pay period including {calendar.month_name[month]} 12", count)
            for n, (month, count) in enumerate(zip(m, report.employees_on_12th), start=1)]
    rows += [
        ("2", "Gross wages paid this quarter", report.gross_wages),
        ("3", "Excess wages (over $7,000 per employee this calendar year)", report.excess_wages),
        ("4", "Taxable wages", report.taxable_wages),
    ]
    if report.reimbursing:
        rows.append(("5", "Tax due: none, reimbursing employer (wage report only)", ZERO))
    else:
        rows += [("rate", "Tax rate", f"{(report.rate * 100).normalize():f}%"), ("5", "Tax due", report.tax_due)]
    return rows


def form_940_rows(form: Form940) -> list[tuple[str, str, object]]:
    """(line, description, value) of Form 940 (Parts 2 and 5) for a year the organisation is
    not a 501(c)(3); the CSV, the PDF and the page print these."""
    if form.exempt:
        raise ValueError("a 501(c)(3) files no Form 940")
    rows = [
        ("3", "Total payments to all employees", form.line3),
        ("4", "Payments exempt from FUTA tax", form.line4),
        ("5", "Total of payments made to each employee in excess of $7,000", form.line5),
        ("6", "Subtotal (line 4 + line 5)", form.line6),
        ("7", "Total taxable FUTA wages (line 3 - line 6)", form.line7),
        ("8", "FUTA tax before adjustments (line 7 x 0.006)", form.line8),
    ]
    rows += [(f"16{'abcd'[q]}", f"Tax liability, quarter {q + 1}", amount) for q, amount in enumerate(form.quarters)]
    rows.append(("17", "Total tax liability for the year (equals line 8)", form.line17))
    return rows


def new_hires_due(on: date) -> list[FilingDue]:
    """Florida new-hire reports not yet sent, earliest due first (one query). The labels name
    no one (the employee number tells two hires of a day apart): the staff home is seen by
    every staff role, names only by payroll staff."""
    url = reverse("payroll:new_hires")
    rows = Employee.objects.filter(new_hire_reported_on__isnull=True, hire_date__lte=on).order_by("hire_date", "id")
    return [
        FilingDue(label=f"Florida new-hire report, employee no. {employee.pk} (hired {employee.hire_date:%b %-d, %Y})",
                  due=due, url=url, overdue=on > due)
        for employee in rows
        for due in (new_hire_due_date(employee.hire_date),)
    ]
