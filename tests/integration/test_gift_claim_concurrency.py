"""Claims at once on PostgreSQL.

- The last of an alternative box, picked by ten recipients at once: exactly one gets it
  (``stock.claim_box_swap`` takes it with the variants' rows locked), the others are refused
  with the reason and their gifts stay open; the stock never goes below 0.
- The last two gifts of a paid order claimed at once: the tax not owed is credited once (the
  campaign is locked first, so the second claim sees the first and knows it is the last).
- A claim of an alternative box and the settlement at once: they lock in the same order
  (campaign → claims → order), so neither deadlocks, and the stock comes out as one or the
  other went first.
"""
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from shop.models import GiftClaim, OrganisationCredit, ProductVariant
from shop.services.gifts import claims
from shop.services.gifts.orders import ShipTo, invoice_issue, invoice_mark_paid
from tests.shop.test_gift_claims import (  # noqa: F401
    EXPIRES,
    HOME,
    TODAY,
    alternatives_of,
    links_of,
    place,
    shop,
    token_of,
)
from tests.support.concurrency import at_once
from tests.support.factories import TaxRateFactory

RECIPIENTS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_recipients_picking_the_last_alternative_at_once_one_gets_it(shop):  # noqa: F811
    assert connection.vendor == "postgresql"
    boxes, card, _pouch = alternatives_of(shop, card_stock=1)
    order = place(shop, quantity=RECIPIENTS, alternatives=list(boxes.values()))
    tokens = [token_of(link) for link in links_of(order).values()]
    claimed, refused, errors = at_once(
        lambda token: claims.claim_accept(token, HOME, design_id=boxes["Candle and card"].pk, today=TODAY), tokens,
        refused_by=(claims.ClaimError,))
    assert errors == []
    assert len(claimed) == 1 and len(refused) == RECIPIENTS - 1
    assert all("“Candle and card” is out of stock" in message for message in refused)
    assert ProductVariant.objects.get(pk=card.pk).stock == 0  # 1 - 1, never below
    statuses = list(GiftClaim.objects.filter(campaign__order=order).values_list("status", flat=True))
    assert sorted(statuses) == ["claimed"] + ["open"] * (RECIPIENTS - 1)


def each_at_once(*calls):
    """Run the calls in threads released together; returns, in the calls' order, what each
    raised (a ClaimError's message) or None, and any other error (a deadlock is one) separately
    (``tests.support.concurrency.at_once`` does not keep which call was refused)."""
    start = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(n, call):
        try:
            start.wait()
            call()
        except claims.ClaimError as error:
            results[n] = error.message
        except Exception as error:  # a deadlock or anything else is a bug: report it
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def paid(order):
    with transaction.atomic():  # the invoice is issued inside the proof approval's transaction
        invoice = invoice_issue(order)
    invoice_mark_paid(invoice.pk, None)
    order.refresh_from_db()
    return order


OREGON = ShipTo(name="Olu", line1="1 Pine St", city="Portland", state="OR", zip="97201")  # no sales tax


@pytest.mark.django_db(transaction=True)
def test_the_last_two_gifts_claimed_at_once_credit_the_tax_not_owed_once(shop):  # noqa: F811
    assert connection.vendor == "postgresql"
    TaxRateFactory(state="FL", rate=Decimal("0.0600"), applies_to_shipping=True)
    for attempt in range(3):
        order = paid(place(shop, quantity=2))
        # Boxes 2 × 52.00 = 104.00 less 3.3% (3.432 → 3.43) = 100.57, shipping 24.00; Florida 6%:
        # 6.0342 → 6.03 and 1.44, 7.47, all of it not owed in Oregon.
        assert order.tax == Decimal("7.47")
        tokens = [token_of(link) for link in links_of(order).values()]
        results, errors = each_at_once(*[lambda token=token: claims.claim_accept(token, OREGON, today=TODAY)
                                    for token in tokens])
        assert errors == [] and results == [None, None]
        assert sorted(GiftClaim.objects.filter(campaign__order=order).values_list("status", flat=True)) == [
            "claimed", "claimed"]
        assert OrganisationCredit.objects.get(key=f"tax:{order.number}").amount == Decimal("7.47")


@pytest.mark.django_db(transaction=True)
def test_a_claim_and_the_settlement_at_once_neither_deadlocks(shop):  # noqa: F811
    assert connection.vendor == "postgresql"
    boxes, card, _pouch = alternatives_of(shop)
    candle = shop["designs"]["Thank you"].items.get().variant
    for attempt in range(3):
        ProductVariant.objects.filter(pk__in=[candle.pk, card.pk]).update(stock=500)
        order = paid(place(shop, quantity=3, alternatives=list(boxes.values())))
        token = token_of(links_of(order)[1])
        campaign_id = order.claim_campaign.pk
        results, errors = each_at_once(
            lambda: claims.claim_accept(token, HOME, design_id=boxes["Candle and card"].pk, today=TODAY),
            lambda: claims.claim_campaign_settle(campaign_id, EXPIRES + timedelta(days=1)))
        assert errors == []
        stock = [ProductVariant.objects.get(pk=v.pk).stock for v in (candle, card)]
        if results[0] is None:  # the claim first: 500 - 6 + 2 - 1 = 495, then 2 boxes back: 499; 1 card out
            assert stock == [499, 499]
            assert sorted(GiftClaim.objects.filter(campaign__order=order).values_list("status", flat=True)) == [
                "cancelled", "cancelled", "claimed"]
        else:  # the settlement first: 3 boxes back, 500; the claim refused, nothing taken
            assert results[0] == "This gift can no longer be claimed." and stock == [500, 500]
