"""A customer's saved addresses: one query, the default first, then the most recently used."""
from shop.models import Address


def addresses_for(user) -> list[Address]:
    if user is None or not user.is_authenticated:
        return []
    return list(Address.objects.filter(user=user).order_by("-is_default", "-last_used_at", "-id"))


def preselected(addresses: list[Address]) -> Address | None:
    """The one checkout offers first: the last used, else the default."""
    used = [a for a in addresses if a.last_used_at is not None]
    if used:
        return max(used, key=lambda a: (a.last_used_at, a.pk))
    return next((a for a in addresses if a.is_default), addresses[0] if addresses else None)
