"""Gift cards: made with the order that buys them, issued when it is paid, e-mailed on the
chosen day, redeemed in the order's transaction, given back on a refund or a cancellation.

Every change of a balance is a new ``GiftCardEntry`` written with the card's row locked
(``select_for_update``, cards in primary-key order, after the stock and discount-code rows),
and the balance is read again under that lock: two checkouts cannot both spend the same
money. A card pays an order through the one payment record: a ``Payment`` of the order with
``gift_card`` set (no Stripe), so an order's payments always sum to its total, and a refund
is split over them (``shop/services/refunds.py``), the card's share going back onto the card.
There is no cash-out: a balance only ever pays for goods.
"""
import logging
import secrets
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shop.models import GiftCard, GiftCardEntry, Order, OrderLine, Payment, PaymentStatusChange, Refund
from shop.platform import mail
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.platform.money import quantize
from shop.pricing import PriceBreakdown, tenders
from shop.selectors.giftcards import (
    ALPHABET,
    CODE_LENGTH,
    MAX_CARDS,
    as_tenders,
    balances,
    cards_read,
    code_hash,
    normalise_code,
    shown,
    unknown_message,
)

log = logging.getLogger(__name__)
E = GiftCardEntry.Kind


class GiftCardError(DomainError):
    pass


def code_new() -> str:
    """16 characters from a 31-letter alphabet: about 79 bits, drawn by ``secrets``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def gift_card_create(amount: Decimal, *, buyer_email: str, deliver_on: date, recipient_name: str = "",
                     recipient_email: str = "", message: str = "", order: Order | None = None,
                     order_line: OrderLine | None = None, product=None, code: str | None = None) -> GiftCard:
    """A new card, pending until ``gift_card_issue``. ``code`` only for the demo's known card."""
    amount = quantize(amount)
    if amount <= 0:
        raise GiftCardError("A gift card's amount is above $0.00.")
    code = normalise_code(code) if code else code_new()
    if len(code) < CODE_LENGTH or any(c not in ALPHABET for c in code):
        raise GiftCardError(f"A gift card code is {CODE_LENGTH} characters from {ALPHABET}.")
    return GiftCard.objects.create(
        code_hash=code_hash(code), code=code, last4=code[-4:], amount=amount, product=product, order=order,
        order_line=order_line, buyer_email=buyer_email, recipient_name=recipient_name,
        recipient_email=recipient_email, message=message, deliver_on=deliver_on,
    )


def gift_cards_for_order(order: Order, lines: Sequence[OrderLine], cart_lines) -> list[GiftCard]:
    """The cards an order buys (pending), one per unit of each gift card line; in ``order_place``."""
    made = []
    for line, cart_line in zip(lines, cart_lines):
        if cart_line.gift_amount is None:
            continue
        for _ in range(line.quantity):
            made.append(gift_card_create(
                line.unit_price, buyer_email=order.email, deliver_on=cart_line.gift_deliver_on or timezone.localdate(),
                recipient_name=cart_line.gift_recipient_name, recipient_email=cart_line.gift_recipient_email,
                message=cart_line.gift_message, order=order, order_line=line, product=line.product,
            ))
    return made


@transaction.atomic
def gift_card_issue(card_id: int) -> bool:
    """Put the card's amount on it (once: the ``issue:<id>`` entry) and queue its e-mail if its
    day has come (else the daily ``gift_cards_send_due`` sends it). True if issued now."""
    card = GiftCard.objects.select_for_update().get(pk=card_id)
    if card.state != GiftCard.State.PENDING:
        return False
    card.state, card.issued_at = GiftCard.State.ACTIVE, timezone.now()
    card.save(update_fields=["state", "issued_at"])
    GiftCardEntry.objects.create(card=card, kind=E.ISSUE, amount=card.amount, order=card.order, key=f"issue:{card.pk}")
    audit_record("gift_card.issued", target=card, amount=card.amount, order=card.order.number if card.order else "")
    if card.deliver_on <= timezone.localdate():
        from shop.tasks import send_gift_card

        transaction.on_commit(lambda: send_gift_card.delay(card.pk))
    return True


def gift_cards_issue_for_order(order: Order) -> int:
    """Issue the cards an order bought; called in ``order_mark_paid``'s transaction."""
    ids = list(order.gift_cards_sold.filter(state=GiftCard.State.PENDING).order_by("pk").values_list("pk", flat=True))
    return sum(gift_card_issue(pk) for pk in ids)


@transaction.atomic
def gift_cards_void_for_order(order: Order) -> None:
    """A cancelled order's cards never become money."""
    order.gift_cards_sold.filter(state=GiftCard.State.PENDING).update(state=GiftCard.State.VOID)


def gift_cards_redeem(order: Order, codes: Sequence[str], breakdown: PriceBreakdown) -> list[Payment]:
    """Pay what the cards can of ``order`` (priced as ``breakdown``): lock the cards, read their
    balances under the lock, take each card's part (``shop.pricing.tenders``) as a payment and a
    ``redeem`` entry, and set ``order.gift_card_total``. Call inside ``order_place``'s transaction;
    a card unknown or empty raises ``GiftCardError`` and the order is rolled back."""
    if not codes:
        return []
    if len(codes) > MAX_CARDS:
        raise GiftCardError(f"At most {MAX_CARDS} gift cards can be used on one order.")
    rows, unknown = cards_read(codes, lock=True)
    if unknown:
        raise GiftCardError(unknown_message())
    for row in rows:  # found under a retired SECRET_KEY: re-key it now, its row locked
        if row.code_hash != code_hash(row.code):
            row.code_hash = code_hash(row.code)
            row.save(update_fields=["code_hash"])
    held = balances(rows)  # under the lock: no other checkout can take from these now
    empty = [row for row in rows if held[row.pk] <= 0]
    if empty:
        raise GiftCardError(f"The gift card ending {empty[0].last4} has no balance left.")
    paid = tenders(breakdown, as_tenders(rows, held))
    by_pk = {row.pk: row for row in rows}
    payments = []
    for tender, amount in paid.cards:
        card = by_pk[tender.key]
        payment = Payment.objects.create(kind=Payment.Kind.ORDER, order=order, gift_card=card, amount=amount,
                                         status="succeeded")
        PaymentStatusChange.objects.create(payment=payment, new_status="succeeded", note=f"Gift card {card.masked}")
        GiftCardEntry.objects.create(card=card, kind=E.REDEEM, amount=-amount, order=order, payment=payment,
                                     key=f"redeem:{payment.pk}")
        payments.append(payment)
    order.gift_card_total = paid.gift_card_total
    order.save(update_fields=["gift_card_total"])
    return payments


def _locked_cards(payments) -> None:
    ids = sorted({p.gift_card_id for p in payments})
    list(GiftCard.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def gift_cards_release(order: Order) -> int:
    """An unpaid order cancelled or expired: what its cards paid goes back onto them (once per
    payment: ``release:<payment>``). Returns how many cards were given back."""
    payments = list(order.payments.filter(gift_card__isnull=False, status="succeeded").order_by("pk"))
    _locked_cards(payments)
    for payment in payments:
        GiftCardEntry.objects.create(card_id=payment.gift_card_id, kind=E.REFUND, amount=payment.amount, order=order,
                                     payment=payment, key=f"release:{payment.pk}", note="Order cancelled unpaid")
        Payment.objects.filter(pk=payment.pk).update(status="canceled", updated_at=timezone.now())
        PaymentStatusChange.objects.create(payment=payment, old_status="succeeded", new_status="canceled",
                                           note="Order cancelled: put back on the gift card")
    return len(payments)


@transaction.atomic
def gift_card_refund_back(refund_id: int) -> bool:
    """A refund against a card's payment puts its amount back onto the card (once: ``refund:<id>``)
    and is confirmed as Stripe would confirm one. True if done now."""
    from shop.services.refunds import refund_apply_stripe_status

    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.payment.gift_card_id is None:
        raise GiftCardError("That refund is not against a gift card.")
    GiftCard.objects.select_for_update().get(pk=refund.payment.gift_card_id)
    if GiftCardEntry.objects.filter(key=f"refund:{refund.pk}").exists():
        return False
    GiftCardEntry.objects.create(card_id=refund.payment.gift_card_id, kind=E.REFUND, amount=refund.amount,
                                 order=refund.order, payment=refund.payment, refund=refund, key=f"refund:{refund.pk}",
                                 note="Refund")
    return refund_apply_stripe_status(refund.pk, "succeeded")


@transaction.atomic
def gift_card_send(card_id: int, today: date | None = None) -> bool:
    """The one e-mail with an issued card's code, on or after its day. True if sent now."""
    today = today or timezone.localdate()
    card = GiftCard.objects.select_for_update().filter(pk=card_id).first()
    if card is None or card.state != GiftCard.State.ACTIVE or card.emailed_at is not None or card.deliver_on > today:
        return False
    link = settings.SITE_URL.rstrip("/") + "/shop/"
    mail.send(to=[card.send_to], subject=f"A {settings.MENDED_ORG['NAME']} gift card for you",
              template="shop/email/gift_card", context={"card": card, "code": shown(card.code), "link": link,
                                                         "for_buyer": not card.recipient_email})
    card.emailed_at = timezone.now()
    card.save(update_fields=["emailed_at"])
    return True


def gift_cards_send_due(today: date | None = None) -> int:
    """Queue the e-mail of every issued card whose day has come and which was not sent (the
    daily beat task; ``gift_card_send`` sends each once however often it is queued)."""
    today = today or timezone.localdate()
    from shop.tasks import send_gift_card

    due = list(GiftCard.objects.filter(state=GiftCard.State.ACTIVE, emailed_at__isnull=True, deliver_on__lte=today)
               .order_by("pk").values_list("pk", flat=True))
    for pk in due:
        send_gift_card.delay(pk)
    return len(due)


def gift_cards_rekey() -> int:
    """Hash every card's code under the current SECRET_KEY (after a rotation, so the retired
    key can leave ``SECRET_KEY_FALLBACKS``). Each row locked while it changes; returns how many
    changed. A second run changes nothing."""
    changed = 0
    for card_id in GiftCard.objects.order_by("pk").values_list("pk", flat=True).iterator():
        with transaction.atomic():
            card = GiftCard.objects.select_for_update().get(pk=card_id)
            if card.code_hash != code_hash(card.code):
                card.code_hash = code_hash(card.code)
                card.save(update_fields=["code_hash"])
                changed += 1
    return changed
