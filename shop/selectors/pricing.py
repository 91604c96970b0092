"""The price calculation's inputs read from the database, and the shop's pricing of a cart.

Only reads: the sales-tax table (with a Florida county's surtax, ``shop/selectors/surtax.py``)
and the volume tiers become the plain ``TaxRule`` and ``PercentOff`` inputs of
``shop.pricing.price``; no arithmetic happens here.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from shop.models import ProductVariant, ShippingMethod, TaxRate, VolumeTier
from shop.pricing import Line, PercentOff, PriceBreakdown, Shipping, TaxRule, price
from shop.selectors.surtax import SURTAX_STATE, counties_for_zip, county_surtax, highest_county_surtax


def tax_rules(places: Iterable[str | None], county: str | None = None) -> dict[str, TaxRule]:
    """The rule for each state that has a row in the rate table (others are not taxed);
    Florida's carries ``county``'s surtax when the county has a row in the surtax table."""
    states = {place for place in places if place}
    if not states:
        return {}
    rules = {row.state: TaxRule(row.rate, row.applies_to_shipping) for row in TaxRate.objects.filter(state__in=states)}
    surtax = county_surtax(county) if SURTAX_STATE in rules else None
    if surtax is not None and surtax.rate:
        state = rules[SURTAX_STATE]
        rules[SURTAX_STATE] = TaxRule(state.rate, state.applies_to_shipping, surtax.rate, surtax.county, surtax.cap)
    return rules


def every_tax_rule() -> dict[str, TaxRule]:
    """The rule of every state in the rate table, Florida's with the highest county surtax in
    the surtax table: the destinations a gift sent by claim link may go to, one of which owes the
    most (``shop/services/gifts/quote.py`` prices each to find it). Two queries."""
    rules = {row.state: TaxRule(row.rate, row.applies_to_shipping) for row in TaxRate.objects.all()}
    surtax = highest_county_surtax() if SURTAX_STATE in rules else None
    if surtax is not None:
        state = rules[SURTAX_STATE]
        rules[SURTAX_STATE] = TaxRule(state.rate, state.applies_to_shipping, surtax.rate, surtax.county, surtax.cap)
    return rules


def pickup_county() -> str:
    """The county of the organisation's own address (a pickup is a sale there), or ""."""
    counties = counties_for_zip(settings.MENDED_ORG.get("POSTAL_CODE"))
    return counties[0] if len(counties) == 1 else ""


def volume_tier(quantity: int) -> VolumeTier | None:
    """The gift boxes' volume tier in force for ``quantity`` boxes, if any."""
    return VolumeTier.objects.filter(min_quantity__lte=quantity).order_by("-min_quantity").first()


def tier_discount(tier: VolumeTier) -> PercentOff:
    return PercentOff(tier.discount_percent, label="volume discount")


def volume_tier_rows() -> list[dict]:
    """The volume tiers as the public catalogue's table: from, to (None for the last) and the
    percent off, with a first row at no discount below the first tier. One query."""
    tiers = list(VolumeTier.objects.order_by("min_quantity"))
    if not tiers:
        return []
    rows = [{"from": 1, "to": tiers[0].min_quantity - 1, "percent": Decimal("0")}]
    for tier, following in zip(tiers, tiers[1:] + [None]):
        rows.append({"from": tier.min_quantity, "to": following.min_quantity - 1 if following else None,
                     "percent": tier.discount_percent})
    return rows


def shipping_for_method(method: ShippingMethod | None) -> Shipping | None:
    """A shop shipping method as the calculation's ``Shipping``; a pickup ships nothing."""
    if method is None or method.is_pickup:
        return None
    return Shipping(flat=method.price, free_over=method.free_over)


NO_STATE_TAX_LABEL = "Sales tax (added once you give the delivery address)"


def shop_tax_label(state: str | None) -> str:
    """The cart's and checkout's tax line, worded as the gift pages word theirs
    (``shop.models.gifts.sales_tax_label``): "Sales tax (FL)", or before an address is given
    what will happen (the amount is then $0.00: no state, no tax yet)."""
    return f"Sales tax ({state})" if state else NO_STATE_TAX_LABEL


@dataclass(frozen=True)
class Pricing:
    """A cart's (or a checkout's) breakdown, with the delivery choices it was priced for."""

    breakdown: PriceBreakdown
    shipping_method: ShippingMethod | None
    tax_state: str | None
    tax_rate: Decimal
    tax_county: str = ""  # the county whose surtax is charged (Florida), or ""

    @property
    def tax_label(self) -> str:
        return shop_tax_label(self.tax_state)

    @property
    def subtotal(self) -> Decimal:
        return self.breakdown.subtotal

    @property
    def discount_total(self) -> Decimal:
        return self.breakdown.discount_total

    @property
    def shipping(self) -> Decimal:
        return self.breakdown.shipping

    @property
    def shipping_discount(self) -> Decimal:
        return self.breakdown.shipping_discount

    @property
    def discounts(self):
        """Each discount applied, with ``label``, ``amount`` (off the goods) and ``shipping_amount``."""
        return self.breakdown.discounts

    @property
    def shipping_tax(self) -> Decimal:
        return self.breakdown.shipping_tax

    @property
    def tax(self) -> Decimal:
        return self.breakdown.tax

    @property
    def surtax(self) -> Decimal:
        """The part of ``tax`` that is the county's surtax."""
        return self.breakdown.surtax

    @property
    def state_tax(self) -> Decimal:
        return self.breakdown.tax - self.breakdown.surtax

    @property
    def total(self) -> Decimal:
        return self.breakdown.total

    @property
    def line_totals(self) -> list[Decimal]:
        return [line.total for line in self.breakdown.lines]

    @property
    def line_taxes(self) -> list[Decimal]:
        return [line.tax for line in self.breakdown.lines]


def _line(variant: ProductVariant, quantity: int, gift_amount: Decimal | None = None) -> Line:
    """A cart line as the calculation's ``Line``; a gift card's at the amount bought, as a gift card."""
    if variant.product.is_gift_card:
        amount = gift_amount if gift_amount is not None else variant.price
        return Line(amount, quantity, Decimal("0"), str(variant), variant.product_id, variant.product.category_id,
                    gift_card=True)
    return Line(variant.price, quantity, variant.product.wage_content, str(variant), variant.product_id,
                variant.product.category_id)


def price_items(items: list[tuple], method: ShippingMethod | None, state: str | None,
                discounts=(), county: str | None = None) -> Pricing:
    """Price the cart page and checkout alike, so the customer is charged what the cart showed.

    ``items`` are (variant, quantity) or, for a gift card's line, (variant, quantity, amount).
    Tax follows the destination state, and in Florida the destination ``county`` (found from the
    ZIP code by the checkout); a local pickup is a sale at the organisation's own address.
    """
    pickup = method is not None and method.is_pickup
    tax_state = settings.MENDED_ORG["STATE"] if pickup else state
    if pickup:
        county = pickup_county()
    rules = tax_rules([tax_state], county if tax_state == SURTAX_STATE else None)
    lines = [_line(*item) for item in items]
    breakdown = price(lines, discounts=discounts, shipping=shipping_for_method(method),
                      destinations={tax_state: 1} if tax_state else None, tax_rules=rules)
    rule = rules.get(tax_state)
    return Pricing(breakdown, method, tax_state, rule.rate if rule else Decimal("0"), breakdown.surtax_place)
