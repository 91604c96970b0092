import json
from contextlib import suppress

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse, RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shop.platform import ratelimit
from shop.platform import stripe_gateway as gateway
from shop.platform.ratelimit import RateLimited
from shop.platform.errors import DomainError
from shop.forms.checkout import CheckoutForm
from shop.platform.security import private_page
from shop.selectors.addresses import addresses_for, preselected
from shop.selectors.discounts import breakdown_problem, codes_check
from shop.selectors.giftcards import gift_cards_check
from shop.selectors.cart import active_shipping_methods, request_cart_lines, summary_of_lines
from shop.selectors.orders import order_from_token, order_token
from shop.selectors.surtax import county_choice
from shop.services.cart import cart_get_or_create
from shop.services.discounts import DiscountError
from shop.services.giftcards import GiftCardError
from shop.services.orders import CheckoutDetails, order_place
from shop.services.payments import payment_confirm, payment_start
from shop.views.limits import card_payment_limited, limited


def _code_discounts(request, form, email: str) -> tuple[list, bool]:
    """The discounts of the codes typed, or a field error on the code (and nothing off).

    Codes that are no code at all count against the ``discount_code`` rate limit (guessing);
    over it, every code is refused for a while. Returns (discounts, rate_limited)."""
    codes = form.cleaned_data.get("discount_code") if hasattr(form, "cleaned_data") else None
    if not codes:
        return [], False
    try:
        ratelimit.hit(request, "discount_code", cost=0)
    except RateLimited as error:
        form.add_error("discount_code", error.message)
        return [], True
    check = codes_check(codes, email=email, user=request.user)
    if check.unknown:
        with suppress(RateLimited):  # at the limit now: the next try is refused
            ratelimit.hit(request, "discount_code", cost=check.unknown)
    if check.problem:
        form.add_error("discount_code", check.problem)
    return check.discounts, False


def _gift_cards(request, form, summary):
    """The gift cards typed, checked against the total: a ``CardCheck`` (what each pays, its
    balance) or a field error. Codes that are no active card count against the
    ``gift_card_code`` rate limit; over it, every card is refused for a while (guessing).
    Returns (check, rate_limited)."""
    codes = form.cleaned_data.get("gift_cards") if hasattr(form, "cleaned_data") else None
    if not codes or summary.is_empty:
        return None, False
    try:
        ratelimit.hit(request, "gift_card_code", cost=0)
    except RateLimited as error:
        form.add_error("gift_cards", error.message)
        return None, True
    check = gift_cards_check(codes, summary.pricing.breakdown)
    if check.unknown:
        with suppress(RateLimited):  # at the limit now: the next try is refused
            ratelimit.hit(request, "gift_card_code", cost=check.unknown)
    if check.problem:
        form.add_error("gift_cards", check.problem)
        return None, False
    return check, False


@private_page
def checkout(request):
    """Details and delivery; placing the order holds the stock and opens a payment. Showing it
    costs the same few queries whatever the number of lines. "Apply" beside the discount code
    shows the totals with it, and places nothing."""
    methods = active_shipping_methods()
    addresses = addresses_for(request.user)
    first = preselected(addresses)
    initial = {"email": request.user.email if request.user.is_authenticated else "",
               "shipping_method": methods[0] if methods else None,
               "name": first.name if first else "", "phone": first.phone if first else "",
               "saved_address": str(first.pk) if first else None}  # saving a typed address is opt-in
    applying = request.method == "POST" and "apply" in request.POST
    form = CheckoutForm(request.POST or None, initial=initial, methods=methods, addresses=addresses,
                        can_save=request.user.is_authenticated, applying=applying)
    posted = request.method == "POST" and form.is_valid()
    chosen = getattr(form, "cleaned_data", {})  # the fields that were valid, on a failed POST
    discounts, rate_limited = _code_discounts(request, form, chosen.get("email", ""))
    picked = form.chosen_address() if request.method == "POST" and "saved_address" in chosen else first
    state = chosen.get("state") or (picked.state if picked is not None else None)
    postal_code = chosen.get("postal_code") or (picked.postal_code if picked is not None else None)
    county, _ = county_choice(state, postal_code, chosen.get("county"))  # Florida: the surtax's county
    summary = summary_of_lines(request_cart_lines(request), chosen.get("shipping_method") or initial["shipping_method"],
                               state, discounts, county=county)
    if summary.is_empty:
        messages.info(request, "Your cart is empty.")
        return redirect("shop:cart")
    problem = breakdown_problem(summary.pricing.breakdown) if discounts else None
    if problem:
        form.add_error("discount_code", problem)
    cards, cards_limited = _gift_cards(request, form, summary)
    rate_limited = rate_limited or cards_limited
    if posted and not applying and not form.errors:
        try:
            order = order_place(cart_get_or_create(request), CheckoutDetails(**form.details()), request.user,
                                codes=form.cleaned_data["discount_code"], gift_cards=form.cleaned_data["gift_cards"])
        except DiscountError as error:  # a code used up meanwhile: say so on the field
            form.add_error("discount_code", error.message)
        except GiftCardError as error:  # a balance spent meanwhile
            form.add_error("gift_cards", error.message)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("shop:cart")
        else:
            if order.is_paid:  # gift cards paid it all, or the codes made it free
                return redirect("shop:order_by_link", token=order_token(order))
            try:
                payment_start(order)
            except DomainError as error:  # the pay page tries again
                messages.warning(request, error.message)
            return redirect("shop:pay", token=order_token(order))
    status = 429 if rate_limited else 400 if form.errors else 200
    return render(request, "shop/checkout.html", {"form": form, "summary": summary, "cart_count": summary.item_count,
                                                  "applied": applying and not form.errors and bool(discounts),
                                                  "cards": cards},
                  status=status)


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
