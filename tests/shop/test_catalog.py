from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop.models import ProductImage
from tests.support.factories import CategoryFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def make_products(count, category=None):
    category = category or CategoryFactory()
    products = []
    for i in range(count):
        product = ProductFactory(category=category)
        VariantFactory(product=product, price=Decimal("30.00"), stock=i % 3)
        VariantFactory(product=product, price=Decimal("25.00"), stock=1)
        ProductImage.objects.create(product=product, image=ContentFile(b"x", name="p.png"), alt_text=product.name)
        products.append(product)
    return products


def catalog_queries(client, settings, add, expect_total):
    """Queries for one catalog page showing every product (the page size is set above them)."""
    settings.SHOP_PAGE_SIZE = 500
    make_products(add)
    cache.clear()  # the cold path: nothing cached
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("shop:catalog"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == expect_total
    return len(ctx)


def test_catalog_query_count_does_not_grow_with_products(client, settings):
    few = catalog_queries(client, settings, add=10, expect_total=10)
    many = catalog_queries(client, settings, add=90, expect_total=100)
    assert many == few
    assert few <= 8  # count, cards, images, categories, four facet counts (+ the session's)


def test_catalog_query_count_is_the_same_for_a_customer(client, settings):
    from tests.support.factories import UserFactory

    client.force_login(UserFactory())
    few = catalog_queries(client, settings, add=10, expect_total=10)
    many = catalog_queries(client, settings, add=90, expect_total=100)
    assert many == few


def test_catalog_shows_lowest_price_and_sold_out(client):
    product = ProductFactory(name="Market Tote")
    VariantFactory(product=product, price=Decimal("48.00"), stock=0)
    VariantFactory(product=product, price=Decimal("44.50"), stock=0)
    response = client.get(reverse("shop:catalog"))
    html = response.content.decode()
    assert "Market Tote" in html
    assert "from $44.50" in html
    assert "Sold out" in html


def test_category_filter_and_search(client):
    bags, candles = CategoryFactory(name="Bags", slug="bags"), CategoryFactory(name="Candles", slug="candles")
    VariantFactory(product=ProductFactory(name="Market Tote", category=bags))
    VariantFactory(product=ProductFactory(name="Cedar Candle", category=candles))
    VariantFactory(product=ProductFactory(name="Zip Pouch", category=bags, description="A small pouch"))

    names = lambda r: [p["name"] for p in r.context["page"].object_list]  # noqa: E731
    assert names(client.get(reverse("shop:category", args=["bags"]))) == ["Market Tote", "Zip Pouch"]
    assert names(client.get(reverse("shop:catalog"), {"q": "candle"})) == ["Cedar Candle"]
    assert names(client.get(reverse("shop:catalog"), {"q": "SMALL"})) == ["Zip Pouch"]
    assert names(client.get(reverse("shop:category", args=["candles"]), {"q": "tote"})) == []
    assert client.get(reverse("shop:category", args=["nope"])).status_code == 404


def test_inactive_products_are_hidden(client):
    hidden = ProductFactory(name="Retired Scarf", is_active=False)
    VariantFactory(product=hidden)
    assert "Retired Scarf" not in client.get(reverse("shop:catalog")).content.decode()
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_pagination(client, settings):
    settings.SHOP_PAGE_SIZE = 4
    make_products(10)
    page3 = client.get(reverse("shop:catalog"), {"page": 3})
    assert len(page3.context["page"].object_list) == 2
    assert "Page 3 of 3" in page3.content.decode()
    # A page out of range or nonsense shows a real page, never an error.
    # (Read from the page itself: a repeat of a page already shown comes from the cache.)
    assert "Page 3 of 3" in client.get(reverse("shop:catalog"), {"page": 99}).content.decode()
    assert "Page 1 of 3" in client.get(reverse("shop:catalog"), {"page": "x"}).content.decode()


def test_product_page_shows_variants_and_stock_state(client):
    product = ProductFactory(name="Cushion Cover", wage_content=Decimal("15.50"))
    VariantFactory(product=product, options={"colour": "Ochre"}, stock=0)
    VariantFactory(product=product, options={"colour": "Plum"}, stock=2)
    VariantFactory(product=product, options={"colour": "Natural"}, stock=12)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Ochre (out of stock)" in html  # in the option list
    assert "Out of stock" in html and "Only 2 left" in html and "In stock" in html
    assert "$15.50 of each piece pays survivor wages" in html
    assert "Made by one of our artisans" in html


def test_product_page_credits_maker_only_by_the_recorded_credit(client):
    product = ProductFactory(maker_credit="Rosa")
    VariantFactory(product=product)
    assert "Made by Rosa" in client.get(product.get_absolute_url()).content.decode()


def test_a_warm_catalog_page_costs_no_query_and_edits_retire_it(client, django_capture_on_commit_callbacks):
    product = ProductFactory(name="Market Tote")
    variant = VariantFactory(product=product, price=Decimal("48.00"), stock=2)
    assert "from $48.00" in client.get(reverse("shop:catalog")).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        warm = client.get(reverse("shop:catalog"))
    assert warm.status_code == 200 and len(ctx) == 0
    with django_capture_on_commit_callbacks(execute=True):
        variant.price = Decimal("44.00")
        variant.save()
    assert "from $44.00" in client.get(reverse("shop:catalog")).content.decode()


def test_selling_the_last_unit_retires_cached_pages(client, django_capture_on_commit_callbacks):
    from shop.models import Cart, CartLine
    from shop.services.orders import CheckoutDetails, order_place
    from tests.support.factories import ShippingMethodFactory

    variant = VariantFactory(product__name="Weekender", stock=1)
    assert "Sold out" not in client.get(reverse("shop:catalog")).content.decode()
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=variant, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        order_place(cart, CheckoutDetails(email="a@example.org", name="A", shipping_method=ShippingMethodFactory()))
    assert "Sold out" in client.get(reverse("shop:catalog")).content.decode()


def catalog_cache_keys():
    return sorted(k for k in cache._cache if ":pages:catalog-page:" in k)  # the local-memory cache's own keys


def test_junk_query_strings_make_no_new_cache_entries_or_renders(client, settings):
    """?page=01, ?page=1a, ?page=-3, unknown parameters and a page past the end are all served
    from the entry of the page actually shown; only a real new page or search adds one."""
    settings.SHOP_PAGE_SIZE = 4
    make_products(10)
    cache.clear()
    url = reverse("shop:catalog")
    assert client.get(url).status_code == 200
    assert client.get(url, {"page": 3}).status_code == 200
    assert len(catalog_cache_keys()) == 2
    for junk in ({"page": "01"}, {"page": "1a"}, {"page": "-3"}, {"utm_source": "x"}, {"page": "٣"},
                 {"page": "999"}, {"page": "3", "ref": "mail"}):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, junk)
        assert response.status_code == 200
        assert len(ctx) == 0, f"{junk} rendered the page again"
        assert response.context is None or "page" not in response.context  # served from the cache
    assert len(catalog_cache_keys()) == 2
    client.get(url, {"q": "  Tote   BAG "})
    client.get(url, {"q": "tote bag"})  # the same search, normalised
    assert len(catalog_cache_keys()) == 3
    client.get(url, {"q": "x" * 80})  # a long one-off search is rendered, not kept
    assert len(catalog_cache_keys()) == 3
