"""After the proof: production, shipments with tracking (one per recipient, or boxes in
bulk), delivery. Staff drive these steps from the gift order's staff page."""
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from shop.platform import csv_export, mail
from shop.platform.errors import DomainError
from shop.models import GiftOrder, Shipment
from shop.platform.validators import ascii_int, control_characters

S = GiftOrder.Status
MAX_TRACKING_ROWS = 2000


class FulfilmentError(DomainError):
    pass


def _locked(order_id: int) -> GiftOrder:
    return GiftOrder.objects.select_for_update().get(pk=order_id)


@transaction.atomic
def order_start_production(order_id: int, actor) -> GiftOrder:
    order = _locked(order_id)
    if order.status != S.APPROVED:
        raise FulfilmentError(f"Order {order.number} is {order.get_status_display().lower()}; "
                              "production starts once the proof is approved.")
    order.status, order.production_started_at = S.IN_PRODUCTION, timezone.now()
    order.save(update_fields=["status", "production_started_at"])
    return order


def _boxes_shipped(order: GiftOrder) -> int:
    return order.shipments.aggregate(n=Sum("boxes"))["n"] or 0


def _check_can_ship(order: GiftOrder) -> None:
    if order.status not in (S.IN_PRODUCTION, S.SHIPPED):
        raise FulfilmentError(f"Order {order.number} is {order.get_status_display().lower()}; "
                              "record shipments once it is in production.")


def _clean_tracking(carrier: str, tracking_number: str) -> tuple[str, str]:
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise FulfilmentError("Give the carrier and the tracking number.")
    if len(carrier) > 40 or len(tracking_number) > 60:
        raise FulfilmentError("The carrier (40) or tracking number (60 characters) is too long.")
    return carrier, tracking_number


def _mark_shipped_if_complete(order: GiftOrder) -> None:
    """Every box shipped: all of them, less a claim-link order's gifts cancelled unclaimed."""
    from shop.services.gifts.claims import boxes_cancelled

    if order.status == S.IN_PRODUCTION and _boxes_shipped(order) >= order.quantity - boxes_cancelled(order):
        order.status, order.shipped_at = S.SHIPPED, timezone.now()
        order.save(update_fields=["status", "shipped_at"])
        transaction.on_commit(lambda: email_client(order.pk, "shipped"))


def _tell_recipients(order: GiftOrder, recipient_ids: list[int]) -> None:
    """A claim-link order's recipients who left an e-mail address get their tracking, once."""
    from shop.services.gifts.claims import CLAIM_LINK, tracking_emails_queue

    if order.shipping_mode == CLAIM_LINK:
        tracking_emails_queue(recipient_ids)


@transaction.atomic
def shipment_record(order_id: int, *, carrier: str, tracking_number: str, boxes: int | None = None,
                    recipient_row: int | None = None, actor=None) -> Shipment:
    """One parcel: to a recipient of the order's list (one box), or ``boxes`` in bulk."""
    order = _locked(order_id)
    _check_can_ship(order)
    carrier, tracking_number = _clean_tracking(carrier, tracking_number)
    recipient = None
    if order.recipient_list_id:
        recipient = order.recipient_list.recipients.filter(row=recipient_row).first() if recipient_row else None
        if recipient is None:
            raise FulfilmentError("Choose the recipient (by row number in the list) this parcel goes to.")
        if order.shipments.filter(recipient=recipient).exists():
            raise FulfilmentError(f"Row {recipient_row} ({recipient.name}) already has a shipment.")
        boxes = 1
    else:
        left = order.quantity - _boxes_shipped(order)
        if not boxes or boxes < 1 or boxes > left:
            raise FulfilmentError(f"Ship between 1 and {left} boxes; {left} of {order.quantity} are still to ship.")
    shipment = Shipment.objects.create(order=order, recipient=recipient, boxes=boxes, carrier=carrier,
                                       tracking_number=tracking_number, created_by=actor)
    if recipient is not None:
        _tell_recipients(order, [recipient.pk])
    _mark_shipped_if_complete(order)
    return shipment


@transaction.atomic
def shipments_import_tracking(order_id: int, data: bytes, actor=None) -> int:
    """Tracking for many recipients at once from a CSV (``row,carrier,tracking_number``; row
    is the recipient's row in the uploaded list). All or nothing: every bad line is
    reported with its line number. Returns how many shipments were recorded."""
    order = _locked(order_id)
    _check_can_ship(order)
    if not order.recipient_list_id:
        raise FulfilmentError("This order ships in bulk; record its shipment with the form.")
    try:
        lines = csv_export.read_records(data)
    except csv_export.CsvReadError:
        raise FulfilmentError("We couldn't read this file as UTF-8 CSV.") from None
    if lines and lines[0][1][:1] and lines[0][1][0].strip().lower() == "row":
        lines = lines[1:]
    if not lines:
        raise FulfilmentError("The file has no tracking lines.")
    if len(lines) > MAX_TRACKING_ROWS:
        raise FulfilmentError(f"At most {MAX_TRACKING_ROWS:,} lines in one file.")
    recipients = {r.row: r for r in order.recipient_list.recipients.all()}
    shipped = set(order.shipments.exclude(recipient=None).values_list("recipient__row", flat=True))
    problems, seen, new = [], set(), []
    for line_number, cells in lines:
        cells = [c.strip() for c in cells] + ["", "", ""]
        row_text, carrier, tracking = cells[:3]
        row = ascii_int(row_text)
        if row not in recipients:
            problems.append(f"line {line_number}: no recipient in row “{row_text}” of the list")
        elif row in shipped or row in seen:
            problems.append(f"line {line_number}: row {row} already has a shipment")
        elif not carrier or not tracking or len(carrier) > 40 or len(tracking) > 60:
            problems.append(f"line {line_number}: give a carrier (up to 40) and a tracking number (up to 60 characters)")
        elif control_characters(carrier) or control_characters(tracking):
            problems.append(f"line {line_number}: the carrier or tracking number has invisible control characters")
        else:
            seen.add(row)
            new.append(Shipment(order=order, recipient=recipients[row], boxes=1, carrier=carrier,
                                tracking_number=tracking, created_by=actor))
    if problems:
        raise FulfilmentError(f"Nothing was recorded; {len(problems)} line{'s' if len(problems) != 1 else ''} "
                              "need fixing: " + "; ".join(problems[:50]) + ("; …" if len(problems) > 50 else "") + ".")
    Shipment.objects.bulk_create(new)
    _tell_recipients(order, [shipment.recipient.pk for shipment in new])
    _mark_shipped_if_complete(order)
    return len(new)


@transaction.atomic
def order_mark_delivered(order_id: int, actor=None) -> GiftOrder:
    order = _locked(order_id)
    if order.status != S.SHIPPED:
        raise FulfilmentError(f"Order {order.number} is {order.get_status_display().lower()}; "
                              "it can be marked delivered once every box has shipped.")
    now = timezone.now()
    order.shipments.filter(delivered_at__isnull=True).update(delivered_at=now)
    order.status, order.delivered_at = S.DELIVERED, now
    order.save(update_fields=["status", "delivered_at"])
    return order


def email_client(order_id: int, event: str) -> None:
    from shop.tasks import send_gift_order_update

    send_gift_order_update.delay(order_id, event)


def gift_order_send_update(order_id: int, event: str) -> bool:
    """Tell whoever placed the order that a proof is waiting, or that every box shipped."""
    order = GiftOrder.objects.select_related("placed_by").get(pk=order_id)
    if order.placed_by is None or not order.placed_by.email:
        return False
    link = settings.SITE_URL.rstrip("/") + reverse("shop:gift_order", args=[order.number])
    context = {"order": order, "link": link}
    if event == "proof":
        subject, template = f"Your proof is ready: gift order {order.number}", "gift_order_proof"
    else:
        subject, template = f"Your gift boxes are on their way: order {order.number}", "gift_order_shipped"
        context["count"] = order.shipments.count()
    mail.send(to=[order.placed_by.email], subject=subject, template=f"shop/email/{template}", context=context)
    return True
