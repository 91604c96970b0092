"""Kiosk mode, the one rule: a kiosk session reaches its own pages and nothing else.

A coordinator who opens a kiosk (``payroll/views/kiosk.py``) is logged out on that device
and the new session holds only ``KIOSK_SESSION_KEY`` (the kiosk's id), expiring with the
kiosk. ``KioskMiddleware`` (after the session, auth and messages middleware) then answers
every request of that session: the kiosk's pages and the login pages go through; any other
GET is sent back to the kiosk and any other method is a 403. A full login ends kiosk mode
when it is a volunteer coordinator's (or a superuser's: ``login_ends_kiosk``); anyone else
who logs in there is logged out again and the device stays a kiosk. A closed or expired kiosk's session is
ended and the device shows the login page."""
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from shop.platform.roles import VOLUNTEER_COORDINATOR, user_role_names

KIOSK_SESSION_KEY = "mended_kiosk"
# What a kiosk session may reach (URL names): the kiosk's own pages, and the login (a
# coordinator's full login is the other way out besides the PIN).
KIOSK_VIEWS = frozenset({"payroll:kiosk", "payroll:kiosk_check", "payroll:kiosk_sync", "payroll:kiosk_exit",
                         "account_login", "mfa_authenticate"})


def may_end_kiosk(user) -> bool:
    return user.is_superuser or VOLUNTEER_COORDINATOR in user_role_names(user)


def start_kiosk_session(request, kiosk) -> None:
    """End whoever was logged in on this device, and make its session the kiosk's."""
    logout(request)  # a new, empty session: nothing of the coordinator's stays on the device
    request.session[KIOSK_SESSION_KEY] = kiosk.pk
    request.session.set_expiry(kiosk.expires_at)


def end_kiosk_session(request) -> None:
    request.session.flush()


class KioskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        kiosk_id = session.get(KIOSK_SESSION_KEY) if session is not None else None
        if kiosk_id is None:
            return self.get_response(request)
        from payroll.services.volunteers.kiosk import kiosk_active

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if may_end_kiosk(user):  # ended at the login (``login_ends_kiosk``); this only tidies the session
                session.pop(KIOSK_SESSION_KEY, None)
                return self.get_response(request)
            logout(request)
            session = request.session
            session[KIOSK_SESSION_KEY] = kiosk_id
            messages.error(request, "Only a volunteer coordinator's login ends kiosk mode.")
        kiosk = kiosk_active(kiosk_id)
        if kiosk is None:
            end_kiosk_session(request)
            messages.info(request, "The kiosk has closed. Log in to open it again.")
            return redirect("account_login")
        request.kiosk = kiosk
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = None
        if name in KIOSK_VIEWS:
            return self.get_response(request)
        if request.method in ("GET", "HEAD"):
            return redirect(reverse("payroll:kiosk"))
        return HttpResponseForbidden("This device is a check-in kiosk: it reaches nothing but the kiosk.")


def login_ends_kiosk(request, user) -> None:
    """A coordinator's (or superuser's) full login on a kiosk closes the kiosk: the login is
    a POST, so the GET after it writes nothing. Anyone else's login leaves the kiosk open
    (``KioskMiddleware`` logs them out again on their next request). Called on
    ``user_logged_in`` (``payroll/receivers.py``)."""
    session = getattr(request, "session", None)
    kiosk_id = session.get(KIOSK_SESSION_KEY) if session is not None else None
    if kiosk_id is None or not may_end_kiosk(user):
        return
    from payroll.services.volunteers.kiosk import kiosk_close

    if isinstance(kiosk_id, int):
        kiosk_close(kiosk_id)
    session.pop(KIOSK_SESSION_KEY, None)
    session.set_expiry(None)
    if hasattr(request, "_messages"):  # a real request (a test's force_login has none)
        messages.success(request, "Kiosk mode ended: you logged in.")
