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
- A discount never touches the wage content: that is wage per unit times the quantity.
- Shipping is a flat charge plus a charge per unit, free from a threshold of the discounted
  subtotal; nothing is shipped when there are no lines.
- Tax follows the destinations (one, or several weighted, e.g. boxes per recipient state):
  the discounted subtotal and the shipping are split across them to the cent, each part is
  taxed at its state's rate (shipping only where that state taxes it), and the items' tax is
  split back over the lines. A destination with no rule is not taxed.
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


@dataclass(frozen=True)
class TaxRule:
    """A destination's sales tax, as a fraction (0.0600 is 6%)."""

    rate: Decimal
    applies_to_shipping: bool = False


@dataclass(frozen=True)
class Shipping:
    """``flat`` plus ``per_unit`` for every unit sold; free when the discounted subtotal
    reaches ``free_over`` (if set)."""

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
    amount: Decimal


@dataclass(frozen=True)
class DestinationTax:
    destination: str
    items: Decimal  # the part of the discounted subtotal going there
    shipping: Decimal  # the part of the shipping going there
    items_tax: Decimal
    shipping_tax: Decimal

    @property
    def tax(self) -> Decimal:
        return self.items_tax + self.shipping_tax


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

    @property
    def discounted_subtotal(self) -> Decimal:
        return self.subtotal - self.discount_total


# -- the calculation -----------------------------------------------------------------------

def _apply_discounts(totals: list[Decimal], discounts: Sequence[Discount]) -> tuple[list[Decimal], list[AppliedDiscount]]:
    """Each discount in turn, on what is left; split over the lines by what is left of each."""
    line_discounts = [ZERO] * len(totals)
    applied = []
    for discount in discounts:
        left = [t - d for t, d in zip(totals, line_discounts)]
        base = sum(left, ZERO)
        amount = min(max(discount.off(base), ZERO), base)
        if totals:
            line_discounts = [d + part for d, part in zip(line_discounts, allocate(amount, left))]
        applied.append(AppliedDiscount(discount, amount))
    return line_discounts, applied


def _tax(items: Decimal, shipping: Decimal, destinations: Mapping[str, int | Decimal],
         rules: Mapping[str, TaxRule]) -> list[DestinationTax]:
    places = sorted(destinations)
    weights = [destinations[place] for place in places]
    parts = []
    for place, items_part, shipping_part in zip(places, allocate(items, weights), allocate(shipping, weights)):
        rule = rules.get(place)
        items_tax = quantize(items_part * rule.rate) if rule else ZERO
        shipping_tax = quantize(shipping_part * rule.rate) if rule and rule.applies_to_shipping else ZERO
        parts.append(DestinationTax(place, items_part, shipping_part, items_tax, shipping_tax))
    return parts


def price(lines: Sequence[Line], *, discounts: Sequence[Discount] = (), shipping: Shipping | None = None,
          destinations: Mapping[str, int | Decimal] | None = None,
          tax_rules: Mapping[str, TaxRule] | None = None) -> PriceBreakdown:
    """Price ``lines``. ``destinations`` maps each destination to its weight (boxes going
    there, or ``{state: 1}`` for one address); none means untaxed."""
    for line in lines:
        if line.quantity < 0 or line.unit_price < 0 or line.wage_content < 0:
            raise ValueError("prices, quantities and wage content cannot be negative")
    tax_rules = tax_rules or {}
    totals = [quantize(line.unit_price * line.quantity) for line in lines]
    subtotal = sum(totals, ZERO)
    line_discounts, applied = _apply_discounts(totals, discounts)
    discount_total = sum(line_discounts, ZERO)
    nets = [t - d for t, d in zip(totals, line_discounts)]
    discounted = subtotal - discount_total
    units = sum(line.quantity for line in lines)
    shipping_cost = shipping.cost(discounted, units) if shipping is not None and lines else ZERO
    by_destination = _tax(discounted, shipping_cost, destinations, tax_rules) if destinations else []
    items_tax = sum((d.items_tax for d in by_destination), ZERO)
    shipping_tax = sum((d.shipping_tax for d in by_destination), ZERO)
    line_taxes = allocate(items_tax, nets) if lines else []
    priced = tuple(
        PricedLine(line, total, discount, tax, quantize(line.wage_content * line.quantity))
        for line, total, discount, tax in zip(lines, totals, line_discounts, line_taxes)
    )
    tax = items_tax + shipping_tax
    return PriceBreakdown(
        lines=priced, discounts=tuple(applied), subtotal=subtotal, discount_total=discount_total,
        shipping=shipping_cost, destinations=tuple(by_destination), items_tax=items_tax, shipping_tax=shipping_tax,
        tax=tax, total=discounted + shipping_cost + tax, wage_content=sum((p.wage_content for p in priced), ZERO),
    )
