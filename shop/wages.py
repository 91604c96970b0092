"""The wage content of sales, shared by the shop's impact figures and payroll's ledger.

A line's wage total is its wage content per unit times the quantity. When part of a line
is refunded, the wage share given back is the same fraction of that total, worked out on
the running refunded amount so that every partial refund rounds without drift and a
full refund gives back exactly the wage total.
"""
from decimal import Decimal

from django.conf import settings

from shop.money import ZERO, quantize


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
    return (Decimal(wages) / settings.AVERAGE_HOURLY_WAGE).quantize(Decimal("0.1"))
