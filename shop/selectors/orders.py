"""Order reads, and the signed links that let a guest see (only) their own order."""
from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from shop.models import Order, OrderLine

TOKEN_SALT = "mended.order-link"


def order_token(order: Order) -> str:
    """The order number, signed: the same order always gets the same link."""
    return signing.Signer(salt=TOKEN_SALT).sign(order.number)


def order_link(order: Order) -> str:
    """An absolute link to the order's page that works without logging in (for e-mails)."""
    return settings.SITE_URL.rstrip("/") + reverse("shop:order_by_link", args=[order_token(order)])


def _with_lines(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with their lines and the discount codes used on them (for the totals)."""
    return orders.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")), "discounts")


def order_from_token(token: str) -> Order | None:
    try:
        number = signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return _with_lines(Order.objects.filter(number=number)).first()


def order_for_customer(user, number: str) -> Order | None:
    return _with_lines(Order.objects.filter(user=user, number=number)).first()


def orders_for_customer(user) -> QuerySet[Order]:
    return _with_lines(Order.objects.filter(user=user)).order_by("-created_at")
