"""Cart reads: lines with their products, and the price summary shown before checkout."""
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from shop.models import Cart, CartLine, ShippingMethod, TaxRate
from shop.money import ZERO, quantize
from shop.models.cart import SESSION_CART_KEY


@dataclass(frozen=True)
class CartSummary:
    lines: list[CartLine]
    item_count: int
    subtotal: Decimal
    shipping_method: ShippingMethod | None
    shipping: Decimal
    tax_state: str | None
    tax_rate: Decimal
    tax: Decimal
    total: Decimal

    @property
    def is_empty(self):
        return not self.lines


def cart_lines(cart: Cart) -> list[CartLine]:
    return list(
        cart.lines.select_related("variant__product").prefetch_related("variant__product__images")
    )


def cart_item_count(request) -> int:
    """Items in the request's cart, for the header; 0 when there is no cart yet."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        lines = CartLine.objects.filter(cart__user=user)
    else:
        cart_id = request.session.get(SESSION_CART_KEY) if hasattr(request, "session") else None
        if not cart_id:
            return 0
        lines = CartLine.objects.filter(cart_id=cart_id, cart__user__isnull=True)
    return lines.aggregate(n=Sum("quantity"))["n"] or 0


def default_shipping_method() -> ShippingMethod | None:
    return ShippingMethod.objects.filter(is_active=True).first()


def shipping_cost(method: ShippingMethod | None, subtotal: Decimal) -> Decimal:
    if method is None or method.is_pickup:
        return ZERO
    if method.free_over is not None and subtotal >= method.free_over:
        return ZERO
    return quantize(method.price)


def cart_summary(cart: Cart, shipping_method: ShippingMethod | None = None, state: str | None = None) -> CartSummary:
    """Subtotal, shipping and sales tax for the cart.

    Tax follows the destination state; a local pickup is a sale in the organisation's own
    state. A state with no row in the tax table is charged no sales tax.
    """
    lines = cart_lines(cart)
    subtotal = quantize(sum((line.variant.price * line.quantity for line in lines), ZERO))
    shipping = shipping_cost(shipping_method, subtotal) if lines else ZERO
    tax_state = settings.MENDED_ORG["STATE"] if shipping_method and shipping_method.is_pickup else state
    rate_row = TaxRate.objects.filter(state=tax_state).first() if tax_state else None
    rate = rate_row.rate if rate_row else Decimal("0")
    taxable = subtotal + (shipping if rate_row and rate_row.applies_to_shipping else ZERO)
    tax = quantize(taxable * rate)
    return CartSummary(
        lines=lines,
        item_count=sum(line.quantity for line in lines),
        subtotal=subtotal,
        shipping_method=shipping_method,
        shipping=shipping,
        tax_state=tax_state,
        tax_rate=rate,
        tax=tax,
        total=subtotal + shipping + tax,
    )
