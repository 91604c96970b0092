"""Cart reads: lines with their products, and the price summary shown before checkout."""
from dataclasses import dataclass

from django.db.models import Sum

from shop.models import Cart, CartLine, ShippingMethod
from shop.models.cart import SESSION_CART_KEY
from shop.platform.compiled import CompiledRead
from shop.selectors.pricing import Pricing, price_items


@dataclass(frozen=True)
class CartSummary:
    lines: list[CartLine]
    pricing: Pricing

    @property
    def is_empty(self):
        return not self.lines

    @property
    def item_count(self):
        return sum(line.quantity for line in self.lines)

    def __getattr__(self, name):
        # subtotal, shipping, tax, total, ... come from the pricing.
        return getattr(self.pricing, name)


def cart_lines(cart: Cart | None) -> list[CartLine]:
    return list(cart.lines.select_related("variant__product")) if cart is not None else []


def cart_of_request(request) -> Cart | None:
    """The request's cart if it has one, without making one (a GET never writes; the cart is
    made by the first POST that adds to it, ``shop.services.cart.cart_get_or_create``)."""
    if request.user.is_authenticated:
        return Cart.objects.filter(user=request.user).first()
    cart_id = request.session.get(SESSION_CART_KEY)
    return Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None


def _lines_of_request(request):
    """The request's cart lines, found without reading the cart first (None: no cart yet)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return CartLine.objects.filter(cart__user=user)
    cart_id = request.session.get(SESSION_CART_KEY) if hasattr(request, "session") else None
    return CartLine.objects.filter(cart_id=cart_id, cart__user__isnull=True) if cart_id else None


def cart_item_count(request) -> int:
    """Items in the request's cart, for the header; 0 when there is no cart yet."""
    lines = _lines_of_request(request)
    return (lines.aggregate(n=Sum("quantity"))["n"] or 0) if lines is not None else 0


# What the cart page, checkout and the price calculation read of a line (``only``: not the
# product's description, story and search columns, the bulk of a row).
LINE_FIELDS = ("id", "cart_id", "quantity", "variant__id", "variant__product_id", "variant__options", "variant__price",
               "variant__product__id", "variant__product__name", "variant__product__slug",
               "variant__product__wage_content", "variant__product__category_id", "variant__product__is_gift_card",
               "gift_amount", "gift_recipient_name", "gift_recipient_email", "gift_message", "gift_deliver_on")


def _lines_with_products(lines):
    return lines.select_related("variant__product").only(*LINE_FIELDS)


# The same two queries on every cart page and checkout: compiled once per process
# (``shop/platform/compiled.py``: building and compiling them was a quarter of the cart's CPU).
_USER_LINES = CompiledRead(lambda user: _lines_with_products(CartLine.objects.filter(cart__user_id=user)),
                           {"user": (-7001, -7002)})
_GUEST_LINES = CompiledRead(lambda cart: _lines_with_products(CartLine.objects.filter(cart_id=cart, cart__user__isnull=True)),
                            {"cart": (-7001, -7002)})
_ACTIVE_METHODS = CompiledRead(lambda: ShippingMethod.objects.filter(is_active=True))


def request_cart_lines(request) -> list[CartLine]:
    """The request's cart lines with their variants and products, in one query (the cart page
    and checkout read nothing per line). The same lines as ``_lines_of_request`` finds, with
    ``LINE_FIELDS`` only."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return _USER_LINES.objects(user=user.pk)
    cart_id = request.session.get(SESSION_CART_KEY) if hasattr(request, "session") else None
    if not cart_id:
        return []
    try:  # bound as given (no field to convert it): the id as an int, as the session keeps it
        cart_id = int(cart_id)
    except (TypeError, ValueError):
        return []
    return _GUEST_LINES.objects(cart=cart_id)


def default_shipping_method() -> ShippingMethod | None:
    return ShippingMethod.objects.filter(is_active=True).first()


def active_shipping_methods() -> list[ShippingMethod]:
    """The delivery choices, the default first (one compiled query)."""
    return _ACTIVE_METHODS.objects()


def cart_summary(cart: Cart | None, shipping_method: ShippingMethod | None = None, state: str | None = None) -> CartSummary:
    return summary_of_lines(cart_lines(cart), shipping_method, state)


def summary_of_lines(lines: list[CartLine], shipping_method: ShippingMethod | None = None,
                     state: str | None = None, discounts=(), county: str | None = None) -> CartSummary:
    """``discounts``: the checkout's discount codes (``shop.selectors.discounts.as_discount``);
    ``county``: a Florida destination's county, for its surtax (``shop.selectors.surtax``)."""
    return CartSummary(lines, price_items([(line.variant, line.quantity, line.gift_amount) for line in lines], shipping_method, state,
                                          discounts, county=county))
