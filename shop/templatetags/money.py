from decimal import Decimal, InvalidOperation

from django import template

from shop.platform.money import quantize

register = template.Library()


@register.filter
def usd(value) -> str:
    """Format an amount as US dollars to the cent: 1234.5 -> $1,234.50 (negative: -$3.00)."""
    if value is None or value == "":
        return ""
    try:
        amount = quantize(Decimal(str(value)) if not isinstance(value, Decimal) else value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


@register.filter
def percent(value) -> str:
    """A percentage as people write it: 10 -> "10%", 12.50 -> "12.5%" (never "1E+1%")."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, TypeError, ValueError):
        return ""
    number = number.normalize()
    return f"{number:f}%"
