"""Reconciliation: what the wage fund must hold, from shop's paid lines and refunds,
against what the ledger holds, account by account."""
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from payroll.models import Account, Posting
from payroll.services.wage_fund import (
    CLEARING,
    DONATIONS,
    WAGE_FUND,
    claim_alternatives_unposted,
    donations_unposted,
    gift_orders_unposted,
    unclaimed_gifts_unposted,
    wage_fund_unposted,
)
from shop.platform import mail
from shop.models import Donation, GiftOrder, OrderLine
from shop.models.giving import WAGE_FUND_DESIGNATIONS
from shop.models.orders import PAID_STATES
from shop.platform.money import ZERO, cents_sum, from_cents
from shop.platform.roles import PAYROLL_STAFF
from shop.templatetags.money import usd
from shop.wages import gift_wages_funded, wages_funded

logger = logging.getLogger(__name__)

SALES_SOURCES = ("order_line", "refund", "gift_line", "gift_assembly", "gift_unclaimed", "gift_alternative")
DONATION_SOURCES = ("donation", "donation_refund")


@dataclass(frozen=True)
class AccountCheck:
    """Expected and actual sums of an account's postings (signed: debit +, credit -)."""

    code: str
    name: str
    expected: Decimal
    actual: Decimal
    credit_normal: bool = False

    @property
    def difference(self) -> Decimal:
        return self.actual - self.expected

    def shown(self, amount: Decimal) -> Decimal:
        """As a balance reads: a credit-normal account's credits are positive."""
        return -amount if self.credit_normal else amount


@dataclass
class Reconciliation:
    accounts: list[AccountCheck] = field(default_factory=list)
    unbalanced_entries: list[tuple[int, Decimal]] = field(default_factory=list)
    uncredited_orders: list[int] = field(default_factory=list)
    uncredited_gift_orders: list[int] = field(default_factory=list)
    unreversed_refunds: list[int] = field(default_factory=list)
    unreversed_unclaimed_gifts: list[str] = field(default_factory=list)
    unposted_alternatives: list[int] = field(default_factory=list)
    uncredited_donations: list[int] = field(default_factory=list)
    unreversed_donations: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            any(a.difference for a in self.accounts)
            or self.unbalanced_entries
            or self.uncredited_orders
            or self.uncredited_gift_orders
            or self.unreversed_refunds
            or self.unreversed_unclaimed_gifts
            or self.unposted_alternatives
            or self.uncredited_donations
            or self.unreversed_donations
        )

    def lines(self) -> list[str]:
        out = [f"{'account (balance)':<38}{'expected':>14}{'ledger':>14}{'difference':>14}"]
        for a in self.accounts:
            out.append(f"{a.name:<38}{usd(a.shown(a.expected)):>14}{usd(a.shown(a.actual)):>14}"
                       f"{usd(a.shown(a.difference)):>14}")
        for entry_id, total in self.unbalanced_entries:
            out.append(f"Entry {entry_id} does not balance: its postings sum to {usd(total)}")
        if self.uncredited_orders:
            out.append(f"Paid orders not yet credited: {', '.join(map(str, self.uncredited_orders[:50]))}")
        if self.uncredited_gift_orders:
            out.append(f"Paid gift orders not yet credited: {', '.join(map(str, self.uncredited_gift_orders[:50]))}")
        if self.unreversed_refunds:
            out.append(f"Confirmed refunds not yet reversed: {', '.join(map(str, self.unreversed_refunds[:50]))}")
        if self.unreversed_unclaimed_gifts:
            out.append("Gift orders whose unclaimed gifts' wages are not yet taken back: "
                       f"{', '.join(map(str, self.unreversed_unclaimed_gifts[:50]))}")
        if self.unposted_alternatives:
            out.append("Claimed alternative boxes whose wage difference is not yet posted (claims): "
                       f"{', '.join(map(str, self.unposted_alternatives[:50]))}")
        if self.uncredited_donations:
            out.append(f"Paid designated wage gifts with no credit entry: {', '.join(self.uncredited_donations[:50])}")
        if self.unreversed_donations:
            out.append(f"Refunded designated wage gifts with no reversal: {', '.join(self.unreversed_donations[:50])}")
        out.append("The wage fund reconciles." if self.ok else "The wage fund does NOT reconcile.")
        return out


def wage_fund_reconcile() -> Reconciliation:
    report = Reconciliation()
    held = wages_funded(OrderLine.objects.filter(order__state__in=PAID_STATES))
    held += gift_wages_funded(GiftOrder.objects.filter(paid_at__isnull=False))
    # Only what sales and refunds put in or took out: payroll draws and opening balances
    # move the fund too, but the shop's records say nothing about them.
    actual = {
        code: from_cents(int(cents))
        for code, cents in Posting.objects.filter(entry__source_type__in=SALES_SOURCES)
        .values_list("account__code")
        .annotate(cents=cents_sum("amount"))
    }
    names = dict(Account.objects.filter(code__in=[WAGE_FUND, CLEARING]).values_list("code", "name"))
    # Signed as the ledger stores them: the fund is credited (negative), clearing debited.
    for code, expected, credit_normal in ((WAGE_FUND, -held, True), (CLEARING, held, False)):
        report.accounts.append(AccountCheck(code, names.get(code, code), expected, actual.get(code) or ZERO, credit_normal))
    report.unbalanced_entries = [
        (row["entry"], from_cents(int(row["cents"])))
        for row in Posting.objects.values("entry").annotate(cents=cents_sum("amount")).exclude(cents=0).order_by("entry")
    ]
    report.uncredited_orders, report.unreversed_refunds = wage_fund_unposted()
    report.uncredited_gift_orders = gift_orders_unposted()
    unreversed = unclaimed_gifts_unposted()
    report.unreversed_unclaimed_gifts = sorted(
        GiftOrder.objects.filter(claim_campaign__in=unreversed).values_list("number", flat=True))
    report.unposted_alternatives = claim_alternatives_unposted()
    _reconcile_designated_gifts(report, names)
    return report


def _reconcile_designated_gifts(report: Reconciliation, names: dict) -> None:
    """Gifts designated for survivor wages and job training against their own ledger entries.

    Each paid one must have its credit (``donation:<id>:credit``); each refunded one that
    was credited, its reversal. The designated-gift part of the wage fund must hold the
    gifts still kept, and the ``designated_donations`` account the same on the other side.
    """
    kept = Donation.objects.filter(fund__in=WAGE_FUND_DESIGNATIONS, status=Donation.Status.PAID, paid_at__isnull=False)
    held = from_cents(int(kept.aggregate(cents=cents_sum("amount"))["cents"] or 0))
    actual = {
        code: from_cents(int(cents))
        for code, cents in Posting.objects.filter(entry__source_type__in=DONATION_SOURCES)
        .values_list("account__code")
        .annotate(cents=cents_sum("amount"))
    }
    names = {**names, **dict(Account.objects.filter(code=DONATIONS).values_list("code", "name"))}
    report.accounts.append(AccountCheck(WAGE_FUND, f"{names.get(WAGE_FUND, WAGE_FUND)} (designated gifts)", -held,
                                        actual.get(WAGE_FUND) or ZERO, True))
    report.accounts.append(AccountCheck(DONATIONS, names.get(DONATIONS, DONATIONS), held, actual.get(DONATIONS) or ZERO))
    uncredited, unreversed = donations_unposted()
    numbers = dict(Donation.objects.filter(pk__in=uncredited + unreversed).values_list("pk", "number"))
    report.uncredited_donations = [numbers[pk] for pk in uncredited]
    report.unreversed_donations = [numbers[pk] for pk in unreversed]


def _email_payroll_staff(subject: str, template: str, context: dict) -> None:
    from shop.models import User

    recipients = list(
        User.objects.filter(groups__name=PAYROLL_STAFF, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if recipients:
        mail.send(to=recipients, subject=subject, template=f"payroll/email/{template}", context=context)


def wage_fund_reconcile_and_alert() -> bool:
    """Run the reconciliation; e-mail payroll staff when it does not hold. Returns ok."""
    report = wage_fund_reconcile()
    if not report.ok:
        _email_payroll_staff("Wage fund reconciliation found differences", "reconcile_alert", {"lines": report.lines()})
    return report.ok


def fund_levels_check_and_alert(today=None) -> list[str]:
    """The nightly look at the funds: below zero, or short of the next payroll's draw, is
    logged and e-mailed to payroll staff (the same warnings the staff pages show)."""
    from django.urls import reverse
    from django.utils import timezone

    from payroll.selectors.wage_fund import fund_balance, fund_warnings, next_payroll

    today = today or timezone.localdate()
    warnings = fund_warnings(fund_balance("wage_fund"), fund_balance("training_fund"), next_payroll(today))
    if warnings:
        logger.warning("Fund levels need attention: %s", " ".join(warnings))
        _email_payroll_staff("The wage and training funds need attention", "fund_levels_alert",
                             {"warnings": warnings, "link": f"{settings.SITE_URL}{reverse('payroll:wage_fund')}"})
    return warnings
