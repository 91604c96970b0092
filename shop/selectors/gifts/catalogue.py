"""Reads for the public gift catalogue (/gifts/boxes/): what a visitor without an account sees."""
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch

from shop.models import ClassicBox, ClassicBoxItem
from shop.selectors.catalog import first_pictures
from shop.selectors.gifts.orders import PROOF_DUE_WORKING_DAYS


def public_classic_boxes(pictures: bool = True) -> list[ClassicBox]:
    """Active classic boxes with their contents (``items``, each with its product) and
    ``price``: the box and its products per box, before volume tiers; each item has its
    product's first ``picture`` (or None). Three queries (two without ``pictures``), however many boxes."""
    boxes = list(ClassicBox.objects.filter(active=True).select_related("size").prefetch_related(
        Prefetch("items", queryset=ClassicBoxItem.objects.select_related("variant__product").order_by("id"))))
    product_ids = list({i.variant.product_id for box in boxes for i in box.items.all()})
    pictures = first_pictures(product_ids) if pictures else {}
    for box in boxes:
        for item in box.items.all():
            item.picture = pictures.get(item.variant.product_id)
        box.price = box.size.base_price + sum((i.variant.price * i.quantity for i in box.items.all()), Decimal("0"))
    return boxes


def public_classic_box(slug: str) -> ClassicBox | None:
    return next((box for box in public_classic_boxes(pictures=False) if box.slug == slug), None)


def lead_times() -> dict:
    """The lead times the catalogue states: the proof, and production after its approval."""
    return {"proof_days": PROOF_DUE_WORKING_DAYS, "production_days": settings.GIFT_PRODUCTION_DAYS,
            "extra_per_100": settings.GIFT_EXTRA_DAYS_PER_100}
