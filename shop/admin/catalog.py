"""The catalog: categories, products, their variants and images."""
from django.contrib import admin

from shop.models import (
    Category,
    Product,
    ProductImage,
    ProductVariant,
)
from shop.services.images import product_image_schedule_thumbnail
from shop.services.restock import restock_requests_release


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    extra = 1
    fields = ("sku", "options", "price", "stock", "position")


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 1
    fields = ("image", "alt_text", "position", "thumbnail")
    readonly_fields = ("thumbnail",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "wage_content", "is_active", "maker_credit")
    list_filter = ("category", "is_active")
    search_fields = ("name", "description", "variants__sku")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("maker_credit",)
    inlines = [ProductVariantInline, ProductImageInline]

    def save_formset(self, request, form, formset, change):
        instances = formset.save()
        for instance in instances:
            if isinstance(instance, ProductImage) and not instance.thumbnail:
                product_image_schedule_thumbnail(instance)
        # A variant given stock again: its "e-mail me when it's back" requests are sent after the commit.
        restock_requests_release(i.pk for i in instances if isinstance(i, ProductVariant))
