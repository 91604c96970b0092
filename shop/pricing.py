"""Prices for a set of items: subtotal, shipping, sales tax per line and the total.

One function serves the cart page and checkout, so the customer is charged exactly what
the cart showed. Tax follows the destination state; a local pickup is a sale in the
organisation's own state. A state with no row in the tax table is not taxed.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from shop.models import ProductVariant, ShippingMethod, TaxRate
from shop.money import ZERO, allocate, quantize


@dataclass(frozen=True)
class Pricing:
    subtotal: Decimal
    line_totals: list[Decimal]
    line_taxes: list[Decimal]
    shipping_method: ShippingMethod | None
    shipping: Decimal
    shipping_tax: Decimal
    tax_state: str | None
    tax_rate: Decimal
    tax: Decimal
    total: Decimal


def shipping_cost(method: ShippingMethod | None, subtotal: Decimal) -> Decimal:
    if method is None or method.is_pickup:
        return ZERO
    if method.free_over is not None and subtotal >= method.free_over:
        return ZERO
    return quantize(method.price)


def price_items(items: list[tuple[ProductVariant, int]], method: ShippingMethod | None, state: str | None) -> Pricing:
    tax_state = settings.MENDED_ORG["STATE"] if method is not None and method.is_pickup else state
    rate_row = TaxRate.objects.filter(state=tax_state).first() if tax_state else None
    rate = rate_row.rate if rate_row else Decimal("0")
    line_totals = [quantize(variant.price * quantity) for variant, quantity in items]
    subtotal = sum(line_totals, ZERO)
    shipping = shipping_cost(method, subtotal) if items else ZERO
    item_tax = quantize(subtotal * rate)
    line_taxes = allocate(item_tax, line_totals) if items else []
    shipping_tax = quantize(shipping * rate) if rate_row and rate_row.applies_to_shipping else ZERO
    tax = item_tax + shipping_tax
    return Pricing(
        subtotal=subtotal,
        line_totals=line_totals,
        line_taxes=line_taxes,
        shipping_method=method,
        shipping=shipping,
        shipping_tax=shipping_tax,
        tax_state=tax_state,
        tax_rate=rate,
        tax=tax,
        total=subtotal + shipping + tax,
    )
