"""An organisation's account credit (``OrganisationCredit``), spent on its next gift orders.

Credit is given by unclaimed gifts settled "as credit" (``claims:<order>``) and by the sales tax
a claim-link order's gifts did not owe where they went (``tax:<order>``). It is spent
automatically when an order is placed (``spent:<order>``, negative), up to the order's total,
under the organisation's row lock so two orders placed at once cannot both spend the same
dollars; the card authorisation or the invoice is for the rest (``GiftOrder.amount_due``).
An order waiting for an administrator's approval spends nothing until it is placed; a
declined or cancelled order gives back what it spent (``returned:<order>``, once).

Stripe charges at least $0.50: when the credit falls short of the total by less than that,
less credit is spent, so the card (or the invoice's pay-by-card link) is for exactly $0.50.
Credit that covers the whole total pays the order at once, with no Stripe call."""
from decimal import Decimal

from django.db import transaction

from shop.models import GiftOrder, Organisation, OrganisationCredit
from shop.platform.money import sum_money

ZERO = Decimal("0.00")
STRIPE_MINIMUM = Decimal("0.50")


def organisation_credit_balance(organisation: Organisation) -> Decimal:
    return sum_money(OrganisationCredit.objects.filter(organisation=organisation))


def credit_to_apply(balance: Decimal, total: Decimal) -> Decimal:
    """How much of ``balance`` pays an order of ``total``: all of the total if the balance
    covers it; otherwise as much as leaves at least Stripe's $0.50 to pay by card."""
    if balance <= ZERO or total <= ZERO:
        return ZERO
    if balance >= total:
        return total
    return max(ZERO, min(balance, total - STRIPE_MINIMUM))


def credit_spend(order: GiftOrder) -> Decimal:
    """Spend the organisation's credit on an order being placed (inside its transaction).
    Locks the organisation's row first; a second call for the same order spends nothing more.
    Records ``order.credit_applied`` and returns it."""
    assert transaction.get_connection().in_atomic_block, "credit_spend runs inside the order's transaction"
    Organisation.objects.select_for_update().only("pk").get(pk=order.organisation_id)
    spent = OrganisationCredit.objects.filter(key=f"spent:{order.number}").first()
    if spent is None:
        amount = credit_to_apply(organisation_credit_balance(order.organisation), order.total)
        if amount > ZERO:
            OrganisationCredit.objects.create(organisation_id=order.organisation_id, order=order, amount=-amount,
                                              key=f"spent:{order.number}", reason=f"Spent on gift order {order.number}")
    else:
        amount = -spent.amount
    if order.credit_applied != amount:
        order.credit_applied = amount
        GiftOrder.objects.filter(pk=order.pk).update(credit_applied=amount)
    return amount


def credit_return(order: GiftOrder) -> OrganisationCredit | None:
    """Give back what a declined or cancelled order spent (once). Returns the entry, if any."""
    spent = OrganisationCredit.objects.filter(key=f"spent:{order.number}").first()
    if spent is None:
        return None
    Organisation.objects.select_for_update().only("pk").get(pk=order.organisation_id)
    credit, _ = OrganisationCredit.objects.get_or_create(
        key=f"returned:{order.number}",
        defaults={"organisation_id": order.organisation_id, "order": order, "amount": -spent.amount,
                  "reason": f"Gift order {order.number} {order.get_status_display().lower()}: its credit returned"})
    return credit


def credit_entries(organisation: Organisation) -> list[OrganisationCredit]:
    """The organisation's credit entries, newest first, with their orders' numbers."""
    return list(OrganisationCredit.objects.filter(organisation=organisation).select_related("order")
                .only("amount", "reason", "key", "created_at", "order__number"))
