"""The last stock raced for on PostgreSQL: a gift order takes its boxes with the variants' rows
locked in primary-key order (``stock.gift_order_stock_take``), as checkout and a recipient's
alternative box do, so two gift orders, or a gift order and a shop checkout, for the last
candles at once: exactly one gets them, the other is refused with the reason, nothing of
it is written, and the stock never goes below 0. Set-up from test_gift_claims."""
import pytest
from django.db import connection

from shop.models import Cart, CartLine, GiftOrder, Order, ProductVariant
from shop.services.gifts.orders import gift_order_place
from shop.services.gifts.quote import GiftError
from shop.services.orders import CheckoutDetails, CheckoutError, order_place
from tests.shop.test_gift_claims import IN_HAND, OFFICE, TODAY, shop  # noqa: F401
from tests.support.concurrency import at_once
from tests.support.factories import ShippingMethodFactory


def race(*attempts):
    """Run the attempts at once (tests/support/concurrency.at_once): their results, the
    messages of those refused, and anything else raised (a deadlock would be a bug)."""
    return at_once(lambda attempt: attempt(), attempts, refused_by=(GiftError, CheckoutError))


def last_candles(shop, units):  # noqa: F811
    design = shop["designs"]["Thank you"]  # 2 candles a box
    candle = design.items.get().variant
    ProductVariant.objects.filter(pk=candle.pk).update(stock=units)
    return design, candle


def bulk_order(design, boxes, actor):
    return lambda: gift_order_place(design, boxes, shipping_mode="bulk", ship_to=OFFICE, in_hand_date=IN_HAND,
                                    actor=actor, today=TODAY)


@pytest.mark.django_db(transaction=True)
def test_two_gift_orders_for_the_last_stock_at_once_one_is_placed(shop):  # noqa: F811
    assert connection.vendor == "postgresql"
    design, candle = last_candles(shop, 6)  # 3 boxes' worth; each order wants all 3
    done, refused, errors = race(bulk_order(design, 3, shop["member"]), bulk_order(design, 3, shop["member"]))
    assert errors == []
    assert len(done) == 1 and refused == [f"Not enough stock for 3 boxes: {candle} (needs 6, 0 in stock)."]
    assert ProductVariant.objects.get(pk=candle.pk).stock == 0  # 6 - 3 x 2, never below
    assert list(GiftOrder.objects.values_list("stock_held", flat=True)) == [3]  # one order, nothing of the other


@pytest.mark.django_db(transaction=True)
def test_a_gift_order_and_a_shop_checkout_for_the_last_stock_at_once_one_gets_it(shop):  # noqa: F811
    assert connection.vendor == "postgresql"
    design, candle = last_candles(shop, 4)  # 2 boxes' worth, or 4 candles in a cart
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=candle, quantity=4)
    details = CheckoutDetails(email="b@example.org", name="B", shipping_method=ShippingMethodFactory(), line1="1 A St",
                              city="Tampa", state="FL", postal_code="33602")
    done, refused, errors = race(bulk_order(design, 2, shop["member"]), lambda: order_place(cart, details))
    assert errors == []
    assert len(done) == 1 and len(refused) == 1
    assert ProductVariant.objects.get(pk=candle.pk).stock == 0  # 4 - 4, never below
    if isinstance(done[0], GiftOrder):  # the gift order won: the checkout says the stock ran out
        assert "Sorry, not enough stock" in refused[0] and not Order.objects.exists()
    else:  # the checkout won: the gift order names what runs short, and no gift order is left
        assert refused == [f"Not enough stock for 2 boxes: {candle} (needs 4, 0 in stock)."]
        assert not GiftOrder.objects.exists() and Order.objects.count() == 1
