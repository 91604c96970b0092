"""Data rights pages: a person's own download, and the staff page to export or erase.

Who: anyone logged in downloads their own data (their account, and what is held under their
verified e-mail addresses). On the staff page, shop staff export the shop's sections and
volunteer coordinators the volunteer's (superusers everything); only superusers erase,
because an erasure spans both apps and cannot be undone. Addresses travel in POST bodies,
never in URLs (which end up in logs).
"""
import json
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shop.data_rights import DataRightsError
from shop.forms.data_rights import EraseForm, LookupForm
from shop.platform.roles import SHOP_STAFF, VOLUNTEER_COORDINATOR, user_has_role
from shop.platform.audit import client_ip
from shop.services import data_rights as service
from shop.views.files import download_response

STAFF_PAGE_ROLES = (SHOP_STAFF, VOLUNTEER_COORDINATOR)


def _json_download(data: dict, filename: str):
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    return download_response(body.encode(), "application/json", filename)


@never_cache
@login_required
def my_data_export(request):
    subject = service.subject_for_user(request.user)
    data = service.export(subject)
    service.audit("data_rights.exported", actor=request.user, ip=client_ip(request), subject=subject, self_service=True,
                  sections=sorted(data["sections"]))
    return _json_download(data, f"my-data-{timezone.localdate().isoformat()}.json")


def staff_page_required(view):
    """Shop staff, volunteer coordinators and superusers; each exports only their sections."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not any(user_has_role(request.user, role) for role in STAFF_PAGE_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def superuser_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _page(request, status=200, **context):
    context.setdefault("lookup_form", LookupForm())
    context.setdefault("erase_form", EraseForm())
    context["can_erase"] = request.user.is_superuser
    return render(request, "shop/data_rights/staff.html", context, status=status)


@never_cache
@staff_page_required
def staff_data_rights(request):
    """GET: the forms. POST: what is held under an address (counts), with export and erase."""
    if request.method != "POST":
        return _page(request)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, lookup_form=form)
    email = form.cleaned_data["email"].strip().lower()
    subject = service.subject_for_email(email)
    summary = service.summary(subject, viewer=request.user)
    return _page(request, lookup_form=form, email=email, summary=summary, held=any(count for _, count in summary),
                 notes=service.erase_notes(subject) if request.user.is_superuser else [])


@never_cache
@staff_page_required
@require_POST
def staff_data_export(request):
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, lookup_form=form)
    subject = service.subject_for_email(form.cleaned_data["email"])
    data = service.export(subject, viewer=request.user)
    service.audit("data_rights.exported", actor=request.user, ip=client_ip(request), subject=subject, self_service=False,
                  sections=sorted(data["sections"]))
    return _json_download(data, f"personal-data-{timezone.localdate().isoformat()}.json")


@never_cache
@superuser_required
@require_POST
def staff_data_erase(request):
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, erase_form=form)
    subject = service.subject_for_email(form.cleaned_data["email"])
    try:
        erasure = service.erase(subject, actor=request.user, ip=client_ip(request))
    except DataRightsError as error:
        return _page(request, status=409, erase_form=form, erase_error=error.message)
    return render(request, "shop/data_rights/erased.html", {"erasure": erasure, "retention": service.RETENTION_NOTE})
