"""Reads for the wage-fund page: balance, weekly flows, the payroll rate, the journal."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.db.models.functions import TruncWeek

from payroll.models import JournalEntry, Posting
from shop.models import OrderLine, Refund
from shop.money import cents_sum, from_cents, sum_money

WAGE_FUND = "wage_fund"


def fund_balance(code: str = WAGE_FUND) -> Decimal:
    """A fund's balance, shown positive (funds are credit-normal)."""
    return -sum_money(Posting.objects.filter(account__code=code))


@dataclass(frozen=True)
class WeekFlow:
    week: date
    inflow: Decimal
    outflow: Decimal


def weekly_flows(today: date, weeks: int = 26) -> list[WeekFlow]:
    """Money into and out of the wage fund per week (Monday to Sunday), oldest first."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    rows = (
        Posting.objects.filter(account__code=WAGE_FUND, entry__date__gte=first)
        .annotate(week=TruncWeek("entry__date"))
        .values("week")
        .annotate(credits=cents_sum(filter=Q(amount__lt=0)), debits=cents_sum(filter=Q(amount__gt=0)))
    )
    by_week = {_as_date(r["week"]): r for r in rows}
    flows = []
    for n in range(weeks):
        week = first + timedelta(weeks=n)
        row = by_week.get(week, {})
        flows.append(WeekFlow(week, -from_cents(int(row.get("credits") or 0)), from_cents(int(row.get("debits") or 0))))
    return flows


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") else value


@dataclass(frozen=True)
class PayrollOutlook:
    weekly_rate: Decimal  # average weekly payroll draw on the fund over the last eight weeks
    next_payroll: Decimal  # two weeks at that rate (pay runs are biweekly)
    weeks_covered: Decimal | None  # how long the balance lasts at that rate


PAYROLL_SOURCES = ("payrun",)  # entries that draw wages (refund reversals are not payroll)


def payroll_outlook(balance: Decimal, today: date, weeks: int = 8) -> PayrollOutlook:
    since = today - timedelta(weeks=weeks)
    drawn = sum_money(
        Posting.objects.filter(
            account__code=WAGE_FUND, amount__gt=0, entry__source_type__in=PAYROLL_SOURCES, entry__date__gt=since
        )
    )
    weekly = (drawn / weeks).quantize(Decimal("0.01"))
    covered = (balance / weekly).quantize(Decimal("0.1")) if weekly > 0 else None
    return PayrollOutlook(weekly, weekly * 2, covered)


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
