"""Budgets and approvals: an organisation's administrator gives a member a spending budget per
period (month, quarter, year); an order that would take the member over it waits for an
administrator, who approves it (it is then placed: card authorisation, proof schedule) or
declines it, with a note, and the member is e-mailed either way."""
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from shop.models import GiftBudget, GiftOrder, Organisation, OrganisationMember
from shop.platform import mail
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.platform.money import ZERO, quantize
from shop.services.gifts.claims import campaign_lock, claims_close
from shop.services.gifts.credit import credit_return
from shop.services.gifts.orders import gift_order_pay_placed
from shop.services.gifts.quote import GiftError
from shop.services.gifts.stock import gift_order_stock_return
from shop.services.organisations import is_organisation_admin
from shop.tasks import send_gift_order_decision

S = GiftOrder.Status
NOT_SPENT = (S.CANCELLED, S.DECLINED, S.AWAITING_APPROVAL)
MAX_BUDGET = Decimal("10000000")


class BudgetError(DomainError):
    pass


def period_start(period: str, today: date) -> date:
    if period == GiftBudget.Period.YEAR:
        return today.replace(month=1, day=1)
    if period == GiftBudget.Period.QUARTER:
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return today.replace(day=1)


def _spent_by_period(organisation_id: int, today: date, user_id: int | None = None) -> dict[int, dict[str, Decimal]]:
    """The one rule for what a member has spent: their placed orders since each period's start
    (declined, cancelled and waiting orders do not count), summed per user and period in one
    query."""
    starts = {period: period_start(period, today) for period in GiftBudget.Period.values}
    sums = {period: Sum("total", filter=Q(created_at__date__gte=start)) for period, start in starts.items()}
    orders = GiftOrder.objects.filter(organisation_id=organisation_id, created_at__date__gte=min(starts.values()))
    if user_id is not None:
        orders = orders.filter(placed_by_id=user_id)
    rows = orders.exclude(status__in=NOT_SPENT).exclude(placed_by=None).values("placed_by_id").annotate(**sums)
    return {row["placed_by_id"]: {period: quantize(row[period] or ZERO) for period in starts} for row in rows}


def member_spent(member: OrganisationMember, period: str, today: date) -> Decimal:
    """What the member's placed orders of this period come to."""
    spent = _spent_by_period(member.organisation_id, today, user_id=member.user_id)
    return spent.get(member.user_id, {}).get(period, ZERO)


def members_spent(organisation: Organisation, members, today: date) -> dict[int, Decimal]:
    """What each member with a budget has spent in their own period, by member id, in one
    query whatever the number of members (the people page lists them all)."""
    by_user = _spent_by_period(organisation.pk, today)
    return {member.pk: by_user.get(member.user_id, {}).get(member.budget.period, ZERO)
            for member in members if getattr(member, "budget", None) is not None}


def needs_approval(organisation: Organisation, user, total: Decimal, today: date) -> bool:
    """True when ``total`` would take a member with a budget over it this period."""
    member = OrganisationMember.objects.filter(organisation=organisation, user=user).select_related("budget").first()
    if member is None or member.role == OrganisationMember.Role.ADMIN:
        return False
    budget = getattr(member, "budget", None)
    if budget is None:
        return False
    return member_spent(member, budget.period, today) + total > budget.amount


@transaction.atomic
def budget_set(organisation: Organisation, member_id: int, period: str, amount: Decimal | None, actor) -> GiftBudget | None:
    """Give a member a budget (``amount`` None takes it away: no limit). Administrators only."""
    if not is_organisation_admin(actor, organisation):
        raise BudgetError("Only the organisation's administrators set budgets.")
    member = OrganisationMember.objects.filter(pk=member_id, organisation=organisation).first()
    if member is None:
        raise BudgetError("No such member.")
    if amount is None:
        GiftBudget.objects.filter(member=member).delete()
        audit_record("gift_budget.removed", actor=actor, target=organisation, member=member.pk)
        return None
    if period not in GiftBudget.Period.values:
        raise BudgetError("Choose a month, a quarter or a year.")
    if amount < ZERO or amount > MAX_BUDGET:
        raise BudgetError("Give an amount from $0 to $10,000,000.")
    budget, _ = GiftBudget.objects.update_or_create(member=member, defaults={"period": period,
                                                                              "amount": quantize(amount),
                                                                              "set_by": actor})
    audit_record("gift_budget.set", actor=actor, target=organisation, member=member.pk, period=period,
                 amount=budget.amount)
    return budget


def _admins(organisation_id: int) -> list[str]:
    return list(OrganisationMember.objects.filter(organisation_id=organisation_id, role=OrganisationMember.Role.ADMIN)
                .exclude(user__email="").order_by("user__email").values_list("user__email", flat=True))


def _link(order: GiftOrder) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("shop:gift_order", args=[order.number])


def approval_request_send(order_id: int) -> bool:
    """E-mail the administrators that an order waits for their approval."""
    order = GiftOrder.objects.select_related("placed_by", "organisation").get(pk=order_id)
    to = _admins(order.organisation_id)
    if order.status != S.AWAITING_APPROVAL or not to:
        return False
    mail.send(to=to, subject=f"Approve gift order {order.number}? {order.quantity} × {order.design_name}",
              template="shop/email/gift_order_approval", context={"order": order, "link": _link(order)})
    return True


def decision_send(order_id: int) -> bool:
    """E-mail whoever placed the order what the administrator decided, and the note."""
    order = GiftOrder.objects.select_related("placed_by", "decided_by", "organisation").get(pk=order_id)
    if not (order.placed_by and order.placed_by.email):
        return False
    approved = order.status != S.DECLINED
    mail.send(to=[order.placed_by.email],
              subject=f"Gift order {order.number} {'approved' if approved else 'declined'}",
              template="shop/email/gift_order_decided",
              context={"order": order, "approved": approved, "link": _link(order)})
    return True


def order_decide(order_id: int, *, approve: bool, note: str, actor) -> GiftOrder:
    """An administrator approves a waiting order (it is placed now: its boxes are taken from
    the stock, a card order gets its authorisation to complete, and the order-placed e-mail
    goes out; by claim link, the recipients' invitations too) or declines it (by claim link,
    its gifts are closed and no recipient ever hears of it); a decline needs a note. An approval the stock cannot fill is
    refused, naming what runs short, and the order keeps waiting."""
    note = note.strip()
    order = GiftOrder.objects.select_related("organisation").get(pk=order_id)
    if not is_organisation_admin(actor, order.organisation):
        raise BudgetError("Only the organisation's administrators approve orders.")
    if not approve and not note:
        raise BudgetError("Say why the order is declined; the note is e-mailed to whoever placed it.")
    with transaction.atomic():
        campaign_lock(order_id)  # a claim-link order's campaign before the order (claims.claim_accept's order)
        order = GiftOrder.objects.select_for_update().select_related("organisation").get(pk=order_id)
        if order.status != S.AWAITING_APPROVAL:
            raise BudgetError(f"Order {order.number} is not waiting for approval.")
        order.status = S.PLACED if approve else S.DECLINED
        order.decision_note, order.decided_by, order.decided_at = note, actor, timezone.now()
        order.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
        if approve:  # placed now: the stock taken, the credit spent and the card authorised only now
            try:
                gift_order_pay_placed(order, actor)
            except GiftError as error:  # rolled back: the order still waits, nothing taken or spent
                raise BudgetError(f"{error.message} The order is still waiting for approval: approve it once "
                                  "the stock is back, or decline it.") from None
        else:  # a waiting order spent nothing; this gives back anything it did, once
            credit_return(order)
            gift_order_stock_return(order)  # it holds no ordered box (nor, now, any alternative)
            claims_close(order, "declined")  # by claim link: its gifts closed, their invitations never sent
        audit_record("gift_order.approved" if approve else "gift_order.declined", actor=actor, target=order,
                     total=order.total, note=note)
        transaction.on_commit(lambda: send_gift_order_decision.delay(order.pk))
    return order
