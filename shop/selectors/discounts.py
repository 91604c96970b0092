"""Discount codes read for checkout: the codes typed, found in one query (two with their
products and categories), read into the price calculation's ``CodeDiscount``, and the rules
that say why a code cannot be used (a sentence the customer reads, or None).

No arithmetic happens here: what a code takes off is ``shop.pricing``'s to work out.
"""
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from shop.models import DiscountCode, Order, OrderDiscount
from shop.models.discounts import normalise_code
from shop.pricing import CodeDiscount, PriceBreakdown
from shop.templatetags.money import usd

MAX_CODES = 3


def parse_codes(text: str) -> list[str]:
    """The codes in what the customer typed (separated by commas or spaces), each once, in order."""
    codes = []
    for part in (text or "").replace(",", " ").split():
        code = normalise_code(part)
        if code and code not in codes:
            codes.append(code)
    return codes


def codes_read(codes: Sequence[str], *, lock: bool = False) -> tuple[list[DiscountCode], list[str]]:
    """The active codes among ``codes`` (in the order typed) and the ones that are not codes.

    ``lock`` (inside the order's transaction) locks the codes' rows, in primary-key order."""
    wanted = [normalise_code(code) for code in codes]
    rows = DiscountCode.objects.filter(code__in=wanted, is_active=True).prefetch_related("products", "categories")
    if lock:
        rows = rows.select_for_update(of=("self",)).order_by("pk")
    found = {row.code: row for row in rows}
    return [found[code] for code in wanted if code in found], [code for code in wanted if code not in found]


def as_discount(row: DiscountCode) -> CodeDiscount:
    label = f"{row.code} ({row.description})" if row.description else row.code
    return CodeDiscount(
        code=row.code, kind=row.kind, value=row.value, minimum=row.minimum_spend,
        products=frozenset(p.pk for p in row.products.all()), categories=frozenset(c.pk for c in row.categories.all()),
        combinable=row.combinable, label=label,
    )


def live_uses(row: DiscountCode):
    """The code's uses that count: on orders not cancelled (an unpaid order that lapsed gives its use back)."""
    return OrderDiscount.objects.filter(discount_code=row).exclude(order__state=Order.State.CANCELLED)


def customer_uses(row: DiscountCode, email: str, user=None):
    who = Q(order__email__iexact=(email or "").strip())
    if user is not None and getattr(user, "is_authenticated", False):
        who |= Q(order__user=user)
    return live_uses(row).filter(who)


def code_problem(row: DiscountCode, *, email: str = "", user=None, now=None) -> str | None:
    """Why ``row`` cannot be used now by this customer, or None. Counts uses (two queries when limited)."""
    now = now or timezone.now()
    if row.starts_at and now < row.starts_at:
        return f"The code {row.code} can be used from {timezone.localtime(row.starts_at):%B %-d, %Y}."
    if row.ends_at and now >= row.ends_at:
        return f"The code {row.code} has expired."
    if row.usage_limit is not None and live_uses(row).count() >= row.usage_limit:
        return f"The code {row.code} has been used up."
    if row.per_customer_limit is not None and (email or user) and \
            customer_uses(row, email, user).count() >= row.per_customer_limit:
        return f"You have already used the code {row.code}."
    return None


def combination_problem(rows: Sequence[DiscountCode]) -> str | None:
    if len(rows) > MAX_CODES:
        return f"At most {MAX_CODES} codes can be used on one order."
    if len(rows) > 1:
        alone = [row.code for row in rows if not row.combinable]
        if alone:
            return f"The code {alone[0]} cannot be combined with another code."
    return None


@dataclass(frozen=True)
class CodeCheck:
    """The codes typed at checkout, checked: their discounts, or the problem to show on the field."""

    discounts: list[CodeDiscount]
    problem: str | None = None
    unknown: int = 0  # how many were no code at all (these count against the rate limit)


def codes_check(codes: Sequence[str], *, email: str = "", user=None) -> CodeCheck:
    """Check the codes typed (without locking: ``shop.services.discounts.discounts_lock`` checks
    again when the order is placed)."""
    if not codes:
        return CodeCheck([])
    rows, unknown = codes_read(codes)
    if unknown:
        return CodeCheck([], unknown_message(unknown[0]), len(unknown))
    problem = combination_problem(rows)
    for row in rows:
        problem = problem or code_problem(row, email=email, user=user)
    return CodeCheck([] if problem else [as_discount(row) for row in rows], problem)


def unknown_message(code: str) -> str:
    return f"{code} is not a discount code we know. Check the spelling."


def breakdown_problem(breakdown: PriceBreakdown) -> str | None:
    """A code the calculation could not apply: nothing in the cart it is for, or under its minimum spend."""
    for applied in breakdown.discounts:
        discount = applied.discount
        if not isinstance(discount, CodeDiscount):
            continue
        if applied.base <= 0:
            if any(discount.applies_to(priced.line) and priced.total > 0 for priced in breakdown.lines):
                return (f"The code {discount.code} has nothing left to take off: the codes before it already "
                        "take the whole price of the items it is for.")
            return f"The code {discount.code} does not apply to anything in your cart."
        if not discount.qualifies(applied.base):
            return (f"The code {discount.code} needs {usd(discount.minimum)} of the items it applies to; "
                    f"your cart has {usd(applied.base)}.")
    return None
