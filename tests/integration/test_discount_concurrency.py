"""A discount code with one use left, taken by 20 checkouts at once on PostgreSQL: exactly one
order gets it (``shop/services/discounts.py`` counts uses with the code's row locked)."""
from decimal import Decimal

import pytest
from django.db import connection

from shop.models import DiscountCode, Order, OrderDiscount, ProductVariant
from shop.services.discounts import DiscountError
from shop.services.orders import CheckoutDetails, order_place
from tests.support.concurrency import at_once, one_product_carts
from tests.support.factories import ShippingMethodFactory

CHECKOUTS = 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("limit, per_customer", [(1, None), (None, 1)])
def test_twenty_concurrent_checkouts_use_a_code_limited_to_one_use_once(limit, per_customer):
    assert connection.vendor == "postgresql"
    method = ShippingMethodFactory()
    # A product each, so that no stock row serialises the checkouts: only the code's lock can.
    variants, carts = one_product_carts(CHECKOUTS, Decimal("40.00"))
    DiscountCode.objects.create(code="ONCE", kind="amount", value=Decimal("5.00"), usage_limit=limit,
                                per_customer_limit=per_customer)
    # The same customer each time: for the per-customer limit the one address is what counts.
    details = CheckoutDetails(email="same@example.org", name="B", shipping_method=method, line1="1 A St",
                              city="Tampa", state="FL", postal_code="33602")
    placed, refused, errors = at_once(lambda cart: order_place(cart, details, codes=["ONCE"]), carts,
                                      refused_by=(DiscountError,))
    assert errors == []
    assert len(placed) == 1 and len(refused) == CHECKOUTS - 1
    expected = "has been used up" if limit else "already used"
    assert all(expected in message for message in refused)
    assert OrderDiscount.objects.count() == 1 and Order.objects.count() == 1
    assert Order.objects.get().discount_total == Decimal("5.00")
    # The refused checkouts held no stock.
    assert sorted(ProductVariant.objects.filter(pk__in=[v.pk for v in variants]).values_list("stock", flat=True)) == \
        [0] + [1] * (CHECKOUTS - 1)
