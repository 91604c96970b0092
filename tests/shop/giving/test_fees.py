"""Cover-the-fees: the smallest extra that leaves the organisation the whole gift, to the cent."""
from decimal import Decimal

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from shop.services.donations import fee_cover, processing_fee

CENT = Decimal("0.01")


@pytest.mark.parametrize("gift, extra", [
    ("1.00", "0.34"),      # 1.34 - (0.038860 + 0.30 -> 0.34) = 1.00
    ("10.00", "0.61"),     # 10.61 - 0.61 = 10.00
    ("25.00", "1.06"),     # 26.06 - 1.06 = 25.00
    ("50.00", "1.80"),  # 51.80 * 2.9% = 1.5022 + 0.30 -> 1.80,
    ("100.00", "3.30"),
    ("250.00", "7.78"),
    ("100000.00", "2986.92"),
])
def test_known_amounts(gift, extra):
    gift, extra = Decimal(gift), Decimal(extra)
    assert fee_cover(gift) == extra
    total = gift + extra
    assert total - processing_fee(total) == gift


@hsettings(max_examples=300, deadline=None)
@given(st.integers(min_value=100, max_value=10_000_000))
def test_the_org_nets_the_gift_and_a_cent_less_would_not(cents):
    gift = Decimal(cents) / 100
    total = gift + fee_cover(gift)
    assert total - processing_fee(total) >= gift
    smaller = total - CENT
    assert smaller - processing_fee(smaller) < gift
    assert fee_cover(gift) == fee_cover(gift).quantize(CENT) and fee_cover(gift) > 0


def test_fee_setting_is_used(settings):
    settings.DONATION_FEE_PERCENT = Decimal("0")
    settings.DONATION_FEE_FIXED = Decimal("0.00")
    assert fee_cover(Decimal("40.00")) == Decimal("0.00")
    settings.DONATION_FEE_PERCENT = Decimal("5")
    settings.DONATION_FEE_FIXED = Decimal("0.50")
    total = Decimal("40.00") + fee_cover(Decimal("40.00"))
    assert total == Decimal("42.63")  # 42.63 * 5% = 2.1315 + 0.50 -> 2.63; 42.63 - 2.63 = 40.00
    assert Decimal("42.62") - processing_fee(Decimal("42.62")) < Decimal("40.00")
