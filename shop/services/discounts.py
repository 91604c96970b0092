"""Discount codes: saved by staff, redeemed in the order's transaction.

Redeeming is two steps inside ``shop.services.orders.order_place``'s transaction:
``discounts_lock`` locks the codes' rows (after the stock rows, each in primary-key order,
so checkouts cannot deadlock) and checks them, counting their uses only once it holds the
lock, so a code with one use left is taken by exactly one of any number of concurrent
checkouts; ``discounts_record`` writes what the price calculation took off (the order's
snapshot, which is also the use). Any refusal rolls the whole order back.
"""
from collections.abc import Sequence

from django.db import transaction

from shop.models import DiscountCode, Order, OrderDiscount, OrderDiscountLine, OrderLine
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.pricing import CodeDiscount, PriceBreakdown
from shop.selectors.discounts import (
    as_discount,
    breakdown_problem,
    code_problem,
    codes_read,
    combination_problem,
    unknown_message,
)


class DiscountError(DomainError):
    pass


def discounts_lock(codes: Sequence[str], *, email: str, user=None) -> tuple[list[DiscountCode], list[CodeDiscount]]:
    """Lock and check the codes typed; their ``CodeDiscount``s for the price calculation.

    Call inside the order's transaction. Raises ``DiscountError`` saying what is wrong."""
    if not codes:
        return [], []
    rows, unknown = codes_read(codes, lock=True)
    if unknown:
        raise DiscountError(unknown_message(unknown[0]))
    problem = combination_problem(rows)
    for row in rows:
        problem = problem or code_problem(row, email=email, user=user)
    if problem:
        raise DiscountError(problem)
    return rows, [as_discount(row) for row in rows]


def discounts_record(order: Order, rows: Sequence[DiscountCode], breakdown: PriceBreakdown,
                     lines: Sequence[OrderLine]) -> list[OrderDiscount]:
    """Snapshot each code's part of ``breakdown`` on ``order`` (``lines`` in the breakdown's order)."""
    problem = breakdown_problem(breakdown)
    if problem:
        raise DiscountError(problem)
    by_code = {row.code: row for row in rows}
    applied = [a for a in breakdown.discounts if isinstance(a.discount, CodeDiscount) and a.discount.code in by_code]
    made = []
    for position, entry in enumerate(applied):
        row = by_code[entry.discount.code]
        use = OrderDiscount.objects.create(
            order=order, discount_code=row, code=row.code, kind=row.kind, label=entry.discount.label[:200],
            amount=entry.amount, shipping_amount=entry.shipping_amount, position=position,
        )
        OrderDiscountLine.objects.bulk_create(
            OrderDiscountLine(order_discount=use, order_line=line, amount=part)
            for line, part in zip(lines, entry.lines) if part
        )
        made.append(use)
    return made


@transaction.atomic
def discount_code_save(row: DiscountCode, staff_user=None, created: bool = False) -> DiscountCode:
    """Save a code as staff set it up (checked by ``DiscountCode.clean``), on the audit trail."""
    row.full_clean(exclude=["products", "categories"])
    row.save()
    audit_record("discount_code.added" if created else "discount_code.changed", actor=staff_user, target=row,
                 code=row.code, kind=row.kind, value=row.value)
    return row
