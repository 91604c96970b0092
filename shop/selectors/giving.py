"""Reads for the giving pages and reports. Sums are taken in whole cents (exact on SQLite too)."""
import calendar
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth

from shop.models import Donation, Donor, Fund, Receipt, RecurringGift
from shop.platform.money import ZERO, cents_sum, from_cents, sum_money

PAID = Donation.Status.PAID


def verified_emails(user) -> list[str]:
    """The user's e-mail addresses that are verified (allauth): only these match a donor."""
    if not user.is_authenticated:
        return []
    from allauth.account.models import EmailAddress

    return [e.lower() for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)]


def donors_for_user(user):
    return Donor.objects.filter(email__in=verified_emails(user))


def _owned(user, prefix: str = "") -> Q:
    """The gifts that are the user's: made while signed in to this account, or given with one of
    its verified e-mail addresses. ``prefix`` reaches a gift from a related row (``donation__``)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(**{f"{prefix}user": user}) | Q(**{f"{prefix}donor__email__in": verified_emails(user)})


def donor_history(user) -> dict:
    donors = list(donors_for_user(user))
    donations = (
        Donation.objects.filter(_owned(user)).exclude(status=Donation.Status.PENDING)
        .prefetch_related("receipts").order_by("-created_at", "-id")
    )
    rows = []
    for donation in donations:
        receipt = next((r for r in donation.receipts.all() if r.voided_at is None), None)
        rows.append((donation, receipt))
    recurring = RecurringGift.objects.filter(_owned(user)).exclude(status=RecurringGift.Status.INCOMPLETE)
    return {"donors": donors, "gifts": rows, "recurring": list(recurring), "has_unverified": user.is_authenticated
            and user.email and user.email.lower() not in verified_emails(user)}


def receipt_for_user(user, number: str) -> Receipt | None:
    return Receipt.objects.select_related("donation").filter(_owned(user, "donation__"), number=number).first()


def recurring_for_user(user, number: str) -> RecurringGift | None:
    return RecurringGift.objects.select_related("donor").filter(_owned(user), number=number).first()


@dataclass(frozen=True)
class FundTotal:
    fund: str
    label: str
    gifts: int
    received: Decimal
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


def fund_totals(year: int | None = None) -> list[FundTotal]:
    """Per designation: gifts (the amount the organisation nets) received, and refunded since."""
    qs = Donation.objects.filter(paid_at__isnull=False)
    if year:
        qs = qs.filter(paid_at__year=year)
    rows = {
        r["fund"]: r for r in qs.values("fund").annotate(
            n=Count("id"), received=cents_sum("amount"),
            refunded=cents_sum("amount", filter=Q(status=Donation.Status.REFUNDED)),
        )
    }
    out = []
    for value, label in Fund.choices:
        r = rows.get(value, {})
        out.append(FundTotal(value, label, r.get("n", 0), from_cents(int(r.get("received") or 0)),
                             from_cents(int(r.get("refunded") or 0))))
    return out


def monthly_totals(year: int) -> list[tuple[int, int, Decimal]]:
    """(month, gifts, total charged) for each month of the year with paid gifts kept (not refunded)."""
    rows = (
        Donation.objects.filter(status=PAID, paid_at__year=year).annotate(month=ExtractMonth("paid_at"))
        .values("month").annotate(n=Count("id"), cents=cents_sum("total")).order_by("month")
    )
    by_month = {r["month"]: (r["n"], from_cents(int(r["cents"] or 0))) for r in rows}
    return [(m, *by_month.get(m, (0, ZERO))) for m in range(1, 13)]


def monthly_recurring_revenue() -> tuple[int, Decimal]:
    """Monthly gifts still charging (active, or past due and being retried): how many, and their monthly gifts."""
    active = RecurringGift.objects.filter(status__in=(RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE))
    return active.count(), sum_money(active, "amount")


NO_CIRCLE = "No circle"


@dataclass(frozen=True)
class CircleTotal:
    name: str
    gifts: int
    amount: Decimal


def circle_totals(year: int) -> list[CircleTotal]:
    """Paid gifts of the year (refunded ones left out) by giving circle, by name; "No circle" last.

    ``amount`` is the gift the organisation nets, as for the funds. Circles with no gift that
    year are not listed.
    """
    rows = (
        Donation.objects.filter(status=PAID, paid_at__year=year)
        .values("circle_id", "circle__name").annotate(n=Count("id"), cents=cents_sum("amount"))
    )
    named, none = [], None
    for r in rows:
        total = CircleTotal(r["circle__name"] or NO_CIRCLE, r["n"], from_cents(int(r["cents"] or 0)))
        if r["circle_id"] is None:
            none = total
        else:
            named.append(total)
    named.sort(key=lambda t: (t.name.lower(), t.name))
    return named + ([none] if none else [])


def donor_retention(year: int) -> dict:
    """Donors of the year before who gave again this year."""
    def donors(y):
        return set(Donation.objects.filter(status=PAID, paid_at__year=y).values_list("donor_id", flat=True))

    before, now = donors(year - 1), donors(year)
    kept = before & now
    rate = (Decimal(len(kept) * 100) / len(before)).quantize(Decimal("0.1")) if before else None
    return {"previous": len(before), "current": len(now), "retained": len(kept), "new": len(now - before), "rate": rate}


def giving_report(year: int) -> dict:
    mrr_count, mrr = monthly_recurring_revenue()
    months = monthly_totals(year)
    return {
        "year": year,
        "funds": fund_totals(year),
        "all_time_funds": fund_totals(),
        "months": months,
        "month_rows": [(calendar.month_name[m], n, total) for m, n, total in months],
        "circles": circle_totals(year),
        "mrr_count": mrr_count,
        "mrr": mrr,
        "arr": mrr * 12,
        "retention": donor_retention(year),
        "year_total": sum_money(Donation.objects.filter(status=PAID, paid_at__year=year), "total"),
    }


def report_rows(year: int):
    """Every gift paid in the year, for the CSV export."""
    return (
        Donation.objects.filter(paid_at__year=year, paid_at__isnull=False).select_related("donor", "circle")
        .prefetch_related("receipts").order_by("paid_at", "id")
    )


def donations_by_month_and_fund(year: int) -> dict:
    out = defaultdict(lambda: ZERO)
    rows = (Donation.objects.filter(status=PAID, paid_at__year=year).annotate(month=ExtractMonth("paid_at"))
            .values("month", "fund").annotate(cents=cents_sum("amount")))
    for r in rows:
        out[(r["month"], r["fund"])] = from_cents(int(r["cents"] or 0))
    return out
