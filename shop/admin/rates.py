"""Shipping methods and the tax table (read into the price calculation by shop/selectors/pricing.py)."""
from django.contrib import admin

from shop.admin.base import ModelAdmin
from shop.models import ShippingMethod, TaxRate


@admin.register(ShippingMethod)
class ShippingMethodAdmin(ModelAdmin):
    list_display = ("name", "kind", "price", "free_over", "is_active", "position")
    list_editable = ("is_active", "position")


@admin.register(TaxRate)
class TaxRateAdmin(ModelAdmin):
    list_display = ("state", "rate", "applies_to_shipping")
