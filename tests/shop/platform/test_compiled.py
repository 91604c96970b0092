"""shop/platform/compiled.py: a read compiled once gives the rows the queryset gives, for each
call's parameters; a parameter that changes the SQL is refused, not run with stale SQL."""
from decimal import Decimal

import pytest
from django.db.models import Min

from shop.models import Product
from shop.platform.compiled import CompiledRead
from tests.support.factories import CategoryFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def _priced(limit, category=None):
    return (Product.objects.filter(category_id=category).order_by("name")
            .values("name", "variants__options").annotate(low=Min("variants__price"))[:limit])


def test_a_compiled_read_gives_the_querysets_rows_for_each_parameter(django_assert_num_queries):
    bags, candles = CategoryFactory(slug="bags"), CategoryFactory(slug="candles")
    for name, category, price in (("Tote", bags, "30.10"), ("Pouch", bags, "12.00"), ("Taper", candles, "9.99")):
        VariantFactory(product=ProductFactory(name=name, category=category), price=Decimal(price), options={"colour": "Plum"})
    read = CompiledRead(_priced, {"category": (-7001, -7002)})
    with django_assert_num_queries(1):
        assert read.rows(5, category=bags.pk) == [
            {"name": "Pouch", "variants__options": {"colour": "Plum"}, "low": Decimal("12.00")},
            {"name": "Tote", "variants__options": {"colour": "Plum"}, "low": Decimal("30.10")},
        ]
    assert read.rows(5, category=candles.pk) == [{"name": "Taper", "variants__options": {"colour": "Plum"},
                                                 "low": Decimal("9.99")}]
    assert read.rows(1, category=bags.pk) == [{"name": "Pouch", "variants__options": {"colour": "Plum"},
                                              "low": Decimal("12.00")}]
    assert read.rows(5, category=candles.pk) == list(_priced(5, candles.pk))
    with pytest.raises(TypeError):
        read.rows(5)  # every parameter, every time


def test_a_parameter_that_changes_the_sql_is_refused():
    read = CompiledRead(lambda ids: Product.objects.filter(id__in=ids).values("id"), {"ids": ([1], [2, 3])})
    with pytest.raises(ValueError):
        read.rows(ids=[4])
    not_bound = CompiledRead(lambda limit: Product.objects.values("id")[:limit], {"limit": (3, 4)})
    with pytest.raises(ValueError):
        not_bound.rows(limit=2)  # a slice is inlined in the SQL: it is the shape
    with pytest.raises(TypeError):
        CompiledRead(lambda: Product.objects.values_list("id")).rows()


def _lines(cart):
    from shop.models import CartLine

    return (CartLine.objects.filter(cart_id=cart).select_related("variant__product")
            .only("id", "quantity", "variant__price", "variant__product__name"))


def test_compiled_objects_are_the_querysets_instances_with_their_related_objects(django_assert_num_queries):
    from shop.models import Cart, CartLine

    tote = VariantFactory(product=ProductFactory(name="Tote"), price=Decimal("30.10"))
    scarf = VariantFactory(product=ProductFactory(name="Scarf"), price=Decimal("12.00"))
    first, second = Cart.objects.create(), Cart.objects.create()
    CartLine.objects.create(cart=first, variant=tote, quantity=2)
    CartLine.objects.create(cart=first, variant=scarf, quantity=1)
    CartLine.objects.create(cart=second, variant=scarf, quantity=3)
    read = CompiledRead(_lines, {"cart": (-7001, -7002)})
    with django_assert_num_queries(1):  # the related objects come joined: nothing read per line
        lines = read.objects(cart=first.pk)
        seen = [(line.quantity, line.variant.price, line.variant.product.name) for line in lines]
    assert seen == [(2, Decimal("30.10"), "Tote"), (1, Decimal("12.00"), "Scarf")]
    assert [type(line) for line in lines] == [CartLine, CartLine]
    assert lines[0].variant == tote and lines[0]._state.adding is False and lines[0]._state.db == "default"
    # deferred as only() defers them (reading one is a query, as with the queryset's instances)
    assert lines[0].get_deferred_fields() == {"cart_id", "gift_amount", "gift_recipient_name", "gift_recipient_email",
                                              "gift_message", "gift_deliver_on"}
    assert "stock" in lines[0].variant.get_deferred_fields() and "slug" in lines[0].variant.product.get_deferred_fields()
    with django_assert_num_queries(1):
        assert [(line.quantity, line.variant.product.name) for line in read.objects(cart=second.pk)] == [(3, "Scarf")]
    assert read.objects(cart=-5) == []


def test_compiled_objects_refuse_what_they_would_read_differently():
    from shop.models import Cart

    with pytest.raises(TypeError):
        CompiledRead(lambda: Product.objects.prefetch_related("variants")).objects()
    cart = Cart.objects.create()
    with pytest.raises(TypeError):
        CompiledRead(lambda: cart.lines.all()).objects()  # a related manager's: its cart is set on each line
    with pytest.raises(TypeError):
        CompiledRead(lambda: Product.objects.values("id")).objects()  # rows, not instances
    with pytest.raises(TypeError):
        CompiledRead(lambda: Product.objects.all()).rows()
