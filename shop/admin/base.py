"""Admin helpers every domain's admin uses: read-only admins for records only services write."""
from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (ledgers, logs, Stripe's events): staff read them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
