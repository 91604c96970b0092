"""Reads for the gift-box pages. Every read is scoped to the member's organisations."""
from dataclasses import dataclass
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
            .select_related("product__category")
            .order_by("product__name", "position")
        ),
        "classics": classic_boxes_priced(),
    }


GIFT_LOW_STOCK = 25  # "only N left" on a builder card at or below this: a box order takes dozens


@dataclass(frozen=True)
class ItemCard:
    """One item the builder offers, as its picture card shows it."""

    variant_id: int
    name: str
    variant: str
    price: Decimal
    slots: int
    stock: int
    low: bool
    fits: bool  # it is in the box already (its quantity can change), or it fits in the slots free
    in_box: int  # how many the box holds now
    picture: object  # a ``Picture`` or None: a plain tile
    search: str  # what the type-ahead filter matches, lower case


@dataclass(frozen=True)
class CardGroup:
    category: str
    cards: tuple[ItemCard, ...]


def builder_cards(variants, free_slots: int, in_box: dict[int, int], q: str = "") -> list[CardGroup]:
    """The builder's items as picture cards grouped by category (in the categories' order),
    sorted by name in each, filtered by ``q`` (name, variant or category, any case). One
    query for all the pictures, whatever the number of products."""
    from shop.selectors.catalog import first_pictures

    words = q.lower().split()
    shown = []
    for v in variants:
        search = f"{v.product.name} {v.label} {v.product.category.name}".lower()
        if all(word in search for word in words):
            shown.append((v, search))
    pictures = first_pictures(list({v.product_id for v, _ in shown}))
    groups: dict[int, list[ItemCard]] = {}
    order = sorted({v.product.category for v, _ in shown}, key=lambda c: (c.position, c.name))
    for v, search in shown:
        groups.setdefault(v.product.category_id, []).append(ItemCard(
            variant_id=v.pk, name=v.product.name, variant=v.label, price=v.price, slots=v.product.gift_slots,
            stock=v.stock, low=v.stock <= GIFT_LOW_STOCK, fits=v.pk in in_box or v.product.gift_slots <= free_slots,
            in_box=in_box.get(v.pk, 0), picture=pictures.get(v.product_id), search=search))
    return [CardGroup(c.name, tuple(sorted(groups[c.pk], key=lambda card: (card.name.lower(), card.variant.lower()))))
            for c in order]


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
