"""Events in the staff admin: events with their ticket types and sponsorship tiers; ticket
purchases and sponsorships are read only (written by the services, paid through their
donations); hosting requests are read here and decided on the staff events page."""
from django import forms
from django.contrib import admin

from shop.admin.base import ModelAdmin, ReadOnlyAdmin, StackedInline, TabularInline
from shop.models import Event, EventTicket, HostingRequest, Sponsorship, SponsorshipTier, TicketType

RESERVED_EVENT_SLUGS = ("host",)  # /events/host/ is the hosting request form


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = "__all__"

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_EVENT_SLUGS:
            raise forms.ValidationError(f"“{slug}” is taken by a page of the site; choose another.")
        return slug


class TicketTypeInline(TabularInline):
    model = TicketType
    extra = 1
    fields = ("name", "price", "fair_market_value", "benefit_description", "is_active")


class SponsorshipTierInline(StackedInline):
    model = SponsorshipTier
    extra = 0
    fields = ("name", "amount", "fair_market_value", "benefits", "max_sponsors")


@admin.register(Event)
class EventAdmin(ModelAdmin):
    """Prices and fair market values are copied onto each purchase when it is made: a later
    change here never alters a ticket already bought or its receipt."""

    form = EventAdminForm
    list_display = ("title", "kind", "starts_at", "venue", "capacity", "is_published")
    list_filter = ("kind", "is_published")
    search_fields = ("title", "venue")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "starts_at"
    inlines = [TicketTypeInline, SponsorshipTierInline]


@admin.register(EventTicket)
class EventTicketAdmin(ReadOnlyAdmin):
    """Written by the ticket service; paid through its donation."""

    list_display = ("event", "ticket_type", "quantity", "buyer_name", "buyer_email", "donation", "created_at")
    list_filter = ("event",)
    search_fields = ("buyer_name", "buyer_email", "donation__number")
    readonly_fields = ("event", "ticket_type", "donation", "quantity", "buyer_name", "buyer_email", "created_at")


@admin.register(Sponsorship)
class SponsorshipAdmin(ReadOnlyAdmin):
    """Written by the sponsorship service; shown on the event page once its donation is paid."""

    list_display = ("sponsor_name", "event", "tier", "donation", "created_at")
    list_filter = ("event",)
    search_fields = ("sponsor_name", "donation__number")
    readonly_fields = ("event", "tier", "donation", "sponsor_name", "logo", "link", "created_at")


@admin.register(HostingRequest)
class HostingRequestAdmin(ModelAdmin):
    """Read here; staff accept or decline on the events page, which e-mails the decision once."""

    list_display = ("organisation", "date", "expected_guests", "status", "decided_at", "decision_emailed_at")
    list_filter = ("status",)
    search_fields = ("organisation", "contact_name", "email")
    readonly_fields = ("organisation", "contact_name", "email", "phone", "date", "expected_guests", "purpose", "status",
                       "staff_message", "decided_by", "decided_at", "decision_emailed_at", "created_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the staff events page records every decision; a request is kept
