"""Florida's county surtax table: staff change a rate without a deploy (saved through
``shop.services.surtax``, on the audit trail)."""
from django.contrib import admin

from shop.admin.base import ModelAdmin
from shop.models import CountySurtax
from shop.services.surtax import county_surtax_delete, county_surtax_save


@admin.register(CountySurtax)
class CountySurtaxAdmin(ModelAdmin):
    list_display = ("county", "rate", "cap", "note", "updated_at")
    search_fields = ("county",)
    readonly_fields = ("updated_at",)

    def save_model(self, request, obj, form, change):
        county_surtax_save(obj, request.user, created=not change)

    def delete_model(self, request, obj):
        county_surtax_delete(obj, request.user)

    def delete_queryset(self, request, queryset):
        for row in queryset:
            county_surtax_delete(row, request.user)
