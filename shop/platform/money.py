"""Money: Decimal dollars with two places, ROUND_HALF_UP, and exact splits.

Integer cents appear only at the Stripe boundary (``to_cents`` / ``from_cents``).
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def quantize(amount: Decimal | int | str) -> Decimal:
    """Round to the cent, half up. Floats are refused: they cannot hold money exactly."""
    if isinstance(amount, float):
        raise TypeError("money must not be a float; pass a Decimal, int or str")
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """Dollars (Decimal) to integer cents for Stripe. The amount must already be whole cents."""
    q = quantize(amount)
    if q != Decimal(amount):
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(q * 100)


def from_cents(cents: int) -> Decimal:
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError("cents must be an int")
    return (Decimal(cents) / 100).quantize(CENT)


def allocate(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` so the parts sum to it exactly.

    Largest-remainder method over whole cents: each part gets the floor of its exact
    share, and the cents left over go one each to the parts with the largest remainders
    (earliest first on ties). Negative totals (reversals) split the same way with the
    sign carried through. All-zero weights split equally.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    weights = [Decimal(w) for w in weights]
    if any(not w.is_finite() or w < 0 for w in weights):
        raise ValueError("weights must be finite and not negative")
    total = quantize(total)
    sign = -1 if total < 0 else 1
    cents = abs(to_cents(total))
    # Scale the weights to integers so every step below is exact integer arithmetic.
    places = max(max(-w.as_tuple().exponent, 0) for w in weights)
    int_weights = [int(w.scaleb(places)) for w in weights]
    if sum(int_weights) == 0:
        int_weights = [1] * len(int_weights)
    weight_sum = sum(int_weights)
    floors = [cents * w // weight_sum for w in int_weights]
    remainders = [cents * w % weight_sum for w in int_weights]
    left = cents - sum(floors)
    by_remainder = sorted(range(len(floors)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [from_cents(sign * c) for c in floors]


def cents_sum(field: str = "amount", **extra):
    """An aggregate summing a money column in whole cents, exact on every database.

    SQLite keeps decimals as floats, so a plain ``Sum`` there can come back as 99.6600000000001.
    Use with ``from_cents`` (see ``sum_money``) or in ``values().annotate()``.
    """
    from django.db.models import F, Sum
    from django.db.models.functions import Round

    return Sum(Round(F(field) * 100), **extra)


def sum_money(queryset, field: str = "amount") -> Decimal:
    total = queryset.aggregate(cents=cents_sum(field))["cents"]
    return from_cents(int(total or 0))
