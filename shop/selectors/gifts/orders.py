from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from shop.models import GiftOrder, Proof, Shipment

S = GiftOrder.Status


def gift_order_for_member(user, number: str) -> GiftOrder | None:
    if not user.is_authenticated:
        return None
    return (
        GiftOrder.objects.filter(number=number, organisation__members__user=user)
        .select_related("organisation", "design", "recipient_list")
        .prefetch_related("lines", Prefetch("proofs", queryset=Proof.objects.select_related("decided_by")),
                          Prefetch("shipments", queryset=Shipment.objects.select_related("recipient")))
        .first()
    )


def gift_orders_for_member(user):
    return GiftOrder.objects.filter(organisation__members__user=user).select_related("organisation").order_by("-created_at")


PROOF_DUE_WORKING_DAYS = 2


def gift_pipeline(today: date | None = None) -> list[tuple[str, list[GiftOrder]]]:
    """Open gift orders grouped by stage, soonest in-hand date first, each with ``flags``:
    a proof we owe for more than two working days, an in-hand date the production time
    can no longer meet, or a date already past. Delivered and cancelled orders are left out."""
    from shop.services.gifts.quote import add_working_days, earliest_in_hand_date

    today = today or timezone.localdate()
    orders = (
        GiftOrder.objects.exclude(status__in=[S.DELIVERED, S.CANCELLED, S.AWAITING_APPROVAL, S.DECLINED])
        .select_related("organisation", "invoice").prefetch_related("proofs").order_by("in_hand_date", "id")
    )
    by_stage: dict[str, list[GiftOrder]] = {status: [] for status in S.values}
    for order in orders:
        order.flags = []
        proofs = list(order.proofs.all())
        owed_since = proofs[-1].decided_at.date() if proofs and proofs[-1].decided_at else order.created_at.date()
        if order.status in (S.PLACED, S.CHANGES_REQUESTED) and add_working_days(owed_since, PROOF_DUE_WORKING_DAYS) < today:
            order.flags.append("proof overdue")
        if order.in_hand_date < today:
            order.flags.append("past the in-hand date")
        elif order.status in (S.PLACED, S.PROOF_READY, S.CHANGES_REQUESTED) and \
                earliest_in_hand_date(order.quantity, today) > order.in_hand_date:
            order.flags.append("in-hand date at risk")
        by_stage[order.status].append(order)
    return [(label, by_stage[status]) for status, label in S.choices if by_stage[status]]


def gift_order_for_staff(number: str) -> GiftOrder | None:
    return (
        GiftOrder.objects.filter(number=number)
        .select_related("organisation", "recipient_list", "placed_by")
        .prefetch_related("lines", "proofs", Prefetch("shipments", queryset=Shipment.objects.select_related("recipient")))
        .first()
    )


def gift_order_progress(order: GiftOrder) -> dict:
    """Boxes shipped so far and recipients still to ship (for the staff page)."""
    shipped = sum(s.boxes for s in order.shipments.all())
    return {"boxes_shipped": shipped, "boxes_left": max(order.quantity - shipped, 0)}
