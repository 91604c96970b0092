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
