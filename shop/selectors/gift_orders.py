from django.db.models import Prefetch

from shop.models import GiftOrder, Proof


def gift_order_for_member(user, number: str) -> GiftOrder | None:
    if not user.is_authenticated:
        return None
    return (
        GiftOrder.objects.filter(number=number, organisation__members__user=user)
        .select_related("organisation", "design")
        .prefetch_related("lines", Prefetch("proofs", queryset=Proof.objects.select_related("decided_by")))
        .first()
    )


def gift_orders_for_member(user):
    return GiftOrder.objects.filter(organisation__members__user=user).select_related("organisation").order_by("-created_at")


def gift_pipeline():
    """Every gift order by stage, soonest in-hand date first (staff)."""
    return (
        GiftOrder.objects.select_related("organisation", "invoice").prefetch_related("proofs").order_by("in_hand_date", "id")
    )
