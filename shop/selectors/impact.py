"""Impact without identities: hours of paid survivor work that sales funded."""
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from shop.models import Order, OrderLine
from shop.models.orders import PAID_STATES
from shop.wages import hours_funded, line_wage_total, wages_funded



def order_hours_funded(order: Order) -> Decimal:
    wages = sum((line_wage_total(line.wage_content, line.quantity) for line in order.lines.all()), Decimal("0"))
    return hours_funded(wages)


def hours_funded_this_year() -> Decimal:
    """Hours funded by this year's paid orders, less refunds (cached for ten minutes)."""
    year = timezone.localdate().year
    key = f"impact:hours:{year}"
    hours = cache.get(key)
    if hours is None:
        lines = OrderLine.objects.filter(order__state__in=PAID_STATES, order__paid_at__year=year)
        hours = hours_funded(wages_funded(lines))
        cache.set(key, hours, 600)
    return hours
