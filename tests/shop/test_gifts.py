"""Gift boxes: capacity and stock, quotes with volume tiers, lead time."""
from datetime import date
from decimal import Decimal

import pytest

from shop.models import BoxSize, GiftDesign, Organisation, VolumeTier
from shop.services.gifts.quote import (
    GiftError,
    design_check_stock,
    design_set_item,
    earliest_in_hand_date,
    gift_quote,
    in_hand_date_check,
)
from tests.support.factories import ProductFactory, TaxRateFactory, VariantFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def design():
    org = Organisation.objects.create(name="Acme", slug="acme")
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=D("12.00"))
    return GiftDesign.objects.create(organisation=org, name="Speakers", size=size)


def test_capacity_is_enforced_with_a_clear_message(design):
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=2), price=D("20.00"), stock=50)
    card = VariantFactory(product=ProductFactory(name="Card set", gift_slots=1), price=D("6.00"), stock=50)
    design_set_item(design, candle.pk, 2)  # 4 slots
    design_set_item(design, card.pk, 2)  # 6 slots: full
    with pytest.raises(GiftError, match="has 6 slots and 3 × Card set .* needs 3; 2 are free"):
        design_set_item(design, card.pk, 3)
    design_set_item(design, candle.pk, 0)  # out again
    assert [(i.variant_id, i.quantity) for i in design.items.all()] == [(card.pk, 2)]


def test_stock_and_gift_availability_are_enforced(design):
    scarce = VariantFactory(product=ProductFactory(name="Duffel"), stock=1)
    with pytest.raises(GiftError, match="Only 1 of Duffel"):
        design_set_item(design, scarce.pk, 2)
    not_offered = VariantFactory(product=ProductFactory(gift_slots=0))
    with pytest.raises(GiftError, match="not offered in gift boxes"):
        design_set_item(design, not_offered.pk, 1)
    design_set_item(design, scarce.pk, 1)
    with pytest.raises(GiftError, match=r"Not enough stock for 3 boxes: Duffel .* \(needs 3, 1 in stock\)"):
        design_check_stock(design, 3)


@pytest.mark.parametrize(
    "quantity, percent",
    [(1, "0"), (24, "0"), (25, "5.00"), (99, "5.00"), (100, "10.00"), (249, "10.00"), (250, "15.00"), (1000, "15.00")],
)
def test_volume_tiers_at_their_edges(design, quantity, percent):
    for minimum, discount in ((25, "5"), (100, "10"), (250, "15")):
        VolumeTier.objects.create(min_quantity=minimum, discount_percent=D(discount))
    assert gift_quote(design, quantity).discount_percent == D(percent)


def test_a_quote_adds_up_to_the_cent(design, settings):
    settings.GIFT_LOGO_FEE, settings.GIFT_INITIALS_FEE = D("3.00"), D("2.00")
    settings.GIFT_SHIPPING_PER_RECIPIENT = D("12.00")
    VolumeTier.objects.create(min_quantity=25, discount_percent=D("5"))
    TaxRateFactory(state="FL", rate=D("0.0600"))
    design_set_item(design, VariantFactory(price=D("19.99"), stock=500).pk, 1)
    design.initials, design.logo = "MT", "logos/x.png"
    design.save()
    quote = gift_quote(design, 30, "per_recipient", "FL")
    # per box 12.00 + 19.99 + 3.00 + 2.00 = 36.99; x 30 = 1109.70; 5% = 55.485 -> 55.49
    assert (quote.box_price, quote.discount) == (D("36.99"), D("55.49"))
    assert quote.boxes_subtotal == D("1054.21")
    assert quote.shipping == D("360.00")  # 30 x 12.00
    assert quote.tax == D("63.25")  # 6% of 1054.21 = 63.2526
    assert quote.total == D("1477.46")
    with pytest.raises(GiftError, match="at least one box"):
        gift_quote(design, 0)


def test_bulk_shipping_is_one_shipment(design, settings):
    settings.GIFT_BULK_SHIPPING_BASE, settings.GIFT_BULK_SHIPPING_PER_BOX = D("40.00"), D("1.50")
    assert gift_quote(design, 100, "bulk").shipping == D("190.00")  # 40 + 100 x 1.50


def test_an_in_hand_date_too_soon_is_refused_with_the_earliest_date(settings):
    settings.GIFT_PRODUCTION_DAYS, settings.GIFT_EXTRA_DAYS_PER_100 = 10, 2
    monday = date(2026, 11, 23)
    # 10 working days after Mon Nov 23: Dec 7 (a Monday); 250 boxes add 4: Dec 11.
    assert earliest_in_hand_date(50, monday) == date(2026, 12, 7)
    assert earliest_in_hand_date(250, monday) == date(2026, 12, 11)
    in_hand_date_check(date(2026, 12, 7), 50, monday)
    with pytest.raises(GiftError, match="earliest in-hand date is Friday, Dec 11, 2026"):
        in_hand_date_check(date(2026, 12, 10), 250, monday)
