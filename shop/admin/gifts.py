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
from shop.services.organisations import invitation_send, organisation_terms_approve, organisation_terms_withdraw


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


class TermsRequested(admin.SimpleListFilter):
    title = "invoice terms"
    parameter_name = "terms"

    def lookups(self, request, model_admin):
        return [("waiting", "Asked for, not approved"), ("approved", "Approved")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(terms_requested_at__isnull=False, payment_terms=Organisation.Terms.CARD)
        if self.value() == "approved":
            return queryset.filter(payment_terms=Organisation.Terms.NET30)
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(ModelAdmin):
    """Payment terms change only through the actions (the services record who approved them)."""

    list_display = ("name", "payment_terms", "terms_requested_at", "terms_approved_at", "billing_email")
    list_filter = (TermsRequested, "payment_terms")
    search_fields = ("name", "billing_email")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("payment_terms", "terms_requested_at", "terms_approved_at", "terms_approved_by")
    inlines = [OrganisationMemberInline, OrganisationInvitationInline]
    actions = ["approve_invoice_terms", "withdraw_invoice_terms"]

    @admin.action(description="Approve invoice terms (net 30) for the selected organisations")
    def approve_invoice_terms(self, request, queryset):
        self._terms(request, queryset, organisation_terms_approve, "may now pay by invoice, net 30")

    @admin.action(description="Return the selected organisations to card payment only")
    def withdraw_invoice_terms(self, request, queryset):
        self._terms(request, queryset, organisation_terms_withdraw, "pays by card only")

    def _terms(self, request, queryset, service, done):
        for organisation in queryset:
            try:
                service(organisation.pk, request.user)
            except DomainError as error:
                self.message_user(request, error.message, level=messages.ERROR)
            else:
                self.message_user(request, f"{organisation.name} {done}.")

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
