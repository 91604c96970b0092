"""The check-in kiosk's pages. A coordinator opens it (``open_for_shift``, ``open_for_day``:
coordinators only, a POST); the device's session then belongs to the kiosk, and
``payroll/kiosk.py`` keeps it on the pages below, which answer only such a session."""
import json
from datetime import datetime, timezone as dt_timezone
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from payroll.forms.volunteers import KioskCheckForm, KioskExitForm, KioskOpenForm
from payroll.kiosk import end_kiosk_session, start_kiosk_session
from payroll.models import Shift
from payroll.selectors.volunteers import kiosk_rows
from payroll.services.volunteers import kiosk as kiosks
from payroll.services.volunteers.signups import VolunteerError
from payroll.views.coordinators import coordinator_required
from shop.platform.ratelimit import RateLimited, hit
from shop.platform.validators import date_param
from shop.platform.security import no_store

# The kiosk's camera is the page's own (BarcodeDetector); everything else stays off.
KIOSK_PERMISSIONS = "camera=(self), microphone=(), geolocation=(), payment=()"


def _open(request, *, shift=None, day=None):
    form = KioskOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kiosk = kiosks.kiosk_open(request.user, pin=form.cleaned_data["pin"], shift_id=shift.pk if shift else None,
                                      day=day)
        except VolunteerError as error:
            form.add_error(None, error.message)
        else:
            start_kiosk_session(request, kiosk)
            return redirect("payroll:kiosk")
    context = {"form": form, "shift": shift, "day": day}
    return no_store(render(request, "payroll/volunteers/kiosk_open.html", context, status=400 if form.errors else 200))


@coordinator_required
def open_for_shift(request, shift_id):
    """GET: what the kiosk will do and the PIN form; POST: open it (this device becomes the kiosk)."""
    shift = Shift.objects.filter(pk=shift_id).first()
    if shift is None:
        raise Http404("No such shift")
    return _open(request, shift=shift)


@coordinator_required
def open_for_day(request, day):
    on = date_param(day)
    if on is None:
        raise Http404("No such day")
    return _open(request, day=on)


def kiosk_only(view):
    """A page of the kiosk: only a kiosk session (``request.kiosk``, set by the middleware) gets it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(request, "kiosk", None) is None:
            return HttpResponseForbidden("This page is for a check-in kiosk; a coordinator opens one from a shift's roster.")
        response = view(request, *args, **kwargs)
        response["Permissions-Policy"] = KIOSK_PERMISSIONS
        return no_store(response)

    return wrapped


@require_safe
@kiosk_only
def kiosk(request):
    query = request.GET.get("q", "")[:80]
    kiosk = request.kiosk
    served = kiosk.shift.title if kiosk.shift_id else f"{kiosk.day:%A, %B %-d}"
    context = {"kiosk": kiosk, "served": served, "rows": kiosk_rows(kiosk, query), "query": query,
               "check_form": KioskCheckForm()}
    return render(request, "payroll/volunteers/kiosk.html", context)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@kiosk_only
def check(request):
    """One check-in or check-out (a tap on a name, or a code). The kiosk's script asks for
    JSON; without script the form posts and the page comes back with a message."""
    form = KioskCheckForm(request.POST)
    result, problem = None, ""
    if not form.is_valid():
        problem = "Find your name, or type your check-in code."
    else:
        data = form.cleaned_data
        try:
            result = kiosks.kiosk_check(request.kiosk, data["action"], signup_id=data["signup"], code=data["code"].strip())
        except VolunteerError as error:
            problem = error.message
    if _wants_json(request):
        if result is None:
            return JsonResponse({"ok": False, "message": problem}, status=400)
        return JsonResponse({"ok": True, "signup": result.signup_id, "state": result.state, "changed": result.changed,
                             "message": result.message})
    if result is None:
        messages.error(request, problem)
    else:
        messages.success(request, result.message)
    query = request.POST.get("q", "")[:80]
    return redirect(reverse("payroll:kiosk") + ("?" + urlencode({"q": query}) if query else ""))


def _queued(body: bytes) -> list[dict] | None:
    """The browser's queue: a list of {id, action, signup | code, at (ms since 1970)}; None if unreadable."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    items = data.get("queued") if isinstance(data, dict) else None
    if not isinstance(items, list) or len(items) > 200:
        return None
    out = []
    for item in items:
        if not isinstance(item, dict):
            return None
        signup, code, at = item.get("signup"), item.get("code") or "", item.get("at")
        if signup is not None and not (isinstance(signup, int) and not isinstance(signup, bool) and 0 < signup < 2**63):
            return None
        if not isinstance(code, str) or len(code) > 40 or not isinstance(item.get("action"), str):
            return None
        moment = None
        if isinstance(at, (int, float)) and not isinstance(at, bool) and 0 < at < 4102444800000:  # before 2100
            moment = datetime.fromtimestamp(int(at) // 1000, tz=dt_timezone.utc)
        out.append({"id": str(item.get("id", ""))[:64], "action": item["action"][:20], "signup": signup, "code": code,
                    "at": moment})
    return out


@require_POST
@kiosk_only
def sync(request):
    """What the kiosk queued while offline, sent once the network is back (replays change nothing)."""
    queued = _queued(request.body)
    if queued is None:
        return JsonResponse({"ok": False, "message": "The queue could not be read."}, status=400)
    return JsonResponse({"ok": True, "results": kiosks.kiosk_sync(request.kiosk, queued)})


@kiosk_only
def exit_kiosk(request):
    """The coordinator's PIN ends kiosk mode on this device. Wrong PINs are limited (per
    kiosk and per address): over the limit, none is tried until the window ends, and a
    coordinator's full login is the way out."""
    form = KioskExitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        try:
            hit(request, "kiosk_pin", cost=0, kiosk=request.kiosk.pk)  # ask before trying
            if valid and kiosks.pin_matches(request.kiosk, form.cleaned_data["pin"]):
                kiosks.kiosk_close(request.kiosk.pk)
                end_kiosk_session(request)
                messages.success(request, "Kiosk mode ended on this device.")
                return redirect("account_login")
            hit(request, "kiosk_pin", kiosk=request.kiosk.pk)  # a wrong PIN counts
            form.add_error("pin", "That is not the PIN.")
            status = 400
        except RateLimited as error:
            form.add_error(None, f"{error.message} Or log in as a coordinator to leave kiosk mode.")
            status = 429
    return render(request, "payroll/volunteers/kiosk_exit.html", {"form": form}, status=status)
