"""The audit trail: one call, ``audit_record``, for every app (payroll included).

    from shop.platform.audit import audit_record

    audit_record("refund.requested", actor=request.user, target=refund, amount=refund.amount)
    audit_record("paystub.viewed", employee=stub.employee, target=stub)   # a survivor's record
    audit_record("data_rights.exported", subject="d41d8…", counts={...})   # no target at all

- ``action``: a dotted name, ``<thing>.<what happened>``.
- ``actor``: the user who acted. Left out (or not signed in), it is the signed-in user
  of the request being served, if any; a Celery task or webhook records the system (None).
  Staff are kept by id and e-mail address; anyone else by id only.
- ``target``: the record acted on: a model instance, or an ``(object_type, object_id)`` pair.
- ``employee``: the survivor whose record this is (an Employee or its id), so every event
  about one person can be found; it is also the target when no target is given.
- ``ip``: where from. Left out, the address of the request being served (``client_ip``).
- ``**detail``: JSON-able facts (ids, amounts, counts, choices). Never personal data: keys
  that name personal fields are dropped to "[redacted]" and digit runs and e-mail addresses
  masked (``shop.platform.redact``), as a backstop only.

Write it inside the transaction that makes the change, so the event and the change commit
(or roll back) together. ``AuditContextMiddleware`` makes the request known to services
without passing it down. Role changes (staff groups, permissions, the staff and superuser
flags) are recorded here from signals, whoever makes them.
"""
import ipaddress
import re
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from shop.models import AuditEvent, ProductVariant, User
from shop.platform.redact import MASK, redact_value

_current_request: ContextVar = ContextVar("audit_request", default=None)

# Detail keys whose values are personal data or secrets: recorded as "[redacted]".
SENSITIVE_KEY = re.compile(
    r"ssn|social|routing|bank_account|account_number|card|cvc|password|secret|token|legal_name|birth|phone|address",
    re.I,
)
REDACTED = "[redacted]"


class AuditContextMiddleware:
    """Remembers the request being served, for ``audit_record``'s actor and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def current_request():
    return _current_request.get()


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind the trusted proxies the login throttles
    count (``ALLAUTH_TRUSTED_PROXY_COUNT``), the address the outermost of them saw; None when
    there is none or it is not an address. The one home of this reading: the security log and
    the rate limits take it through ``shop.platform.security.client_ip`` (None read as "-")."""
    if request is None:
        return None
    hops = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops and _valid_ip(forwarded[-hops]):
            return _valid_ip(forwarded[-hops])
    return _valid_ip(request.META.get("REMOTE_ADDR"))


def _valid_ip(value) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value).strip())) if value else None
    except ValueError:
        return None


def _authenticated(user):
    return user if getattr(user, "is_authenticated", False) else None


def _target(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, Model):
        return target._meta.label_lower, str(target.pk)
    object_type, object_id = target
    return str(object_type), str(object_id)


def _scrub(detail: dict) -> dict:
    return {key: REDACTED if SENSITIVE_KEY.search(str(key)) else redact_value(value) for key, value in detail.items()}


def audit_record(action: str, *, actor=None, target=None, employee=None, ip: str | None = None, request=None,
                 **detail) -> AuditEvent:
    """Append one event to the audit trail (see the module's docstring) and return it."""
    request = request if request is not None else current_request()
    actor = _authenticated(actor) or _authenticated(getattr(request, "user", None))
    employee_id = getattr(employee, "pk", employee)
    if target is None and isinstance(employee, Model):
        target = employee
    object_type, object_id = _target(target)
    return AuditEvent.objects.create(
        actor=actor,
        # Staff by address (to search by); customers, donors and volunteers by id only, so
        # the trail keeps no address an erasure request would have to reach.
        actor_email=actor.email if actor and (actor.is_staff or actor.is_superuser) else "",
        action=action[:60],
        object_type=object_type[:60],
        object_id=object_id[:64],
        employee_id=employee_id,
        ip_address=_valid_ip(ip) or client_ip(request),
        detail=_scrub(detail),
    )


def masked(value: str) -> str:
    """'100200300' -> '••••0300': for the detail of an event about a number."""
    value = str(value or "")
    return MASK + value[-4:] if value else ""


# -- roles: staff groups, permissions and the staff/superuser flags, whoever changes them ------

ROLE_FLAGS = ("is_staff", "is_superuser", "is_active")


@receiver(pre_save, sender=User, dispatch_uid="audit_user_flags_before")
def _remember_role_flags(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._audit_flags_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(ROLE_FLAGS):
        return  # e.g. last_login on every sign-in
    instance._audit_flags_before = User.objects.filter(pk=instance.pk).values(*ROLE_FLAGS).first()


@receiver(post_save, sender=User, dispatch_uid="audit_user_flags_after")
def _record_role_flags(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_audit_flags_before", None)
    instance._audit_flags_before = None
    if created:
        granted = {flag: True for flag in ROLE_FLAGS[:2] if getattr(instance, flag)}
        if granted:
            audit_record("role.flags_changed", target=instance, changes={flag: [False, True] for flag in granted})
        return
    if before is None:
        return
    changes = {flag: [before[flag], getattr(instance, flag)] for flag in ROLE_FLAGS if before[flag] != getattr(instance, flag)}
    if changes:
        audit_record("role.flags_changed", target=instance, changes=changes)


def _names(model, pk_set):
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    return sorted(
        f"{app}.{codename}"
        for app, codename in Permission.objects.filter(pk__in=pk_set).values_list("content_type__app_label", "codename")
    )


def _m2m_audit(kind: str):
    """A receiver for one many-to-many relation (user↔group, user↔permission, group↔permission)."""

    def record(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action == "pre_clear":
            # clear() sends no ids: remember what is about to go.
            instance._audit_cleared = list(getattr(instance, _field(kind, reverse)).values_list("pk", flat=True))
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if action == "post_clear":
            pk_set = set(getattr(instance, "_audit_cleared", ()))
            instance._audit_cleared = None
        if not pk_set:
            return
        verb = "added" if action == "post_add" else "removed"
        if not reverse:
            audit_record(f"role.{kind}_{verb}", target=instance, **{_detail_key(kind): _names(model, pk_set)})
        else:
            # e.g. group.user_set.add(user): one event per member changed, on the member.
            for other in model.objects.filter(pk__in=pk_set):
                audit_record(f"role.{kind}_{verb}", target=other, **{_detail_key(kind): _names(type(instance), {instance.pk})})

    return record


def _field(kind, reverse):
    return {
        ("group", False): "groups", ("group", True): "user_set",
        ("user_permission", False): "user_permissions", ("user_permission", True): "user_set",
        ("group_permission", False): "permissions", ("group_permission", True): "group_set",
    }[(kind, reverse)]


def _detail_key(kind):
    return "groups" if kind == "group" else "permissions"


m2m_changed.connect(_m2m_audit("group"), sender=User.groups.through, weak=False, dispatch_uid="audit_user_groups")
m2m_changed.connect(_m2m_audit("user_permission"), sender=User.user_permissions.through, weak=False,
                    dispatch_uid="audit_user_permissions")
m2m_changed.connect(_m2m_audit("group_permission"), sender=Group.permissions.through, weak=False,
                    dispatch_uid="audit_group_permissions")


@receiver(post_delete, sender=Group, dispatch_uid="audit_group_deleted")
def _record_group_deleted(sender, instance, **kwargs):
    audit_record("role.group_deleted", target=("auth.group", instance.pk), group=instance.name)


# -- money the shop holds: prices --------------------------------------------------------------


@receiver(pre_save, sender=ProductVariant, dispatch_uid="audit_price_before")
def _remember_price(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._audit_price_before = None
    if raw or instance.pk is None or (update_fields is not None and "price" not in update_fields):
        return
    instance._audit_price_before = ProductVariant.objects.filter(pk=instance.pk).values_list("price", flat=True).first()


@receiver(post_save, sender=ProductVariant, dispatch_uid="audit_price_after")
def _record_price(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_audit_price_before", None)
    instance._audit_price_before = None
    if raw or created or before is None or before == instance.price:
        return
    audit_record("price.changed", target=instance, sku=instance.sku, old=before, new=instance.price)
