"""Gift-box rules: what fits in a box, what a quote costs, and how soon it can arrive."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from shop.platform.errors import DomainError
from shop.models import ClassicBox, GiftDesign, GiftDesignItem, ProductVariant
from shop.platform.money import ZERO, quantize
from shop.pricing import Line, PriceBreakdown, Shipping, price
from shop.selectors.pricing import tax_rules, tier_discount, volume_tier


class GiftError(DomainError):
    pass


def design_slots_used(design: GiftDesign, items=None) -> int:
    items = list(design.items.select_related("variant__product")) if items is None else items
    return sum(item.variant.product.gift_slots * item.quantity for item in items)


@transaction.atomic
def design_set_item(design: GiftDesign, variant_id: int, quantity: int) -> GiftDesignItem | None:
    """Put ``quantity`` of a product in the box (0 takes it out). Capacity and stock enforced."""
    variant = ProductVariant.objects.select_related("product").filter(pk=variant_id, product__is_active=True).first()
    if variant is None or variant.product.gift_slots == 0:
        raise GiftError("That item is not offered in gift boxes.")
    if quantity < 0:
        raise GiftError("Choose a quantity of 0 or more.")
    items = [i for i in design.items.select_related("variant__product") if i.variant_id != variant.pk]
    if quantity == 0:
        GiftDesignItem.objects.filter(design=design, variant=variant).delete()
        return None
    used = design_slots_used(design, items) + variant.product.gift_slots * quantity
    if used > design.size.slots:
        free = design.size.slots - design_slots_used(design, items)
        raise GiftError(
            f"That does not fit: the {design.size.name.lower()} box has {design.size.slots} slots and "
            f"{quantity} × {variant} needs {variant.product.gift_slots * quantity}; {free} are free. "
            "Choose a larger box or fewer items."
        )
    if quantity > variant.stock:
        raise GiftError(f"Only {variant.stock} of {variant} are in stock.")
    item, _ = GiftDesignItem.objects.update_or_create(design=design, variant=variant, defaults={"quantity": quantity})
    return item


def design_check_stock(design: GiftDesign, boxes: int) -> None:
    """Refuse an order for more boxes than the stock can fill, naming what runs short."""
    short = [
        f"{item.variant} (needs {item.quantity * boxes}, {item.variant.stock} in stock)"
        for item in design.items.select_related("variant__product")
        if item.quantity * boxes > item.variant.stock
    ]
    if short:
        raise GiftError(f"Not enough stock for {boxes} boxes: " + "; ".join(short) + ".")


@dataclass(frozen=True)
class GiftQuote:
    """A gift-box quote as the pages, the PDF and the order show it; ``breakdown`` is the
    calculation it was read from (``shop.pricing``), with the tax per destination."""

    quantity: int
    box_price: Decimal  # base + items + customisation, before the volume discount
    items_price: Decimal
    customisation: Decimal
    discount_percent: Decimal
    discount: Decimal
    boxes_subtotal: Decimal
    shipping: Decimal
    tax_state: str | None
    tax: Decimal
    total: Decimal
    breakdown: PriceBreakdown
    base_price: Decimal = ZERO  # the box itself (its size's price; the assembly is in it, never charged apart)
    fees: tuple[tuple[str, Decimal], ...] = ()  # the customisation per box, each fee named: ("Logo", 3.00)
    discount_from: int | None = None  # the volume tier in force: this many boxes or more
    boxes_before_discount: Decimal = ZERO  # box_price × quantity (the calculation's subtotal)
    per_box_after_discount: Decimal = ZERO  # boxes_subtotal ÷ quantity, to the cent (an average when it does not divide)

    @property
    def price_lines(self):
        """The quote line by line, as every page and the PDF show it (shop/selectors/gifts/prices.py)."""
        from shop.selectors.gifts.prices import quote_price_lines

        return quote_price_lines(self)


def gift_quote(design: GiftDesign, quantity: int, shipping: str = "per_recipient", state: str | None = None,
               destinations: dict[str, int] | None = None) -> GiftQuote:
    """Everything a buyer pays for ``quantity`` boxes of ``design``, to the cent (``box_quote``);
    the logo and initials fees are its customisation."""
    items = [(i.variant, i.quantity) for i in design.items.select_related("variant__product")]
    fees = (("Logo", settings.GIFT_LOGO_FEE),) * bool(design.logo) + (("Monogram", settings.GIFT_INITIALS_FEE),) * bool(design.initials)
    return box_quote(design.size, items, fees, quantity, shipping, state, destinations)


def classic_quote(box: ClassicBox, quantity: int, shipping: str = "per_recipient", state: str | None = None) -> GiftQuote:
    """The public catalogue's instant quote: a classic box as it is (no logo, no initials),
    priced by the same calculation as a member's design."""
    items = [(i.variant, i.quantity) for i in box.items.all()]
    return box_quote(box.size, items, (), quantity, shipping, state)


def box_quote(size, items: list[tuple[ProductVariant, int]], fees: tuple[tuple[str, Decimal], ...], quantity: int,
              shipping: str = "per_recipient", state: str | None = None,
              destinations: dict[str, int] | None = None) -> GiftQuote:
    """Everything a buyer pays for ``quantity`` boxes of ``size`` holding ``items`` (variant,
    how many per box), to the cent.

    Per box: the size's base price, the products, and the customisation ``fees`` (name,
    amount per box), each kept apart so that every page can show the breakdown. The
    volume tier in force for the quantity comes off the boxes (not the shipping). Shipping
    is per recipient or one bulk shipment; sales tax follows the destination state, or,
    for a recipient list (``destinations``: boxes per state), each recipient's state: the
    boxes and the shipping are split across the states to the cent before taxing.
    """
    if quantity < 1:
        raise GiftError("Order at least one box.")
    if shipping not in ("per_recipient", "bulk"):
        raise GiftError("Choose shipping to each recipient or one bulk shipment.")
    if destinations and sum(destinations.values()) != quantity:
        raise GiftError("The recipient list and the number of boxes disagree.")
    customisation = sum((amount for _, amount in fees), ZERO)
    items_price = sum((variant.price * count for variant, count in items), ZERO)
    box_price = quantize(size.base_price + items_price + customisation)
    # The survivors' wages in a box: the goods' wage content and the assembly labour.
    box_wages = sum((variant.product.wage_content * count for variant, count in items), ZERO) + settings.GIFT_ASSEMBLY_WAGE
    if shipping == "per_recipient":
        ship = Shipping(per_unit=settings.GIFT_SHIPPING_PER_RECIPIENT)
    else:
        ship = Shipping(flat=settings.GIFT_BULK_SHIPPING_BASE, per_unit=settings.GIFT_BULK_SHIPPING_PER_BOX)
    places = destinations or ({state: quantity} if state else None)
    tier_row = volume_tier(quantity)
    tier = tier_discount(tier_row) if tier_row else None
    breakdown = price([Line(box_price, quantity, box_wages, f"{size.name} gift box")],
                      discounts=[tier] if tier else [], shipping=ship, destinations=places,
                      tax_rules=tax_rules(places or ()))
    return GiftQuote(
        quantity=quantity, box_price=box_price, items_price=quantize(items_price), customisation=quantize(customisation),
        discount_percent=tier.percent if tier else ZERO, discount=breakdown.discount_total,
        boxes_subtotal=breakdown.discounted_subtotal, shipping=breakdown.shipping,
        tax_state="each recipient's state" if destinations else state, tax=breakdown.tax, total=breakdown.total,
        breakdown=breakdown, base_price=quantize(size.base_price), fees=tuple((n, quantize(a)) for n, a in fees),
        discount_from=tier_row.min_quantity if tier_row else None, boxes_before_discount=breakdown.subtotal,
        per_box_after_discount=quantize(breakdown.discounted_subtotal / quantity),
    )


def production_days(quantity: int) -> int:
    return settings.GIFT_PRODUCTION_DAYS + settings.GIFT_EXTRA_DAYS_PER_100 * (quantity // 100)


def add_working_days(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def earliest_in_hand_date(quantity: int, proof_approved_on: date) -> date:
    """The first day boxes can be in hand: the production days after proof approval."""
    return add_working_days(proof_approved_on, production_days(quantity))


def in_hand_date_check(requested: date, quantity: int, today: date) -> None:
    """Refuse an in-hand date that leaves too little time, naming the earliest possible one.

    The proof cannot be approved before today, so the earliest date counts from today."""
    earliest = earliest_in_hand_date(quantity, today)
    if requested < earliest:
        raise GiftError(
            f"{quantity} boxes need {production_days(quantity)} working days after the proof is approved; "
            f"the earliest in-hand date is {earliest:%A, %b %-d, %Y}."
        )
