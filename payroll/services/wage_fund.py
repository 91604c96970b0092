"""Sales to wages: each paid order line credits the wage fund with its wage content, and
each confirmed refund takes back the refunded share, exactly once (keys, not hope)."""
import logging
from decimal import Decimal

from django.db import OperationalError, connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from payroll.accounts import known_accounts
from payroll.models import JournalEntry, Posting
from payroll.services.ledger import Leg, entry_post
from shop.models import OrderLine, Refund, RefundLine
from shop.models.orders import PAID_STATES
from shop.platform.money import sum_money
from shop.wages import gift_boxes_wages, line_wage_total, refunded_wage_share

WAGE_FUND, CLEARING = "wage_fund", "shop_revenue_clearing"
ORDER_LINE = "order_line"  # the source type of an order line's credit entry
logger = logging.getLogger(__name__)


def credit_key(line_id: int) -> str:
    return f"order-line:{line_id}:credit"


def reversal_key(refund_id: int) -> str:
    return f"refund:{refund_id}:reversal"


# Paid orders are credited in batches: one transaction, one multi-row insert of entries and one
# of postings, whatever the batch's size. A batch is a block of BATCH_ORDERS consecutive order
# ids (the task for one order credits the other paid, uncredited orders of its block with it)
# or the ids the sweep lists, BATCH_ORDERS at a time.
BATCH_ORDERS = 100


def _uncredited_lines():
    """Lines of paid orders with wage content and no credit entry yet."""
    credited = JournalEntry.objects.filter(source_type=ORDER_LINE, source_id=OuterRef("pk"))
    return OrderLine.objects.filter(order__state__in=PAID_STATES, wage_content__gt=0).filter(~Exists(credited))


def _insert_new_entries(entries: list[JournalEntry]) -> list[tuple[int, int]]:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING id, source_id``: the (entry id, order
    line id) of the entries this statement inserted, none of those another batch posted first.

    Django's ``bulk_create(ignore_conflicts=True)`` returns no ids, so the statement is
    built by the same insert compiler bulk_create uses (``auto_now_add`` and all), asked to
    return the two columns; PostgreSQL and SQLite (3.35+) both return the inserted rows
    only. One statement, or as many as SQLite's parameter limit needs (PostgreSQL: one)."""
    opts = JournalEntry._meta
    fields = [field for field in opts.concrete_fields if field is not opts.pk]
    returning = [opts.pk, opts.get_field("source_id")]
    connection = connections[JournalEntry.objects.db]
    size = connection.ops.bulk_batch_size(fields, entries) or len(entries)
    inserted = []
    with connection.cursor() as cursor:
        for start in range(0, len(entries), size):
            query = InsertQuery(JournalEntry, on_conflict=OnConflict.IGNORE)
            query.insert_values(fields, entries[start:start + size])
            compiler = query.get_compiler(connection=connection)
            compiler.returning_fields = returning
            for sql, params in compiler.as_sql():
                cursor.execute(sql, params)
            inserted += cursor.fetchall()
    return inserted


@transaction.atomic
def _credit_lines(where: Q) -> int:
    """Credit the uncredited lines of the paid orders ``where`` selects, all or nothing.

    Entries go in with ``ON CONFLICT DO NOTHING`` against the ledger's unique keys (the
    idempotency key, and one credit per order line), so an entry another batch posted
    first is skipped, never doubled; postings are written only for the entries this
    statement inserted (``RETURNING``). Four queries in the transaction whatever the
    batch's size: the lines, the accounts, the entries, the postings. Returns the number
    of entries posted.
    """
    rows = (_uncredited_lines().filter(where).order_by("order_id", "pk")
            .values_list("pk", "quantity", "title", "wage_content", "order__number", "order__paid_at"))
    today, entries, wages = timezone.localdate(), [], {}
    for line_id, quantity, title, wage_content, number, paid_at in rows:
        amount = line_wage_total(wage_content, quantity)
        if amount <= 0:
            continue
        wages[line_id] = amount
        entries.append(JournalEntry(
            date=timezone.localdate(paid_at) if paid_at else today,
            memo=f"Wage content, order {number}: {quantity} × {title}"[:200],
            source_type=ORDER_LINE, source_id=line_id, idempotency_key=credit_key(line_id),
        ))
    if not entries:
        return 0
    accounts = known_accounts([CLEARING, WAGE_FUND])
    posted = _insert_new_entries(entries)
    Posting.objects.bulk_create(
        posting
        for entry_id, line_id in posted
        for posting in (Posting(entry_id=entry_id, account=accounts[CLEARING], amount=wages[line_id]),
                        Posting(entry_id=entry_id, account=accounts[WAGE_FUND], amount=-wages[line_id]))
    )
    return len(posted)


def _credit_batch(where: Q) -> int:
    """One transaction for the whole batch; if it fails for any reason but the database's
    own (an ``OperationalError``, retried whole by the task), each of its orders is credited
    in a transaction of its own, so one bad order holds back only itself. The first
    order's error is raised afterwards (the task fails loudly and the nightly sweep and
    reconciliation keep naming the order until it is fixed)."""
    try:
        return _credit_lines(where)
    except OperationalError:
        raise
    except Exception:
        order_ids = sorted(set(_uncredited_lines().filter(where).values_list("order_id", flat=True)))
        if len(order_ids) <= 1:
            raise
        logger.warning("Wage-fund batch of %d orders failed; crediting them one by one", len(order_ids), exc_info=True)
    posted, errors = 0, []
    for order_id in order_ids:
        try:
            posted += _credit_lines(Q(order_id=order_id))
        except OperationalError:
            raise
        except Exception as error:  # noqa: BLE001 (logged here, raised below)
            logger.exception("Wage-fund credit of order %s failed", order_id)
            errors.append(error)
    if errors:
        raise errors[0]
    return posted


def wage_fund_credit_orders(order_ids) -> int:
    """Credit every line of these paid orders in one batch (see ``_credit_batch``).

    Orders not paid, and lines already credited, are left alone: running the same batch
    again, or a batch overlapping another, posts nothing twice. Returns the number of
    entries newly posted.
    """
    order_ids = sorted(set(order_ids))
    if not order_ids:
        return 0
    return _credit_batch(Q(order_id__in=order_ids))


def wage_fund_credit_order(order_id: int) -> int:
    """Credit the wage fund for every line of one paid order (0 on a replay)."""
    return wage_fund_credit_orders([order_id])


def wage_fund_credit_order_batch(order_id: int, size: int | None = None) -> int:
    """Credit a paid order together with the other paid, uncredited orders of its block of
    ``size`` consecutive ids (``BATCH_ORDERS``), in one batch (what the task does for each
    order_paid fact).

    When orders are paid faster than the worker keeps up, the first task of a block credits
    the block's paid orders at once and the later tasks of that block find their order
    credited (one query). An order already credited returns 0 at once, whatever its block
    holds (its neighbours' own tasks, or the sweep, credit them).
    """
    if not _uncredited_lines().filter(order_id=order_id).exists():
        return 0
    size = size or BATCH_ORDERS
    start = order_id - order_id % size
    return _credit_batch(Q(order_id__gte=start, order_id__lt=start + size))


def refund_wage_shares(refund: Refund) -> dict[int, Decimal]:
    """The wage share each line of a confirmed refund gives back ({order_line_id: amount}).

    Refunds of the same line count in the order they were made (by id), so the shares of
    several partial refunds add up to the share of their total, to the cent.
    """
    shares = {}
    for refund_line in refund.lines.select_related("order_line"):
        line = refund_line.order_line
        before = sum_money(
            RefundLine.objects.filter(order_line=line, refund__status=Refund.Status.SUCCEEDED, refund_id__lt=refund.pk)
        )
        wages = line_wage_total(line.wage_content, line.quantity)
        shares[line.pk] = refunded_wage_share(wages, line.gross, before, refund_line.amount)
    return shares


def wage_fund_reverse_refund(refund_id: int) -> bool:
    """Take back the wage share of a confirmed refund, one entry per refund. True if posted now."""
    # A shop order's refund only: a gift's refund is reversed by ``wage_fund_reverse_donation``.
    refund = Refund.objects.filter(pk=refund_id, status=Refund.Status.SUCCEEDED, order__isnull=False).select_related("order").first()
    if refund is None:
        return False
    legs = []
    for line_id, share in refund_wage_shares(refund).items():
        if share:
            legs += [Leg(WAGE_FUND, share), Leg(CLEARING, -share)]
    on = timezone.localdate(refund.confirmed_at) if refund.confirmed_at else timezone.localdate()
    _, created = entry_post(
        key=reversal_key(refund.pk),
        on=on,
        memo=f"Wage share of refund {refund.pk}, order {refund.order.number}",
        source_type="refund",
        source_id=refund.pk,
        legs=legs,
    )
    return created


def wage_fund_unposted() -> tuple[list[int], list[int]]:
    """Paid orders with a line not yet credited, and confirmed refunds not yet reversed."""
    credited = JournalEntry.objects.filter(source_type="order_line").values("source_id")
    orders = (
        OrderLine.objects.filter(order__state__in=PAID_STATES, wage_content__gt=0)
        .exclude(pk__in=credited)
        .values_list("order_id", flat=True)
        .distinct()
    )
    reversed_ = JournalEntry.objects.filter(source_type="refund").values("source_id")
    refunds = (Refund.objects.filter(status=Refund.Status.SUCCEEDED, order__isnull=False).exclude(pk__in=reversed_)
               .values_list("pk", flat=True))
    return sorted(set(orders)), sorted(refunds)


@transaction.atomic
def wage_fund_credit_gift_order(gift_order_id: int) -> int:
    """Credit a paid gift order: each line's wage content for every box, and the assembly labour."""
    from shop.models import GiftOrder

    order = GiftOrder.objects.filter(pk=gift_order_id, paid_at__isnull=False).prefetch_related("lines").first()
    if order is None:
        return 0
    on = timezone.localdate(order.paid_at)
    posted = 0
    credits = [
        (f"gift-line:{line.pk}:credit", "gift_line", line.pk, line_wage_total(line.wage_content, line.per_box * order.quantity),
         f"Wage content, gift order {order.number}: {order.quantity} boxes × {line.per_box} × {line.title}")
        for line in order.lines.all()
    ] + [
        (f"gift-order:{order.pk}:assembly", "gift_assembly", order.pk, line_wage_total(order.assembly_wage, order.quantity),
         f"Assembly labour, gift order {order.number}: {order.quantity} boxes")
    ]
    for key, source_type, source_id, wages, memo in credits:
        if wages <= 0:
            continue
        _, created = entry_post(key=key, on=on, memo=memo, source_type=source_type, source_id=source_id,
                                legs=[Leg(CLEARING, wages), Leg(WAGE_FUND, -wages)])
        posted += created
    # Alternatives claimed before the payment: their difference is posted with the credit.
    from shop.models import GiftClaim

    for claim_id in (GiftClaim.objects.filter(campaign__order=order, status=GiftClaim.Status.CLAIMED)
                     .exclude(wage_adjustment=0).values_list("pk", flat=True)):
        posted += wage_fund_adjust_claim_alternative(claim_id)
    return posted


def gift_orders_unposted() -> list[int]:
    """Paid gift orders whose assembly credit (posted with their lines) is missing."""
    from shop.models import GiftOrder

    credited = JournalEntry.objects.filter(source_type="gift_assembly").values("source_id")
    return sorted(GiftOrder.objects.filter(paid_at__isnull=False).exclude(pk__in=credited).values_list("pk", flat=True))


GIFT_UNCLAIMED = "gift_unclaimed"  # the source type of unclaimed gifts' reversal (one per claim campaign)


def unclaimed_reversal_key(campaign_id: int) -> str:
    return f"gift-claims:{campaign_id}:reversal"


def wage_fund_reverse_unclaimed_gifts(campaign_id: int) -> bool:
    """Take back the wages of a claim-link order's gifts cancelled unclaimed at its expiry
    (settled as account credit or a card refund: never made), as a refund's share is taken
    back: Dr wage fund, Cr shop revenue clearing, one entry per campaign under its own key,
    so a replayed fact, a retried task or a second daily run posts nothing more. Gifts
    shipped to the fallback address were made and keep their credit. True if posted now."""
    from shop.models import ClaimCampaign, GiftClaim

    campaign = (ClaimCampaign.objects.filter(pk=campaign_id, settled_at__isnull=False, order__paid_at__isnull=False)
                .select_related("order").prefetch_related("order__lines").first())
    if campaign is None:
        return False
    boxes = GiftClaim.objects.filter(campaign=campaign, status=GiftClaim.Status.CANCELLED).count()
    wages = gift_boxes_wages(campaign.order, boxes)
    if wages <= 0:
        return False
    _, created = entry_post(
        key=unclaimed_reversal_key(campaign.pk), on=timezone.localdate(campaign.settled_at),
        memo=f"Wages of {boxes} unclaimed gift{'s' if boxes != 1 else ''}, gift order {campaign.order.number} (not made)",
        source_type=GIFT_UNCLAIMED, source_id=campaign.pk,
        legs=[Leg(WAGE_FUND, wages), Leg(CLEARING, -wages)],
    )
    return created


def unclaimed_gifts_unposted() -> list[int]:
    """Settled claim campaigns of paid orders with gifts cancelled unclaimed and no reversal yet."""
    from shop.models import ClaimCampaign, GiftClaim

    reversed_ = JournalEntry.objects.filter(source_type=GIFT_UNCLAIMED).values("source_id")
    cancelled = GiftClaim.objects.filter(campaign=OuterRef("pk"), status=GiftClaim.Status.CANCELLED)
    return sorted(ClaimCampaign.objects.filter(settled_at__isnull=False, order__paid_at__isnull=False)
                  .filter(Exists(cancelled)).exclude(pk__in=reversed_).values_list("pk", flat=True))


GIFT_ALTERNATIVE = "gift_alternative"  # the source type of a claimed alternative box's wage difference (one per claim)


def alternative_key(claim_id: int) -> str:
    return f"gift-claim:{claim_id}:alternative"


def wage_fund_adjust_claim_alternative(claim_id: int) -> bool:
    """Post the wage difference of a recipient's alternative box (``GiftClaim.wage_adjustment``,
    its wages per box less the ordered box's), once per claim under its own key: positive
    credits the fund more (Dr shop revenue clearing, Cr wage fund), negative takes the
    difference back. Nothing while the order is unpaid (its credit, at payment, posts it
    then). A replayed fact, a retried task or the sweep posts nothing more. True if posted now."""
    from shop.models import GiftClaim

    claim = (GiftClaim.objects.filter(pk=claim_id, status=GiftClaim.Status.CLAIMED,
                                      campaign__order__paid_at__isnull=False)
             .exclude(wage_adjustment=0).select_related("campaign__order").first())
    if claim is None:
        return False
    order, difference = claim.campaign.order, claim.wage_adjustment
    _, created = entry_post(
        key=alternative_key(claim.pk), on=timezone.localdate(max(order.paid_at, claim.claimed_at)),
        memo=f"Alternative box for gift {claim.number} of gift order {order.number}: {claim.chosen_name} "
             f"({'+' if difference > 0 else '−'}${abs(difference)} of wages a box)",
        source_type=GIFT_ALTERNATIVE, source_id=claim.pk,
        legs=[Leg(CLEARING, difference), Leg(WAGE_FUND, -difference)],
    )
    return created


def claim_alternatives_unposted() -> list[int]:
    """Claims of paid orders with an alternative box's wage difference and no entry yet."""
    from shop.models import GiftClaim

    posted = JournalEntry.objects.filter(source_type=GIFT_ALTERNATIVE).values("source_id")
    return sorted(GiftClaim.objects.filter(status=GiftClaim.Status.CLAIMED, campaign__order__paid_at__isnull=False)
                  .exclude(wage_adjustment=0).exclude(pk__in=posted).values_list("pk", flat=True))


# -- designated gifts (giving) --
DONATIONS = "designated_donations"


def donation_credit_key(donation_id: int) -> str:
    return f"donation:{donation_id}:credit"


def donation_reversal_key(donation_id: int) -> str:
    return f"donation:{donation_id}:reversal"


def _designated(donation) -> bool:
    from shop.models.giving import WAGE_FUND_DESIGNATIONS

    return donation.fund in WAGE_FUND_DESIGNATIONS


def wage_fund_credit_donation(donation_id: int) -> bool:
    """Credit the wage fund with a paid gift designated for survivor wages and job training, once.

    The gift the organisation nets is credited (fees a donor covered pay the card fees)."""
    from shop.models import Donation

    donation = Donation.objects.filter(pk=donation_id, paid_at__isnull=False).first()
    if donation is None or not _designated(donation):
        return False
    _, created = entry_post(
        key=donation_credit_key(donation.pk), on=timezone.localdate(donation.paid_at),
        memo=f"Designated gift {donation.number}: {donation.get_fund_display()}", source_type="donation",
        source_id=donation.pk, legs=[Leg(DONATIONS, donation.amount), Leg(WAGE_FUND, -donation.amount)],
    )
    return created


def wage_fund_reverse_donation(donation_id: int) -> bool:
    """Take back a refunded designated gift's credit, once (only if it was credited)."""
    from shop.models import Donation

    donation = Donation.objects.filter(pk=donation_id, status=Donation.Status.REFUNDED).first()
    if donation is None or not _designated(donation):
        return False
    credit = JournalEntry.objects.filter(idempotency_key=donation_credit_key(donation.pk)).first()
    if credit is None:
        return False
    on = timezone.localdate(donation.refunded_at) if donation.refunded_at else timezone.localdate()
    _, created = entry_post(
        key=donation_reversal_key(donation.pk), on=on, memo=f"Refund of designated gift {donation.number}",
        source_type="donation_refund", source_id=donation.pk, reverses=credit,
        legs=[Leg(WAGE_FUND, donation.amount), Leg(DONATIONS, -donation.amount)],
    )
    return created


def donations_unposted() -> tuple[list[int], list[int]]:
    """Designated gifts paid (or paid then refunded) but not credited; refunded ones credited but not reversed."""
    from shop.models import Donation
    from shop.models.giving import WAGE_FUND_DESIGNATIONS

    credited = JournalEntry.objects.filter(source_type="donation").values("source_id")
    designated = Donation.objects.filter(fund__in=WAGE_FUND_DESIGNATIONS, paid_at__isnull=False)
    uncredited = designated.filter(status=Donation.Status.PAID).exclude(pk__in=credited)
    reversed_ = JournalEntry.objects.filter(source_type="donation_refund").values("source_id")
    unreversed = designated.filter(status=Donation.Status.REFUNDED, pk__in=credited).exclude(pk__in=reversed_)
    return sorted(uncredited.values_list("pk", flat=True)), sorted(unreversed.values_list("pk", flat=True))
