"""The audit trail's search page: superusers only (everyone else: 403; anonymous: log in)."""
from functools import wraps

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from shop.platform.audit import audit_record
from shop.platform.csv_export import csv_response
from shop.models import AuditEvent
from shop.platform.form_fields import DateField, IntegerField

PAGE_SIZE = 50
CSV_LIMIT = 50_000


def superuser_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class AuditSearchForm(forms.Form):
    actor = forms.CharField(required=False, max_length=254, label="Actor e-mail contains")
    action = forms.CharField(required=False, max_length=60, label="Action starts with",
                             help_text="e.g. payrun. or bank.changed")
    object_type = forms.CharField(required=False, max_length=60, label="Object type", help_text="e.g. shop.order")
    object_id = forms.CharField(required=False, max_length=64, label="Object id")
    employee = IntegerField(required=False, min_value=1, label="Employee id")
    ip = forms.GenericIPAddressField(required=False, label="IP address")
    since = DateField(required=False, label="From")
    until = DateField(required=False, label="To (inclusive)")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The date range ends before it starts.")
        return data


def audit_search(data: dict):
    """Events matching the form's cleaned data, newest first."""
    events = AuditEvent.objects.all()
    if data.get("actor"):
        events = events.filter(actor_email__icontains=data["actor"].strip())
    if data.get("action"):
        events = events.filter(action__startswith=data["action"].strip())
    if data.get("object_type"):
        events = events.filter(object_type=data["object_type"].strip().lower())
    if data.get("object_id"):
        events = events.filter(object_id=data["object_id"].strip())
    if data.get("employee"):
        events = events.filter(employee_id=data["employee"])
    if data.get("ip"):
        events = events.filter(ip_address=data["ip"])
    if data.get("since"):
        events = events.filter(at__date__gte=data["since"])
    if data.get("until"):
        events = events.filter(at__date__lte=data["until"])
    return events.order_by("-at", "-id")


@superuser_required
def audit_log(request):
    form = AuditSearchForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    events = audit_search(form.cleaned_data if request.GET and valid else {}) if valid else AuditEvent.objects.none()
    if valid and request.GET.get("format") == "csv":
        return _csv(request, events, form.cleaned_data if request.GET else {})
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    filters.pop("format", None)
    # Not "query": the header's product search box shows a context variable of that name.
    response = render(request, "shop/audit/log.html", {"form": form, "page": page, "filters": filters.urlencode()},
                      status=200 if valid else 400)
    response["Cache-Control"] = "no-store"
    return response


def _csv(request, events, filters):
    # Exporting the trail is itself recorded (which filters, how many rows).
    rows = list(events[:CSV_LIMIT])
    audit_record("audit.exported", rows=len(rows), filters={k: str(v) for k, v in filters.items() if v})
    return csv_response(
        f"audit-{timezone.localdate():%Y%m%d}.csv",
        ["at", "actor_id", "actor_email", "action", "object_type", "object_id", "employee_id", "ip_address", "detail"],
        ([timezone.localtime(event.at).isoformat(), event.actor_id or "", event.actor_email, event.action,
          event.object_type, event.object_id, event.employee_id or "", event.ip_address or "", str(event.detail)]
         for event in rows),
    )
