"""Cart use cases. Stock is checked here as a courtesy; checkout reserves it for real."""
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from shop.platform.errors import DomainError
from shop.models import Cart, CartLine, ProductVariant
from shop.models.cart import SESSION_CART_KEY
from shop.platform.money import quantize
MAX_LINE_QUANTITY = 999


class CartError(DomainError):
    pass


def _stock_message(variant: ProductVariant) -> str:
    if variant.stock == 0:
        return f"Sorry, {variant} is out of stock."
    return f"Sorry, only {variant.stock} of {variant} left in stock."


def _checked_quantity(variant: ProductVariant, quantity: int) -> int:
    if quantity < 1:
        raise CartError("Choose a quantity of at least 1.")
    if quantity > MAX_LINE_QUANTITY:
        raise CartError(f"At most {MAX_LINE_QUANTITY} of one item per order; contact us for larger orders.")
    if quantity > variant.stock:
        raise CartError(_stock_message(variant))
    return quantity


def cart_get_or_create(request) -> Cart:
    """The request's cart: the customer's own, or the guest cart kept in the session."""
    if request.user.is_authenticated:
        cart, _ = Cart.objects.get_or_create(user=request.user)
        return cart
    cart_id = request.session.get(SESSION_CART_KEY)
    cart = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None
    if cart is None:
        cart = Cart.objects.create()
        request.session[SESSION_CART_KEY] = cart.pk
    return cart


@transaction.atomic
def cart_add(cart: Cart, variant_id: int, quantity: int) -> CartLine:
    variant = (
        ProductVariant.objects.select_related("product")
        .filter(pk=variant_id, product__is_active=True)
        .first()
    )
    if variant is None:
        raise CartError("That item is no longer available.")
    if variant.product.is_gift_card:
        raise CartError("Choose the gift card's amount and who it is for.")
    line = CartLine.objects.select_for_update().filter(cart=cart, variant=variant, gift_amount__isnull=True).first()
    new_quantity = _checked_quantity(variant, quantity + (line.quantity if line else 0))
    if line is None:
        line = CartLine.objects.create(cart=cart, variant=variant, quantity=new_quantity)
    else:
        line.quantity = new_quantity
        line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def cart_add_gift_card(cart: Cart, *, variant_id: int, amount: Decimal, deliver_on, recipient_name: str = "",
                       recipient_email: str = "", message: str = "") -> CartLine:
    """A gift card for the cart: a line of its own (never merged), at ``amount``: one of the
    product's fixed amounts (its variants' prices) or one within its bounds."""
    variant = (ProductVariant.objects.select_related("product")
               .filter(pk=variant_id, product__is_active=True, product__is_gift_card=True).first())
    if variant is None:
        raise CartError("That gift card is no longer sold.")
    product = variant.product
    fixed = set(product.variants.values_list("price", flat=True))
    within = (product.gift_card_min is not None and product.gift_card_max is not None
              and product.gift_card_min <= amount <= product.gift_card_max)
    if amount not in fixed and not within:
        raise CartError("Choose one of the gift card's amounts.")
    _checked_quantity(variant, 1)
    return CartLine.objects.create(cart=cart, variant=variant, quantity=1, gift_amount=quantize(amount),
                                   gift_recipient_name=recipient_name.strip(),
                                   gift_recipient_email=recipient_email.strip(), gift_message=message.strip(),
                                   gift_deliver_on=deliver_on)


@transaction.atomic
def cart_set_quantity(cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Change a line's quantity; zero removes it."""
    line = CartLine.objects.select_related("variant__product").filter(pk=line_id, cart=cart).first()
    if line is None:
        raise CartError("That item is not in your cart any more.")
    if quantity == 0:
        line.delete()
        return None
    line.quantity = _checked_quantity(line.variant, quantity)
    line.save(update_fields=["quantity"])
    return line


def cart_remove_line(cart: Cart, line_id: int) -> None:
    deleted, _ = CartLine.objects.filter(pk=line_id, cart=cart).delete()
    if not deleted:
        raise CartError("That item is not in your cart any more.")


@dataclass(frozen=True)
class MergeResult:
    cart: Cart
    adjusted: list[str]


@transaction.atomic
def cart_merge_guest_into_user(guest_cart_id: int | None, user) -> MergeResult:
    """Move a guest's cart into the customer's cart when they log in.

    Quantities of the same item add up, capped at the stock on hand; each capped item is
    reported so the customer is told. The guest cart is deleted afterwards.
    """
    user_cart, _ = Cart.objects.select_for_update().get_or_create(user=user)
    guest = Cart.objects.filter(pk=guest_cart_id, user__isnull=True).first() if guest_cart_id else None
    adjusted: list[str] = []
    if guest is None or guest.pk == user_cart.pk:
        return MergeResult(user_cart, adjusted)
    existing = {line.variant_id: line for line in user_cart.lines.select_for_update().filter(gift_amount__isnull=True)}
    guest.lines.filter(gift_amount__isnull=False).update(cart=user_cart)  # gift cards: each its own line
    for guest_line in guest.lines.select_related("variant__product").filter(gift_amount__isnull=True):
        variant = guest_line.variant
        line = existing.get(variant.pk)
        wanted = guest_line.quantity + (line.quantity if line else 0)
        quantity = min(wanted, variant.stock, MAX_LINE_QUANTITY)
        if quantity < wanted:
            adjusted.append(_stock_message(variant))
        if quantity == 0:
            if line is not None:
                line.delete()
            continue
        if line is None:
            CartLine.objects.create(cart=user_cart, variant=variant, quantity=quantity)
        else:
            line.quantity = quantity
            line.save(update_fields=["quantity"])
    guest.delete()
    return MergeResult(user_cart, adjusted)
