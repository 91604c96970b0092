"""Checkout: the cart becomes a pending order with its stock held and a PaymentIntent open."""
from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.urls import reverse
from django.utils import timezone

from shop.models import CartLine, Order, Payment, ShippingMethod
from shop.platform.money import to_cents
from shop.selectors.orders import order_token
from shop.services.payments import payment_confirm
from tests.support.factories import ShippingMethodFactory, TaxRateFactory, UserFactory, VariantFactory
from tests.support.stripe_helpers import card

pytestmark = pytest.mark.django_db

ADDRESS = {"email": "guest@example.org", "name": "Gail Guest", "line1": "12 Bay St", "city": "Tampa", "state": "FL", "postal_code": "33602"}


@pytest.fixture
def shipping():
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    return ShippingMethodFactory(price=Decimal("6.95"), free_over=Decimal("500.00"))


def fill_cart(client, *variants_and_quantities):
    for variant, quantity in variants_and_quantities:
        response = client.post(variant.product.get_absolute_url(), {"variant": variant.pk, "quantity": quantity})
        assert response.status_code == 302


def test_checkout_shows_the_cart_summary(client, shipping):
    fill_cart(client, (VariantFactory(price=Decimal("10.00")), 2))
    page = client.get(reverse("shop:checkout"))
    assert page.status_code == 200
    assert page.context["summary"].subtotal == Decimal("20.00")
    assert "Continue to payment" in page.content.decode()


def test_checkout_prefills_a_customers_email(client, shipping):
    client.force_login(UserFactory(email="casey@example.org"))
    fill_cart(client, (VariantFactory(), 1))
    assert 'value="casey@example.org"' in client.get(reverse("shop:checkout")).content.decode()


def test_empty_cart_goes_back_to_the_cart(client, shipping):
    assert client.get(reverse("shop:checkout")).url == reverse("shop:cart")


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"line1": ""}, "line1", "required for delivery"),
        ({"postal_code": "3360"}, "postal_code", "5-digit ZIP"),
        ({"state": "ZZ"}, "state", "Select a valid choice"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_details_get_field_errors_and_nothing_is_written(client, shipping, change, field, message):
    variant = VariantFactory(stock=5)
    fill_cart(client, (variant, 2))
    response = client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk, **change})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Order.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 5 and CartLine.objects.get().quantity == 2


def test_local_pickup_needs_no_address(client, shipping, localstripe_server):
    pickup = ShippingMethodFactory(name="Pickup", kind=ShippingMethod.PICKUP, price=Decimal("0"))
    fill_cart(client, (VariantFactory(price=Decimal("10.00")), 1))
    response = client.post(reverse("shop:checkout"), {"email": "p@example.org", "name": "Pat", "shipping_method": pickup.pk})
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.is_pickup and order.ship_line1 == "" and order.shipping == Decimal("0.00")
    assert order.tax == Decimal("0.60")  # taxed in the organisation's state (FL)


def test_placing_an_order_reserves_stock_snapshots_lines_and_opens_a_payment(client, shipping, localstripe_server):
    tote = VariantFactory(price=Decimal("48.00"), stock=5, product__wage_content=Decimal("18.50"), options={"colour": "Rust"})
    candle = VariantFactory(price=Decimal("19.99"), stock=3, product__wage_content=Decimal("7.00"))
    fill_cart(client, (tote, 2), (candle, 3))
    expected = client.get(reverse("shop:cart"), {"shipping_method": shipping.pk, "state": "FL"}).context["summary"]

    response = client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk})

    order = Order.objects.get()
    assert response.status_code == 302 and response.url == reverse("shop:pay", args=[order_token(order)])
    assert order.state == Order.State.PENDING
    # 96.00 + 59.97 = 155.97; tax 6% = 9.3582 -> 9.36; shipping 6.95.
    assert (order.subtotal, order.shipping, order.tax, order.total) == (
        Decimal("155.97"), Decimal("6.95"), Decimal("9.36"), Decimal("172.28"),
    )
    assert order.total == expected.total
    lines = list(order.lines.order_by("unit_price"))
    assert [(l.title, l.variant_label, l.unit_price, l.quantity, l.wage_content, l.line_total) for l in lines] == [
        (candle.product.name, "Indigo", Decimal("19.99"), 3, Decimal("7.00"), Decimal("59.97")),
        (tote.product.name, "Rust", Decimal("48.00"), 2, Decimal("18.50"), Decimal("96.00")),
    ]
    assert sum(l.tax for l in lines) == order.tax
    tote.refresh_from_db(), candle.refresh_from_db()
    assert (tote.stock, candle.stock) == (3, 0)
    assert timedelta(minutes=29) < order.reserved_until - timezone.now() <= timedelta(minutes=30)
    assert not CartLine.objects.exists()

    payment = Payment.objects.get(order=order)
    intent = stripe.PaymentIntent.retrieve(payment.stripe_payment_intent_id)  # Stripe's own record
    assert intent.amount == to_cents(order.total) == 17228
    assert intent.currency == "usd" and intent.metadata["order_number"] == order.number


def test_order_lines_are_snapshots(client, shipping, localstripe_server):
    variant = VariantFactory(price=Decimal("30.00"), product__name="Market Tote")
    fill_cart(client, (variant, 1))
    client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk})
    variant.price = Decimal("99.00")
    variant.product.name = "Renamed"
    variant.product.wage_content = Decimal("1.00")
    variant.save(), variant.product.save()
    line = Order.objects.get().lines.get()
    assert (line.unit_price, line.title, line.wage_content) == (Decimal("30.00"), "Market Tote", Decimal("5.00"))


def test_stock_gone_since_the_cart_is_refused_clearly(client, shipping):
    variant = VariantFactory(stock=3)
    fill_cart(client, (variant, 3))
    variant.stock = 2
    variant.save()
    response = client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk}, follow=True)
    assert "not enough stock" in response.content.decode() and "only 2 left" in response.content.decode()
    assert not Order.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 2 and CartLine.objects.get().quantity == 3


def test_pay_page_loads_stripe_js_from_the_setting(client, shipping, localstripe_server, settings):
    fill_cart(client, (VariantFactory(), 1))
    pay_url = client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk}).url
    html = client.get(pay_url).content.decode()
    assert f'<script src="{settings.STRIPE_JS_URL}"></script>' in html
    assert "shop/js/pay.js" in html
    setup = client.post(pay_url + "setup/")
    assert setup.status_code == 200 and setup.json()["client_secret"].startswith("seti_")


def test_confirming_a_card_never_marks_the_order_paid_by_itself(client, shipping, localstripe_server):
    fill_cart(client, (VariantFactory(price=Decimal("10.00")), 1))
    client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk})
    order = Order.objects.get()
    response = client.post(
        reverse("shop:pay_confirm", args=[order_token(order)]), {"payment_method": card()}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "succeeded"
    order.refresh_from_db()
    assert order.state == Order.State.PENDING  # only Stripe's webhook makes it paid
    assert stripe.PaymentIntent.retrieve(order.payments.get().stripe_payment_intent_id).status == "succeeded"


def test_three_d_secure_card_asks_the_page_to_authenticate(client, shipping, localstripe_server):
    fill_cart(client, (VariantFactory(), 1))
    client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk})
    order = Order.objects.get()
    result = payment_confirm(order, card("4000002500003155"))
    assert result.status == "requires_action" and result.client_secret.startswith("pi_")


@pytest.mark.parametrize("body", [b"not json", b'{"payment_method": "tok_visa"}', b"{}"])
def test_bad_payment_requests_get_a_clear_4xx(client, shipping, localstripe_server, body):
    fill_cart(client, (VariantFactory(), 1))
    client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk})
    order = Order.objects.get()
    response = client.post(reverse("shop:pay_confirm", args=[order_token(order)]), body, content_type="application/json")
    assert 400 <= response.status_code < 500 and response.json()["error"]
    assert client.post(reverse("shop:pay_confirm", args=["forged"]), b"{}", content_type="application/json").status_code == 404


def test_an_expired_reservation_cannot_be_paid(client, shipping, localstripe_server):
    fill_cart(client, (VariantFactory(), 1))
    client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shipping.pk})
    order = Order.objects.get()
    Order.objects.filter(pk=order.pk).update(reserved_until=timezone.now() - timedelta(minutes=1))
    response = client.post(
        reverse("shop:pay_confirm", args=[order_token(order)]), {"payment_method": card()}, content_type="application/json"
    )
    assert response.status_code == 402 and "reservation ran out" in response.json()["error"]
