from django.conf import settings
from django.utils.functional import SimpleLazyObject

from shop.selectors.cart import cart_item_count


def site(request):
    """The organisation's settings and the header's cart count (one query, only if shown)."""
    return {
        "org": settings.MENDED_ORG,
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "cart_count": SimpleLazyObject(lambda: cart_item_count(request)),
    }
