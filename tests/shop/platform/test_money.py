from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.platform.money import allocate, from_cents, quantize, to_cents

cents_amounts = st.integers(min_value=-10_000_000, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
weights = st.lists(
    st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False), min_size=1, max_size=30
)


def test_quantize_rounds_half_up_to_the_cent():
    assert quantize(Decimal("2.675")) == Decimal("2.68")
    assert quantize(Decimal("2.665")) == Decimal("2.67")
    assert quantize(Decimal("-2.675")) == Decimal("-2.68")
    assert quantize("10") == Decimal("10.00")


def test_quantize_refuses_floats():
    with pytest.raises(TypeError):
        quantize(1.1)


def test_cents_round_trip_and_refuse_fractions():
    assert to_cents(Decimal("19.99")) == 1999
    assert from_cents(1999) == Decimal("19.99")
    with pytest.raises(ValueError):
        to_cents(Decimal("0.001"))
    with pytest.raises(TypeError):
        from_cents(19.99)


def test_allocate_largest_remainder_example():
    # 100.00 in thirds: 33.33 each, the cent left over goes to the first (ties go first).
    assert allocate(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    # 10.00 by 1:2:2 -> 2.00, 4.00, 4.00 exactly.
    assert allocate(Decimal("10.00"), [1, 2, 2]) == [Decimal("2.00"), Decimal("4.00"), Decimal("4.00")]
    # 0.05 by 3:1 -> exact shares 3.75 and 1.25 cents: floors 3 and 1, the spare cent goes to 0.75.
    assert allocate(Decimal("0.05"), [3, 1]) == [Decimal("0.04"), Decimal("0.01")]


def test_allocate_zero_weights_split_equally_and_bad_weights_refused():
    assert allocate(Decimal("0.03"), [0, 0, 0]) == [Decimal("0.01")] * 3
    with pytest.raises(ValueError):
        allocate(Decimal("1.00"), [])
    with pytest.raises(ValueError):
        allocate(Decimal("1.00"), [1, -1])


@given(total=cents_amounts, weights=weights)
def test_allocate_always_sums_to_the_total(total, weights):
    parts = allocate(total, weights)
    assert sum(parts, Decimal("0")) == total
    assert len(parts) == len(weights)
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)


@given(total=cents_amounts, weights=weights)
def test_allocate_parts_are_within_a_cent_of_the_exact_share(total, weights):
    parts = allocate(total, weights)
    weight_sum = sum(weights) or None
    for part, weight in zip(parts, weights):
        exact = total * weight / weight_sum if weight_sum else total / len(weights)
        assert abs(part - exact) < Decimal("0.01")
        # Every part carries the sign of the total (or is zero).
        assert part == 0 or (part > 0) == (total > 0)


@pytest.mark.django_db
def test_sum_money_is_exact_on_every_database():
    from shop.models import ProductVariant
    from shop.platform.money import sum_money
    from tests.support.factories import VariantFactory

    for _ in range(30):
        VariantFactory(price=Decimal("19.99"))
    VariantFactory(price=Decimal("0.10"))
    assert sum_money(ProductVariant.objects.all(), "price") == Decimal("599.80")
    assert sum_money(ProductVariant.objects.none(), "price") == Decimal("0.00")
