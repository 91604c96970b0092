"""Signal receivers of the shop: the guest cart follows a login; edits retire cached public pages.

Each public area's cached pages (``shop.platform.page_cache``) are retired by a save or delete
of a row they show. Services that change those rows with ``QuerySet.update()`` (no signal)
call ``page_cache.changed`` themselves (stock, a maker's credit, a monthly gift's status, a
cancelled hold, an erasure).
"""
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from shop.models import (
    BoxSize,
    Category,
    ClassicBox,
    ClassicBoxItem,
    Donation,
    Event,
    EventTicket,
    GivingCircle,
    Pledge,
    Product,
    ProductImage,
    ProductVariant,
    RecurringGift,
    Sponsorship,
    SponsorshipTier,
    TicketType,
    User,
    VolumeTier,
)
from shop.models.cart import SESSION_CART_KEY
from shop.platform import page_cache
from shop.platform.page_cache import CATALOG, CIRCLES, EVENTS, GIFTS, PLEDGE
from shop.services.cart import cart_merge_guest_into_user
from shop.services.search import category_search_refresh, product_search_refresh


@receiver(user_logged_in, dispatch_uid="shop_merge_guest_cart")
def merge_guest_cart_on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    guest_cart_id = request.session.pop(SESSION_CART_KEY, None)
    if guest_cart_id is None:
        return
    result = cart_merge_guest_into_user(guest_cart_id, user)
    for text in result.adjusted:
        messages.warning(request, text)


# The rows each area's pages show: any save or delete of one retires them.
SHOWN_BY = {
    CATALOG: (Category, Product, ProductVariant, ProductImage),
    EVENTS: (Event, TicketType, SponsorshipTier, EventTicket, Sponsorship),
    CIRCLES: (GivingCircle,),
    PLEDGE: (Pledge,),
    GIFTS: (BoxSize, ClassicBox, ClassicBoxItem, VolumeTier),
}


def _retirer(area):
    def retire(sender, **kwargs):
        page_cache.changed(area)
    return retire


_RETIRERS = {area: _retirer(area) for area in SHOWN_BY}  # kept: signals hold their receivers weakly

# Connected per model: a receiver for every model would slow every save and delete in the project.
for _area, _models in SHOWN_BY.items():
    for _model in _models:
        post_save.connect(_RETIRERS[_area], sender=_model, dispatch_uid=f"pages_{_area}_saved_{_model.__name__}")
        post_delete.connect(_RETIRERS[_area], sender=_model, dispatch_uid=f"pages_{_area}_deleted_{_model.__name__}")


def _status_may_have_changed(update_fields) -> bool:
    return update_fields is None or "status" in update_fields


@receiver(post_save, sender=Donation, dispatch_uid="pages_donation_saved")
def donation_saved(sender, instance, update_fields=None, **kwargs):
    """A gift paid, refunded or made: a circle's total; a ticket's or sponsorship's place (paid
    sponsors are shown, pending holds take places)."""
    if _status_may_have_changed(update_fields):
        page_cache.changed(EVENTS, *([CIRCLES] if instance.circle_id else []))


@receiver(post_save, sender=RecurringGift, dispatch_uid="pages_monthly_gift_saved")
def monthly_gift_saved(sender, instance, update_fields=None, **kwargs):
    """A circle's member count: its active and past-due monthly gifts."""
    if instance.circle_id and _status_may_have_changed(update_fields):
        page_cache.changed(CIRCLES)


@receiver(m2m_changed, sender=GivingCircle.leaders.through, dispatch_uid="pages_circle_leaders_changed")
def circle_leaders_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        page_cache.changed(CIRCLES)


@receiver(post_save, sender=User, dispatch_uid="pages_leader_renamed")
def leader_renamed(sender, instance, created=False, update_fields=None, **kwargs):
    """A circle's page shows its leaders' first names. A login's save (``last_login`` only)
    is not a rename and costs no query."""
    if created or (update_fields is not None and "first_name" not in update_fields):
        return
    if instance.led_circles.exists():
        page_cache.changed(CIRCLES)


# The catalog's search document (shop/services/search.py), rewritten in the same transaction.
@receiver(post_save, sender=Product, dispatch_uid="search_product_saved")
def product_saved_for_search(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not {"name", "description", "category"} & set(update_fields)):
        return
    product_search_refresh([instance.pk])


@receiver(post_save, sender=ProductVariant, dispatch_uid="search_variant_saved")
@receiver(post_delete, sender=ProductVariant, dispatch_uid="search_variant_deleted")
def variant_changed_for_search(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "options" not in update_fields):
        return
    product_search_refresh([instance.product_id])


@receiver(post_save, sender=Category, dispatch_uid="search_category_saved")
def category_saved_for_search(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw or created or (update_fields is not None and "name" not in update_fields):
        return
    category_search_refresh(instance)
