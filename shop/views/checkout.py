import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse, RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shop.platform import stripe_gateway as gateway
from shop.platform.errors import DomainError
from shop.forms.checkout import CheckoutForm
from shop.platform.security import private_page
from shop.selectors.addresses import addresses_for, preselected
from shop.selectors.cart import active_shipping_methods, request_cart_lines, summary_of_lines
from shop.selectors.orders import order_from_token, order_token
from shop.services.cart import cart_get_or_create
from shop.services.orders import CheckoutDetails, order_place
from shop.services.payments import payment_confirm, payment_start
from shop.views.limits import card_payment_limited, limited


@private_page
def checkout(request):
    """Details and delivery; placing the order holds the stock and opens a payment. Showing it
    costs the same few queries whatever the number of lines."""
    methods = active_shipping_methods()
    addresses = addresses_for(request.user)
    first = preselected(addresses)
    initial = {"email": request.user.email if request.user.is_authenticated else "",
               "shipping_method": methods[0] if methods else None,
               "name": first.name if first else "", "phone": first.phone if first else "",
               "saved_address": str(first.pk) if first else None}  # saving a typed address is opt-in
    form = CheckoutForm(request.POST or None, initial=initial, methods=methods, addresses=addresses,
                        can_save=request.user.is_authenticated)
    if request.method == "POST" and form.is_valid():
        details = CheckoutDetails(**form.details())
        try:
            order = order_place(cart_get_or_create(request), details, request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("shop:cart")
        try:
            payment_start(order)
        except DomainError as error:  # the pay page tries again
            messages.warning(request, error.message)
        return redirect("shop:pay", token=order_token(order))
    chosen = getattr(form, "cleaned_data", {})  # the fields that were valid, on a failed POST
    state = chosen.get("state") or (first.state if first and request.method != "POST" else None)
    summary = summary_of_lines(request_cart_lines(request), chosen.get("shipping_method") or initial["shipping_method"],
                               state)
    if summary.is_empty:
        messages.info(request, "Your cart is empty.")
        return redirect("shop:cart")
    return render(request, "shop/checkout.html", {"form": form, "summary": summary, "cart_count": summary.item_count},
                  status=400 if form.errors else 200)


@private_page
def pay(request, token):
    """The card form. It collects a card through Stripe.js; the server charges it."""
    order = order_from_token(token)
    if order is None:
        raise Http404("No such order")
    if order.state != order.State.PENDING:
        return redirect("shop:order_by_link", token=token)
    error = None
    try:
        payment_start(order)
    except DomainError as failure:
        error = failure.message
    context = {
        "order": order,
        "token": token,
        "error": error,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
    }
    return render(request, "shop/pay.html", context, status=503 if error else 200)


def payment_method_from(request) -> str | None:
    """The ``pm_...`` id the card page posts as JSON; None when the body is not that JSON
    (a form body, already read as fields by the middleware, cannot be read again as bytes)."""
    try:
        return str(json.loads(request.body or b"{}").get("payment_method", ""))
    except (ValueError, AttributeError, RawPostDataException):
        return None


@require_POST
@private_page
@limited("payment_setup", json=True)
def pay_setup(request, token):
    """A fresh SetupIntent for each attempt, so a failed card can be replaced by another."""
    order = order_from_token(token)
    if order is None or order.state != order.State.PENDING:
        return JsonResponse({"error": "This order is not waiting for payment."}, status=404 if order is None else 409)
    try:
        return JsonResponse({"client_secret": gateway.create_setup_intent()["client_secret"]})
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=503)


@require_POST
@private_page
@card_payment_limited
def pay_confirm(request, token):
    """Charge the collected card: JSON in, JSON out. Never marks the order paid itself."""
    order = order_from_token(token)
    if order is None:
        return JsonResponse({"error": "This payment link is not valid."}, status=404)
    payment_method = payment_method_from(request)
    if payment_method is None:
        return JsonResponse({"error": "The request was not understood."}, status=400)
    try:
        result = payment_confirm(order, payment_method)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=402)
    return JsonResponse(
        {
            "status": result.status,
            "client_secret": result.client_secret,
            "next": reverse("shop:order_by_link", args=[token]),
        }
    )
