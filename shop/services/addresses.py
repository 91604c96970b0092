"""Saved delivery addresses of signed-in customers: add, set the default, remove, and
remember the one a checkout used (the next checkout preselects it)."""
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.models import Address
from shop.models.addresses import MAX_ADDRESSES
from shop.platform.errors import DomainError
from shop.platform.validators import MAX_ID


class AddressError(DomainError):
    pass


@dataclass(frozen=True)
class AddressDetails:
    name: str
    line1: str
    city: str
    state: str
    postal_code: str
    line2: str = ""
    phone: str = ""

    def cleaned(self) -> dict:
        return {field: " ".join((getattr(self, field) or "").split()) for field in self.__dataclass_fields__}


def _mine(user, address_id) -> Address:
    if not 0 < int(address_id) <= MAX_ID:  # a number past the database's integers is no address
        raise AddressError("That address is not in your address book.")
    address = Address.objects.select_for_update().filter(user=user, pk=address_id).first()
    if address is None:
        raise AddressError("That address is not in your address book.")
    return address


def _make_default(user, address: Address) -> None:
    Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default"])


@transaction.atomic
def address_add(user, details: AddressDetails, *, default: bool = False) -> Address:
    """Save an address to the customer's book; the first one is the default. The same
    address typed again is the one already saved (made default if asked)."""
    if user is None or not user.is_authenticated:
        raise AddressError("Log in to save addresses.")
    data = details.cleaned()
    # Lock the customer's row: two checkouts at once cannot both add, or both make a default.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    saved = list(Address.objects.filter(user=user))
    same = next((a for a in saved if a.same_place(data["line1"], data["line2"], data["city"], data["state"],
                                                    data["postal_code"], data["name"])), None)
    if same is not None:
        if data["phone"] and same.phone != data["phone"]:
            same.phone = data["phone"]
            same.save(update_fields=["phone"])
        if default:
            _make_default(user, same)
        return same
    if len(saved) >= MAX_ADDRESSES:
        raise AddressError(f"Your address book is full ({MAX_ADDRESSES} addresses). Remove one first.")
    address = Address(user=user, **data)
    try:
        address.full_clean(exclude=["user", "is_default", "last_used_at"])
    except ValidationError as error:
        raise AddressError(" ".join(error.messages))
    try:
        with transaction.atomic():
            address.save()
    except IntegrityError:  # pragma: no cover - the user row lock makes this unreachable
        raise AddressError("The address could not be saved. Please try again.")
    if default or not saved:
        _make_default(user, address)
    return address


@transaction.atomic
def address_set_default(user, address_id: int) -> Address:
    address = _mine(user, address_id)
    _make_default(user, address)
    return address


@transaction.atomic
def address_remove(user, address_id: int) -> None:
    """Remove an address; if it was the default, the most recently used one left becomes it."""
    address = _mine(user, address_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        following = Address.objects.filter(user=user).order_by("-last_used_at", "-id").first()
        if following is not None:
            _make_default(user, following)


def address_used(address: Address, now=None) -> None:
    """Remember that a checkout delivered to it (inside the order's transaction)."""
    address.last_used_at = now or timezone.now()
    Address.objects.filter(pk=address.pk).update(last_used_at=address.last_used_at)


def address_remember(user, details) -> Address | None:
    """At checkout (in the order's transaction): the saved address delivered to is marked
    used, or the typed one is saved when asked (silently not, when the book is full).
    ``details``: ``shop.services.orders.CheckoutDetails``."""
    if details.address_id is not None:
        address = Address.objects.filter(user=user, pk=details.address_id).first()
        if address is None:
            raise AddressError("That address is not in your address book.")
        if details.default_address:
            _make_default(user, address)
    elif details.save_address:
        typed = AddressDetails(name=details.name, line1=details.line1, line2=details.line2, city=details.city,
                               state=details.state, postal_code=details.postal_code, phone=details.phone)
        try:
            address = address_add(user, typed, default=details.default_address)
        except AddressError:
            return None
    else:
        return None
    address_used(address)
    return address
