"""Gift designs: create (empty or from a classic box), fill, customise, duplicate."""
from django.core.files.base import ContentFile
from django.db import transaction

from shop.models import ClassicBox, GiftDesign, GiftDesignItem
from shop.services.gifts.quote import GiftError, design_set_item
from shop.services.logos import check_logo, generated_name

CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml"}


@transaction.atomic
def design_create(organisation, name: str, size, actor, classic: ClassicBox | None = None) -> GiftDesign:
    """The size chosen is the size kept: a classic box whose items fit a bigger size than its own is
    copied into the bigger box, and one whose items do not fit the chosen size is refused with a
    message that says why (it used to become the classic's size without a word)."""
    if classic is not None:
        needed = sum(item.variant.product.gift_slots * item.quantity
                     for item in classic.items.select_related("variant__product"))
        if needed > size.slots:
            raise GiftError(
                f"The items of {classic.name} take {needed} slots, so they need the {classic.size.name} box "
                f"({classic.size.slots} slots); {size.name} holds {size.slots}. Choose {classic.size.name} "
                "or a bigger size, or start from an empty box.")
    design = GiftDesign.objects.create(organisation=organisation, name=name.strip() or "New gift box",
                                       size=size, created_by=actor)
    if classic is not None:
        for item in classic.items.all():
            design_set_item(design, item.variant_id, item.quantity)
    return design


@transaction.atomic
def design_from_quote(organisation, classic: ClassicBox, quantity: int, shipping: str, state: str, actor) -> GiftDesign:
    """The first draft of a new client: the classic box they were quoted, with the quantity,
    shipping and state of the quote kept for the builder's quote and order form."""
    design = design_create(organisation, classic.name, classic.size, actor, classic=classic)
    design.planned_quantity, design.planned_shipping, design.planned_state = quantity, shipping, state or ""
    design.save(update_fields=["planned_quantity", "planned_shipping", "planned_state"])
    return design


@transaction.atomic
def design_set_logo(design: GiftDesign, name: str, content: bytes) -> GiftDesign:
    """Check the upload (type from content, size, dimensions, safe SVG) and store it under a new name."""
    checked = check_logo(name, content)
    design.logo.save(generated_name(checked.kind), ContentFile(checked.content), save=False)
    design.save(update_fields=["logo", "updated_at"])
    return design


def logo_content_type(path: str) -> str:
    return next((t for ext, t in CONTENT_TYPES.items() if path.lower().endswith(ext)), "application/octet-stream")


@transaction.atomic
def design_duplicate(design: GiftDesign, actor) -> GiftDesign:
    copy = GiftDesign.objects.create(
        organisation=design.organisation, name=f"{design.name} (copy)"[:120], size=design.size, ribbon=design.ribbon,
        tissue=design.tissue, logo=design.logo.name, initials=design.initials, message=design.message, created_by=actor,
    )
    GiftDesignItem.objects.bulk_create(
        GiftDesignItem(design=copy, variant_id=i.variant_id, quantity=i.quantity) for i in design.items.all()
    )
    return copy
