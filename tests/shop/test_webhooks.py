"""Stripe webhooks: verified, stored once, processed from Stripe's own state, exactly once."""
import json
from datetime import timedelta

import pytest
import stripe
from django.core import mail
from django.utils import timezone

from shop.platform.facts import order_paid
from shop.models import Order, Payment, StripeEvent
from shop.services.payments import orders_release_expired, payment_confirm, payment_start
from shop.services.stripe_events import stripe_events_sweep
from tests.support.factories import OrderFactory
from tests.support.stripe_helpers import card, event, post_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_intent(localstripe_server):
    """A pending order whose PaymentIntent Stripe has charged (the webhook not yet in)."""
    order = OrderFactory()
    payment_confirm(order, card())
    intent_id = order.payments.get().stripe_payment_intent_id
    return order, intent_id


def deliver(client, capture, body):
    with capture(execute=True):
        return post_webhook(client, body)


def test_a_verified_event_marks_the_order_paid_and_sends_one_email(client, paid_intent, django_capture_on_commit_callbacks):
    order, intent_id = paid_intent
    body = event("payment_intent.succeeded", {"id": intent_id, "object": "payment_intent"})
    announced = []
    order_paid.connect(lambda sender, order_id, **kw: announced.append(order_id), weak=False, dispatch_uid="t1")
    try:
        for _ in range(3):  # the same event delivered three times
            response = deliver(client, django_capture_on_commit_callbacks, body)
            assert response.status_code == 200
    finally:
        order_paid.disconnect(dispatch_uid="t1")
    order.refresh_from_db()
    assert order.state == Order.State.PAID and order.paid_at is not None and order.reserved_until is None
    assert StripeEvent.objects.filter(stripe_id=body["id"]).count() == 1
    assert StripeEvent.objects.get().processed_at is not None
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    assert announced == [order.pk]
    # payroll heard it once and credited the wage fund once (shop itself never imports payroll).
    from payroll.models import JournalEntry

    assert JournalEntry.objects.filter(source_type="order_line").count() == order.lines.count()


def test_the_same_fact_in_different_events_changes_nothing_twice(client, paid_intent, django_capture_on_commit_callbacks):
    order, intent_id = paid_intent
    for _ in range(2):  # two distinct events (e.g. a resend from Stripe's dashboard)
        deliver(client, django_capture_on_commit_callbacks, event("payment_intent.succeeded", {"id": intent_id}))
    order.refresh_from_db()
    paid_at = order.paid_at
    assert order.state == Order.State.PAID and len(mail.outbox) == 1 and StripeEvent.objects.count() == 2
    deliver(client, django_capture_on_commit_callbacks, event("payment_intent.succeeded", {"id": intent_id}))
    order.refresh_from_db()
    assert order.paid_at == paid_at


@pytest.mark.parametrize(
    "tamper",
    [
        lambda payload, sig: (payload.replace(b"succeeded", b"SUCCEEDED"), sig),  # body changed after signing
        lambda payload, sig: (payload, sig.replace("v1=", "v1=0")),  # signature changed
        lambda payload, sig: (payload, ""),  # no signature at all
        lambda payload, sig: (payload, "t=1,v1=abc"),  # nonsense
    ],
)
def test_a_tampered_or_unsigned_event_gets_400_and_writes_nothing(client, tamper):
    from django.conf import settings

    from tests.support.stripe_helpers import sign

    payload = json.dumps(event("payment_intent.succeeded", {"id": "pi_x"})).encode()
    body, header = tamper(payload, sign(payload, settings.STRIPE_WEBHOOK_SECRET))
    response = post_webhook(client, body, header=header)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_an_event_signed_with_another_secret_is_refused(client):
    response = post_webhook(client, event("payment_intent.succeeded", {"id": "pi_x"}), secret="whsec_someone_else")
    assert response.status_code == 400 and not StripeEvent.objects.exists()


def test_an_old_signature_is_refused(client, settings):
    from tests.support.stripe_helpers import sign

    payload = json.dumps(event("payment_intent.succeeded", {"id": "pi_x"})).encode()
    stale = sign(payload, settings.STRIPE_WEBHOOK_SECRET, timestamp=int(timezone.now().timestamp()) - 301)
    assert post_webhook(client, payload, header=stale).status_code == 400


def test_unhandled_event_types_are_stored_and_acknowledged(client, django_capture_on_commit_callbacks):
    response = deliver(client, django_capture_on_commit_callbacks, event("customer.created", {"id": "cus_1"}))
    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert stored.type == "customer.created" and stored.processed_at is not None


def test_processing_trusts_stripe_not_the_event(client, localstripe_server, django_capture_on_commit_callbacks):
    """An event claiming success for an intent Stripe has not charged changes nothing."""
    order = OrderFactory()
    intent_id = payment_start(order).stripe_payment_intent_id
    forged = event("payment_intent.succeeded", {"id": intent_id, "status": "succeeded", "amount": 2815})
    deliver(client, django_capture_on_commit_callbacks, forged)
    order.refresh_from_db()
    assert order.state == Order.State.PENDING and not mail.outbox


def test_an_intent_for_the_wrong_amount_does_not_pay_the_order(client, localstripe_server, django_capture_on_commit_callbacks):
    order = OrderFactory()
    intent = stripe.PaymentIntent.create(amount=100, currency="usd", metadata={"order_number": order.number})
    Payment.objects.create(order=order, stripe_payment_intent_id=intent.id, amount=order.total, status=intent.status)
    stripe.PaymentIntent.modify(intent.id, payment_method=card())
    stripe.PaymentIntent.confirm(intent.id)
    deliver(client, django_capture_on_commit_callbacks, event("payment_intent.succeeded", {"id": intent.id}))
    order.refresh_from_db()
    assert order.state == Order.State.PENDING
    assert Payment.objects.get(stripe_payment_intent_id=intent.id).status == "succeeded"


def test_the_sweeper_processes_events_whose_enqueue_was_lost(paid_intent):
    order, intent_id = paid_intent
    lost = StripeEvent.objects.create(stripe_id="evt_lost", type="payment_intent.succeeded", payload=event("payment_intent.succeeded", {"id": intent_id}))
    StripeEvent.objects.filter(pk=lost.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    fresh = StripeEvent.objects.create(stripe_id="evt_fresh", type="customer.created", payload=event("customer.created", {"id": "c"}))
    assert stripe_events_sweep() == [lost.pk]  # too-recent events are left to their own enqueue
    order.refresh_from_db()
    assert order.state == Order.State.PAID
    lost.refresh_from_db(), fresh.refresh_from_db()
    assert lost.processed_at is not None and fresh.processed_at is None
    assert stripe_events_sweep() == []


def test_expired_reservations_are_released_and_the_intent_cancelled(localstripe_server):
    order = OrderFactory(reserved_until=timezone.now() - timedelta(minutes=1))
    line = order.lines.get()
    stock_before = line.variant.stock
    intent_id = payment_start(order).stripe_payment_intent_id
    fresh = OrderFactory(reserved_until=timezone.now() + timedelta(minutes=10))
    assert orders_release_expired() == [order.pk]
    order.refresh_from_db(), fresh.refresh_from_db(), line.variant.refresh_from_db()
    assert order.state == Order.State.CANCELLED and "reservation" in order.cancel_reason
    assert line.variant.stock == stock_before + line.quantity
    assert stripe.PaymentIntent.retrieve(intent_id).status == "canceled"
    assert fresh.state == Order.State.PENDING


def test_an_expired_order_that_stripe_charged_meanwhile_is_paid_not_cancelled(paid_intent):
    order, _ = paid_intent
    Order.objects.filter(pk=order.pk).update(reserved_until=timezone.now() - timedelta(minutes=1))
    stock_before = order.lines.get().variant.stock
    orders_release_expired()
    order.refresh_from_db()
    assert order.state == Order.State.PAID
    assert order.lines.get().variant.stock == stock_before
