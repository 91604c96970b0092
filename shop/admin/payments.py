"""Stored Stripe webhook events, read-only."""
from django.contrib import admin

from shop.admin.base import ReadOnlyAdmin
from shop.models import StripeEvent


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("stripe_id", "type", "received_at", "processed_at", "attempts")
    list_filter = ("type", ("processed_at", admin.EmptyFieldListFilter))
    search_fields = ("stripe_id",)
    readonly_fields = ("stripe_id", "type", "payload", "received_at", "processed_at", "attempts", "last_error")
