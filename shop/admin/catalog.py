"""The catalog: categories, products, their variants and images."""
from django import forms
from django.contrib import admin, messages

from shop.admin.base import ModelAdmin, TabularInline
from shop.models import (
    Category,
    Product,
    ProductImage,
    ProductVariant,
)
from shop.platform.errors import DomainError
from shop.services.images import (
    ImageError,
    product_image_check,
    product_image_create,
    product_image_delete,
    product_image_update,
)
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


ALT_TEXT_MISSING = "Describe what the picture shows (its alt text), for people who cannot see it."


class ProductImageForm(forms.ModelForm):
    """A picture in the product's gallery: a real JPEG, PNG or WebP within the limits and a
    description of it, each checked here with the service's rules (a field error, never a 500)."""

    class Meta:
        model = ProductImage
        fields = ("image", "alt_text", "position")
        error_messages = {"alt_text": {"required": ALT_TEXT_MISSING}}

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload and "image" in self.changed_data:
            try:
                product_image_check(upload)
            except ImageError as error:
                raise forms.ValidationError(error.message)
        return upload

    def clean_alt_text(self):
        alt_text = " ".join((self.cleaned_data.get("alt_text") or "").split())
        if not alt_text:
            raise forms.ValidationError(ALT_TEXT_MISSING)
        return alt_text


class ProductImageInline(TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 1
    fields = ("image", "alt_text", "position", "width", "height", "made")
    readonly_fields = ("width", "height", "made")

    @admin.display(description="Sizes made")
    def made(self, obj):
        widths = [str(w) for w, _h, _name in (obj.renditions or {}).get("webp", [])] if obj and obj.pk else []
        return ", ".join(widths) + " px (WebP and fallback)" if widths else "Not yet (the worker makes them)"


@admin.register(Product)
class ProductAdmin(ModelAdmin):
    list_display = ("name", "category", "wage_content", "is_active", "maker_credit")
    list_filter = ("category", "is_active")
    search_fields = ("name", "description", "variants__sku")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("maker_credit",)
    inlines = [ProductVariantInline, ProductImageInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is ProductImage:
            return self._save_images(request, form.instance, formset)
        instances = formset.save()
        # A variant given stock again: its "e-mail me when it's back" requests are sent after the commit.
        restock_requests_release(i.pk for i in instances if isinstance(i, ProductVariant))

    def _save_images(self, request, product, formset):
        """The gallery's rows through shop.services.images (the upload checked, renditions
        enqueued), recorded on the formset as ``formset.save()`` would for the change message."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for image_form in formset.forms:
            instance = image_form.instance
            if formset.can_delete and formset._should_delete_form(image_form):
                if instance.pk:
                    product_image_delete(instance)
                    formset.deleted_objects.append(instance)
                continue
            if not image_form.has_changed():
                continue
            data = image_form.cleaned_data
            upload = data["image"] if "image" in image_form.changed_data else None
            try:
                if instance.pk:
                    product_image_update(instance, alt_text=data["alt_text"], position=data["position"], upload=upload)
                    formset.changed_objects.append((instance, image_form.changed_data))
                else:
                    formset.new_objects.append(
                        product_image_create(product, upload, data["alt_text"],  # unchanged place: last
                                             position=data["position"] if "position" in image_form.changed_data else None))
            except DomainError as error:
                messages.error(request, error.message)
