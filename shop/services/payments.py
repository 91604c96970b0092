"""Payment use cases. Only Stripe's own word (a fetched PaymentIntent) marks an order paid.

The first part is shared by every owner of a payment (orders, gift orders, gifts, tickets,
sponsorships): opening the one payment record for a PaymentIntent and recording its status
with its history. The rest is the shop order's own payment.
"""
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.platform import stripe_gateway as gateway
from shop.platform.errors import DomainError
from shop.models import Order, Payment, PaymentStatusChange
from shop.platform.money import to_cents
from shop.services.orders import order_cancel, order_mark_paid

log = logging.getLogger(__name__)

OPEN_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action", "processing", "requires_capture")


class PaymentError(DomainError):
    pass


OWNER_FIELD = {Payment.Kind.ORDER: "order", Payment.Kind.GIFT_ORDER: "gift_order"}  # the other kinds: "donation"


def payment_open(kind: str, owner, intent: dict, amount) -> Payment:
    """The payment record of a PaymentIntent just opened at Stripe for ``owner`` (once per intent)."""
    owner_field = OWNER_FIELD.get(kind, "donation")
    fields = {"kind": kind, owner_field: owner, "amount": amount,
              "status": intent.get("status") or "requires_payment_method"}
    try:
        with transaction.atomic():
            payment, created = Payment.objects.get_or_create(stripe_payment_intent_id=intent["id"], defaults=fields)
            if created:
                PaymentStatusChange.objects.create(payment=payment, new_status=payment.status)
    except IntegrityError:  # the same intent recorded at the same moment elsewhere
        payment = Payment.objects.get(stripe_payment_intent_id=intent["id"])
    if getattr(payment, f"{owner_field}_id") != owner.pk:
        raise DomainError("That payment belongs to something else.")
    return payment


def payment_status_record(payment: Payment, status: str, error: str = "", note: str = "") -> bool:
    """Record Stripe's status (and decline message) for a payment; a change is kept in its
    history. Returns True when the status changed."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        Payment.objects.filter(pk=locked.pk).update(status=status, last_error=error[:300], updated_at=timezone.now())
        changed = locked.status != status
        if changed:
            PaymentStatusChange.objects.create(payment=locked, old_status=locked.status, new_status=status, note=note[:300])
    payment.status, payment.last_error = status, error[:300]
    return changed


def payment_intent_status_record(payment: Payment, intent: dict) -> bool:
    """``payment_status_record`` from a PaymentIntent as Stripe returned it."""
    error = intent.get("last_payment_error")
    charge = intent.get("latest_charge")
    if isinstance(charge, str) and charge and payment.stripe_charge_id != charge:
        Payment.objects.filter(pk=payment.pk).update(stripe_charge_id=charge)
        payment.stripe_charge_id = charge
    return payment_status_record(payment, intent["status"], _decline_message(intent) if error else "")


def payment_idempotency_key(order: Order) -> str:
    return f"order-{order.number}-payment-intent"


def payment_start(order: Order) -> Payment:
    """The order's open PaymentIntent, created on first use with the order's exact total less
    what gift cards paid (``Order.amount_due``)."""
    payment = order.payments.filter(status__in=OPEN_STATUSES, gift_card__isnull=True).order_by("-id").first()
    if payment is not None:
        return payment
    if order.state != Order.State.PENDING:
        raise PaymentError(f"Order {order.number} is not waiting for payment.")
    if order.amount_due <= 0:  # paid by gift cards or made free by codes: Stripe is never asked for $0
        raise PaymentError(f"Order {order.number} has nothing left to pay by card.")
    intent = gateway.create_payment_intent(order.amount_due, order.number, payment_idempotency_key(order))
    return payment_open(Payment.Kind.ORDER, order, intent, order.amount_due)


@dataclass(frozen=True)
class ConfirmResult:
    status: str
    client_secret: str | None = None


def payment_confirm(order: Order, payment_method_id: str) -> ConfirmResult:
    """Charge the card the page collected. The order becomes paid only when Stripe says so."""
    if not payment_method_id.startswith("pm_"):
        raise PaymentError("The card details did not come through. Please enter them again.")
    if order.state != Order.State.PENDING:
        raise PaymentError(f"Order {order.number} is not waiting for payment.")
    if order.reserved_until and order.reserved_until < timezone.now():
        raise PaymentError("Sorry, your reservation ran out. Please check out again; nothing was charged.")
    payment = payment_start(order)
    intent = gateway.confirm_payment_intent(payment.stripe_payment_intent_id, payment_method_id)
    payment_intent_status_record(payment, intent)
    if intent["status"] == "requires_action":
        return ConfirmResult(intent["status"], intent["client_secret"])
    if intent["status"] == "requires_payment_method":
        raise PaymentError(_decline_message(intent))
    return ConfirmResult(intent["status"])


def _decline_message(intent) -> str:
    error = intent.get("last_payment_error") or {}
    return error.get("message") or "Your card was declined. Please try another card."


def payment_intent_sync(payment_intent_id: str) -> Order | None:
    """Fetch the PaymentIntent from Stripe and bring our order in line with it.

    Called for an order's payment_intent.* webhooks: the event's own copy is not trusted.
    A succeeded intent for the wrong amount or currency is logged and not applied. An
    intent with no order payment of ours is logged and left alone.
    """
    payment = Payment.objects.select_related("order").filter(
        stripe_payment_intent_id=payment_intent_id, kind=Payment.Kind.ORDER).first()
    if payment is None:
        log.warning("PaymentIntent %s is no order payment of ours", payment_intent_id)
        return None
    intent = gateway.retrieve_payment_intent(payment_intent_id)
    payment_intent_status_record(payment, intent)
    order = payment.order
    if intent["status"] == "succeeded":
        if intent["currency"] != "usd" or intent["amount"] != to_cents(order.amount_due):
            log.error("PaymentIntent %s amount %s %s does not match order %s", intent["id"], intent["amount"], intent["currency"], order.number)
            return order
        order_mark_paid(order.pk)
    elif intent["status"] == "canceled" and order.state == Order.State.PENDING:
        order_cancel(order.pk, "Payment was cancelled.")
    order.refresh_from_db()
    return order


def order_expire(order_id: int) -> Order:
    """Release an unpaid order's reservation once it has run out.

    Each open PaymentIntent is cancelled at Stripe first, so it can no longer be paid.
    Where that fails, or our record says it already succeeded, Stripe is asked for its
    state: an intent that succeeded meanwhile makes the order paid instead.
    """
    order = Order.objects.get(pk=order_id)
    for payment in order.payments.exclude(status="canceled").filter(gift_card__isnull=True):
        if payment.status in OPEN_STATUSES:
            try:
                gateway.cancel_payment_intent(payment.stripe_payment_intent_id)
            except gateway.PaymentGatewayError:
                pass  # perhaps it succeeded meanwhile: ask Stripe below
            else:
                payment_status_record(payment, "canceled", note="The stock reservation ran out.")
                continue
        synced = payment_intent_sync(payment.stripe_payment_intent_id)
        if synced is not None and synced.is_paid:
            return synced
    order.refresh_from_db()
    if order.state == Order.State.PENDING:
        order = order_cancel(order.pk, "The stock reservation ran out before payment.")
    return order


def orders_release_expired(now=None) -> list[int]:
    """Expire every pending order whose reservation has run out; returns their ids."""
    now = now or timezone.now()
    expired = list(
        Order.objects.filter(state=Order.State.PENDING, reserved_until__lt=now).values_list("pk", flat=True)
    )
    for order_id in expired:
        try:
            order_expire(order_id)
        except DomainError as error:
            log.warning("Could not expire order %s yet: %s", order_id, error.message)
    return expired
