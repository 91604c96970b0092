"""Corporate gift boxes: box sizes, palette, volume tiers, classic boxes, organisations and their
invitations; and, read-only, gifts by claim link (campaigns and their claims) and organisations'
account credit, written only by ``shop/services/gifts/claims.py`` and ``credit.py``.

A claim's link is never shown (neither the secret, which is not stored, nor its hash), and
neither is a claimed gift's address: a claim names its row on the order's claims list, whose
address staff read on the staff order page with every other recipient list's."""
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from shop.admin.base import ModelAdmin, ReadOnlyAdmin, ReadOnlyInline, TabularInline
from shop.platform.errors import DomainError
from shop.models import (
    BoxSize,
    ClaimCampaign,
    ClassicBox,
    ClassicBoxItem,
    GiftClaim,
    Organisation,
    OrganisationCredit,
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


# -- gifts by claim link and account credit (read-only) -------------------------------------

CLAIM_FIELDS = ("number", "name", "email", "value", "tax_estimated", "tax", "status", "chosen_name", "share_address",
                "recipient_row", "claimed_at", "emailed_at", "reminders_sent", "tracking_emailed_at", "settlement")


class ClaimShown:
    """What an admin of claims shows of one."""

    @admin.display(description="ships to")
    def recipient_row(self, claim: GiftClaim):
        """Where a claimed (or fallback) gift ships: its row on the order's claims list, linked
        to the staff order page that shows the address. Never the address itself."""
        if claim.recipient_id is None:
            return "–"
        order = claim.campaign.order
        return format_html('<a href="{}">Row {} of {}</a>', reverse("shop:gift_order_staff", args=[order.number]),
                           claim.number, order.number)


class CampaignState(admin.SimpleListFilter):
    title = "claim period"
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [("open", "Open (not settled)"), ("settled", "Settled")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(settled_at__isnull=True)
        if self.value() == "settled":
            return queryset.filter(settled_at__isnull=False)
        return queryset


class GiftClaimInline(ClaimShown, ReadOnlyInline):
    model = GiftClaim
    fields = readonly_fields = CLAIM_FIELDS
    verbose_name_plural = "gifts"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign__order")


@admin.register(ClaimCampaign)
class ClaimCampaignAdmin(ReadOnlyAdmin):
    list_display = ("order", "organisation", "delivery", "outcome", "expires_on", "gifts", "claimed", "settled_at")
    list_filter = (CampaignState, "delivery", "outcome", ("order__organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("order__number", "order__organisation__name", "sender_name")
    list_select_related = ("order__organisation",)
    fields = readonly_fields = ("order", "organisation", "delivery", "sender_name", "note", "expires_on", "outcome",
                                "fallback_name", "fallback_company", "fallback_line1", "fallback_line2", "fallback_city",
                                "fallback_state", "fallback_zip", "alternatives", "settled_at", "created_at")
    inlines = [GiftClaimInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            gift_count=Count("claims"), claimed_count=Count("claims", filter=Q(claims__status=GiftClaim.Status.CLAIMED)))

    @admin.display(description="organisation", ordering="order__organisation__name")
    def organisation(self, obj):
        return obj.order.organisation

    @admin.display(description="gifts", ordering="gift_count")
    def gifts(self, obj):
        return obj.gift_count

    @admin.display(description="claimed", ordering="claimed_count")
    def claimed(self, obj):
        return obj.claimed_count


@admin.register(GiftClaim)
class GiftClaimAdmin(ClaimShown, ReadOnlyAdmin):
    list_display = ("__str__", "organisation", "status", "value", "chosen_name", "share_address", "claimed_at")
    list_filter = ("status", "share_address", ("campaign__order__organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("campaign__order__number", "name", "email")
    list_select_related = ("campaign__order__organisation",)
    fields = readonly_fields = ("campaign", *CLAIM_FIELDS, "chosen_design")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign__order__organisation")

    @admin.display(description="organisation", ordering="campaign__order__organisation__name")
    def organisation(self, obj):
        return obj.campaign.order.organisation


@admin.register(OrganisationCredit)
class OrganisationCreditAdmin(ReadOnlyAdmin):
    """The organisation's balance is the sum of its entries (``credit.organisation_credit_balance``)."""

    list_display = ("created_at", "organisation", "amount", "reason", "order", "key")
    list_filter = (("organisation", admin.RelatedOnlyFieldListFilter), ("order", admin.EmptyFieldListFilter))
    search_fields = ("key", "order__number", "organisation__name")
    list_select_related = ("organisation", "order")
    fields = readonly_fields = ("organisation", "amount", "reason", "key", "order", "created_at")
