"""A guest buys a product with the card form served by localstripe's Stripe.js stand-in."""
from decimal import Decimal

import pytest

from shop.models import Order
from tests.support.factories import ShippingMethodFactory, TaxRateFactory, VariantFactory
from tests.support.stripe_helpers import deliver_webhooks_to


@pytest.mark.django_db(transaction=True)
def test_guest_buys_a_tote_and_sees_the_paid_confirmation(page, live_server, localstripe_server, settings, screenshots):
    deliver_webhooks_to(localstripe_server, live_server.url + "/stripe/webhook/")
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    ShippingMethodFactory(price=Decimal("6.95"), free_over=Decimal("75.00"))
    variant = VariantFactory(product__name="Market Tote", product__slug="market-tote", price=Decimal("48.00"), stock=4)

    page.goto(live_server.url + "/shop/product/market-tote/")
    page.get_by_label("Quantity").fill("1")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Proceed to checkout").click()

    page.get_by_label("E-mail").fill("gail@example.org")
    page.get_by_label("Full name").fill("Gail Guest")
    page.get_by_label("Address", exact=True).fill("12 Bay Street")
    page.get_by_label("City").fill("Tampa")
    page.get_by_label("State").select_option("FL")
    page.get_by_label("ZIP code").fill("33602")
    page.get_by_role("button", name="Continue to payment").click()

    page.wait_for_selector("#card-element input")
    page.fill("#card-element input[placeholder=number]", "4242424242424242")
    page.fill("#card-element input[placeholder=exp_month]", "12")
    page.fill("#card-element input[placeholder=exp_year]", "34")
    page.fill("#card-element input[placeholder=cvc]", "123")
    page.fill("#card-element input[placeholder=postal_code]", "33602")
    page.get_by_role("button", name="Pay $57.83").click()  # 48.00 + 6.95 + 2.88 tax

    page.wait_for_selector("text=Paid: thank you", timeout=30_000)
    page.screenshot(path=str(screenshots / "guest-purchase-paid.png"), full_page=True)
    order = Order.objects.get()
    assert order.state == Order.State.PAID and order.total == Decimal("57.83")
    assert order.email == "gail@example.org"
    variant.refresh_from_db()
    assert variant.stock == 3


@pytest.mark.django_db(transaction=True)
def test_quick_exit_leaves_no_way_back(page, live_server):
    page.goto(live_server.url + "/shop/")
    page.goto(live_server.url + "/cart/")
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url("**/weather/")
    page.go_back()
    # location.replace removed the cart from history: back goes to the page before it.
    assert page.url.endswith("/shop/")
