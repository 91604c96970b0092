"""One gift card with $50.00 on it, spent by 10 checkouts of $40.00 at once on PostgreSQL: the
card pays $50.00 in all and never more (``shop/services/giftcards.py`` reads the balance with
the card's row locked): one order takes $40.00, one the $10.00 left, the rest are refused."""
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from shop.models import GiftCard, Order, Payment
from shop.selectors.giftcards import balance
from shop.services.giftcards import GiftCardError, gift_card_create, gift_card_issue
from shop.services.orders import CheckoutDetails, order_place
from tests.support.concurrency import at_once, one_product_carts
from tests.support.factories import ShippingMethodFactory

CHECKOUTS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_checkouts_never_spend_more_than_the_card_holds():
    assert connection.vendor == "postgresql"
    method = ShippingMethodFactory(price=Decimal("0.00"))
    # A product each, so that no stock row serialises the checkouts: only the card's lock can.
    _variants, carts = one_product_carts(CHECKOUTS, Decimal("40.00"))
    card = gift_card_create(Decimal("50.00"), buyer_email="b@example.org", deliver_on=timezone.localdate())
    GiftCard.objects.filter(pk=card.pk).update(emailed_at=timezone.now())
    gift_card_issue(card.pk)
    details = CheckoutDetails(email="b@example.org", name="B", shipping_method=method, line1="1 A St",
                              city="Boston", state="MA", postal_code="02109")  # untaxed: 40.00 each
    placed, refused, errors = at_once(lambda cart: order_place(cart, details, gift_cards=[card.code]), carts,
                                      refused_by=(GiftCardError,))
    assert errors == []
    assert sorted(order.gift_card_total for order in placed) == [Decimal("10.00"), Decimal("40.00")]
    assert len(refused) == CHECKOUTS - 2 and all("has no balance left" in m for m in refused)
    assert balance(card) == Decimal("0.00")
    assert Payment.objects.filter(gift_card=card).count() == 2 and Order.objects.count() == 2
