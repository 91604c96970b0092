"""Reads for the gift-box pages. Every read is scoped to the member's organisations."""
from django.db.models import Prefetch

from shop.models import BoxSize, ClassicBox, GiftDesign, GiftDesignItem, Organisation, PaletteColour, ProductVariant


def member_organisations(user) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    return list(Organisation.objects.filter(members__user=user).order_by("name"))


def design_for_member(user, design_id: int) -> GiftDesign | None:
    """The design if the user belongs to its organisation; None otherwise (the view answers 404)."""
    if not user.is_authenticated:
        return None
    return (
        GiftDesign.objects.filter(pk=design_id, organisation__members__user=user)
        .select_related("organisation", "size", "ribbon", "tissue")
        .prefetch_related(Prefetch("items", queryset=GiftDesignItem.objects.select_related("variant__product")))
        .first()
    )


def designs_for_member(user):
    return (
        GiftDesign.objects.filter(organisation__members__user=user)
        .select_related("organisation", "size")
        .order_by("-updated_at", "-id")
    )


def builder_choices() -> dict:
    return {
        "sizes": list(BoxSize.objects.all()),
        "colours": list(PaletteColour.objects.filter(active=True)),
        "variants": list(
            ProductVariant.objects.filter(product__is_active=True, product__gift_slots__gt=0, stock__gt=0)
            .select_related("product")
            .order_by("product__name", "position")
        ),
        "classics": list(ClassicBox.objects.filter(active=True).select_related("size")),
    }
