"""Signal receivers of the shop: the guest cart follows a login; catalog edits retire cached pages."""
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shop.models.cart import SESSION_CART_KEY
from shop.models import Category, Product, ProductImage, ProductVariant
from shop.services.cart import cart_merge_guest_into_user
from shop.services.catalog import catalog_changed


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


def retire_cached_catalog_pages(sender, **kwargs):
    catalog_changed()


# Connected per model: a receiver for every model would slow every delete in the project.
for _model in (Category, Product, ProductVariant, ProductImage):
    post_save.connect(retire_cached_catalog_pages, sender=_model, dispatch_uid=f"shop_catalog_saved_{_model.__name__}")
    post_delete.connect(retire_cached_catalog_pages, sender=_model, dispatch_uid=f"shop_catalog_deleted_{_model.__name__}")
