"""Discount codes: staff set them up (saved through ``shop.services.discounts``, on the audit
trail); each code's uses and each order's codes are read-only snapshots."""
from django.contrib import admin
from django.db.models import Count, Q

from shop.admin.base import ModelAdmin, ReadOnlyInline
from shop.models import DiscountCode, Order, OrderDiscount
from shop.services.discounts import discount_code_save


class DiscountUseInline(ReadOnlyInline):
    model = OrderDiscount
    fk_name = "discount_code"
    fields = readonly_fields = ("order", "amount", "shipping_amount", "created_at")
    verbose_name_plural = "uses"


class OrderDiscountInline(ReadOnlyInline):
    """On the order's admin page: the codes used and what each took off."""

    model = OrderDiscount
    fk_name = "order"
    fields = readonly_fields = ("code", "kind", "label", "amount", "shipping_amount")
    verbose_name_plural = "discount codes"


@admin.register(DiscountCode)
class DiscountCodeAdmin(ModelAdmin):
    list_display = ("code", "kind", "value", "minimum_spend", "starts_at", "ends_at", "uses", "usage_limit",
                    "per_customer_limit", "combinable", "is_active")
    list_filter = ("kind", "is_active", "combinable")
    search_fields = ("code", "description")
    filter_horizontal = ("products", "categories")
    inlines = [DiscountUseInline]
    fieldsets = [
        (None, {"fields": ("code", "description", "kind", "value", "is_active")}),
        ("Conditions", {"fields": ("minimum_spend", "starts_at", "ends_at", "usage_limit", "per_customer_limit",
                                   "combinable")}),
        ("Limited to (empty: everything)", {"fields": ("products", "categories")}),
    ]

    def get_queryset(self, request):
        live = Q(uses__order__state__in=[s for s in Order.State.values if s != Order.State.CANCELLED])
        return super().get_queryset(request).annotate(live_uses=Count("uses", filter=live))

    @admin.display(description="used", ordering="live_uses")
    def uses(self, obj):
        return obj.live_uses

    def has_delete_permission(self, request, obj=None):
        """A code that was used stays (its orders point at it); deactivate it instead."""
        if obj is not None and obj.uses.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        discount_code_save(obj, request.user, created=not change)
