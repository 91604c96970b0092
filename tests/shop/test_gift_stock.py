"""Gift orders take their stock when placed (issue 22, shop/services/gifts/stock.py): placing
takes per box × boxes of every line, a second order for more than is left is refused and
writes nothing, an order waiting for approval takes its stock only when approved (and an
approval the stock no longer fills is refused, the order still waiting), and the stock
comes back exactly once when boxes will not be made: a staff cancel, unclaimed gifts
cancelled at settlement (not the fallback ones, which ship), and one ordered box for each
recipient who picks an alternative box. Every expected number is worked out by hand."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from shop.models import (
    BoxSize,
    GiftBudget,
    GiftClaim,
    GiftDesign,
    GiftOrder,
    Organisation,
    OrganisationCredit,
    OrganisationMember,
    Payment,
    ProductVariant,
    RestockRequest,
)
from shop.platform import stripe_gateway
from shop.services.gifts import claims
from shop.services.gifts import orders as gift_orders
from shop.services.gifts.budgets import BudgetError, order_decide
from shop.services.gifts.orders import GiftOrderError, gift_order_cancel, gift_order_place
from shop.services.gifts.quote import GiftError, design_set_item
from tests.shop.test_gift_claims import (  # noqa: F401 (shop is a fixture)
    EXPIRES,
    HOME,
    OFFICE,
    TODAY,
    alternatives_of,
    links_of,
    pay_by_invoice,
    place,
    shop,
    stock_of,
    token_of,
)
from tests.support.factories import ProductFactory, UserFactory, VariantFactory, bulk_address

pytestmark = pytest.mark.django_db
D = Decimal
LATER = TODAY + timedelta(days=60)
AFTER_EXPIRY = EXPIRES + timedelta(days=1)


@pytest.fixture
def acme(settings):
    """A card-paying organisation (an administrator and a member with a $100 monthly budget)
    and its box "Thanks" of 2 candles, from 60 candles in stock (30 boxes' worth)."""
    settings.GIFT_BULK_SHIPPING_BASE, settings.GIFT_BULK_SHIPPING_PER_BOX = D("40.00"), D("0.00")
    org = Organisation.objects.create(name="Acme", slug="acme", payment_terms=Organisation.Terms.CARD)
    admin = UserFactory(email="admin@acme.example")
    buyer = UserFactory(email="buyer@acme.example")
    OrganisationMember.objects.create(organisation=org, user=admin, role="admin")
    member = OrganisationMember.objects.create(organisation=org, user=buyer, role="member")
    GiftBudget.objects.create(member=member, period="month", amount=D("100.00"), set_by=admin)
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=D("10.00"))
    design = GiftDesign.objects.create(organisation=org, name="Thanks", size=size)
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=D("20.00"), stock=60)
    design_set_item(design, candle.pk, 2)
    return {"org": org, "admin": admin, "buyer": buyer, "design": design, "candle": candle}


@pytest.fixture
def intents(monkeypatch):
    """Every PaymentIntent asked of Stripe, recorded (each answered by localstripe)."""
    asked, real = [], stripe_gateway.create_payment_intent

    def create(amount, order_number, *args, **kwargs):
        asked.append(order_number)
        return real(amount, order_number, *args, **kwargs)

    monkeypatch.setattr(stripe_gateway, "create_payment_intent", create)
    return asked


def bulk(acme, boxes, actor=None):
    return gift_order_place(acme["design"], boxes, shipping_mode="bulk", ship_to=bulk_address("NY"),
                            in_hand_date=LATER, actor=actor or acme["admin"], today=TODAY)


def candles(acme):
    return ProductVariant.objects.get(pk=acme["candle"].pk).stock


def held(order):
    return GiftOrder.objects.get(pk=order.pk).stock_held


def test_placing_takes_per_box_times_boxes_from_the_stock(acme, localstripe_server, intents):
    order = bulk(acme, 25)
    assert candles(acme) == 10  # 60 - 25 boxes x 2 candles
    assert held(order) == 25
    assert intents == [order.number] and Payment.objects.count() == 1


@pytest.mark.parametrize("checked_first", [True, False], ids=["checked-before-writing", "refused-under-the-lock"])
def test_an_order_for_more_than_is_left_is_refused_with_the_shortfall_and_writes_nothing(
        acme, localstripe_server, intents, monkeypatch, checked_first):
    first = bulk(acme, 25)  # 10 candles left
    OrganisationCredit.objects.create(organisation=acme["org"], amount=D("100.00"), key="claims:GB-OLD",
                                      reason="Unclaimed gifts")
    if not checked_first:  # as if another order took the stock between the check and the lock
        monkeypatch.setattr(gift_orders, "design_check_stock", lambda design, boxes: None)
    with pytest.raises(GiftError) as refused:
        bulk(acme, 6)  # 6 x 2 = 12 candles
    assert refused.value.message == f"Not enough stock for 6 boxes: {acme['candle']} (needs 12, 10 in stock)."
    assert list(GiftOrder.objects.values_list("pk", flat=True)) == [first.pk]  # no order row, no lines
    assert not OrganisationCredit.objects.filter(key__startswith="spent:").exists()  # no credit spent
    assert intents == [first.number] and Payment.objects.count() == 1  # no PaymentIntent asked for
    assert candles(acme) == 10


def test_an_order_waiting_for_approval_takes_its_stock_only_when_approved(acme, localstripe_server, intents):
    waiting = bulk(acme, 5, actor=acme["buyer"])  # 5 x 50.00 + 40.00 = 290.00, over the $100 budget
    assert waiting.status == GiftOrder.Status.AWAITING_APPROVAL
    assert candles(acme) == 60 and held(waiting) == 0 and intents == []
    order_decide(waiting.pk, approve=True, note="", actor=acme["admin"])
    assert candles(acme) == 50  # 60 - 5 x 2
    assert held(waiting) == 5 and intents == [waiting.number]


def test_an_approval_the_stock_no_longer_fills_is_refused_and_the_order_keeps_waiting(
        acme, client, localstripe_server, intents):
    waiting = bulk(acme, 5, actor=acme["buyer"])  # needs 10 candles
    other = bulk(acme, 26)  # 52 of the 60: 8 left
    OrganisationCredit.objects.create(organisation=acme["org"], amount=D("100.00"), key="claims:GB-OLD",
                                      reason="Unclaimed gifts")
    page = reverse("shop:gift_order", args=[waiting.number])
    client.force_login(acme["admin"])
    assert "set aside from our stock only then" in client.get(page).content.decode()
    response = client.post(reverse("shop:gift_order_decide", args=[waiting.number]), {"decision": "approve"})
    assert response.status_code == 400
    assert (f"Not enough stock for 5 boxes: {acme['candle']} (needs 10, 8 in stock). The order is still waiting "
            "for approval: approve it once the stock is back, or decline it.") in response.content.decode()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.stock_held, waiting.decided_at, waiting.credit_applied) == (
        "awaiting_approval", 0, None, D("0.00"))
    assert not OrganisationCredit.objects.filter(key=f"spent:{waiting.number}").exists()
    assert intents == [other.number] and candles(acme) == 8
    with pytest.raises(BudgetError, match="needs 10, 8 in stock"):
        order_decide(waiting.pk, approve=True, note="", actor=acme["admin"])


def test_a_staff_cancel_gives_the_boxes_back_once(acme, localstripe_server):
    order = bulk(acme, 25)
    assert candles(acme) == 10
    RestockRequest.objects.create(variant=acme["candle"], email="fan@example.org", notified_at=None)
    gift_order_cancel(order.pk, None)
    assert candles(acme) == 60 and held(order) == 0
    assert RestockRequest.objects.get().notified_at is not None  # the waiting request is released
    with pytest.raises(GiftOrderError, match="is cancelled"):
        gift_order_cancel(order.pk, None)
    assert candles(acme) == 60  # not 110


# -- claim-link orders (the "Thank you" box of test_gift_claims: 2 candles of 500) -------------


def test_an_alternative_gives_one_ordered_box_back_and_a_cancel_the_rest(shop):
    boxes, card, _pouch = alternatives_of(shop)
    candle = shop["designs"]["Thank you"].items.get().variant
    order = place(shop, quantity=3, alternatives=list(boxes.values()))
    assert stock_of(candle, card) == [494, 5]  # 500 - 3 x 2
    claims.claim_accept(token_of(links_of(order)[1]), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
    assert stock_of(candle, card) == [495, 4]  # + 2 (an ordered box back) - 1 (the alternative's candle); 5 - 1
    assert held(order) == 2
    gift_order_cancel(order.pk, None)
    # 2 ordered boxes (+4 candles) and the alternative (+1 candle, +1 card): nothing twice.
    assert stock_of(candle, card) == [500, 5]


def test_an_alternative_needs_only_what_the_ordered_box_does_not_give_back(shop, client):
    """The last candle: 2 x 250 = 500 taken at placing, none left; an alternative with a candle
    still fits, as the ordered box it replaces gives back 2 (both moves in one transaction),
    and the claim page offers it."""
    boxes, card, _pouch = alternatives_of(shop)
    candle = shop["designs"]["Thank you"].items.get().variant
    order = place(shop, quantity=250, alternatives=list(boxes.values()))
    assert stock_of(candle, card) == [0, 5]
    link = links_of(order)[7]
    page = client.get(link).content.decode()
    assert "Candle and card" in page and "Out of stock: choose another box." not in page
    claims.claim_accept(token_of(link), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
    assert stock_of(candle, card) == [1, 4]  # 0 + 2 - 1
    # Were the order to hold no box (waiting for approval), the 0 candles could not fill it.
    GiftOrder.objects.filter(pk=order.pk).update(stock_held=0)
    ProductVariant.objects.filter(pk=candle.pk).update(stock=0)
    assert client.get(links_of(order)[8]).content.decode().count("Out of stock: choose another box.") == 2


def test_unclaimed_gifts_cancelled_at_settlement_give_their_boxes_back_once(shop):
    candle = shop["designs"]["Thank you"].items.get().variant
    order = place(shop, quantity=4)  # outcome: credit
    claims.claim_accept(token_of(links_of(order)[1]), HOME, today=TODAY)  # the ordered box, shipped
    pay_by_invoice(order)
    assert stock_of(candle) == [492]  # 500 - 4 x 2
    assert claims.claims_settle_expired(AFTER_EXPIRY) == [order.claim_campaign.pk]
    assert GiftClaim.objects.filter(campaign__order=order, status="cancelled").count() == 3
    assert stock_of(candle) == [498] and held(order) == 1  # 3 boxes x 2 back; the claimed one is made
    claims.claim_campaign_settle(order.claim_campaign.pk, AFTER_EXPIRY + timedelta(days=1))
    assert claims.claims_settle_expired(AFTER_EXPIRY + timedelta(days=1)) == []
    assert stock_of(candle) == [498]


def test_fallback_gifts_are_shipped_so_settlement_gives_no_stock_back(shop):
    candle = shop["designs"]["Thank you"].items.get().variant
    order = pay_by_invoice(place(shop, quantity=3, outcome="fallback", fallback=OFFICE))
    claims.claims_settle_expired(AFTER_EXPIRY)
    assert GiftClaim.objects.filter(campaign__order=order, status="fallback").count() == 3
    assert stock_of(candle) == [494] and held(order) == 3  # 500 - 3 x 2, all three made


def waiting_order(shop, alternatives):
    buyer = UserFactory()
    member = OrganisationMember.objects.create(organisation=shop["org"], user=buyer, role="member")
    GiftBudget.objects.create(member=member, period="month", amount=D("10.00"), set_by=shop["member"])
    order = place(shop, quantity=3, alternatives=alternatives, actor=buyer)
    assert order.status == GiftOrder.Status.AWAITING_APPROVAL
    return order


def test_nothing_is_claimed_while_the_order_waits_and_approval_takes_every_box(shop):
    """A waiting order is not placed: no link is given out, so no alternative moves the stock
    before the approval takes the 3 ordered boxes."""
    boxes, card, _pouch = alternatives_of(shop)
    candle = shop["designs"]["Thank you"].items.get().variant
    order = waiting_order(shop, list(boxes.values()))
    with pytest.raises(claims.ClaimNotReady, match="The links come once an administrator approves the order."):
        links_of(order)
    assert stock_of(candle, card) == [500, 5]
    order_decide(order.pk, approve=True, note="", actor=shop["member"])
    assert stock_of(candle, card) == [494, 5] and held(order) == 3  # 500 - 3 x 2
    claims.claim_accept(token_of(links_of(order)[1]), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
    assert stock_of(candle, card) == [495, 4] and held(order) == 2  # + 2 (an ordered box back) - 1; 5 - 1


def test_a_declined_order_moves_no_stock_and_closes_its_gifts(shop):
    boxes, card, _pouch = alternatives_of(shop)
    candle = shop["designs"]["Thank you"].items.get().variant
    order = waiting_order(shop, list(boxes.values()))
    early = claims.link_issue(GiftClaim.objects.get(campaign__order=order, number=2))  # a link made before this change
    order_decide(order.pk, approve=False, note="Not this quarter", actor=shop["member"])
    assert stock_of(candle, card) == [500, 5]
    assert sorted(GiftClaim.objects.filter(campaign__order=order).values_list("status", "settlement")) == [
        ("cancelled", "order declined")] * 3
    with pytest.raises(claims.ClaimClosed):
        claims.claim_accept(token_of(early), HOME, design_id=boxes["Candle and card"].pk, today=TODAY)
    with pytest.raises(claims.ClaimClosed, match="was declined by an administrator; its gifts can no longer be claimed"):
        links_of(order)
    assert stock_of(candle, card) == [500, 5]


def test_an_order_placed_before_gift_orders_took_stock_gives_none_back(shop):
    """The migration leaves older orders holding 0 boxes: their stock never left."""
    candle = shop["designs"]["Thank you"].items.get().variant
    order = place(shop, quantity=3)
    ProductVariant.objects.filter(pk=candle.pk).update(stock=500)
    GiftOrder.objects.filter(pk=order.pk).update(stock_held=0)  # as an order of before this change
    gift_order_cancel(order.pk, None)
    assert stock_of(candle) == [500]

