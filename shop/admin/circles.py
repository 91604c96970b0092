"""Giving circles in the staff admin: circles and their leaders are managed here; leaders'
invitations are only looked at (leaders send them from their circle's page)."""
from django.contrib import admin

from shop.admin.base import ModelAdmin, TabularInline
from shop.models import CircleInvitation, GivingCircle

INVITATION_FIELDS = ("circle", "email", "invited_by", "created_at", "sent_at", "joined_at")


class CircleInvitationInline(TabularInline):
    model = CircleInvitation
    extra = 0
    fields = ("email", "invited_by", "sent_at", "joined_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GivingCircle)
class GivingCircleAdmin(ModelAdmin):
    list_display = ("name", "slug", "yearly_goal", "is_active", "leader_names")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "leaders__email", "leaders__first_name", "leaders__last_name")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("leaders",)
    fields = ("name", "slug", "description", "yearly_goal", "is_active", "leaders")
    inlines = [CircleInvitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("leaders")

    @admin.display(description="Leaders")
    def leader_names(self, obj):
        return ", ".join(u.get_full_name() or u.email for u in obj.leaders.all()) or "–"


@admin.register(CircleInvitation)
class CircleInvitationAdmin(ModelAdmin):
    """Read-only: a record of who was invited to which circle, and whether they joined."""

    list_display = ("email", "circle", "invited_by", "sent_at", "joined_at")
    list_filter = ("circle",)
    search_fields = ("email",)
    fields = INVITATION_FIELDS
    readonly_fields = INVITATION_FIELDS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
