"""The catalog: categories, products, their variants and images."""
from django import forms
from django.contrib import admin

from shop.admin.base import ModelAdmin, TabularInline
from shop.models import (
    Category,
    Product,
    ProductImage,
    ProductVariant,
)
from shop.services.images import product_image_schedule_thumbnail
from shop.services.restock import restock_requests_release


@admin.register(Category)
class CategoryAdmin(ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}


class ProductVariantForm(forms.ModelForm):
    class Meta:
        model = ProductVariant
        fields = ("sku", "options", "price", "stock", "position")

    def clean_options(self):
        """Options are name: value pairs; a list or a number is a field error here (the row's label
        and the option pickers read them as an object)."""
        options = self.cleaned_data.get("options")
        if options in (None, ""):
            return {}
        if not isinstance(options, dict):
            raise forms.ValidationError('Options must be an object of name: value pairs, e.g. {"colour": "Indigo"}.')
        return options


class ProductVariantInline(TabularInline):
    model = ProductVariant
    form = ProductVariantForm
    extra = 1
    fields = ("sku", "options", "price", "stock", "position")


class ProductImageInline(TabularInline):
    model = ProductImage
    extra = 1
    fields = ("image", "alt_text", "position", "thumbnail")
    readonly_fields = ("thumbnail",)


@admin.register(Product)
class ProductAdmin(ModelAdmin):
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
