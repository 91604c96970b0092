"""Two-factor authentication for the staff who see survivors' pay and program records.

django-allauth's MFA app provides the authenticator app (TOTP), the recovery codes, the
setup pages under ``/accounts/2fa/`` and the code step of the login. What is Mended's:

- who must use it: payroll staff, program staff and superusers (who reach their pages
  too); shop staff, volunteer coordinators, customers, donors and volunteers may;
- ``StaffMFAMiddleware``: such a login that has no authenticator app yet, or whose
  session never passed the second factor, reaches nothing but the account pages (MFA
  setup and code entry, log out), the quick-exit page and the health check;
- ``AuthenticateForm``: the code step counts failures per account and IP (allauth's per
  account alone would let anyone with the password lock the owner out of it);
- ``MendedMFAAdapter``: authenticator secrets and recovery-code seeds are stored
  encrypted with FIELD_ENCRYPTION_KEYS, like the rest of the personal data.
"""
from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import forms as allauth_mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from shop.platform import crypto
from shop.platform.roles import PAYROLL_STAFF, PROGRAM_STAFF, user_role_names

MFA_ROLES = (PAYROLL_STAFF, PROGRAM_STAFF)
SETUP_MESSAGE = "Set up two-factor authentication to use payroll pages."
CODE_MESSAGE = "Enter a code from your authenticator app to use payroll pages."
# Set when this session activated the authenticator app (which took a valid code from
# it): as good as entering a code at login. Holds the user's id, like allauth's records.
ACTIVATED_SESSION_KEY = "mended_mfa_activated_by"

# Where a login that still owes its second factor may go. Every other page is refused.
_OPEN_ROUTE_PREFIXES = ("accounts/", "healthz", "^media/")
_OPEN_URL_NAMES = {"weather"}  # the quick exit must always work


def mfa_required(user) -> bool:
    """Whether this user must use two-factor authentication (superusers reach payroll too)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(user_role_names(user) & set(MFA_ROLES))


def has_authenticator_app(user) -> bool:
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def session_passed_mfa(request) -> bool:
    """Whether this session's login entered a second factor (a TOTP or recovery code).

    allauth records each authentication step of a session; the MFA step at login, or a
    later MFA reauthentication, is recorded with method ``mfa``.
    """
    user = request.user
    if any(record.get("method") == "mfa" for record in get_authentication_records(request, user)):
        return True
    return request.session.get(ACTIVATED_SESSION_KEY) == str(user.pk)


def mark_session_mfa(session, user) -> None:
    """Count this session as having passed the second factor for ``user``."""
    session[ACTIVATED_SESSION_KEY] = str(user.pk)


def _is_open(match) -> bool:
    if match is None:
        return True  # nothing there: the usual 404
    return match.route.startswith(_OPEN_ROUTE_PREFIXES) or match.url_name in _OPEN_URL_NAMES


class StaffMFAMiddleware:
    """Refuse payroll and program staff every page until their login passed MFA.

    Without an authenticator app they are sent to set one up; with one but a session that
    never entered a code (a login from before it was set up), to enter a code. Requests
    other than GET/HEAD get 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        if match is not None and match.url_name == "mfa_activate_totp" and request.method == "POST":
            return self._activation(request)
        if _is_open(match) or not mfa_required(user):
            return self.get_response(request)
        if not has_authenticator_app(user):
            return self._refuse(request, SETUP_MESSAGE, reverse("mfa_activate_totp"))
        if not session_passed_mfa(request):
            url = reverse("mfa_reauthenticate") + "?" + urlencode({"next": request.get_full_path()})
            return self._refuse(request, CODE_MESSAGE, url)
        return self.get_response(request)

    def _activation(self, request):
        """Activating the authenticator app takes a valid code from it (for the secret kept in
        this session): the session that did it counts as having passed the second factor."""
        had_app = has_authenticator_app(request.user)
        response = self.get_response(request)
        if not had_app and has_authenticator_app(request.user):
            mark_session_mfa(request.session, request.user)
        return response

    @staticmethod
    def _refuse(request, message, url):
        messages.warning(request, message)
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(message)
        return HttpResponseRedirect(url)


class MendedMFAAdapter(DefaultMFAAdapter):
    """Authenticator secrets and recovery-code seeds are encrypted at rest."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)


class AuthenticateForm(allauth_mfa_forms.AuthenticateForm):
    """The code step of the login, its failures counted per account *and* IP.

    allauth counts them per account alone, so someone who knows the password could keep
    the owner out of the code step from anywhere. This is allauth's ``clean_code`` with
    that one key changed (``login_failed`` limits, cleared by a right code)."""

    def clean_code(self) -> str:
        from allauth.core import context
        from allauth.core.internal.ratelimit import get_ip
        from allauth.mfa.adapter import get_adapter as get_mfa_adapter
        from allauth.account.adapter import get_adapter as get_account_adapter
        from allauth.core import ratelimit

        request = context.request
        key = f"mfa-auth-user-{self.user.pk}:{get_ip(request)}"
        if not ratelimit.consume(request, action="login_failed", key=key):
            raise get_account_adapter().validation_error("too_many_login_attempts")
        code = self.cleaned_data["code"]
        main = None
        for authenticator in Authenticator.objects.filter(user=self.user).exclude(type=Authenticator.Type.WEBAUTHN):
            if main is None or authenticator.type == Authenticator.Type.TOTP:
                main = authenticator  # failure signals go to the main one only, as allauth's
            if authenticator.wrap().validate_code(code):
                authenticator.user = self.user
                self.authenticator = authenticator
                ratelimit.clear(request, action="login_failed", key=key)
                return code
        if main is not None:
            self._emit_authentication_failed(main)
        raise get_mfa_adapter().validation_error("incorrect_code")
