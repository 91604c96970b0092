"""Gift-box rules: what fits in a box, what a quote costs, and how soon it can arrive."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from shop.platform.errors import DomainError
from shop.models import ClassicBox, GiftDesign, GiftDesignItem, GiftOrder, ProductVariant
from shop.models.gifts import sales_tax_label
from shop.platform.money import ZERO, allocate, quantize
from shop.pricing import Line, PriceBreakdown, Shipping, price
from shop.selectors.pricing import every_tax_rule, tax_rules, tier_discount, volume_tier
from shop.selectors.surtax import SURTAX_STATE, claim_county

CLAIM_LINK = "claim_link"  # boxes sent by claim link: shipped to each recipient, taxed at the highest rate


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
    tax_estimated: bool = False  # sent by claim link: taxed as if every box went where the most is owed

    @property
    def tax_label(self) -> str:
        return sales_tax_label(self.tax_state, claim_link=self.tax_estimated, taxed=bool(self.tax))

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
    boxes and the shipping are split across the states to the cent before taxing. Boxes sent
    by claim link (``CLAIM_LINK``) ship to each recipient and are taxed as if all went to the
    destination that owes the most (``highest_tax``): what is not owed comes back as credit.
    """
    if quantity < 1:
        raise GiftError("Order at least one box.")
    if shipping not in ("per_recipient", "bulk", CLAIM_LINK):
        raise GiftError("Choose shipping to each recipient or one bulk shipment.")
    if destinations and sum(destinations.values()) != quantity:
        raise GiftError("The recipient list and the number of boxes disagree.")
    customisation = sum((amount for _, amount in fees), ZERO)
    items_price = sum((variant.price * count for variant, count in items), ZERO)
    box_price = quantize(size.base_price + items_price + customisation)
    # The survivors' wages in a box: the goods' wage content and the assembly labour.
    box_wages = sum((variant.product.wage_content * count for variant, count in items), ZERO) + settings.GIFT_ASSEMBLY_WAGE
    if shipping in ("per_recipient", CLAIM_LINK):
        ship = Shipping(per_unit=settings.GIFT_SHIPPING_PER_RECIPIENT)
    else:
        ship = Shipping(flat=settings.GIFT_BULK_SHIPPING_BASE, per_unit=settings.GIFT_BULK_SHIPPING_PER_BOX)
    places = destinations or ({state: quantity} if state else None)
    tier_row = volume_tier(quantity)
    tier = tier_discount(tier_row) if tier_row else None
    lines = [Line(box_price, quantity, box_wages, f"{size.name} gift box")]
    if shipping == CLAIM_LINK:
        breakdown = highest_tax(lines, [tier] if tier else [], ship, quantity)
    else:
        breakdown = price(lines, discounts=[tier] if tier else [], shipping=ship, destinations=places,
                          tax_rules=tax_rules(places or ()))
    return GiftQuote(
        quantity=quantity, box_price=box_price, items_price=quantize(items_price), customisation=quantize(customisation),
        discount_percent=tier.percent if tier else ZERO, discount=breakdown.discount_total,
        boxes_subtotal=breakdown.discounted_subtotal, shipping=breakdown.shipping,
        tax_state=None if shipping == CLAIM_LINK else "each recipient's state" if destinations else state,
        tax=breakdown.tax, total=breakdown.total, tax_estimated=shipping == CLAIM_LINK,
        breakdown=breakdown, base_price=quantize(size.base_price), fees=tuple((n, quantize(a)) for n, a in fees),
        discount_from=tier_row.min_quantity if tier_row else None, boxes_before_discount=breakdown.subtotal,
        per_box_after_discount=quantize(breakdown.discounted_subtotal / quantity),
    )


def highest_tax(lines: list[Line], discounts: list, ship: Shipping, quantity: int) -> PriceBreakdown:
    """The boxes priced as if all ``quantity`` went to the one destination that owes the most
    tax on them: every state of the rate table (Florida with its highest county surtax) priced
    by the one calculation, the largest tax kept (the first state by code on a tie). Untaxed
    when the table is empty. The client of a claim-link order so never owes more later."""
    rules = every_tax_rule()
    best = price(lines, discounts=discounts, shipping=ship)
    for state in sorted(rules):
        breakdown = price(lines, discounts=discounts, shipping=ship, destinations={state: quantity},
                          tax_rules={state: rules[state]})
        if breakdown.tax > best.tax:
            best = breakdown
    return best


def claim_gift_taxes(order: GiftOrder, numbers, state: str, postal_code: str) -> dict[int, Decimal]:
    """The sales tax each gift of ``numbers`` (1 to N) of a claim-link order owes where it goes
    (``state``, and in Florida the surtax of the ZIP's county, ``claim_county``): its share of the
    boxes (after the volume discount) and of the shipping (``allocate``, N equal shares, as its
    estimate and value were shared), priced by the one calculation for that one destination."""
    shares = [1] * order.quantity
    boxes, shipping = allocate(order.boxes_subtotal, shares), allocate(order.shipping, shares)
    rules = tax_rules([state], claim_county(postal_code) if state == SURTAX_STATE else None)
    return {number: price([Line(boxes[number - 1], 1)], shipping=Shipping(flat=shipping[number - 1]),
                          destinations={state: 1}, tax_rules=rules).tax
            for number in numbers}


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
