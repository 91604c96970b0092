"""Corporate gift boxes: box sizes, palette, volume tiers, classic boxes, organisations and their invitations."""
from django.contrib import admin, messages

from shop.admin.base import ModelAdmin, TabularInline
from shop.platform.errors import DomainError
from shop.models import (
    BoxSize,
    ClassicBox,
    ClassicBoxItem,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    PaletteColour,
    VolumeTier,
)
from shop.services.organisations import invitation_send


@admin.register(BoxSize)
class BoxSizeAdmin(ModelAdmin):
    list_display = ("name", "slots", "base_price", "position")


@admin.register(PaletteColour)
class PaletteColourAdmin(ModelAdmin):
    list_display = ("name", "hex", "use", "active")


@admin.register(VolumeTier)
class VolumeTierAdmin(ModelAdmin):
    list_display = ("min_quantity", "discount_percent")


class ClassicBoxItemInline(TabularInline):
    model = ClassicBoxItem
    extra = 1


@admin.register(ClassicBox)
class ClassicBoxAdmin(ModelAdmin):
    list_display = ("name", "size", "active")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ClassicBoxItemInline]


class OrganisationMemberInline(TabularInline):
    model = OrganisationMember
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("joined_at",)


class OrganisationInvitationInline(TabularInline):
    """Staff invite a new client's first administrator here; the e-mail goes out on save."""

    model = OrganisationInvitation
    extra = 1
    fields = ("email", "role", "created_at", "accepted_at")
    readonly_fields = ("created_at", "accepted_at")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ModelAdmin):
    list_display = ("name", "payment_terms", "billing_email")
    list_filter = ("payment_terms",)
    search_fields = ("name", "billing_email")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OrganisationMemberInline, OrganisationInvitationInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not OrganisationInvitation:
            return super().save_formset(request, form, formset, change)
        for invitation in formset.save(commit=False):
            try:
                invitation_send(form.instance, invitation.email, invitation.role, request.user)
            except DomainError as error:
                messages.error(request, error.message)
        for gone in formset.deleted_objects:
            gone.delete()
