from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from shop.models import Category, Product, ProductImage, ProductVariant, ShippingMethod, TaxRate, User
from shop.services.images import product_image_schedule_thumbnail


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("email", "first_name", "last_name", "is_staff", "date_joined")
    search_fields = ("email", "first_name", "last_name", "username")
    ordering = ("email",)


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


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "price", "free_over", "is_active", "position")
    list_editable = ("is_active", "position")


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ("state", "rate", "applies_to_shipping")
