from django.contrib import admin

from payroll.models import Account, JournalEntry, Posting


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger is append-only: staff read it here; services write it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind")


class PostingInline(admin.TabularInline):
    model = Posting
    fields = readonly_fields = ("account", "amount")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("date", "memo", "source_type", "idempotency_key")
    list_filter = ("source_type", "date")
    search_fields = ("memo", "idempotency_key")
    date_hierarchy = "date"
    inlines = [PostingInline]
    readonly_fields = ("date", "memo", "source_type", "source_id", "idempotency_key", "reverses", "created_at")
