"""Order use cases: place (reserving stock), pay, fulfil, complete, cancel, expire.

Every state change goes through ``move_state``, which refuses transitions the order's state
does not allow. Stock rows are always locked in primary-key order, so two checkouts
cannot deadlock, and a unit can be reserved by only one of them.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.platform.facts import announce_on_commit, order_paid
from shop.models import Cart, Order, OrderLine, ProductVariant, ShippingMethod
from shop.selectors.pricing import price_items
from shop.selectors.surtax import county_choice
from shop.services.addresses import address_remember
from shop.services.catalog import catalog_changed
from shop.services.restock import restock_requests_release
from shop.services.discounts import DiscountError, discounts_lock, discounts_record
from shop.services.giftcards import (
    GiftCardError,
    gift_cards_for_order,
    gift_cards_issue_for_order,
    gift_cards_redeem,
    gift_cards_release,
    gift_cards_void_for_order,
)

S = Order.State
TRANSITIONS = {
    S.PENDING: {S.PAID, S.CANCELLED},
    S.PAID: {S.FULFILLED, S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.FULFILLED: {S.COMPLETED, S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.COMPLETED: {S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.PARTIALLY_REFUNDED: {S.FULFILLED, S.COMPLETED, S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}


class OrderStateError(DomainError):
    pass


class CheckoutError(DomainError):
    pass


STRIPE_MINIMUM = Decimal("0.50")  # Stripe charges no less than this in US dollars


def _charge_problem(order: Order, codes) -> None:
    """Stripe refuses a charge under $0.50: an order leaving $0.01 to $0.49 to pay by card is
    refused here, on the field that brought it there (nothing is written)."""
    due = order.amount_due
    if not (0 < due < STRIPE_MINIMUM):
        return
    start = f"Card payments start at $0.50, and this order would leave ${due} to pay by card. "
    if order.gift_card_total:
        raise GiftCardError(start + "Please add something to your cart, or leave one gift card out and pay a little more by card.")
    if codes:
        raise DiscountError(start + "Please add something to your cart, or check out without the code.")
    raise CheckoutError(start + "Please add something to your cart.")


def move_state(order: Order, to: str, action: str) -> None:
    if to not in TRANSITIONS[order.state]:
        raise OrderStateError(f"Order {order.number} cannot be {action}: it is {order.get_state_display().lower()}.")
    order.state = to


def _locked(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


@dataclass(frozen=True)
class CheckoutDetails:
    email: str
    name: str
    shipping_method: ShippingMethod
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str = ""
    county: str = ""  # Florida: the county chosen where the ZIP code does not settle it
    address_id: int | None = None  # a signed-in customer's saved address it delivers to
    save_address: bool = False  # save the typed address to the customer's book
    default_address: bool = False  # ...as the default


@transaction.atomic
def order_place(cart: Cart, details: CheckoutDetails, user=None, discounts=(), codes=(), gift_cards=()) -> Order:
    """Turn the cart into a pending order and hold its stock for the reservation period.

    ``discounts`` (``shop.pricing`` discount objects) and then the discount ``codes`` typed
    (locked and counted here, ``shop/services/discounts.py``) come off the goods; the order
    and its lines keep what each took. A code that cannot be used raises ``DiscountError``
    and nothing is written. In Florida the county's surtax is charged: the ZIP code's county, or
    the one the customer chose where the ZIP crosses a county line (``shop/selectors/surtax.py``).
    The ``gift_cards`` typed then pay what they can (``shop/services/giftcards.py``, their rows
    locked after the codes'); when they pay it all, the order is marked paid here, through
    ``order_mark_paid`` as a Stripe payment would be. Gift cards bought are made pending, and
    issued when the order is paid."""
    pickup = details.shipping_method.is_pickup
    county, problem = ("", "") if pickup else county_choice(details.state, details.postal_code, details.county)
    if problem:
        raise CheckoutError(problem)
    wanted: dict[int, int] = {}
    cart_lines = list(cart.lines.all())
    for line in cart_lines:
        wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
    if not wanted:
        raise CheckoutError("Your cart is empty.")
    variants = list(
        ProductVariant.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk__in=sorted(wanted))
        .order_by("pk")
    )
    short = [v for v in variants if not v.product.is_active or v.stock < wanted[v.pk]]
    if len(variants) != len(wanted) or short:
        names = ", ".join(
            f"{v} ({'sold out' if v.stock == 0 or not v.product.is_active else f'only {v.stock} left'})" for v in short
        )
        raise CheckoutError(
            f"Sorry, not enough stock: {names or 'an item is no longer available'}. Your cart has not been charged."
        )
    for variant in variants:
        ProductVariant.objects.filter(pk=variant.pk).update(stock=F("stock") - wanted[variant.pk])
    catalog_changed()  # stock shows on catalog pages

    code_rows, code_discounts = discounts_lock(codes, email=details.email, user=user)
    # The goods one line per variant (in key order); each gift card bought its own line after them.
    by_pk = {v.pk: v for v in variants}
    gift_lines = [line for line in cart_lines if line.gift_amount is not None]
    if any(by_pk[line.variant_id].product.is_gift_card and line.gift_amount is None for line in cart_lines):
        raise CheckoutError("A gift card in your cart has no amount: remove it and add it again from its page.")
    items = [(v, wanted[v.pk] - sum(g.quantity for g in gift_lines if g.variant_id == v.pk), None) for v in variants]
    items = [item for item in items if item[1] > 0] + [(by_pk[g.variant_id], g.quantity, g.gift_amount)
                                                       for g in gift_lines]
    pricing = price_items(items, details.shipping_method, details.state or None, [*discounts, *code_discounts],
                          county=county)
    order = Order.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        email=details.email,
        shipping_method=details.shipping_method,
        shipping_method_name=details.shipping_method.name,
        is_pickup=pickup,
        ship_name=details.name,
        ship_line1="" if pickup else details.line1,
        ship_line2="" if pickup else details.line2,
        ship_city="" if pickup else details.city,
        ship_state="" if pickup else details.state,
        ship_postal_code="" if pickup else details.postal_code,
        phone=details.phone,
        subtotal=pricing.subtotal,
        discount_total=pricing.discount_total,
        shipping=pricing.shipping,
        shipping_discount=pricing.breakdown.shipping_discount,
        shipping_tax=pricing.shipping_tax,
        tax=pricing.tax,
        surtax=pricing.surtax,
        tax_county=pricing.tax_county,
        total=pricing.total,
        reserved_until=timezone.now() + timedelta(minutes=settings.STOCK_RESERVATION_MINUTES),
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=variant.product,
            variant=variant,
            title=variant.product.name,
            variant_label=variant.label if label is None else label,
            sku=variant.sku,
            unit_price=priced.line.unit_price,
            quantity=quantity,
            wage_content=priced.line.wage_content,
            line_total=priced.total,
            discount=priced.discount,
            tax=priced.tax,
        )
        for (variant, quantity, _), priced, label in zip(
            items, pricing.breakdown.lines, [None] * (len(items) - len(gift_lines)) + [g.gift_label for g in gift_lines])
    )
    if (code_rows or gift_lines) and any(line.pk is None for line in lines):  # no ids from a bulk insert
        lines = list(order.lines.order_by("id"))
    if code_rows:
        discounts_record(order, code_rows, pricing.breakdown, lines)
    if gift_lines:
        gift_cards_for_order(order, lines[len(items) - len(gift_lines):], gift_lines)
    gift_cards_redeem(order, gift_cards, pricing.breakdown)
    _charge_problem(order, codes)
    cart.lines.all().delete()
    if order.user_id is not None and not pickup:
        address_remember(user, details)
    if order.amount_due == 0:  # gift cards paid it all, or the codes made it free: nothing to charge at Stripe
        order_mark_paid(order.pk)
        order.refresh_from_db()
    return order


@transaction.atomic
def order_mark_paid(order_id: int, paid_at=None) -> bool:
    """Record that Stripe confirmed the payment. Returns False if it was already recorded.

    ``paid_at`` is for importing orders paid earlier; it defaults to now.
    """
    order = _locked(order_id)
    if order.is_paid:
        return False
    move_state(order, S.PAID, "marked paid")
    order.paid_at = paid_at or timezone.now()
    order.reserved_until = None
    order.save(update_fields=["state", "paid_at", "reserved_until"])
    audit_record("order.paid", target=order, total=order.total)
    gift_cards_issue_for_order(order)
    from shop.tasks import send_order_confirmation

    transaction.on_commit(lambda: send_order_confirmation.delay(order.pk))
    announce_on_commit(order_paid, order_id=order.pk)
    return True


def _release_stock(order: Order) -> None:
    lines = list(order.lines.filter(variant__isnull=False).order_by("variant_id"))
    for line in lines:
        ProductVariant.objects.filter(pk=line.variant_id).update(stock=F("stock") + line.quantity)
    catalog_changed()
    restock_requests_release(line.variant_id for line in lines)  # "it's back" e-mails, after the commit


@transaction.atomic
def order_cancel(order_id: int, reason: str) -> Order:
    """Cancel an unpaid order and put its reserved stock back."""
    order = _locked(order_id)
    move_state(order, S.CANCELLED, "cancelled")
    # Lock the variants in primary-key order, as checkout does.
    list(ProductVariant.objects.select_for_update().filter(pk__in=order.lines.values("variant_id")).order_by("pk"))
    _release_stock(order)
    gift_cards_release(order)  # what its gift cards paid goes back onto them
    gift_cards_void_for_order(order)
    order.cancelled_at = timezone.now()
    order.cancel_reason = reason
    order.reserved_until = None
    order.save(update_fields=["state", "cancelled_at", "cancel_reason", "reserved_until"])
    return order


@transaction.atomic
def order_mark_shipped(order_id: int, carrier: str, tracking_number: str) -> Order:
    order = _locked(order_id)
    if order.is_pickup:
        raise OrderStateError(f"Order {order.number} is a local pickup; mark it picked up instead.")
    if not carrier.strip() or not tracking_number.strip():
        raise OrderStateError("Enter the carrier and the tracking number.")
    move_state(order, S.FULFILLED, "marked shipped")
    order.carrier, order.tracking_number = carrier.strip(), tracking_number.strip()
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["state", "carrier", "tracking_number", "fulfilled_at"])
    from shop.tasks import send_order_shipped

    transaction.on_commit(lambda: send_order_shipped.delay(order.pk))
    return order


@transaction.atomic
def order_mark_picked_up(order_id: int) -> Order:
    order = _locked(order_id)
    if not order.is_pickup:
        raise OrderStateError(f"Order {order.number} is shipped, not picked up.")
    move_state(order, S.FULFILLED, "marked picked up")
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["state", "fulfilled_at"])
    return order


@transaction.atomic
def order_complete(order_id: int) -> Order:
    order = _locked(order_id)
    if order.fulfilled_at is None:
        raise OrderStateError(f"Order {order.number} cannot be completed before it is fulfilled.")
    move_state(order, S.COMPLETED, "completed")
    order.completed_at = timezone.now()
    order.save(update_fields=["state", "completed_at"])
    return order
