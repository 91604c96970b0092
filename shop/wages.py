"""The wage content of sales, shared by the shop's impact figures and payroll's ledger.

A line's wage total is its wage content per unit times the quantity. When part of a line
is refunded, the wage share given back is the same fraction of that total, worked out on
the running refunded amount so that every partial refund rounds without drift and a
full refund gives back exactly the wage total.
"""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from shop.platform.money import ZERO, quantize


def line_wage_total(wage_content: Decimal, quantity: int) -> Decimal:
    return quantize(wage_content * quantity)


def refunded_wage_share(wage_total: Decimal, gross: Decimal, refunded_before: Decimal, refunded_now: Decimal) -> Decimal:
    """Wage to give back for ``refunded_now`` of a line whose price plus tax is ``gross``."""
    if gross <= 0:
        return ZERO

    def share(refunded: Decimal) -> Decimal:
        return quantize(wage_total * min(refunded, gross) / gross)

    return share(refunded_before + refunded_now) - share(refunded_before)


def hours_funded(wages: Decimal) -> Decimal:
    """Hours of paid survivor work the wages pay for, at the configured average wage."""
    return (Decimal(wages) / settings.AVERAGE_HOURLY_WAGE).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def wages_funded(lines: QuerySet) -> Decimal:
    """The wages a set of paid order lines funds: their wage content less refunded shares.

    This is what the wage fund must hold for them (payroll's reconciliation uses it).
    """
    from shop.models import Refund, RefundLine

    wages, gross = {}, {}
    for pk, wage_content, quantity, line_total, discount, tax in lines.values_list(
        "pk", "wage_content", "quantity", "line_total", "discount", "tax"
    ).iterator():
        wages[pk] = line_wage_total(wage_content, quantity)
        gross[pk] = line_total - discount + tax
    funded = sum(wages.values(), ZERO)
    refunded_so_far: dict[int, Decimal] = defaultdict(lambda: ZERO)
    refund_lines = (
        RefundLine.objects.filter(refund__status=Refund.Status.SUCCEEDED, order_line__in=lines)
        .order_by("refund_id", "id")
        .values_list("order_line_id", "amount")
    )
    for line_id, amount in refund_lines.iterator():
        funded -= refunded_wage_share(wages[line_id], gross[line_id], refunded_so_far[line_id], amount)
        refunded_so_far[line_id] += amount
    return funded


def gift_boxes_wages(order, boxes: int) -> Decimal:
    """The wages ``boxes`` boxes of a gift order carry: each line's wage content per box, and
    the assembly labour. What a paid order credits for all its boxes, and what its unclaimed
    gifts, settled as credit or a card refund (never made), take back."""
    if boxes <= 0:
        return ZERO
    wages = sum((line_wage_total(line.wage_content, line.per_box * boxes) for line in order.lines.all()), ZERO)
    return wages + line_wage_total(order.assembly_wage, boxes)


def design_box_wages(design, assembly_wage: Decimal) -> Decimal:
    """The wages one box of ``design`` carries as made today: its items' wage content and the
    assembly labour per box (a recipient's alternative box, against ``gift_boxes_wages(order, 1)``)."""
    wages = sum((line_wage_total(item.variant.product.wage_content, item.quantity)
                 for item in design.items.select_related("variant__product")), ZERO)
    return wages + line_wage_total(assembly_wage, 1)


def gift_wages_funded(orders) -> Decimal:
    """The wages paid gift orders fund: every line's wage content per box, and assembly labour,
    less the boxes of unclaimed gifts cancelled at the claim expiry (they are never made), plus
    what each claimed alternative box carries more (or less) than the ordered one: the boxes
    as chosen."""
    from shop.models import GiftClaim

    cancelled = Count("claim_campaign__claims", filter=Q(claim_campaign__claims__status="cancelled"))
    funded = ZERO
    for order in orders.annotate(unclaimed_cancelled=cancelled).prefetch_related("lines"):
        funded += gift_boxes_wages(order, order.quantity) - gift_boxes_wages(order, order.unclaimed_cancelled)
    adjusted = GiftClaim.objects.filter(campaign__order__in=orders, status=GiftClaim.Status.CLAIMED)
    return funded + (adjusted.aggregate(total=Sum("wage_adjustment"))["total"] or ZERO)
