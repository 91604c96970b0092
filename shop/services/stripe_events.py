"""Stripe webhook events: stored once by id (the outbox), then processed by a task.

Processing finds the payment record by the Stripe id the event names (PaymentIntent,
refund, invoice) and hands that id to the service of the payment's owner, through one
table keyed by the payment's kind (``OWNERS``). An event for a Stripe object we have no
payment for is stored, logged and acknowledged. Processing never trusts the event's copy
of an object: each owner's service fetches the current state from Stripe, and every
effect is idempotent, so a replayed or re-swept event changes nothing.
"""
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shop.models import Payment, Refund, StripeEvent
from shop.services import donations
from shop.services.gifts.orders import gift_order_payment_sync
from shop.services.payments import payment_intent_sync
from shop.services.refunds import refund_sync

log = logging.getLogger(__name__)

PAYMENT_INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.amount_capturable_updated",
}
REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}
# Monthly gifts (giving): the invoice is fetched again and decides.
INVOICE_EVENTS = {"invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed"}


def _invoice_decides(payment_intent_id: str) -> None:
    """A monthly gift's charge: its invoice's events decide, not its PaymentIntent's."""


@dataclass(frozen=True)
class Owner:
    """What an owner's service does with news of its payment: each takes the Stripe id."""

    payment_intent: Callable[[str], object]
    refund: Callable[[str], object]


K = Payment.Kind
OWNERS: dict[str, Owner] = {
    K.ORDER: Owner(payment_intent=payment_intent_sync, refund=refund_sync),
    K.GIFT_ORDER: Owner(payment_intent=gift_order_payment_sync, refund=refund_sync),
    K.GIFT: Owner(payment_intent=donations.donation_payment_sync, refund=donations.donation_refund_sync),
    K.MONTHLY: Owner(payment_intent=_invoice_decides, refund=donations.donation_refund_sync),
    K.TICKET: Owner(payment_intent=donations.donation_payment_sync, refund=donations.donation_refund_sync),
    K.SPONSORSHIP: Owner(payment_intent=donations.donation_payment_sync, refund=donations.donation_refund_sync),
}


def stripe_event_record(event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified event once; enqueue its processing when the row commits."""
    from shop.tasks import process_stripe_event

    try:
        with transaction.atomic():
            stored, created = StripeEvent.objects.get_or_create(
                stripe_id=event["id"], defaults={"type": event.get("type", ""), "payload": event}
            )
            if created:
                transaction.on_commit(lambda: process_stripe_event.delay(stored.pk))
    except IntegrityError:  # the same event arriving twice at the same moment
        return StripeEvent.objects.get(stripe_id=event["id"]), False
    return stored, created


def _refund_ids(event: StripeEvent) -> list[str]:
    obj = event.payload.get("data", {}).get("object", {})
    if event.type == "charge.refunded":
        return [r["id"] for r in (obj.get("refunds") or {}).get("data", [])]
    return [obj["id"]] if obj.get("id") else []


def stripe_event_process(event_id: int) -> bool:
    """Apply one stored event. Returns False if it had been processed already."""
    event = StripeEvent.objects.filter(pk=event_id).first()
    if event is None or event.processed_at is not None:
        return False
    StripeEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1)
    obj = event.payload.get("data", {}).get("object", {})
    try:
        if event.type in PAYMENT_INTENT_EVENTS and obj.get("id"):
            kind = Payment.objects.filter(stripe_payment_intent_id=obj["id"]).values_list("kind", flat=True).first()
            if kind is None:
                log.info("Event %s: PaymentIntent %s is no payment of ours", event.stripe_id, obj["id"])
            else:
                OWNERS[kind].payment_intent(obj["id"])
        elif event.type == "charge.refunded" or event.type in REFUND_EVENTS:
            for refund_id in _refund_ids(event):
                kind = Refund.objects.filter(stripe_refund_id=refund_id).values_list("payment__kind", flat=True).first()
                if kind is None:
                    log.info("Event %s: refund %s is no refund of ours", event.stripe_id, refund_id)
                else:
                    OWNERS[kind].refund(refund_id)
        elif event.type in INVOICE_EVENTS:
            # Stripe invoices are only ever a monthly gift's (Mended issues its own net-30
            # invoices): the monthly-gift service records the month's payment, or finds it
            # by the invoice id when it is already recorded.
            donations.donation_invoice_sync(obj["id"])
        elif event.type == "customer.subscription.deleted":
            donations.subscription_sync(obj["id"])
        # Any other type is stored and acknowledged, and needs nothing more.
    except Exception as error:
        StripeEvent.objects.filter(pk=event.pk).update(last_error=f"{type(error).__name__}: {error}"[:2000])
        raise
    return StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), last_error=""
    ) == 1


def stripe_events_sweep(older_than_seconds: int = 60) -> list[int]:
    """Re-enqueue stored events left unprocessed (a lost enqueue or a crashed worker)."""
    from shop.tasks import process_stripe_event

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stale = list(
        StripeEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff, attempts__lt=20)
        .order_by("id")
        .values_list("pk", flat=True)[:500]
    )
    for event_id in stale:
        process_stripe_event.delay(event_id)
    return stale
