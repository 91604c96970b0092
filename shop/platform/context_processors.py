from django.conf import settings
from django.utils.functional import SimpleLazyObject

from shop.models import User
from shop.platform.roles import STAFF_ROLES, user_role_names
from shop.selectors.cart import cart_item_count


def site(request):
    """The organisation's settings, the header's cart count and the signed-in person's
    roles (each one query, run only if the page shows it)."""
    return {
        "org": settings.MENDED_ORG,
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "cart_count": SimpleLazyObject(lambda: cart_item_count(request)),
        "my_roles": SimpleLazyObject(lambda: _roles(request)),
    }


def _roles(request) -> set[str]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return set()
    names = set(user_role_names(user))  # read once per request, shared with the middleware
    if user.is_superuser:
        names |= set(STAFF_ROLES)
    if User.objects.filter(pk=user.pk, employee__isnull=False).exists():
        names.add("employee")
    return names
