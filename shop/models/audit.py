"""The audit trail: who did what, to which record, when and from where. Append-only.

Rows are written by ``shop.platform.audit.audit_record`` only. Python refuses to change or delete
one (the model's ``save``/``delete`` and the queryset's ``update``/``delete``), the admin
offers no add, change or delete to anyone, and on PostgreSQL a trigger rejects UPDATE
and DELETE on the table itself (migration ``0013_audit``).

``employee_id`` names a survivor's record (payroll's Employee) by id: shop never imports
payroll, and the trail outlives the records it describes. The actor is kept by id and by
e-mail as it was at the time, so deleting a login neither changes nor breaks its history.
The detail never holds personal data: ids, counts and masked values only.
"""
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit event."""

    def __init__(self, message="Audit events are append-only: they are never changed or deleted."):
        super().__init__(message)


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly()

    def delete(self):
        raise AuditLogIsAppendOnly()

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly()

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AuditLogIsAppendOnly()

    # Used by QuerySet.update internals (and Model.save's UPDATE path): refuse there too.
    def _update(self, values):
        raise AuditLogIsAppendOnly()


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, related_name="+",
        on_delete=models.DO_NOTHING, db_constraint=False,  # the trail keeps the id of a deleted login
    )
    actor_email = models.CharField(max_length=254, blank=True, editable=False,
                                   help_text="The actor's e-mail address when the event happened.")
    action = models.CharField(max_length=60, db_index=True, editable=False)
    object_type = models.CharField(max_length=60, blank=True, editable=False, help_text="app_label.model, e.g. shop.order")
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    employee_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True, editable=False,
                                                 help_text="The survivor's record (payroll employee id), if any.")
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"{self.action} by {self.actor_email or 'the system'} at {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if not self._state.adding or self.pk is not None:
            raise AuditLogIsAppendOnly()
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly()
