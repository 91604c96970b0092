"""The last of an alternative box, picked by ten recipients at once on PostgreSQL: exactly one
gets it (``stock.claim_box_swap`` takes it with the variants' rows locked), the
others are refused with the reason and their gifts stay open; the stock never goes below 0."""
import pytest
from django.db import connection

from shop.models import GiftClaim, ProductVariant
from shop.services.gifts import claims
from tests.support.concurrency import at_once
from tests.shop.test_gift_claims import HOME, TODAY, alternatives_of, links_of, place, shop, token_of  # noqa: F401

RECIPIENTS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_recipients_picking_the_last_alternative_at_once_one_gets_it(shop):  # noqa: F811
    assert connection.vendor == "postgresql"
    boxes, card, _pouch = alternatives_of(shop, card_stock=1)
    order = place(shop, quantity=RECIPIENTS, alternatives=list(boxes.values()))
    tokens = [token_of(link) for link in links_of(order).values()]
    claimed, refused, errors = at_once(
        lambda token: claims.claim_accept(token, HOME, design_id=boxes["Candle and card"].pk, today=TODAY), tokens,
        refused_by=(claims.ClaimError,))
    assert errors == []
    assert len(claimed) == 1 and len(refused) == RECIPIENTS - 1
    assert all("“Candle and card” is out of stock" in message for message in refused)
    assert ProductVariant.objects.get(pk=card.pk).stock == 0  # 1 - 1, never below
    statuses = list(GiftClaim.objects.filter(campaign__order=order).values_list("status", flat=True))
    assert sorted(statuses) == ["claimed"] + ["open"] * (RECIPIENTS - 1)
