"""Signal receivers of the shop: a guest's cart follows them when they log in."""
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from shop.models.cart import SESSION_CART_KEY
from shop.services.cart import cart_merge_guest_into_user


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
