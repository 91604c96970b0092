"""The one price calculation: lines → discounts → shipping → tax → total.

Pure: no models, no settings, no database. Callers read the catalogue, the rate table and
the volume tiers into the plain inputs below (``shop/selectors/pricing.py``), and snapshot
the ``PriceBreakdown`` on what they price (an order, a gift order, a ticket's payment).
The cart and checkout, gift quotes and gift orders, tickets and sponsorships all price here,
so a customer is charged exactly what the page showed, and a tax or discount rule changes
in one place (``tests/test_architecture.py`` keeps it so).

- Discounts are a list of objects applied in one step, in order, each to what the earlier
  ones left; each comes off the lines in proportion to what is left of them (``allocate``),
  so no line goes below zero. A new kind of discount is one new class with an ``off`` method.
  A discount with an ``applies_to(line)`` method comes off only the lines it accepts (a code
  limited to products or categories); one with a ``shipping_off`` method also takes money off
  the shipping (a free-shipping code), never more than the shipping costs.
- A discount never touches the wage content: that is wage per unit times the quantity.
- A gift card sold (``Line.gift_card``) is money kept for later, not goods: no discount comes
  off it, it is not taxed, shipped or credited with wages (the goods it later buys are).
  Gift cards redeemed are tenders, not discounts (``tenders``): they pay the total, so the
  goods' tax and wage content are those of the same sale paid by card.
- Shipping is a flat charge plus a charge per unit, free from a threshold of the discounted
  subtotal; nothing is shipped when there are no lines.
- Tax follows the destinations (one, or several weighted, e.g. boxes per recipient state):
  the discounted subtotal and the shipping are split across them to the cent, each part is
  taxed at its state's rate (shipping only where that state taxes it), and the items' tax is
  split back over the lines. A destination with no rule is not taxed.
- A rule may carry a local surtax on top of the state's rate (Florida's county discretionary
  sales surtax, s. 212.054, F.S.): it is charged on each line's net price per unit up to
  ``surtax_cap`` (the first $5,000 of a single item, s. 212.054(2)(b)1.), on the shipping too
  where the state taxes it, rounded on its own so a receipt can show it as its own line.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from shop.platform.money import ZERO, allocate, quantize


# -- inputs --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """Something sold: ``quantity`` units at ``unit_price``, each carrying ``wage_content``."""

    unit_price: Decimal
    quantity: int
    wage_content: Decimal = ZERO  # survivor wages per unit
    label: str = ""
    product: int | None = None  # the product's and its category's keys, for codes limited to them
    category: int | None = None
    gift_card: bool = False  # a gift card sold: no discount, tax, shipping or wage content


@dataclass(frozen=True)
class TaxRule:
    """A destination's sales tax, as a fraction (0.0600 is 6%)."""

    rate: Decimal
    applies_to_shipping: bool = False
    surtax: Decimal = ZERO  # a local surtax on top, as a fraction (Duval County's 0.0150)
    surtax_place: str = ""  # what it is named after ("Duval"), for the receipt's line
    surtax_cap: Decimal | None = None  # the surtax is charged on at most this much of each unit


@dataclass(frozen=True)
class Shipping:
    """``flat`` plus ``per_unit`` for every unit sold; free when the subtotal reaches
    ``free_over`` (if set). The subtotal it is judged on is after the standing discounts (the
    volume tier) but before discount codes: a code never costs the customer the free shipping
    the goods had already earned, so an order never costs more with a code than without."""

    flat: Decimal = ZERO
    per_unit: Decimal = ZERO
    free_over: Decimal | None = None

    def cost(self, discounted_subtotal: Decimal, units: int) -> Decimal:
        if self.free_over is not None and discounted_subtotal >= self.free_over:
            return ZERO
        return quantize(self.flat + self.per_unit * units)


class Discount(Protocol):
    """Anything that takes money off the goods: ``off`` says how much of ``base`` (what is
    left to pay for them after the earlier discounts); the calculation caps it at ``base``."""

    label: str

    def off(self, base: Decimal) -> Decimal: ...


@dataclass(frozen=True)
class PercentOff:
    """``percent`` off what is left to pay for the goods (the gift boxes' volume tier)."""

    percent: Decimal
    label: str = ""

    def off(self, base: Decimal) -> Decimal:
        return quantize(base * self.percent / 100)


@dataclass(frozen=True)
class AmountOff:
    """A fixed amount off the goods, never more than they cost."""

    amount: Decimal
    label: str = ""

    def off(self, base: Decimal) -> Decimal:
        return quantize(self.amount)


@dataclass(frozen=True)
class CodeDiscount:
    """A discount code (``shop/models/discounts.py``, read by ``shop/selectors/discounts.py``).

    ``kind`` is ``percent`` (``value`` percent off), ``amount`` (``value`` dollars off) or
    ``free_shipping``. It comes off the lines of ``products`` or ``categories`` (every line
    when both are empty), and only when what is left to pay for those lines reaches
    ``minimum`` (before this code, after the discounts before it)."""

    code: str
    kind: str
    value: Decimal = ZERO
    minimum: Decimal = ZERO
    products: frozenset[int] = frozenset()
    categories: frozenset[int] = frozenset()
    combinable: bool = False
    label: str = ""

    def applies_to(self, line: Line) -> bool:
        if not self.products and not self.categories:
            return True
        return line.product in self.products or line.category in self.categories

    def qualifies(self, base: Decimal) -> bool:
        """Whether ``base`` (what is left of the lines it applies to) meets the minimum spend."""
        return base > 0 and base >= self.minimum

    def off(self, base: Decimal) -> Decimal:
        if not self.qualifies(base):
            return ZERO
        if self.kind == "percent":
            return quantize(base * self.value / 100)
        if self.kind == "amount":
            return quantize(self.value)
        return ZERO

    def shipping_off(self, shipping: Decimal, base: Decimal) -> Decimal:
        return shipping if self.kind == "free_shipping" and self.qualifies(base) else ZERO


# -- the breakdown -------------------------------------------------------------------------

@dataclass(frozen=True)
class PricedLine:
    line: Line
    total: Decimal  # unit price × quantity, before discounts
    discount: Decimal
    tax: Decimal
    wage_content: Decimal  # wage per unit × quantity; never reduced by a discount

    @property
    def net(self) -> Decimal:
        """What the line costs after its discounts, before tax."""
        return self.total - self.discount


@dataclass(frozen=True)
class AppliedDiscount:
    discount: Discount
    amount: Decimal  # off the goods: the sum of ``lines``
    lines: tuple[Decimal, ...] = ()  # what it took off each line, in the lines' order
    base: Decimal = ZERO  # what was left of the lines it applies to, before it
    shipping_amount: Decimal = ZERO  # off the shipping

    @property
    def label(self) -> str:
        return self.discount.label

    @property
    def code(self) -> str:
        return getattr(self.discount, "code", "")

    @property
    def total(self) -> Decimal:
        return self.amount + self.shipping_amount


@dataclass(frozen=True)
class DestinationTax:
    destination: str
    items: Decimal  # the part of the discounted subtotal going there
    shipping: Decimal  # the part of the shipping going there
    items_tax: Decimal  # state tax and surtax on the items
    shipping_tax: Decimal  # state tax and surtax on the shipping
    items_surtax: Decimal = ZERO  # the part of ``items_tax`` that is the local surtax
    shipping_surtax: Decimal = ZERO  # the part of ``shipping_tax`` that is
    surtax_place: str = ""

    @property
    def tax(self) -> Decimal:
        return self.items_tax + self.shipping_tax

    @property
    def surtax(self) -> Decimal:
        return self.items_surtax + self.shipping_surtax


@dataclass(frozen=True)
class PriceBreakdown:
    lines: tuple[PricedLine, ...]
    discounts: tuple[AppliedDiscount, ...]
    subtotal: Decimal  # the lines before discounts
    discount_total: Decimal
    shipping: Decimal
    destinations: tuple[DestinationTax, ...]
    items_tax: Decimal
    shipping_tax: Decimal
    tax: Decimal
    total: Decimal
    wage_content: Decimal
    shipping_discount: Decimal = ZERO  # taken off the shipping by discounts; ``shipping`` is what is charged
    surtax: Decimal = ZERO  # the part of ``tax`` that is a local surtax (Florida's county surtax)

    @property
    def surtax_place(self) -> str:
        """The county (or other place) whose surtax was charged, or ""."""
        return next((d.surtax_place for d in self.destinations if d.surtax), "")

    @property
    def discounted_subtotal(self) -> Decimal:
        return self.subtotal - self.discount_total


# -- the calculation -----------------------------------------------------------------------

def _apply_discounts(totals: list[Decimal], lines: Sequence[Line],
                     discounts: Sequence[Discount]) -> tuple[list[Decimal], list[AppliedDiscount]]:
    """Each discount in turn, on what is left; split over the lines by what is left of each."""
    line_discounts = [ZERO] * len(totals)
    applied = []
    for discount in discounts:
        accepts = getattr(discount, "applies_to", None)
        left = [t - d if not line.gift_card and (accepts is None or accepts(line)) else ZERO
                for t, d, line in zip(totals, line_discounts, lines)]
        base = sum(left, ZERO)
        amount = min(max(discount.off(base), ZERO), base)
        parts = allocate(amount, left) if totals else []
        line_discounts = [d + part for d, part in zip(line_discounts, parts)]
        applied.append(AppliedDiscount(discount, amount, tuple(parts), base))
    return line_discounts, applied


def _shipping_discounts(shipping: Decimal, applied: list[AppliedDiscount]) -> tuple[Decimal, list[AppliedDiscount]]:
    """Each discount with a ``shipping_off`` in turn, on the shipping left; never below zero."""
    taken = ZERO
    result = []
    for entry in applied:
        take = getattr(entry.discount, "shipping_off", None)
        if take is not None:
            part = min(max(quantize(take(shipping - taken, entry.base)), ZERO), shipping - taken)
            taken += part
            entry = AppliedDiscount(entry.discount, entry.amount, entry.lines, entry.base, part)
        result.append(entry)
    return taken, result


def _surtax_bases(nets: Sequence[Decimal], lines: Sequence[Line], cap: Decimal | None) -> list[Decimal]:
    """What of each line the surtax is charged on: its net price, at most ``cap`` per unit."""
    if cap is None:
        return list(nets)
    return [min(net, quantize(cap * line.quantity)) for net, line in zip(nets, lines)]


def _tax(items: Decimal, shipping: Decimal, destinations: Mapping[str, int | Decimal],
         rules: Mapping[str, TaxRule], nets: Sequence[Decimal] = (),
         lines: Sequence[Line] = ()) -> list[DestinationTax]:
    places = sorted(destinations)
    weights = [destinations[place] for place in places]
    item_parts, shipping_parts = allocate(items, weights), allocate(shipping, weights)
    parts = []
    for index, place in enumerate(places):
        items_part, shipping_part = item_parts[index], shipping_parts[index]
        rule = rules.get(place)
        items_tax = quantize(items_part * rule.rate) if rule else ZERO
        shipping_tax = quantize(shipping_part * rule.rate) if rule and rule.applies_to_shipping else ZERO
        items_surtax = shipping_surtax = ZERO
        if rule and rule.surtax:
            # What the surtax is charged on goes to the destinations as the items do.
            base = allocate(sum(_surtax_bases(nets, lines, rule.surtax_cap), ZERO), weights)[index]
            items_surtax = quantize(base * rule.surtax)
            shipping_surtax = quantize(shipping_part * rule.surtax) if rule.applies_to_shipping else ZERO
        parts.append(DestinationTax(place, items_part, shipping_part, items_tax + items_surtax,
                                    shipping_tax + shipping_surtax, items_surtax, shipping_surtax,
                                    rule.surtax_place if rule and rule.surtax else ""))
    return parts


def _line_taxes(items_tax: Decimal, nets: list[Decimal], lines: Sequence[Line],
                destinations: Sequence[DestinationTax], rules: Mapping[str, TaxRule]) -> list[Decimal]:
    """The items' tax split back over the lines: the state's part by their net prices, a
    surtax's part by what of each it was charged on (a capped line carries less of it)."""
    if not lines:
        return []
    items_surtax = ZERO
    surtax_weights = [ZERO] * len(lines)
    for destination in destinations:
        rule = rules.get(destination.destination)
        if rule and destination.items_surtax:
            items_surtax += destination.items_surtax
            bases = _surtax_bases(nets, lines, rule.surtax_cap)
            surtax_weights = [w + b for w, b in zip(surtax_weights, bases)]
    state = allocate(items_tax - items_surtax, nets)
    if not items_surtax:
        return state
    return [a + b for a, b in zip(state, allocate(items_surtax, surtax_weights))]


def price(lines: Sequence[Line], *, discounts: Sequence[Discount] = (), shipping: Shipping | None = None,
          destinations: Mapping[str, int | Decimal] | None = None,
          tax_rules: Mapping[str, TaxRule] | None = None) -> PriceBreakdown:
    """Price ``lines``. ``destinations`` maps each destination to its weight (boxes going
    there, or ``{state: 1}`` for one address); none means untaxed."""
    for line in lines:
        if line.quantity < 0 or line.unit_price < 0 or line.wage_content < 0:
            raise ValueError("prices, quantities and wage content cannot be negative")
        if line.gift_card and line.wage_content:
            raise ValueError("a gift card carries no wage content: the goods it buys do")
    tax_rules = tax_rules or {}
    totals = [quantize(line.unit_price * line.quantity) for line in lines]
    subtotal = sum(totals, ZERO)
    line_discounts, applied = _apply_discounts(totals, lines, discounts)
    discount_total = sum(line_discounts, ZERO)
    nets = [t - d for t, d in zip(totals, line_discounts)]
    discounted = subtotal - discount_total
    # Gift cards sold are neither taxed nor shipped: only the goods are.
    goods_nets = [ZERO if line.gift_card else net for net, line in zip(nets, lines)]
    goods = sum(goods_nets, ZERO)
    units = sum(line.quantity for line in lines if not line.gift_card)
    codes_off = sum((a.amount for a in applied if isinstance(a.discount, CodeDiscount)), ZERO)
    shipped = shipping is not None and any(not line.gift_card for line in lines)
    shipping_cost = shipping.cost(goods + codes_off, units) if shipped else ZERO
    shipping_discount, applied = _shipping_discounts(shipping_cost, applied)
    shipping_cost -= shipping_discount
    by_destination = (_tax(goods, shipping_cost, destinations, tax_rules, goods_nets, lines)
                      if destinations else [])
    items_tax = sum((d.items_tax for d in by_destination), ZERO)
    shipping_tax = sum((d.shipping_tax for d in by_destination), ZERO)
    line_taxes = _line_taxes(items_tax, goods_nets, lines, by_destination, tax_rules)
    priced = tuple(
        PricedLine(line, total, discount, tax, quantize(line.wage_content * line.quantity))
        for line, total, discount, tax in zip(lines, totals, line_discounts, line_taxes)
    )
    tax = items_tax + shipping_tax
    return PriceBreakdown(
        lines=priced, discounts=tuple(applied), subtotal=subtotal, discount_total=discount_total,
        shipping=shipping_cost, destinations=tuple(by_destination), items_tax=items_tax, shipping_tax=shipping_tax,
        tax=tax, total=discounted + shipping_cost + tax, wage_content=sum((p.wage_content for p in priced), ZERO),
        shipping_discount=shipping_discount, surtax=sum((d.surtax for d in by_destination), ZERO),
    )


# -- tenders: what pays the total ----------------------------------------------------------

@dataclass(frozen=True)
class GiftCardTender:
    """A gift card offered at checkout: ``key`` names it (its id), ``balance`` is what it holds."""

    key: int
    balance: Decimal
    label: str = ""


@dataclass(frozen=True)
class Tenders:
    """How a total is paid: each gift card's part (in the order offered), then ``due`` by card.

    ``cards`` holds (tender, amount) for every card that pays something; the parts and ``due``
    sum to the total exactly."""

    total: Decimal
    cards: tuple[tuple[GiftCardTender, Decimal], ...]
    due: Decimal

    @property
    def gift_card_total(self) -> Decimal:
        return sum((amount for _, amount in self.cards), ZERO)


def gift_card_payable(breakdown: PriceBreakdown) -> Decimal:
    """What of a total gift cards may pay: all of it but gift cards being bought (a card does
    not buy another card, so a balance cannot be moved on or turned back into money)."""
    return breakdown.total - sum((p.total for p in breakdown.lines if p.line.gift_card), ZERO)


def tenders(breakdown: PriceBreakdown, cards: Sequence[GiftCardTender] = ()) -> Tenders:
    """Pay ``breakdown``'s total with the gift cards in turn, each as far as its balance and
    what is left allow (partial use: the rest stays on the card), and the rest by card."""
    left = max(gift_card_payable(breakdown), ZERO)
    used = []
    for card in cards:
        amount = min(max(quantize(card.balance), ZERO), left)
        if amount > 0:
            used.append((card, amount))
            left -= amount
    paid = sum((amount for _, amount in used), ZERO)
    return Tenders(breakdown.total, tuple(used), breakdown.total - paid)
