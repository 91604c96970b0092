from decimal import Decimal

import pytest
from django.urls import reverse

from shop.models import Cart, CartLine, ShippingMethod
from shop.selectors.cart import cart_summary
from shop.services.cart import CartError, cart_add, cart_merge_guest_into_user, cart_set_quantity
from tests.support.factories import ShippingMethodFactory, TaxRateFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def add(client, variant, quantity):
    return client.post(variant.product.get_absolute_url(), {"variant": variant.pk, "quantity": quantity})


def test_guest_adds_to_cart_and_sees_it(client):
    variant = VariantFactory(price=Decimal("22.00"), stock=5)
    response = add(client, variant, 2)
    assert response.status_code == 302 and response.url == reverse("shop:cart")
    page = client.get(reverse("shop:cart"))
    assert page.context["summary"].subtotal == Decimal("44.00")
    assert "$44.00" in page.content.decode()


def test_adding_more_than_the_stock_is_refused_with_a_clear_message(client):
    variant = VariantFactory(stock=3)
    response = add(client, variant, 4)
    assert response.status_code == 400
    assert "only 3 of" in response.content.decode()
    assert not CartLine.objects.exists()
    # Already 2 in the cart: 2 more would exceed 3.
    add(client, variant, 2)
    response = add(client, variant, 2)
    assert response.status_code == 400
    assert CartLine.objects.get().quantity == 2


def test_out_of_stock_and_inactive_items_are_refused():
    cart = Cart.objects.create()
    with pytest.raises(CartError, match="out of stock"):
        cart_add(cart, VariantFactory(stock=0).pk, 1)
    inactive = VariantFactory(product__is_active=False)
    with pytest.raises(CartError, match="no longer available"):
        cart_add(cart, inactive.pk, 1)


def test_bad_quantities_get_field_errors_not_500(client):
    variant = VariantFactory(stock=5)
    for bad in ("0", "-1", "abc", "100000", ""):
        response = add(client, variant, bad)
        assert response.status_code == 400, bad
        assert "field-error" in response.content.decode()
    response = client.post(variant.product.get_absolute_url(), {"variant": "999999", "quantity": 1})
    assert response.status_code == 400
    assert not CartLine.objects.exists()


def test_change_quantity_and_remove(client):
    variant = VariantFactory(stock=5)
    add(client, variant, 1)
    line = CartLine.objects.get()
    client.post(reverse("shop:cart_line_update", args=[line.pk]), {"quantity": 4})
    line.refresh_from_db()
    assert line.quantity == 4
    response = client.post(reverse("shop:cart_line_update", args=[line.pk]), {"quantity": 9}, follow=True)
    assert "only 5 of" in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 4
    client.post(reverse("shop:cart_line_update", args=[line.pk]), {"quantity": 0})
    assert not CartLine.objects.exists()
    add(client, variant, 1)
    client.post(reverse("shop:cart_line_remove", args=[CartLine.objects.get().pk]))
    assert not CartLine.objects.exists()


def test_nobody_can_change_another_carts_line(client):
    other = Cart.objects.create(user=UserFactory())
    line = CartLine.objects.create(cart=other, variant=VariantFactory(), quantity=1)
    response = client.post(reverse("shop:cart_line_update", args=[line.pk]), {"quantity": 3}, follow=True)
    assert "not in your cart" in response.content.decode()
    client.post(reverse("shop:cart_line_remove", args=[line.pk]))
    line.refresh_from_db()
    assert line.quantity == 1


def test_cart_line_endpoints_refuse_get(client):
    assert client.get(reverse("shop:cart_line_update", args=[1])).status_code == 405


def test_guest_cart_merges_into_the_customers_cart_on_login(client):
    customer = UserFactory(email="casey@example.org", username="casey@example.org")
    tote, candle = VariantFactory(stock=5), VariantFactory(stock=3)
    saved = Cart.objects.create(user=customer)
    CartLine.objects.create(cart=saved, variant=candle, quantity=2)

    add(client, tote, 1)
    add(client, candle, 2)  # 2 saved + 2 now = 4, but only 3 in stock
    response = client.post(
        reverse("account_login"), {"login": "casey@example.org", "password": "correct horse battery"}, follow=True
    )
    assert response.context["user"] == customer
    quantities = {line.variant_id: line.quantity for line in CartLine.objects.filter(cart__user=customer)}
    assert quantities == {tote.pk: 1, candle.pk: 3}
    assert Cart.objects.count() == 1  # the guest cart is gone
    assert "only 3 of" in response.content.decode()  # the customer is told about the cap


def test_merge_is_safe_when_there_is_no_guest_cart():
    customer = UserFactory()
    result = cart_merge_guest_into_user(None, customer)
    assert result.cart.user == customer and result.adjusted == []


def test_summary_flat_shipping_tax_and_free_threshold():
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    method = ShippingMethodFactory(price=Decimal("6.95"), free_over=Decimal("75.00"))
    cart = Cart.objects.create()
    cart_add(cart, VariantFactory(price=Decimal("19.99"), stock=10).pk, 3)

    summary = cart_summary(cart, method, "FL")
    assert summary.subtotal == Decimal("59.97")
    assert summary.shipping == Decimal("6.95")
    assert summary.tax == Decimal("3.60")  # 59.97 x 6% = 3.5982
    assert summary.total == Decimal("70.52")

    assert cart_summary(cart, method, "GA").tax == Decimal("0.00")  # no rate on file

    cart_set_quantity(cart, cart.lines.get().pk, 4)  # 79.96 >= 75: free shipping
    summary = cart_summary(cart, method, "FL")
    assert summary.shipping == Decimal("0.00")
    assert summary.total == Decimal("79.96") + Decimal("4.80")


def test_tax_on_shipping_when_the_state_taxes_it():
    TaxRateFactory(state="NY", rate=Decimal("0.0400"), applies_to_shipping=True)
    method = ShippingMethodFactory(price=Decimal("10.00"), free_over=None)
    cart = Cart.objects.create()
    cart_add(cart, VariantFactory(price=Decimal("50.00")).pk, 1)
    assert cart_summary(cart, method, "NY").tax == Decimal("2.40")


def test_local_pickup_is_free_and_taxed_in_the_organisations_state(settings):
    settings.MENDED_ORG = {**settings.MENDED_ORG, "STATE": "FL"}
    TaxRateFactory(state="FL", rate=Decimal("0.0700"))
    pickup = ShippingMethodFactory(name="Pickup", kind=ShippingMethod.PICKUP, price=Decimal("0"))
    cart = Cart.objects.create()
    cart_add(cart, VariantFactory(price=Decimal("10.00")).pk, 1)
    summary = cart_summary(cart, pickup, "GA")
    assert summary.shipping == Decimal("0.00")
    assert summary.tax_state == "FL" and summary.tax == Decimal("0.70")


def test_cart_page_estimates_by_state_and_rejects_bad_state(client):
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    method = ShippingMethodFactory()
    add(client, VariantFactory(price=Decimal("10.00")), 1)
    page = client.get(reverse("shop:cart"), {"shipping_method": method.pk, "state": "FL"})
    assert page.context["summary"].tax == Decimal("0.60")  # a shared link shows its estimate...
    assert client.get(reverse("shop:cart")).context["summary"].tax == Decimal("0.00")  # ...and a GET saves nothing
    saved = client.post(reverse("shop:cart_estimate"), {"shipping_method": method.pk, "state": "FL"})
    assert saved.status_code == 302 and saved.url == reverse("shop:cart")
    # The choice posted is remembered for the next visit.
    assert client.get(reverse("shop:cart")).context["summary"].tax == Decimal("0.60")
    bad = client.post(reverse("shop:cart_estimate"), {"shipping_method": method.pk, "state": "ZZ"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()
    assert client.get(reverse("shop:cart")).context["summary"].tax == Decimal("0.60")  # the bad one was not kept
    assert client.get(reverse("shop:cart_estimate")).status_code == 405


def test_header_shows_cart_count(client):
    add(client, VariantFactory(stock=9), 3)
    assert 'aria-label="3 items"' in client.get(reverse("shop:home")).content.decode()


def test_each_cart_line_has_one_form_and_one_csrf_token_and_a_post_without_one_is_refused():
    """The line's Remove button joins the line's quantity form (``form=``, ``formaction``): one
    CSRF token a line, not two; every POST still needs the token."""
    import re

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    for variant in (VariantFactory(stock=5), VariantFactory(stock=5)):
        page = client.get(variant.product.get_absolute_url()).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert client.post(variant.product.get_absolute_url(),
                           {"variant": variant.pk, "quantity": 1, "csrfmiddlewaretoken": token}).status_code == 302
    ShippingMethodFactory()
    first, second = CartLine.objects.order_by("pk")
    html = client.get(reverse("shop:cart")).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) == 3 and len(set(tokens)) == 1  # two lines and the estimate; one masked token, as Django writes it
    remove = reverse("shop:cart_line_remove", args=[second.pk])
    assert (f'<button type="submit" form="line-{second.pk}" formaction="{remove}" formnovalidate class="link-button">'
            in html)
    assert f'<form method="post" action="{reverse("shop:cart_line_update", args=[second.pk])}" class="qty-form" id="line-{second.pk}">' in html

    # Without the token: refused, nothing changed.
    for url, data in ((reverse("shop:cart_line_update", args=[first.pk]), {"quantity": 3}), (remove, {"quantity": 1}),
                      (reverse("shop:cart_estimate"), {"shipping_method": ShippingMethod.objects.get().pk})):
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, {**data, "csrfmiddlewaretoken": "x" * 64}).status_code == 403, url
    assert [(line.pk, line.quantity) for line in CartLine.objects.order_by("pk")] == [(first.pk, 1), (second.pk, 1)]
    # What the browser sends when Remove is pressed: the line's form (token, quantity) to the removal.
    assert client.post(remove, {"csrfmiddlewaretoken": tokens[0], "quantity": "1"}).status_code == 302
    assert client.post(reverse("shop:cart_line_update", args=[first.pk]),
                       {"csrfmiddlewaretoken": tokens[1], "quantity": "3"}).status_code == 302
    assert [(line.pk, line.quantity) for line in CartLine.objects.order_by("pk")] == [(first.pk, 3)]


def test_the_cart_names_the_tax_state_or_says_when_tax_is_added(client):
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    method = ShippingMethodFactory()
    add(client, VariantFactory(price=Decimal("10.00")), 1)
    before = client.get(reverse("shop:cart")).content.decode()
    assert "<dt>Sales tax (added once you give the delivery address)</dt><dd>$0.00</dd>" in before
    # 10.00 × 6% = 0.60
    florida = client.get(reverse("shop:cart"), {"shipping_method": method.pk, "state": "FL"}).content.decode()
    assert "<dt>Sales tax (FL)</dt><dd>$0.60</dd>" in florida
    assert "added once you give" not in florida
