"""The stock that gift orders take and give back: the one home of every gift stock move.

- Placing an order (``gift_order_stock_take``, from ``orders.gift_order_pay_placed``: at
  placing, or when an administrator approves an order that waited) takes ``per_box ×
  boxes`` of each of its lines' variants, or refuses naming what runs short. An order
  waiting for approval takes nothing until it is approved.
- A recipient picking an alternative box (``claim_box_swap``, in ``claims.claim_accept``)
  gives one ordered box back and takes the alternative's items, in one go; the claim keeps
  what they were (``GiftClaim.items_taken``).
- Cancelling (``gift_order_stock_return``) gives back the ordered boxes still held and
  exactly what each alternative took (its ``items_taken``, not the design as edited since); unclaimed gifts cancelled at settlement (``unclaimed_boxes_return``)
  give back one ordered box each. Fallback gifts are shipped, so they keep theirs.

``GiftOrder.stock_held`` counts the ordered boxes the order holds: set at placing to the
quantity less the alternatives already claimed (and gifts cancelled), lowered by one per
alternative claimed and per unclaimed gift cancelled, 0 once cancelled. It is read and
changed only under the order's row lock, so whatever runs twice (a second cancel, a
settlement run again) finds nothing left to give back. Orders placed before gift orders
took their stock hold 0, so nothing that never left comes back.

Every move locks the variants involved in primary-key order (``variants_lock``), as
checkout does, so a gift order, a claim and a shop checkout never deadlock; a move that
adds stock releases the back-in-stock requests waiting for it."""
from collections import Counter

from django.db import transaction
from django.db.models import F

from shop.models import GiftClaim, GiftDesign, GiftOrder, ProductVariant
from shop.services.gifts.quote import GiftError

C = GiftClaim.Status


def variants_lock(variant_ids) -> dict[int, ProductVariant]:
    """Lock these variants' rows in primary-key order (their products read, not locked).
    Call inside the transaction that moves their stock."""
    assert transaction.get_connection().in_atomic_block, "variants_lock runs inside the stock move's transaction"
    return {variant.pk: variant for variant in ProductVariant.objects.select_for_update(of=("self",))
            .filter(pk__in=sorted(set(variant_ids))).select_related("product").order_by("pk")}


def _apply(change: Counter) -> None:
    """Move the stock by ``change`` (variant id → units, negative taken), in key order."""
    from shop.services.catalog import catalog_changed
    from shop.services.restock import restock_requests_release

    moved = sorted(pk for pk, units in change.items() if units)
    for pk in moved:
        ProductVariant.objects.filter(pk=pk).update(stock=F("stock") + change[pk])
    if moved:
        catalog_changed()  # stock shows on catalog pages
    restock_requests_release(pk for pk in moved if change[pk] > 0)  # "it's back" e-mails, after the commit


def _box(order: GiftOrder) -> Counter:
    """What one ordered box holds: its lines as frozen at placing (variant id → units)."""
    box = Counter()
    for variant_id, per_box in order.lines.exclude(variant=None).values_list("variant_id", "per_box"):
        box[variant_id] += per_box
    return box


def _design_box(design: GiftDesign) -> Counter:
    box = Counter()
    for variant_id, quantity in design.items.values_list("variant_id", "quantity"):
        box[variant_id] += quantity
    return box


def _alternatives_claimed(order: GiftOrder) -> Counter:
    """The alternative boxes its recipients claimed (design id → boxes)."""
    return Counter(GiftClaim.objects.filter(campaign__order=order, status=C.CLAIMED, chosen_design__isnull=False)
                   .exclude(chosen_design_id=order.design_id).values_list("chosen_design_id", flat=True))


def gift_order_stock_take(order: GiftOrder) -> int:
    """In the transaction placing ``order`` (its row new or locked): take its ordered boxes
    from the stock, every variant locked, or refuse with ``GiftError`` naming what runs short
    (nothing taken). The boxes are the quantity less those whose gifts already picked an
    alternative or were cancelled (an order approved after claims were made). Returns them."""
    if order.stock_held:
        return 0  # taken already
    alternatives = sum(_alternatives_claimed(order).values())
    cancelled = GiftClaim.objects.filter(campaign__order=order, status=C.CANCELLED).count()
    boxes = max(order.quantity - alternatives - cancelled, 0)
    box = _box(order)
    stock = variants_lock(box)
    short = [f"{stock[pk]} (needs {units * boxes}, {stock[pk].stock} in stock)"
             for pk, units in sorted(box.items()) if units * boxes > stock[pk].stock]
    if short:
        raise GiftError(f"Not enough stock for {boxes} boxes: " + "; ".join(short) + ".")
    _apply(Counter({pk: -units * boxes for pk, units in box.items()}))
    GiftOrder.objects.filter(pk=order.pk).update(stock_held=boxes)
    order.stock_held = boxes
    return boxes


def claim_box_swap(order: GiftOrder, design: GiftDesign) -> Counter:
    """In the claim's transaction, ``order`` locked: a recipient takes ``design`` instead of
    the ordered box. One ordered box goes back (when the order holds one: not while it waits
    for approval) and the alternative's items are taken, all the variants of both locked in
    key order, so two recipients picking the last one cannot both get it; refused, naming
    what runs short, when the stock (with the box given back) cannot fill it. Returns what it
    took (variant id → units), for the claim to keep."""
    from shop.services.gifts.claims import ClaimError

    back = _box(order) if order.stock_held > 0 else Counter()
    taken = _design_box(design)
    stock = variants_lock([*back, *taken])
    short = [str(stock[pk]) for pk, units in sorted(taken.items())
             if units > stock[pk].stock + back[pk] or not stock[pk].product.is_active]
    if short:
        raise ClaimError(f"Sorry, “{design.name}” is out of stock ({', '.join(short)}); choose another box.")
    change = Counter(back)
    change.subtract(taken)
    _apply(change)
    if back:
        GiftOrder.objects.filter(pk=order.pk).update(stock_held=F("stock_held") - 1)
        order.stock_held -= 1
    return taken


def gift_order_stock_return(order: GiftOrder) -> int:
    """In the transaction cancelling ``order`` (locked, its status just checked): the ordered
    boxes it still holds and the items its recipients' alternative boxes took go back (the
    boxes will not be made): exactly what each claim kept it took (``items_taken``), so a
    design edited after the claim gives back what left, not what it holds now. Returns how
    many boxes came back."""
    change, boxes = Counter(), order.stock_held
    for pk, units in _box(order).items():
        change[pk] += units * boxes
    alternatives = 0
    for taken in (GiftClaim.objects.filter(campaign__order=order, status=C.CLAIMED, chosen_design__isnull=False)
                  .exclude(chosen_design_id=order.design_id).values_list("items_taken", flat=True)):
        alternatives += 1
        for pk, units in taken.items():
            change[int(pk)] += units
    variants_lock(change)
    _apply(change)
    GiftOrder.objects.filter(pk=order.pk).update(stock_held=0)
    order.stock_held = 0
    return boxes + alternatives


def unclaimed_boxes_return(order_id: int, boxes: int) -> int:
    """In the settlement's transaction: ``boxes`` unclaimed gifts were cancelled (never made),
    so one ordered box each goes back, at most what the order holds. Returns how many."""
    order = GiftOrder.objects.select_for_update().get(pk=order_id)
    boxes = min(boxes, order.stock_held)
    if boxes <= 0:
        return 0
    box = _box(order)
    variants_lock(box)
    _apply(Counter({pk: units * boxes for pk, units in box.items()}))
    GiftOrder.objects.filter(pk=order.pk).update(stock_held=F("stock_held") - boxes)
    return boxes
