"""Reads for the wage-fund page: balance, weekly flows by source, the next payroll and the
weeks the fund covers, warnings, the journal."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q
from django.db.models.functions import TruncWeek

from payroll.models import Employee, JournalEntry, PayRate, PayRun, PayStub, Posting, TimeEntry
from payroll.tax_lines import EMPLOYER_LINES
from shop.models import OrderLine, Refund
from shop.platform.money import ZERO, allocate, cents_sum, from_cents, quantize, sum_money

WAGE_FUND = "wage_fund"


def fund_balance(code: str = WAGE_FUND) -> Decimal:
    """A fund's balance, shown positive (funds are credit-normal)."""
    return -sum_money(Posting.objects.filter(account__code=code))


# What moves the fund, by what it is (the chart's colours and the table's columns).
SOURCES = (
    ("sales", "Sales", ("order_line", "refund")),
    ("gift_boxes", "Gift boxes", ("gift_line", "gift_assembly", "gift_unclaimed")),
    ("gifts", "Designated gifts", ("donation", "donation_refund")),
    ("grants", "Grants and opening balance", ("opening", "grant")),
    ("payroll", "Payroll draws", ("payrun", "payrun-void")),
    ("other", "Other entries", ()),
)
SOURCE_OF = {source_type: key for key, _, types in SOURCES for source_type in types}


@dataclass(frozen=True)
class SourceFlow:
    key: str
    label: str
    inflow: Decimal
    outflow: Decimal


@dataclass(frozen=True)
class WeekFlow:
    week: date
    inflow: Decimal
    outflow: Decimal
    balance: Decimal = Decimal("0.00")  # at the end of the week
    sources: tuple = ()  # SourceFlow per SOURCES entry, same order


def weekly_flows(today: date, weeks: int = 26, code: str = WAGE_FUND) -> list[WeekFlow]:
    """Money into and out of a fund per week (Monday to Sunday), oldest first, by source,
    with the balance at the end of each week. Two queries, whatever the number of entries."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    postings = Posting.objects.filter(account__code=code)
    opening = -sum_money(postings.filter(entry__date__lt=first))
    rows = (
        postings.filter(entry__date__gte=first)
        .annotate(week=TruncWeek("entry__date"))
        .values("week", "entry__source_type")
        .annotate(credits=cents_sum(filter=Q(amount__lt=0)), debits=cents_sum(filter=Q(amount__gt=0)))
    )
    cells = {}  # (week, source key) -> [in, out]
    for r in rows:
        cell = cells.setdefault((_as_date(r["week"]), SOURCE_OF.get(r["entry__source_type"], "other")), [0, 0])
        cell[0] -= int(r["credits"] or 0)
        cell[1] += int(r["debits"] or 0)
    flows, balance = [], opening
    for n in range(weeks):
        week = first + timedelta(weeks=n)
        sources = tuple(
            SourceFlow(key, label, from_cents(cells.get((week, key), (0, 0))[0]), from_cents(cells.get((week, key), (0, 0))[1]))
            for key, label, _ in SOURCES
        )
        inflow, outflow = sum((f.inflow for f in sources), ZERO), sum((f.outflow for f in sources), ZERO)
        balance += inflow - outflow
        flows.append(WeekFlow(week, inflow, outflow, balance, sources))
    return flows


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") else value


# -- the next payroll and how long the fund lasts ---------------------------------------


@dataclass(frozen=True)
class NextPayroll:
    """The next payroll's draw on the wage and training funds, and where the figure comes from.

    ``basis`` is "run" (a calculated pay run waiting for approval: its own totals),
    "estimate" (no run calculated yet: current rates × each active employee's typical
    hours, plus employer taxes) or "none" (nothing to go on)."""

    basis: str
    wage_draw: Decimal = ZERO
    training_draw: Decimal = ZERO
    pay_date: date | None = None
    run: PayRun | None = None
    people: int = 0
    hours: Decimal = ZERO
    employer_taxes: Decimal = ZERO

    @property
    def cost(self) -> Decimal:
        return self.wage_draw + self.training_draw

    @property
    def employer_tax_names(self) -> str:
        """The employer tax lines' labels as one phrase: 'A, B and C'."""
        names = [line.label for line in EMPLOYER_LINES]
        return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


@dataclass(frozen=True)
class PayrollOutlook:
    next: NextPayroll
    weekly_rate: Decimal  # the wage-fund draw per week at that payroll (runs are every two weeks)
    weeks_covered: Decimal | None  # how long the wage fund's balance lasts at that rate

    @property
    def next_payroll(self) -> Decimal:
        return self.next.wage_draw


TYPICAL_PERIODS = 4  # "typical hours": the last four completed pay periods (eight weeks)


def next_payroll(today: date) -> NextPayroll:
    """The payroll actually scheduled: the next calculated run, else an estimate (``NextPayroll``)."""
    from payroll.services.payruns import payrun_totals

    run = PayRun.objects.filter(status=PayRun.Status.CALCULATED).order_by("pay_date", "pk").first()
    if run is not None:
        totals = payrun_totals(run)
        return NextPayroll("run", totals.production_cost, totals.training_cost, run.pay_date, run, run.stubs.count(),
                           employer_taxes=totals.employer_taxes)
    return estimated_payroll(today)


def _next_regular_pay_date(today: date) -> date:
    from payroll.services.payruns import pay_period_containing

    start, _, pay_date = pay_period_containing(today - timedelta(days=14))
    done = set(PayRun.objects.filter(kind=PayRun.Kind.REGULAR, status__in=("approved", "paid"), period_start__gte=start)
               .values_list("period_start", flat=True))
    while pay_date < today or start in done:
        start += timedelta(days=14)
        pay_date += timedelta(days=14)
    return pay_date


def typical_hours(employee_ids: list[int], today: date) -> dict[tuple[int, str], Decimal]:
    """Hours a pay period each employee typically works, by rate kind (PTO is paid at the
    production rate): the average of the last four completed pay periods in which they
    recorded any hours, so time off or a late start does not halve the figure; someone with
    no completed period yet counts the current one so far. One query."""
    from payroll.services.payruns import pay_period_containing

    current, _, _ = pay_period_containing(today)
    since = current - timedelta(days=14 * TYPICAL_PERIODS)
    hours = defaultdict(lambda: ZERO)  # (employee, kind, period index or "current") -> hours
    periods = defaultdict(set)
    for employee_id, kind, day, h in TimeEntry.objects.filter(employee_id__in=employee_ids, date__range=(since, today)).values_list(
        "employee_id", "kind", "date", "hours"
    ):
        kind = "production" if kind == TimeEntry.Kind.PTO else kind
        period = "current" if day >= current else (day - since).days // 14
        hours[(employee_id, kind, period)] += h
        periods[employee_id].add(period)
    typical = {}
    for employee_id in employee_ids:
        done = sorted(p for p in periods[employee_id] if p != "current")
        counted = done or (["current"] if "current" in periods[employee_id] else [])
        for kind in ("production", "training"):
            total = sum((hours[(employee_id, kind, p)] for p in counted), ZERO)
            typical[(employee_id, kind)] = total / len(counted) if counted else ZERO
    return typical


def estimated_payroll(today: date) -> NextPayroll:
    """One pay period for every active employee: the hours they typically work
    (``typical_hours``) paid at today's rates, plus every employer tax line
    (payroll/tax_lines.py). Overtime and bonuses are not estimated. A fixed number of queries."""
    from payroll.services.payruns import PAY_PERIODS_PER_YEAR
    from payroll.withholding import W4, UnknownTaxYear, period_taxes

    def employer_taxes(gross, before, year):  # every employer line of payroll/tax_lines.py
        return period_taxes(gross, PAY_PERIODS_PER_YEAR, W4(), year, before, settings.STATE_UNEMPLOYMENT_RATE,
                            settings.STATE_UNEMPLOYMENT_WAGE_BASE).employer_taxes

    pay_date = _next_regular_pay_date(today)
    employees = list(
        Employee.objects.filter(hire_date__lte=today).exclude(status__in=(Employee.Status.ALUMNI, Employee.Status.TERMINATED))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).only("pk")
    )
    ids = [e.pk for e in employees]
    rates = {}
    for rate in PayRate.objects.filter(employee_id__in=ids, effective_from__lte=today).order_by("-effective_from", "-id"):
        rates.setdefault((rate.employee_id, rate.kind), rate.rate)
    typical = typical_hours(ids, today)
    ytd = dict(
        PayStub.objects.filter(employee_id__in=ids, pay_run__status__in=("approved", "paid"), pay_run__pay_date__year=pay_date.year)
        .values("employee_id").annotate(c=cents_sum("gross")).values_list("employee_id", "c")
    )
    production = training = employer = total_hours = ZERO
    people = 0
    for employee_id in ids:
        pay = {}
        for kind in ("production", "training"):
            rate = rates.get((employee_id, kind))
            pay[kind] = quantize(typical[(employee_id, kind)] * rate) if rate else ZERO
            total_hours += typical[(employee_id, kind)] if rate else ZERO
        gross = pay["production"] + pay["training"]
        if gross <= 0:
            continue
        people += 1
        before = from_cents(int(ytd.get(employee_id) or 0))
        try:
            taxes = employer_taxes(gross, before, pay_date.year)
        except UnknownTaxYear:  # next year's tables not loaded yet: this year's rates are the best guess
            taxes = employer_taxes(gross, before, today.year)
        production, training, employer = production + pay["production"], training + pay["training"], employer + taxes
    if not people:
        return NextPayroll("none", pay_date=pay_date)
    wage_draw, training_draw = allocate(production + training + employer, [production, training])
    return NextPayroll("estimate", wage_draw, training_draw, pay_date, None, people, quantize(total_hours), employer)


def payroll_outlook(balance: Decimal, today: date, scheduled: NextPayroll | None = None) -> PayrollOutlook:
    scheduled = scheduled or next_payroll(today)
    weekly = (scheduled.wage_draw / 2).quantize(Decimal("0.01"))  # biweekly runs
    if weekly <= 0:
        covered = None
    else:
        covered = max(Decimal("0"), balance / weekly).quantize(Decimal("0.1"))
    return PayrollOutlook(scheduled, weekly, covered)


def fund_warnings(wage_balance: Decimal, training_balance: Decimal, scheduled: NextPayroll) -> list[str]:
    """Plain warnings for staff: a fund below zero, or below the next payroll's draw on it."""
    warnings = []
    for label, balance, draw in (("wage fund", wage_balance, scheduled.wage_draw),
                                 ("training fund", training_balance, scheduled.training_draw)):
        if balance < 0:
            warnings.append(f"The {label} is below zero: {_usd(balance)}. Pay drawn from it is not covered.")
        elif draw > 0 and balance < draw:
            when = f" on {scheduled.pay_date:%b %-d, %Y}" if scheduled.pay_date else ""
            warnings.append(f"The {label} ({_usd(balance)}) does not cover the next payroll{when}, "
                            f"which draws {_usd(draw)} from it.")
    return warnings


def _usd(amount: Decimal) -> str:
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def journal(fund: str = WAGE_FUND):
    """Entries touching the fund, newest first, with their postings (paginate the result)."""
    return (
        JournalEntry.objects.filter(postings__account__code=fund)
        .distinct()
        .prefetch_related(Prefetch("postings", queryset=Posting.objects.select_related("account")))
        .order_by("-date", "-id")
    )


@dataclass(frozen=True)
class EntrySource:
    kind: str
    order_number: str
    description: str


def entry_source(entry: JournalEntry) -> EntrySource | None:
    """What an entry came from: the sale line or the refund (no customer details)."""
    if entry.source_type == "order_line":
        line = OrderLine.objects.select_related("order").filter(pk=entry.source_id).first()
        if line:
            return EntrySource("Sale", line.order.number, f"{line.quantity} × {line.title} at {line.unit_price}, wage content {line.wage_content} each")
    if entry.source_type == "refund":
        refund = Refund.objects.select_related("order").filter(pk=entry.source_id).first()
        if refund:
            return EntrySource("Refund", refund.order.number, f"Refund of {refund.amount} confirmed {refund.confirmed_at:%Y-%m-%d}")
    return None
