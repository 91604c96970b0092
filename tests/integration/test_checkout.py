"""Checkout end to end on PostgreSQL, Redis, a real Celery worker process and localstripe."""
from decimal import Decimal

import pytest
import stripe
from django.urls import reverse

from shop.models import Cart, CartLine, Order, ProductVariant, StripeEvent
from shop.services.orders import CheckoutDetails, CheckoutError, order_place
from tests.support.concurrency import at_once
from tests.support.factories import ShippingMethodFactory, TaxRateFactory, VariantFactory
from tests.support.stripe_helpers import card, deliver_webhooks_to
from tests.support.processes import wait_for

ADDRESS = {"email": "guest@example.org", "name": "Gail Guest", "line1": "12 Bay St", "city": "Tampa", "state": "FL", "postal_code": "33602"}


@pytest.mark.django_db(transaction=True)
def test_checkout_is_paid_by_the_signed_webhook_through_the_worker(
    client, live_server, localstripe_server, celery_worker_process, settings
):
    # localstripe delivers signed events to the live server, as Stripe would.
    deliver_webhooks_to(localstripe_server, live_server.url + "/stripe/webhook/")
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    method = ShippingMethodFactory()
    variant = VariantFactory(price=Decimal("48.00"), stock=5)

    client.post(variant.product.get_absolute_url(), {"variant": variant.pk, "quantity": 2})
    assert client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": method.pk}).status_code == 302
    order = Order.objects.get()
    intent_id = order.payments.get().stripe_payment_intent_id

    # The customer's card, confirmed through the Stripe API.
    stripe.PaymentIntent.modify(intent_id, payment_method=card())
    assert stripe.PaymentIntent.confirm(intent_id).status == "succeeded"

    def paid():
        order.refresh_from_db()
        return order.state == Order.State.PAID and order.confirmation_sent_at is not None

    wait_for(paid, timeout=30, message="the order to be paid and confirmed by the worker", details=celery_worker_process.describe)
    event = StripeEvent.objects.get(type="payment_intent.succeeded")
    assert event.processed_at is not None
    assert "process_stripe_event" in celery_worker_process.log_text()  # the worker did it, not this process
    variant.refresh_from_db()
    assert variant.stock == 3
    mails = [path.read_text() for path in celery_worker_process.mail_dir.iterdir()]
    confirmations = [m for m in mails if order.number in m and "Subject: Thank you!" in m]
    assert len(confirmations) == 1 and "guest@example.org" in confirmations[0]


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_checkouts_for_three_units():
    method = ShippingMethodFactory()
    variant = VariantFactory(stock=3)
    carts = []
    for _ in range(20):
        cart = Cart.objects.create()
        CartLine.objects.create(cart=cart, variant=variant, quantity=1)
        carts.append(cart)
    details = CheckoutDetails(email="b@example.org", name="B", shipping_method=method, line1="1 A St", city="Tampa",
                              state="FL", postal_code="33602")
    placed, refused, errors = at_once(lambda cart: order_place(cart, details), carts, refused_by=(CheckoutError,))
    assert errors == []
    assert len(placed) == 3 and len(refused) == 17
    assert all("not enough stock" in message for message in refused)
    assert ProductVariant.objects.get(pk=variant.pk).stock == 0
    assert Order.objects.count() == 3
