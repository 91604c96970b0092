"""Web security that is Mended's own, around Django's, django-csp's and allauth's.

- ``ContentSecurityPolicyMiddleware``: django-csp's middleware with the Stripe.js origins
  added, derived from ``STRIPE_JS_URL`` and ``STRIPE_API_BASE`` at each request (Stripe in
  production, localstripe in development and the tests).
- ``PermissionsPolicyMiddleware``: the ``Permissions-Policy`` header.
- ``NoStoreMiddleware`` and ``@private_page``: ``Cache-Control: no-store, private`` on
  every response to a logged-in person and on every response of a view marked private
  (pages reached by a secret link: order, payment, donation, card and calendar links).
- ``ControlCharacterMiddleware``: a query string or form body (urlencoded or multipart field
  names and values; not uploaded files' contents) holding NUL or another C0 control character
  other than tab, CR and LF gets a 400 page saying so, before the view runs; a view marked
  ``@raw_body`` (the Stripe webhook, whose signed body is bytes) keeps its body unchecked.
- ``StaffIdleTimeoutMiddleware``: staff are logged out after
  ``SESSION_STAFF_IDLE_SECONDS`` without a request; customers keep the normal session.
- Failed logins: each is logged to the ``security`` logger (the address tried as a keyed
  hash, the client IP; never the password), and ``throttle_failed_logins`` puts Django's
  admin login form under the same allauth ``login_failed`` limits as the site's login.
  Failures are limited per IP and per account+IP, never per account alone, so nobody can
  lock the owner of an account out by failing on it from elsewhere.
"""
from __future__ import annotations

import logging
import time
from functools import lru_cache, wraps
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware, CheckableLazyObject
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

security_log = logging.getLogger("security")

# What Stripe documents its Stripe.js needs besides the origin of the script itself.
_STRIPE_COMPANIONS = {
    "https://js.stripe.com": {
        "script-src": ["https://*.js.stripe.com"],
        "frame-src": ["https://*.js.stripe.com", "https://hooks.stripe.com"],
    },
}


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def stripe_csp_sources() -> dict[str, list[str]]:
    """The CSP sources Stripe.js needs: its script origin may run and frame, and the page
    (and Stripe.js) may call the API origin. Read from the settings at each call, so a
    test's localstripe on a random port is allowed too (worked out once per pair of URLs)."""
    found = _stripe_sources(settings.STRIPE_JS_URL, settings.STRIPE_API_BASE)
    return {directive: list(values) for directive, values in found}


@lru_cache(maxsize=16)
def _stripe_sources(js_url: str, api_base: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    js, api = _origin(js_url), _origin(api_base)
    sources: dict[str, list[str]] = {"script-src": [], "connect-src": [], "frame-src": []}
    if js:
        sources["script-src"].append(js)
        sources["frame-src"].append(js)
        sources["connect-src"].append(js)  # localstripe's stand-in calls the origin it came from
        for directive, extra in _STRIPE_COMPANIONS.get(js, {}).items():
            sources[directive] += extra
    if api and api not in sources["connect-src"]:
        sources["connect-src"].append(api)
    return tuple((directive, tuple(values)) for directive, values in sources.items() if values)


_BUILT_POLICIES: dict[str, str] = {}  # header values by their parts, for responses without a nonce
_BUILT_POLICIES_MAX = 256


def _built_policy(config=None, update=None, replace=None, nonce=None, report_only=False) -> str:
    """django-csp's ``build_policy``, kept per process for the same parts and settings (most
    pages: the site's policy with Stripe's origins). A policy with a nonce is built each time."""
    if nonce is not None:
        return build_policy(config=config, update=update, replace=replace, nonce=nonce, report_only=report_only)
    setting = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY", None)
    key = repr((report_only, setting, config, update, replace))
    built = _BUILT_POLICIES.get(key)
    if built is None:
        if len(_BUILT_POLICIES) >= _BUILT_POLICIES_MAX:
            _BUILT_POLICIES.clear()
        built = _BUILT_POLICIES[key] = build_policy(config=config, update=update, replace=replace, report_only=report_only)
    return built


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the Stripe.js origins of the current settings. The header
    is django-csp's, built once per process for each policy (``_built_policy``), not per response."""

    def process_response(self, request, response):
        """django-csp's ``process_response`` (csp 4), with the built policy kept."""
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for report_only, header, exempt in ((False, HEADER, "_csp_exempt"), (True, HEADER_REPORT_ONLY, "_csp_exempt_ro")):
            parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
            policy = _built_policy(parts.config, parts.update, parts.replace, parts.nonce, report_only=report_only)
            if policy and header not in response and getattr(response, exempt, False) is False:
                setting = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only
                                  else "CONTENT_SECURITY_POLICY", None) or {}
                if not request.path_info.startswith(tuple(setting.get("EXCLUDE_URL_PREFIXES", None) or ())):
                    response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:  # a nonce asked for after the header: an error
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts  # a view that replaced the whole policy keeps exactly its own
        update = {directive: list(values) for directive, values in stripe_csp_sources().items()}
        for directive, values in (parts.update or {}).items():
            update.setdefault(directive, []).extend(values if isinstance(values, (list, tuple)) else [values])
        parts.update = update
        return parts


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` (settings.PERMISSIONS_POLICY) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def no_store(response):
    """``Cache-Control: no-store`` on one response (a staff or member page, a download
    holding personal data): the browser keeps no copy. Returns the response."""
    response["Cache-Control"] = "no-store"
    return response


def download(content, filename: str, content_type: str = "application/pdf") -> HttpResponse:
    """A generated file (a PDF, a bank file, an export) as a download named ``filename``,
    with ``Cache-Control: no-store`` (it holds people's data: the browser keeps no copy)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


def private_page(view):
    """Mark a view whose responses carry personal data to anyone holding its link:
    ``NoStoreMiddleware`` sends them with ``Cache-Control: no-store, private``."""
    view.private_page = True
    return view


def _may_be_logged_in(request) -> bool:
    """Without a session cookie nobody is logged in: skip loading the session (the cached
    catalog page costs no query for a new visitor)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _is_authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and _may_be_logged_in(request) and user.is_authenticated


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response to a logged-in person and on
    every response of a ``@private_page`` view. A response that already says ``no-store``
    keeps its own header. Static files (WhiteNoise answers them before this) are not touched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_mended_private_page", False) or _is_authenticated(request):
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "no-store, private"
                if "Expires" in response:
                    del response["Expires"]
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "private_page", False):
            request._mended_private_page = True


# C0 controls (and DEL) never typed into a form; tab, CR and LF are (text areas).
_CONTROL_CHARACTERS = frozenset(map(chr, [*range(0x20), 0x7F])) - {"\t", "\r", "\n"}
CONTROL_CHARACTER_MESSAGE = ("The request holds an invisible control character (such as NUL) in “{field}”. "
                             "Nothing was saved: remove it (retype the text) and send it again.")


def raw_body(view):
    """Mark a view that reads its request body as bytes (a signed webhook payload):
    ``ControlCharacterMiddleware`` does not parse or check the body (the query string still)."""
    view.raw_body = True
    return view


def _has_control(text: str) -> bool:
    return not _CONTROL_CHARACTERS.isdisjoint(text)


def control_character_field(data) -> str | None:
    """The name of the first field of ``data`` (a QueryDict) whose name or a value holds a
    control character, or None."""
    for name, values in data.lists():
        if _has_control(name) or any(isinstance(value, str) and _has_control(value) for value in values):
            return name
    return None


class ControlCharacterMiddleware:
    """400, with a message and nothing written, for a query string or form body with NUL or
    another control character: the database refuses NUL (a 500) or keeps junk. Uploaded files
    are the importers' to check; a ``@raw_body`` view's body is not read here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        field = control_character_field(request.GET)
        where = "query string"
        if field is None and request.method == "POST" and not getattr(view_func, "raw_body", False):
            field, where = control_character_field(request.POST), "form"
        if field is None:
            return None
        shown = "".join(ch for ch in field if not _has_control(ch))[:60] or "a field with no name"
        security_log.info("control character refused: %s field=%r path=%s ip=%s", where, shown, request.path,
                          client_ip(request))
        return render(request, "shop/bad_input.html", {"message": CONTROL_CHARACTER_MESSAGE.format(field=shown)},
                      status=400)


LAST_ACTIVITY_KEY = "mended_last_activity"


def is_staff_user(user) -> bool:
    """Any staff role (or the admin's is_staff / superuser flags) counts as staff."""
    from shop.platform.roles import STAFF_ROLES, user_role_names

    if user.is_staff or user.is_superuser:
        return True
    return bool(user_role_names(user) & set(STAFF_ROLES))


class StaffIdleTimeoutMiddleware:
    """Log staff out after ``SESSION_STAFF_IDLE_SECONDS`` without a request.

    The time of each staff request is kept in the session; a request that comes later than
    the limit logs the session out first (and says why), so the page asked for is answered
    as for anyone not logged in. Customers are not affected (the normal session age).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_authenticated(request) and is_staff_user(request.user):
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            limit = settings.SESSION_STAFF_IDLE_SECONDS
            if isinstance(last, (int, float)) and now - last > limit:
                user_id = request.user.pk
                logout(request)
                messages.info(request, f"You were logged out after {limit // 60} minutes without activity. "
                                       "Please log in again.")
                security_log.info("staff session ended after inactivity: user=%s idle=%ds", user_id, now - last)
            else:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


def account_fingerprint(attempted: str) -> str:
    """A keyed hash of the address or username tried: repeated attempts on one account can
    be seen in the logs without the log holding the address."""
    return salted_hmac("mended.security.login", attempted.strip().lower()).hexdigest()[:16]


def client_ip(request) -> str:
    """The client's address for a log line or a rate-limit key: the one reading of it
    (``shop.platform.audit.client_ip``, which honours ``ALLAUTH_TRUSTED_PROXY_COUNT``), or "-"
    when there is none or it is not an address (the audit row stores None instead: its column
    holds addresses only). It never raises: a log line must never break a login."""
    from shop.platform.audit import client_ip as audited_ip

    return audited_ip(request) or "-"


@receiver(user_login_failed, dispatch_uid="mended_log_failed_login")
def log_failed_login(sender, credentials, request=None, **kwargs):
    """Every failed password login (the site's and the admin's), without the password."""
    attempted = str(credentials.get("email") or credentials.get("username") or credentials.get("login") or "")
    security_log.warning(
        "login failed: account=%s ip=%s path=%s",
        account_fingerprint(attempted), client_ip(request), getattr(request, "path", "-"),
    )


THROTTLED_MESSAGE = "Too many failed login attempts. Try again later."


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter; a login refused by the ``login_failed`` limits is logged too (the
    refused attempt never reaches ``authenticate``, so ``user_login_failed`` is not sent).

    allauth counts an account's failures under the account alone, so anyone who knows an
    address could lock its owner out (payroll on pay day). Here they are counted per
    account *and* IP: the attacker's address is refused, the owner's is not."""

    def get_login_redirect_url(self, request):
        """Staff land on the staff home (``/staff/``); members of a gift organisation on
        ``/gifts/``; customers, volunteers and employees keep
        their own landing (``LOGIN_REDIRECT_URL``). A ``?next=`` still wins (allauth reads it first)."""
        from django.urls import reverse

        if is_staff_user(request.user):
            return reverse("payroll:staff_home")
        from shop.models import OrganisationMember

        if OrganisationMember.objects.filter(user=request.user).exists():
            return reverse("shop:gifts")  # a corporate client's boxes and orders (a first draft after "Start an order")
        return super().get_login_redirect_url(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        return _login_attempts_key(request, credentials.get("email", credentials.get("username", "")))

    def pre_authenticate(self, request, **credentials):
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            attempted = str(credentials.get("email") or credentials.get("username") or "")
            security_log.warning("login refused, too many failures: account=%s ip=%s path=%s",
                                 account_fingerprint(attempted), client_ip(request), getattr(request, "path", "-"))
            raise


def _login_attempts_key(request, username: str) -> str:
    """The key the site's login and the admin's form count an account's failures under:
    the account and the client IP (see ``AccountAdapter``)."""
    from django.contrib.sites.shortcuts import get_current_site

    from allauth.core.internal.ratelimit import get_ip  # the IP as allauth limits it (IPv6 by /64)

    return f"{get_current_site(request).domain}:{username.lower()}:{get_ip(request)}"


def throttle_failed_logins(login_view):
    """Put a login view that posts ``username``/``password`` (Django's admin login) under
    allauth's ``login_failed`` rate limits: per IP and per account, in the shared cache.
    A refused attempt gets 429 with a plain message; a successful login does not count."""
    from allauth.core.internal import ratelimit

    @wraps(login_view)
    def view(request, *args, **kwargs):
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        username = request.POST.get("username", "")
        usage = ratelimit.consume(request, app="allauth.account", action="login_failed",
                                  key=_login_attempts_key(request, username))
        if usage is None:
            security_log.warning("login refused, too many failures: account=%s ip=%s path=%s",
                                 account_fingerprint(username), client_ip(request), request.path)
            return HttpResponse(f"<!DOCTYPE html><title>Too many attempts</title><p>{THROTTLED_MESSAGE}</p>",
                                status=429)
        response = login_view(request, *args, **kwargs)
        if response.status_code in (301, 302):  # logged in: this attempt was no failure
            usage.rollback()
        return response

    return view
