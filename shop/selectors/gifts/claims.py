"""Reads for gifts sent by claim link: the client's status page and the recipient's page.

The client sees who claimed, what they picked and the tracking, but a recipient's address
only when the recipient agreed to share it (``GiftClaim.share_address``)."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch

from shop.models import ClaimCampaign, GiftClaim, GiftDesignItem, GiftOrder, Shipment
from shop.platform.money import ZERO
from shop.selectors.catalog import first_pictures


@dataclass(frozen=True)
class ClaimRow:
    number: int
    name: str
    email: str
    status: str
    status_label: str
    claimed_at: datetime | None
    box: str
    address: str  # "" unless the recipient agreed to share it
    shared: bool
    carrier: str
    tracking_number: str
    delivered: bool


@dataclass(frozen=True)
class ClaimSummary:
    campaign: ClaimCampaign
    rows: list[ClaimRow]
    claimed: int
    open: int
    cancelled: int
    fallback: int
    open_value: Decimal
    returned_value: Decimal
    # The sales tax charged at the highest rate on the gifts claimed or sent to the fallback
    # address, less what they owe where they went: back as account credit (``claims_tax_credit``).
    tax_back: Decimal = Decimal("0.00")


def _address(recipient) -> str:
    parts = [recipient.company, recipient.address_line1, recipient.address_line2,
             f"{recipient.city}, {recipient.state} {recipient.zip}"]
    return ", ".join(part for part in parts if part)


def claim_summary(order: GiftOrder) -> ClaimSummary | None:
    """Every gift of a claim-link order as its client may see it (three queries: the
    campaign, its claims with their addresses, and their shipments)."""
    campaign = ClaimCampaign.objects.filter(order=order).first()
    if campaign is None:
        return None
    claims = list(
        GiftClaim.objects.filter(campaign=campaign).select_related("recipient").order_by("number")
        .prefetch_related(Prefetch("recipient__shipments", queryset=Shipment.objects.order_by("-id")))
    )
    rows, counts, open_value, returned, tax_back = [], {s: 0 for s in GiftClaim.Status.values}, ZERO, ZERO, ZERO
    for claim in claims:
        counts[claim.status] += 1
        if claim.tax is not None and claim.status in (GiftClaim.Status.CLAIMED, GiftClaim.Status.FALLBACK):
            tax_back += claim.tax_estimated - claim.tax
        if claim.status == GiftClaim.Status.OPEN:
            open_value += claim.value
        elif claim.status == GiftClaim.Status.CANCELLED:
            returned += claim.value
        recipient = claim.recipient
        shipments = list(recipient.shipments.all()) if recipient else []
        shipment = shipments[0] if shipments else None
        shared = claim.status == GiftClaim.Status.FALLBACK or (recipient is not None and claim.share_address)
        rows.append(ClaimRow(
            number=claim.number, name=claim.name, email=claim.email, status=claim.status,
            status_label=claim.get_status_display(), claimed_at=claim.claimed_at,
            box=claim.chosen_name or order.design_name, address=_address(recipient) if shared and recipient else "",
            shared=shared, carrier=shipment.carrier if shipment else "",
            tracking_number=shipment.tracking_number if shipment else "",
            delivered=bool(shipment and shipment.delivered_at),
        ))
    return ClaimSummary(campaign=campaign, rows=rows, claimed=counts["claimed"], open=counts["open"],
                        cancelled=counts["cancelled"], fallback=counts["fallback"], open_value=open_value,
                        returned_value=returned, tax_back=max(tax_back, ZERO))


@dataclass(frozen=True)
class BoxItem:
    title: str
    quantity: int
    image_url: str  # the product's first picture (its thumbnail), or ""
    image_alt: str


@dataclass(frozen=True)
class BoxShown:
    design_id: int
    name: str
    size: str
    items: list[BoxItem]
    available: bool = True  # an alternative whose items are out of stock cannot be picked


def boxes_shown(designs, ordered_id: int | None = None, ordered_held: bool = False) -> list[BoxShown]:
    """What is in each box the recipient may get, with each product's first picture (two
    queries whatever the number of boxes). A box other than ``ordered_id`` (the one paid
    for) is unavailable when the stock cannot fill one of it (``stock.claim_box_swap`` refuses it),
    counting what the ordered box gives back when the order holds one (``ordered_held``)."""
    ids = [design.pk for design in designs]
    items = list(GiftDesignItem.objects.filter(design_id__in=ids).select_related("variant__product")
                 .order_by("design_id", "variant__product__name"))
    images = first_pictures(list({item.variant.product_id for item in items}))
    back = Counter()
    if ordered_held:
        for item in items:
            if item.design_id == ordered_id:
                back[item.variant_id] += item.quantity
    shown = []
    for design in designs:
        box_items, available = [], True
        for item in items:
            if item.design_id == design.pk:
                short = item.quantity > item.variant.stock + back[item.variant_id] or not item.variant.product.is_active
                available = available and not (short and design.pk != ordered_id)
                image = images.get(item.variant.product_id)
                box_items.append(BoxItem(title=str(item.variant), quantity=item.quantity,
                                         image_url=image.src if image else "",
                                         image_alt=image.alt if image else ""))
        shown.append(BoxShown(design_id=design.pk, name=design.name, size=design.size.name, items=box_items,
                              available=available))
    return shown

