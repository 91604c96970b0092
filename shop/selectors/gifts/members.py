"""Reads for the gift-box pages. Every read is scoped to the member's organisations."""
from decimal import Decimal

from django.db.models import Prefetch

from shop.models import (
    BoxSize,
    ClassicBox,
    ClassicBoxItem,
    GiftDesign,
    GiftDesignItem,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    PaletteColour,
    ProductVariant,
    RecipientList,
)


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
        "classics": classic_boxes_priced(),
    }


def classic_boxes_priced() -> list[ClassicBox]:
    """Active classic boxes, each with ``price``: the box and its products, before fees and tiers."""
    boxes = list(ClassicBox.objects.filter(active=True).select_related("size")
                 .prefetch_related(Prefetch("items", queryset=ClassicBoxItem.objects.select_related("variant"))))
    for box in boxes:
        box.price = box.size.base_price + sum((i.variant.price * i.quantity for i in box.items.all()), Decimal("0"))
    return boxes


def recipient_lists_for_member(user):
    """The lists members uploaded (a claim-link order's own list of claimed addresses is
    never shown to them: the recipients' consent decides, ``selectors/gifts/claims.py``)."""
    return (RecipientList.objects.filter(organisation__members__user=user)
            .exclude(status=RecipientList.Status.CLAIMS)
            .select_related("organisation").order_by("-created_at", "-id"))


def recipient_list_for_member(user, list_id: int) -> RecipientList | None:
    if not user.is_authenticated:
        return None
    return recipient_lists_for_member(user).filter(pk=list_id).first()


def organisation_for_member(user, slug: str) -> Organisation | None:
    if not user.is_authenticated:
        return None
    return Organisation.objects.filter(slug=slug, members__user=user).first()


def organisation_people(organisation: Organisation) -> dict:
    return {
        "members": list(OrganisationMember.objects.filter(organisation=organisation).select_related("user", "budget")
                        .order_by("user__email")),
        "invitations": list(OrganisationInvitation.objects.filter(organisation=organisation, accepted_at__isnull=True)),
    }
