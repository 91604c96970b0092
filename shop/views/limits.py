"""The view side of the rate limits (``shop/platform/ratelimit.py``): a 429 page or JSON answer,
and the decorators that put a view under its limits.

- ``@limited("pledge")``: every POST counts; one that does not go through (the form is
  shown again with its errors) is given back, so a person correcting a typo is not
  refused. Over the limit: the 429 page, and the view is not run.
- ``@limited("payment_setup", json=True)``: the card pages' SetupIntent endpoints (each one
  lets Stripe.js check a card at Stripe), every POST counting.
- ``invitations_limited(request, n)``: around sending ``n`` invitations (organisation and
  giving-circle invitations), each address counting against the sender's limit.
- ``allauth_too_many``: the same page for allauth's own limits (password reset).
- ``@card_payment_limited``: the pay-confirm JSON endpoints. Every confirmation counts per
  session and per IP before any call to Stripe; then the card's fingerprint (as Stripe
  reports it, or the session and IP when there is none) is refused once it has been
  declined ``card_failure`` times. A refused payment (402) counts as one failure.
"""
from contextlib import contextmanager, suppress
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from shop.platform import ratelimit
from shop.platform import stripe_gateway as gateway
from shop.platform.ratelimit import RateLimited
from shop.platform.security import client_ip, security_log


def too_many(request, error: RateLimited, *, json: bool = False):
    """429 with the plain message: JSON ``{"error": ...}`` for the card page, a page otherwise."""
    if json:
        response = JsonResponse({"error": error.message}, status=429)
    else:
        response = render(request, "shop/too_many.html", {"message": error.message}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def allauth_too_many(request):
    """allauth's own limits (password-reset e-mails, sign-ups) answer with the same page and
    are logged the same way (``config.urls.handler429``, which allauth looks up)."""
    security_log.warning("rate limit hit: action=%s ip=%s path=%s", resolve_name(request), client_ip(request),
                         request.path)
    message = "Too many requests in a short time. Please wait a few minutes and try again."
    return render(request, "shop/too_many.html", {"message": message}, status=429)


def resolve_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.url_name if match else None) or "-"


def limited(action: str, *, json: bool = False):
    """Put a view's POSTs under ``action``'s limits. A page's POST that does not redirect (its
    form came back with errors) is given back; a JSON endpoint's (``json=True``) always counts."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            try:
                usage = ratelimit.hit(request, action)
            except RateLimited as error:
                return too_many(request, error, json=json)
            response = view(request, *args, **kwargs)
            if not json and not 300 <= response.status_code < 400:
                usage.give_back()
            return response
        return wrapper
    return decorator


@contextmanager
def invitations_limited(request, addresses: int):
    """Count each address invited against the sender's ``invitation`` limit; raises
    ``RateLimited`` when over. If the sending fails (a domain error), they are given back."""
    usage = ratelimit.hit(request, "invitation", cost=addresses)
    try:
        yield
    except Exception:
        usage.give_back()
        raise


def _card(request) -> str:
    """The card's fingerprint, or this session and IP when Stripe (or localstripe) gives none."""
    from shop.views.checkout import payment_method_from

    payment_method = payment_method_from(request)
    looked_up = payment_method and settings.MENDED_RATE_LIMITS.get("card_failure")  # no limit: no Stripe call
    fingerprint = gateway.card_fingerprint(payment_method) if looked_up else None
    if fingerprint:
        return f"fingerprint:{fingerprint}"
    return f"visitor:{ratelimit.session_key(request)}:{client_ip(request)}"


def card_payment_limited(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            ratelimit.hit(request, "payment_confirm")
            card = _card(request)
            ratelimit.hit(request, "card_failure", cost=0, card=card)
        except RateLimited as error:
            return too_many(request, error, json=True)
        response = view(request, *args, **kwargs)
        if response.status_code == 402:
            with suppress(RateLimited):  # at the limit already: the next try is refused anyway
                ratelimit.hit(request, "card_failure", card=card)
        return response
    return wrapper
