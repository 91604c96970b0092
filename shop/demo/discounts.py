"""Demo discount codes: WELCOME10 (10% off, once per customer) and FREESHIP (free shipping
from $40). Listed in the README's demo section."""
from decimal import Decimal

from shop.models import DiscountCode

CODES = [
    {"code": "WELCOME10", "description": "10% off your first order", "kind": DiscountCode.Kind.PERCENT,
     "value": Decimal("10"), "per_customer_limit": 1},
    {"code": "FREESHIP", "description": "free shipping over $40", "kind": DiscountCode.Kind.FREE_SHIPPING,
     "minimum_spend": Decimal("40.00"), "combinable": True},
]


def seed_discounts() -> list[DiscountCode]:
    return [DiscountCode.objects.update_or_create(code=fields["code"], defaults=fields)[0] for fields in CODES]
