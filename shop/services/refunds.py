"""Refunds: rows against a payment, final only when Stripe confirms. A shop order's refund is
also allocated across the order's lines to the cent."""
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shop.platform import stripe_gateway as gateway
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.platform.facts import announce_on_commit, refund_confirmed
from shop.models import Order, Payment, Refund, RefundLine
from shop.platform.money import ZERO, allocate, cents_sum, from_cents, quantize, sum_money
from shop.services.orders import move_state

S = Order.State


class RefundError(DomainError):
    pass


def refund_room(payment: Payment) -> Decimal:
    """What can still be refunded of a payment: its amount less every refund not failed
    (waiting or done). The one rule that keeps a payment's refunds from summing above it."""
    return payment.amount - sum_money(payment.refunds.exclude(status=Refund.Status.FAILED))


def refund_check(payment: Payment, amount: Decimal, what: str) -> None:
    """Refuse a refund of ``amount`` that is not positive or would take the refunds above the payment."""
    if amount <= 0:
        raise RefundError("Enter a refund amount above $0.00.")
    room = refund_room(payment)
    if amount > room:
        raise RefundError(f"At most ${room} of {what} can still be refunded.")


def _refunded_by_line(order: Order) -> dict[int, Decimal]:
    """What earlier refunds (waiting or done) already took from each line."""
    rows = (
        RefundLine.objects.filter(refund__order=order)
        .exclude(refund__status=Refund.Status.FAILED)
        .values("order_line")
        .annotate(cents=cents_sum("amount"))
    )
    return {row["order_line"]: from_cents(int(row["cents"])) for row in rows}


def refund_allocation(order: Order, amount: Decimal) -> tuple[dict[int, Decimal], Decimal]:
    """Split a refund over the lines (by what is left of each line's price and tax) and shipping.

    Returns ({order_line_id: amount}, shipping_amount); the parts sum to ``amount`` exactly.
    """
    taken = _refunded_by_line(order)
    lines = list(order.lines.all())
    line_left = [line.gross - taken.get(line.pk, ZERO) for line in lines]
    open_refunds = order.refunds.exclude(status=Refund.Status.FAILED)
    shipping_taken = sum_money(open_refunds, "shipping_amount")
    shipping_left = order.shipping + order.shipping_tax - shipping_taken
    parts = allocate(amount, line_left + [shipping_left])
    return {line.pk: part for line, part in zip(lines, parts[:-1])}, parts[-1]


def refund_create(order_id: int, amount: Decimal, reason: str = "", staff_user=None) -> Refund:
    """Ask Stripe to refund part or all of a paid order. Confirmed now if Stripe says so.

    An order paid partly with gift cards has several settled payments: the refund is split
    over them by what is left to refund of each (``allocate``), one ``Refund`` per payment;
    a card's share goes back onto the card at once (``gift_card_refund_back``), never to the
    customer's bank card (no cash-out). Returns the Stripe refund, or the first card's."""
    amount = quantize(amount)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if not order.is_paid or order.state == S.REFUNDED:
            raise RefundError(f"Order {order.number} has nothing to refund: it is {order.get_state_display().lower()}.")
        waiting = sum_money(order.refunds.filter(status=Refund.Status.PENDING))
        available = order.total - order.amount_refunded - waiting
        if amount <= 0:
            raise RefundError("Enter a refund amount above $0.00.")
        if amount > available:
            raise RefundError(f"At most ${available} of order {order.number} can still be refunded.")
        payments = list(order.payments.select_for_update().filter(status="succeeded").order_by("id"))
        if not payments:
            raise RefundError(f"Order {order.number} has no settled payment to refund.")
        rooms = [refund_room(payment) for payment in payments]
        if sum(rooms, ZERO) < amount:
            raise RefundError(f"At most ${sum(rooms, ZERO)} of order {order.number} can still be refunded.")
        refunds = []
        for payment, part in zip(payments, allocate(amount, rooms)):
            if not part:
                continue
            refund_check(payment, part, f"order {order.number}")
            by_line, shipping_part = refund_allocation(order, part)
            refund = Refund.objects.create(
                order=order, payment=payment, amount=part, shipping_amount=shipping_part, reason=reason,
                created_by=staff_user,
            )
            RefundLine.objects.bulk_create(
                RefundLine(refund=refund, order_line_id=line_id, amount=share) for line_id, share in by_line.items()
            )
            audit_record("refund.requested", actor=staff_user, target=refund, order=order.number, amount=part)
            refunds.append(refund)
    by_card = [refund for refund in refunds if refund.payment.gift_card_id is not None]
    at_stripe = [refund for refund in refunds if refund.payment.gift_card_id is None]
    for refund in at_stripe:  # first: a refusal at Stripe leaves the cards' shares not given back
        try:
            _refund_at_stripe(refund, staff_user)
        except DomainError:
            with transaction.atomic():
                Refund.objects.filter(pk__in=[r.pk for r in by_card]).update(status=Refund.Status.FAILED)
            raise
    from shop.services.giftcards import gift_card_refund_back

    for refund in by_card:
        gift_card_refund_back(refund.pk)
        refund.refresh_from_db()
    return at_stripe[0] if at_stripe else by_card[0]


def _refund_at_stripe(refund: Refund, staff_user=None) -> Refund:
    payment, amount = refund.payment, refund.amount
    if payment.demo:
        return _demo_refund_confirm(refund)
    try:
        stripe_refund = gateway.create_refund(payment.stripe_payment_intent_id, amount, f"refund-{refund.pk}")
    except DomainError:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
            audit_record("refund.failed", actor=staff_user, target=refund, amount=amount)
        raise
    Refund.objects.filter(pk=refund.pk).update(stripe_refund_id=stripe_refund["id"])
    refund_apply_stripe_status(refund.pk, stripe_refund["status"])
    refund.refresh_from_db()
    return refund


DEMO_REFUND_NOTE = ("This is a demo order: it was never charged at Stripe, so no money moved. "
                    "The refund is recorded here as if Stripe had confirmed it.")


def _demo_refund_confirm(refund: Refund) -> Refund:
    """A demo payment (``Payment.demo``) has nothing at Stripe to refund: record the refund
    as Stripe would confirm it, through the same confirmation as a real one."""
    Refund.objects.filter(pk=refund.pk).update(stripe_refund_id=f"re_demo_{refund.pk}")
    refund_apply_stripe_status(refund.pk, "succeeded")
    refund.refresh_from_db()
    return refund


@transaction.atomic
def refund_apply_stripe_status(refund_id: int, stripe_status: str, confirmed_at=None) -> bool:
    """Apply Stripe's status for the refund. Returns True when this call confirmed it.

    Any payment's refund row is settled here; a shop order's refund also moves the order
    (its owner's service does the rest for the other kinds, e.g. ``donation_refund_sync``)."""
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return False
    if stripe_status in ("failed", "canceled"):
        refund.status = Refund.Status.FAILED
        refund.save(update_fields=["status"])
        audit_record("refund.failed", target=refund, amount=refund.amount, stripe_status=stripe_status)
        return False
    if stripe_status != "succeeded":
        return False
    if refund.order_id is None:
        refund.status = Refund.Status.SUCCEEDED
        refund.confirmed_at = confirmed_at or timezone.now()
        refund.save(update_fields=["status", "confirmed_at"])
        return True
    order = Order.objects.select_for_update().get(pk=refund.order_id)
    order.amount_refunded += refund.amount
    move_state(order, S.REFUNDED if order.amount_refunded == order.total else S.PARTIALLY_REFUNDED, "refunded")
    order.save(update_fields=["amount_refunded", "state"])
    refund.status = Refund.Status.SUCCEEDED
    refund.confirmed_at = confirmed_at or timezone.now()
    refund.save(update_fields=["status", "confirmed_at"])
    audit_record("refund.confirmed", target=refund, order=order.number, amount=refund.amount)
    line_amounts = {line.order_line_id: line.amount for line in refund.lines.all()}
    announce_on_commit(refund_confirmed, refund_id=refund.pk, order_id=order.pk, line_amounts=line_amounts)
    return True


def refund_sync(stripe_refund_id: str) -> Refund | None:
    """Fetch a refund from Stripe (charge.refunded / refund.updated webhooks) and apply it to
    its row (and a shop order's refund to the order). A gift's refund goes to ``donation_refund_sync``."""
    refund = Refund.objects.filter(stripe_refund_id=stripe_refund_id).first()
    if refund is None:
        return None
    stripe_refund = gateway.retrieve_refund(stripe_refund_id)
    refund_apply_stripe_status(refund.pk, stripe_refund["status"])
    refund.refresh_from_db()
    return refund



def payment_refund(payment_id: int, amount: Decimal, reason: str, idempotency_key: str, actor=None) -> Refund:
    """Refund ``amount`` of one payment that is no shop order's (a gift box order's unclaimed
    gifts, say): a refund row checked against what is left of the payment, asked of Stripe
    under ``idempotency_key`` and confirmed now if Stripe says so (else by its webhook)."""
    amount = quantize(amount)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != "succeeded" or not payment.stripe_payment_intent_id:
            raise RefundError("There is no settled card payment to refund.")
        refund_check(payment, amount, "this payment")
        refund = Refund.objects.create(payment=payment, amount=amount, reason=reason[:200], created_by=actor)
        audit_record("refund.requested", actor=actor, target=refund, amount=amount)
    if payment.demo:
        return _demo_refund_confirm(refund)
    try:
        stripe_refund = gateway.create_refund(payment.stripe_payment_intent_id, amount, idempotency_key)
    except DomainError:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
            audit_record("refund.failed", actor=actor, target=refund, amount=amount)
        raise
    Refund.objects.filter(pk=refund.pk).update(stripe_refund_id=stripe_refund["id"])
    refund_apply_stripe_status(refund.pk, stripe_refund["status"])
    refund.refresh_from_db()
    return refund
