"""The audit trail in the admin: superusers read it; nobody adds, changes or deletes a row."""
from django.contrib import admin

from shop.admin.base import ReadOnlyAdmin
from shop.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_email", "action", "object_type", "object_id", "employee_id", "ip_address")
    list_filter = ("action", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_email", "action", "object_id")
    date_hierarchy = "at"
    fields = readonly_fields = ("at", "actor_id", "actor_email", "action", "object_type", "object_id", "employee_id",
                                "ip_address", "detail")
    actions = None

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)
