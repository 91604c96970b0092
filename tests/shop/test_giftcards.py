"""Gift cards: sold as a product, e-mailed once on their day, redeemed at checkout on the one
payment record (partial use, several cards, all of it), the balance ledger, refunds back onto
the card, codes, the rate limit, the admin, and the wage fund.

Expected amounts are worked by hand in the comments; the property test sums in whole cents
here, not with the module's helpers.
"""
import io
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from payroll.models import Posting
from shop.models import Cart, CartLine, GiftCard, GiftCardEntry, Order, Payment
from shop.platform import roles
from shop.pricing import CodeDiscount, GiftCardTender, Line, Shipping, TaxRule, price, tenders
from shop.selectors.giftcards import ALPHABET, balance, cards_read, code_hash, parse_codes
from shop.services.giftcards import (
    GiftCardError,
    code_new,
    gift_card_create,
    gift_card_issue,
    gift_card_send,
    gift_cards_send_due,
)
from shop.services.orders import CheckoutDetails, order_cancel, order_mark_paid, order_place
from shop.services.refunds import refund_create
from tests.support.factories import (
    ProductFactory,
    ShippingMethodFactory,
    TaxRateFactory,
    UserFactory,
    VariantFactory,
)

D = Decimal
FL = {"FL": TaxRule(D("0.0600"))}
ADDRESS = {"email": "guest@example.org", "name": "Gail Guest", "line1": "12 Bay St", "city": "Tampa", "state": "FL",
           "postal_code": "33602"}
TOTE = Line(D("30.00"), 2, D("8.00"), "Tote", product=1, category=10)
CARD = Line(D("50.00"), 1, D("0"), "Gift card", product=9, category=90, gift_card=True)


# -- the price calculation -----------------------------------------------------------------------

def test_a_gift_card_sold_takes_no_discount_tax_shipping_or_wages():
    breakdown = price([TOTE, CARD], discounts=[CodeDiscount("TEN", "percent", D("10"))],
                      shipping=Shipping(flat=D("6.95"), free_over=D("100.00")), destinations={"FL": 1}, tax_rules=FL)
    # 10% off the totes' 60.00 only = 6.00; the $50 card does not reach the free shipping at $100
    # (54.00 of goods), so 6.95 is charged; tax 6% of 54.00 = 3.24, none on the card.
    assert [(p.discount, p.tax, p.wage_content) for p in breakdown.lines] == [
        (D("6.00"), D("3.24"), D("16.00")), (D("0.00"), D("0.00"), D("0.00"))]
    assert (breakdown.shipping, breakdown.tax, breakdown.total) == (D("6.95"), D("3.24"), D("114.19"))


def test_only_a_gift_card_ships_nothing():
    breakdown = price([CARD], shipping=Shipping(flat=D("6.95")), destinations={"FL": 1}, tax_rules=FL)
    assert (breakdown.shipping, breakdown.tax, breakdown.total) == (D("0"), D("0"), D("50.00"))


def test_a_gift_card_line_cannot_carry_wages():
    with pytest.raises(ValueError, match="no wage content"):
        price([Line(D("50.00"), 1, D("1.00"), gift_card=True)])


def test_cards_pay_in_turn_and_leave_the_rest_on_the_last():
    breakdown = price([TOTE], destinations={"FL": 1}, tax_rules=FL)  # 60.00 + 3.60 = 63.60
    paid = tenders(breakdown, [GiftCardTender(1, D("25.00")), GiftCardTender(2, D("30.00")), GiftCardTender(3, D("40"))])
    # 25.00 + 30.00 = 55.00, the third pays the 8.60 left (31.40 stays on it), nothing due.
    assert [(t.key, a) for t, a in paid.cards] == [(1, D("25.00")), (2, D("30.00")), (3, D("8.60"))]
    assert paid.due == D("0.00")
    partial = tenders(breakdown, [GiftCardTender(1, D("20.00"))])
    assert (partial.gift_card_total, partial.due) == (D("20.00"), D("43.60"))


def test_a_card_does_not_pay_for_another_card():
    breakdown = price([TOTE, CARD], destinations={"FL": 1}, tax_rules=FL)  # 63.60 of goods + the 50.00 card
    paid = tenders(breakdown, [GiftCardTender(1, D("500.00"))])
    assert (paid.gift_card_total, paid.due) == (D("63.60"), D("50.00"))


cents = st.integers(min_value=0, max_value=50000)
lines_strategy = st.lists(
    st.tuples(st.integers(min_value=1, max_value=50000), st.integers(min_value=1, max_value=5),
              st.integers(min_value=0, max_value=100), st.booleans()),
    min_size=1, max_size=6)
code_strategy = st.builds(
    lambda kind, value, minimum: CodeDiscount("C", kind, D(value) / (1 if kind == "percent" else 100), D(minimum) / 100,
                                              combinable=True),
    st.sampled_from(["percent", "amount", "free_shipping"]), st.integers(min_value=1, max_value=100),
    st.integers(min_value=0, max_value=20000))


@hypothesis_settings(max_examples=300, deadline=None)
@given(specs=lines_strategy, codes=st.lists(code_strategy, max_size=2), balances=st.lists(cents, max_size=4),
       flat=cents, rate=st.integers(0, 1000), on_shipping=st.booleans())
def test_any_cards_and_codes_keep_totals_whole_and_the_wages_untouched(specs, codes, balances, flat, rate, on_shipping):
    lines = [Line(D(c) / 100, q, D(0) if card else (D(c) * pct / 100).quantize(D("1"), ROUND_HALF_UP) / 100,
                  gift_card=card) for c, q, pct, card in specs]
    rules = {"FL": TaxRule(D(rate) / 10000, on_shipping)}
    shipping = Shipping(flat=D(flat) / 100)
    breakdown = price(lines, discounts=codes, shipping=shipping, destinations={"FL": 1}, tax_rules=rules)
    cards = [GiftCardTender(i, D(b) / 100) for i, b in enumerate(balances)]
    paid = tenders(breakdown, cards)
    as_cents = lambda amount: int(amount * 100)  # noqa: E731
    # Never below zero; no card pays more than it holds.
    assert breakdown.total >= 0 and paid.due >= 0
    assert all(0 < amount <= card.balance for card, amount in paid.cards)
    # The lines, shipping and its tax sum to the total; the tenders sum to it too, to the cent.
    assert sum(as_cents(p.net) + as_cents(p.tax) for p in breakdown.lines) + as_cents(breakdown.shipping) + \
        as_cents(breakdown.shipping_tax) == as_cents(breakdown.total)
    assert sum(as_cents(amount) for _, amount in paid.cards) + as_cents(paid.due) == as_cents(breakdown.total)
    # Gift cards bought are paid by card, never by another gift card.
    card_lines = sum(c * q for c, q, _, card in specs if card)
    assert as_cents(paid.due) >= card_lines
    # Gift card lines are neither discounted nor taxed.
    assert all(p.discount == 0 and p.tax == 0 for p in breakdown.lines if p.line.gift_card)
    # The wage credit: the goods' wage cents times their units, whatever the codes and cards.
    wage_cents = sum((D(c) * pct / 100).quantize(D("1"), ROUND_HALF_UP) * q for c, q, pct, card in specs if not card)
    plain = price([line for line in lines if not line.gift_card], shipping=shipping, destinations={"FL": 1},
                  tax_rules=rules)
    assert as_cents(breakdown.wage_content) == wage_cents == as_cents(plain.wage_content)


# -- codes ---------------------------------------------------------------------------------------

def test_codes_are_long_from_an_unambiguous_alphabet_and_differ():
    codes = {code_new() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 16 and set(code) <= set(ALPHABET) for code in codes)
    assert not set("0O1IL") & set(ALPHABET) and len(ALPHABET) == 31


def test_codes_typed_are_read_with_or_without_hyphens_and_spaces():
    assert parse_codes("mend-card-test-2345, ABCD EFGH JKMN PQRS") == ["MENDCARDTEST2345", "ABCDEFGHJKMNPQRS"]
    assert parse_codes("MENDCARDTEST2345ABCDEFGHJKMNPQRS") == ["MENDCARDTEST2345", "ABCDEFGHJKMNPQRS"]
    assert parse_codes("mend-card-test-2345\nMEND CARD TEST 2345") == ["MENDCARDTEST2345"]


@pytest.mark.django_db
def test_a_card_is_stored_by_a_keyed_hash_and_encrypted_never_in_plain():
    card = gift_card_create(D("20.00"), buyer_email="b@example.org", deliver_on=timezone.localdate(),
                            code="MEND-CARD-TEST-2345")
    with connection.cursor() as cursor:
        cursor.execute("SELECT code_hash, code, last4 FROM shop_giftcard WHERE id = %s", [card.pk])
        stored_hash, stored_code, last4 = cursor.fetchone()
    assert "MENDCARDTEST2345" not in stored_code and "MENDCARDTEST2345" not in stored_hash
    assert stored_hash == code_hash("mend card test 2345") and len(stored_hash) == 64
    assert last4 == "2345" and card.masked == "••••-••••-••••-2345"
    with pytest.raises(GiftCardError, match="16 characters"):
        gift_card_create(D("20.00"), buyer_email="b@example.org", deliver_on=timezone.localdate(), code="SHORT")


# -- the shop ------------------------------------------------------------------------------------

@pytest.fixture
def shop(db):
    TaxRateFactory(state="FL", rate=D("0.0600"))
    method = ShippingMethodFactory(price=D("6.95"), free_over=None)
    tote = VariantFactory(price=D("30.00"), stock=50, product=ProductFactory(wage_content=D("8.00")))
    scarf = VariantFactory(price=D("25.00"), stock=50, product=ProductFactory(wage_content=D("6.00")))
    product = ProductFactory(name="Gift card", slug="gift-card", wage_content=D("0"), is_gift_card=True,
                             gift_card_min=D("10.00"), gift_card_max=D("500.00"))
    fifty = VariantFactory(product=product, price=D("50.00"), stock=1000, options={"amount": "$50"})
    return {"method": method, "tote": tote, "scarf": scarf, "card_product": product, "fifty": fifty}


def card_with(amount, code=None, email="b@example.org"):
    card = gift_card_create(D(amount), buyer_email=email, deliver_on=timezone.localdate(), code=code)
    GiftCard.objects.filter(pk=card.pk).update(emailed_at=timezone.now())  # no e-mail in these tests
    gift_card_issue(card.pk)
    card.refresh_from_db()
    return card


def place(shop, cards=(), items=None, email="b@example.org", gift_lines=()):
    cart = Cart.objects.create()
    for variant, quantity in items if items is not None else [(shop["tote"], 2), (shop["scarf"], 1)]:
        CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    for fields in gift_lines:
        CartLine.objects.create(cart=cart, variant=shop["fifty"], quantity=1, **fields)
    details = CheckoutDetails(email=email, name="B", shipping_method=shop["method"], line1="1 A St", city="Tampa",
                              state="FL", postal_code="33602")
    return order_place(cart, details, gift_cards=list(cards))


def fund():
    return -sum((p.amount for p in Posting.objects.filter(account__code="wage_fund")), D("0"))


def test_a_card_pays_part_of_an_order_on_the_payment_record(shop):
    card = card_with("50.00")
    order = place(shop, [card.code])
    # 2 totes 60.00 + scarf 25.00 = 85.00, shipping 6.95, tax 6% of 85.00 = 5.10: 97.05; the card pays 50.00.
    assert (order.total, order.gift_card_total, order.amount_due, order.state) == (
        D("97.05"), D("50.00"), D("47.05"), Order.State.PENDING)
    [payment] = order.payments.all()
    assert (payment.gift_card_id, payment.amount, payment.status, payment.stripe_payment_intent_id) == (
        card.pk, D("50.00"), "succeeded", None)
    assert balance(card) == D("0.00")
    assert list(card.entries.values_list("kind", "amount")) == [("issue", D("50.00")), ("redeem", D("-50.00"))]


def test_a_partly_used_card_keeps_the_rest_for_the_next_order(shop):
    card = card_with("120.00")
    first = place(shop, [card.code])
    assert (first.gift_card_total, first.amount_due, first.state) == (D("97.05"), D("0.00"), Order.State.PAID)
    assert balance(card) == D("22.95")  # 120.00 - 97.05
    second = place(shop, [card.code], items=[(shop["scarf"], 1)])  # 25.00 + 6.95 + 1.50 = 33.45
    assert (second.gift_card_total, second.amount_due) == (D("22.95"), D("10.50"))
    assert balance(card) == D("0.00")
    with pytest.raises(GiftCardError, match="ending .* has no balance left"):
        place(shop, [card.code], items=[(shop["scarf"], 1)])


def test_several_cards_pay_one_order_in_the_order_typed(shop):
    small, large = card_with("20.00"), card_with("100.00")
    order = place(shop, [small.code, large.code])
    # 97.05: the 20.00 card all, the 100.00 card 77.05 (22.95 left on it).
    assert [(p.gift_card_id, p.amount) for p in order.payments.order_by("id")] == [(small.pk, D("20.00")),
                                                                                  (large.pk, D("77.05"))]
    assert (balance(small), balance(large), order.state) == (D("0.00"), D("22.95"), Order.State.PAID)
    assert sum(p.amount for p in order.payments.all()) == order.total


def test_cards_paying_it_all_mark_the_order_paid_with_no_stripe_payment(shop, mailoutbox,
                                                                         django_capture_on_commit_callbacks):
    card = card_with("100.00")
    before = fund()
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, [card.code])
    assert order.state == Order.State.PAID and order.paid_at is not None
    assert not order.payments.filter(gift_card__isnull=True).exists()
    # The goods bought with the card credit their wages as any sale: 2 x 8.00 + 6.00.
    assert fund() - before == D("22.00")
    assert [m for m in mailoutbox if order.number in m.subject]  # the confirmation, as for a card payment


def test_selling_a_gift_card_credits_no_wages_and_the_goods_it_buys_do(shop, django_capture_on_commit_callbacks):
    before = fund()
    order = place(shop, items=[], gift_lines=[{"gift_amount": D("50.00"), "gift_recipient_email": "r@example.org"}])
    assert (order.total, order.shipping, order.tax) == (D("50.00"), D("0.00"), D("0.00"))
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(order.pk)
    assert fund() == before  # a card sold is money kept for later, not wages earned
    [card] = order.gift_cards_sold.all()
    assert (card.state, balance(card), card.recipient_email) == (GiftCard.State.ACTIVE, D("50.00"), "r@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        place(shop, [card.code], items=[(shop["tote"], 1)])  # 30.00 + 1.80 + 6.95 = 38.75, all by the card
    assert fund() - before == D("8.00")
    assert balance(card) == D("11.25")


@hypothesis_settings(max_examples=12, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(card_cents=st.integers(min_value=1, max_value=20000), percent=st.none() | st.integers(min_value=1, max_value=100),
       totes=st.integers(min_value=1, max_value=3), scarves=st.integers(min_value=0, max_value=2))
def test_any_card_and_code_leave_the_wage_credit_of_a_paid_order_as_it_was(
        shop, django_capture_on_commit_callbacks, card_cents, percent, totes, scarves):
    from shop.models import DiscountCode, ProductVariant

    ProductVariant.objects.filter(pk__in=[shop["tote"].pk, shop["scarf"].pk]).update(stock=10)  # examples share rows
    card = card_with(D(card_cents) / 100)
    codes = []
    if percent is not None:
        name = f"P{DiscountCode.objects.count()}"
        DiscountCode.objects.create(code=name, kind="percent", value=D(percent))
        codes = [name]
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=shop["tote"], quantity=totes)
    if scarves:
        CartLine.objects.create(cart=cart, variant=shop["scarf"], quantity=scarves)
    details = CheckoutDetails(email="b@example.org", name="B", shipping_method=shop["method"], line1="1 A St",
                              city="Tampa", state="FL", postal_code="33602")
    before = fund()
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(cart, details, codes=codes, gift_cards=[card.code])
        order_mark_paid(order.pk)
    # Wages per unit (8.00 a tote, 6.00 a scarf) times the units, whatever the card and the code paid.
    assert fund() - before == D("8.00") * totes + D("6.00") * scarves
    # The payments sum to the total; the card paid at most what it held.
    assert order.gift_card_total == min(D(card_cents) / 100, order.total)
    assert order.gift_card_total + order.amount_due == order.total and order.amount_due >= 0


def test_a_cancelled_unpaid_order_puts_the_cards_share_back(shop):
    card = card_with("30.00")
    order = place(shop, [card.code])
    assert balance(card) == D("0.00")
    order_cancel(order.pk, "The stock reservation ran out before payment.")
    assert balance(card) == D("30.00")
    assert list(card.entries.values_list("kind", "amount")) == [
        ("issue", D("30.00")), ("redeem", D("-30.00")), ("refund", D("30.00"))]
    assert order.payments.get().status == "canceled"
    # The cards an unpaid order bought are void, never issued.
    bought = place(shop, items=[], gift_lines=[{"gift_amount": D("50.00")}])
    order_cancel(bought.pk, "Payment was cancelled.")
    assert bought.gift_cards_sold.get().state == GiftCard.State.VOID


def paid_by_card_and_stripe(shop, card):
    """An order paid with ``card`` and, for the rest, a (demo) Stripe payment that succeeded."""
    order = place(shop, [card.code])
    Payment.objects.create(order=order, amount=order.amount_due, status="succeeded", demo=True,
                           stripe_payment_intent_id=f"pi_demo_{order.number}")
    order_mark_paid(order.pk)
    return order


def test_a_whole_refund_puts_the_cards_share_back_on_the_card_and_the_rest_to_stripe(
        shop, django_capture_on_commit_callbacks):
    card = card_with("50.00")
    before = fund()
    with django_capture_on_commit_callbacks(execute=True):
        order = paid_by_card_and_stripe(shop, card)
    assert fund() - before == D("22.00")
    with django_capture_on_commit_callbacks(execute=True):
        refund_create(order.pk, D("97.05"), "Returned")
    order.refresh_from_db()
    assert (order.state, order.amount_refunded) == (Order.State.REFUNDED, D("97.05"))
    by_payment = {r.payment.gift_card_id: (r.amount, r.status) for r in order.refunds.all()}
    assert by_payment == {card.pk: (D("50.00"), "succeeded"), None: (D("47.05"), "succeeded")}
    assert balance(card) == D("50.00")  # back on the card, not to the bank card: no cash-out
    assert card.entries.filter(kind="refund", refund__isnull=False).count() == 1
    assert fund() == before  # the goods' wages are reversed by both parts together


def test_a_part_refund_is_split_over_the_card_and_stripe(shop, django_capture_on_commit_callbacks):
    card = card_with("50.00")
    order = paid_by_card_and_stripe(shop, card)  # 50.00 card + 47.05 Stripe
    refund_create(order.pk, D("20.00"))
    # 2000 cents split 5000 : 4705 -> 1030.40, 969.59: floors 1030 + 969 = 1999, the cent to the
    # larger remainder (Stripe's .59): 10.30 to the card, 9.70 to Stripe.
    parts = {r.payment.gift_card_id: r.amount for r in order.refunds.all()}
    assert parts == {card.pk: D("10.30"), None: D("9.70")}
    assert balance(card) == D("10.30")
    order.refresh_from_db()
    assert (order.state, order.amount_refunded) == (Order.State.PARTIALLY_REFUNDED, D("20.00"))


def test_a_pending_or_void_card_pays_nothing(shop):
    pending = gift_card_create(D("50.00"), buyer_email="b@example.org", deliver_on=timezone.localdate())
    with pytest.raises(GiftCardError, match="not a gift card code we know"):
        place(shop, [pending.code])
    assert not Order.objects.exists()


# -- buying one ----------------------------------------------------------------------------------

def test_the_product_page_sells_fixed_and_chosen_amounts(client, shop):
    url = shop["card_product"].get_absolute_url()
    page = client.get(url).content.decode()
    assert "$50.00" in page and "Another amount ($10.00 to $500.00)" in page
    day = timezone.localdate() + timedelta(days=10)
    too_much = client.post(url, {"amount": "chosen", "chosen_amount": "600", "recipient_email": "r@example.org"})
    assert too_much.status_code == 400
    assert "Choose an amount from $10.00 to $500.00." in too_much.content.decode()
    past = client.post(url, {"amount": str(shop["fifty"].pk), "deliver_on": "2001-01-01"})
    assert "Choose today or a day to come." in past.content.decode()
    assert client.post(url, {"amount": "chosen", "chosen_amount": "75.50", "recipient_name": "Robin",
                             "recipient_email": "robin@example.org", "message": "Happy birthday",
                             "deliver_on": day.isoformat()}).status_code == 302
    assert client.post(url, {"amount": str(shop["fifty"].pk)}).status_code == 302
    assert client.post(url, {"variant": shop["fifty"].pk, "quantity": 1}).status_code == 400  # no plain add
    lines = list(CartLine.objects.order_by("id"))
    assert [(line.gift_amount, line.gift_recipient_email, line.gift_deliver_on) for line in lines] == [
        (D("75.50"), "robin@example.org", day), (D("50.00"), "", timezone.localdate())]
    cart = client.get(reverse("shop:cart")).content.decode()
    assert "$75.50" in cart and f"For Robin, sent {day:%B %-d, %Y}" in cart


def test_a_card_bought_is_e_mailed_once_on_its_day(shop, mailoutbox, django_capture_on_commit_callbacks):
    day = timezone.localdate() + timedelta(days=3)
    order = place(shop, items=[], gift_lines=[{"gift_amount": D("40.00"), "gift_recipient_name": "Robin",
                                               "gift_recipient_email": "robin@example.org",
                                               "gift_message": "Happy birthday", "gift_deliver_on": day}])
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(order.pk)
    [card] = order.gift_cards_sold.all()
    assert card.state == GiftCard.State.ACTIVE
    cards_mail = lambda: [m for m in mailoutbox if "gift card for you" in m.subject]  # noqa: E731
    assert cards_mail() == []  # not before its day
    noon = lambda d: f"{d.isoformat()} 17:00:00"  # noqa: E731  (noon in Florida, in UTC)
    with freeze_time(noon(day - timedelta(days=1))):
        assert gift_cards_send_due() == 0
        assert gift_card_send(card.pk) is False  # queued early by hand: still not sent
    with freeze_time(noon(day)):
        assert gift_cards_send_due() == 1  # the beat task on the day; the send runs eagerly
        assert gift_cards_send_due() == 0  # the next hour's run finds nothing to send
        assert gift_card_send(card.pk) is False  # a task delivered twice sends nothing
    with freeze_time(noon(day + timedelta(days=1))):
        assert gift_cards_send_due() == 0
    [message] = cards_mail()
    assert message.to == ["robin@example.org"]
    shown_code = "-".join(card.code[i:i + 4] for i in range(0, 16, 4))
    assert shown_code in message.body and "Happy birthday" in message.body and "$40.00" in message.body
    assert "cannot be exchanged for cash" in message.body


def test_a_card_for_today_goes_to_the_buyer_when_the_order_is_paid(shop, mailoutbox, django_capture_on_commit_callbacks):
    order = place(shop, items=[], gift_lines=[{"gift_amount": D("25.00")}], email="buyer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(order.pk)
        order_mark_paid(order.pk)  # told twice: issued and sent once
    [message] = [m for m in mailoutbox if "gift card for you" in m.subject]
    assert message.to == ["buyer@example.org"] and "Here is your" in message.body
    assert GiftCardEntry.objects.filter(kind="issue").count() == 1


# -- checkout ------------------------------------------------------------------------------------

def fill_cart(client, *items):
    for variant, quantity in items:
        assert client.post(variant.product.get_absolute_url(), {"variant": variant.pk, "quantity": quantity}).status_code == 302


def test_apply_shows_what_each_card_pays_and_what_is_left(client, shop):
    card = card_with("60.00", code="MEND-CARD-TEST-2345")
    fill_cart(client, (shop["tote"], 2), (shop["scarf"], 1))
    page = client.post(reverse("shop:checkout"), {"gift_cards": "mend-card-test-2345", "apply": "1",
                                                  "shipping_method": shop["method"].pk, "state": "FL"})
    assert page.status_code == 200
    html = page.content.decode()
    # 97.05 in all: the card pays 60.00, 0.00 left on it, 37.05 by card.
    assert "Gift card <span class=\"nowrap\">••••-••••-••••-2345</span>" in html and "−$60.00" in html  # kept whole on a phone
    assert "Left on it after this order" in html and "To pay by card" in html and "$37.05" in html
    assert "MENDCARDTEST2345" not in html and "MEND-CARD-TEST-2345" not in html  # the code is never echoed
    assert not Order.objects.exists() and balance(card) == D("60.00")


def test_a_checkout_paid_by_cards_goes_straight_to_the_order(client, shop, django_capture_on_commit_callbacks):
    card = card_with("200.00")
    fill_cart(client, (shop["tote"], 2), (shop["scarf"], 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shop["method"].pk,
                                                          "gift_cards": card.code})
    order = Order.objects.get()
    assert response.status_code == 302 and "/order-link/" in response.url
    assert order.state == Order.State.PAID and balance(card) == D("102.95")
    page = client.get(response.url).content.decode()
    assert "Paid with gift cards" in page and "Nothing to pay by card" in page


def test_guessing_card_codes_is_rate_limited(client, shop, settings):
    settings.MENDED_RATE_LIMITS = {**settings.MENDED_RATE_LIMITS, "gift_card_code": "3/10m/session"}
    card = card_with("50.00")
    fill_cart(client, (shop["tote"], 1))
    for guess in ("AAAABBBBCCCCDDDD", "AAAABBBBCCCCDDDE", "AAAABBBBCCCCDDDF"):
        response = client.post(reverse("shop:checkout"), {"gift_cards": guess, "apply": "1",
                                                          "shipping_method": shop["method"].pk})
        assert response.status_code == 400
        assert "not a gift card code we know" in response.context["form"].errors["gift_cards"][0]
    refused = client.post(reverse("shop:checkout"), {"gift_cards": card.code, "apply": "1",
                                                     "shipping_method": shop["method"].pk})
    assert refused.status_code == 429
    assert "Too many gift card codes tried" in refused.context["form"].errors["gift_cards"][0]
    assert refused.context["cards"] is None


def test_a_real_card_does_not_count_against_the_limit(client, shop, settings):
    settings.MENDED_RATE_LIMITS = {**settings.MENDED_RATE_LIMITS, "gift_card_code": "2/10m/session"}
    card = card_with("50.00")
    fill_cart(client, (shop["tote"], 1))
    for _ in range(4):
        assert client.post(reverse("shop:checkout"), {"gift_cards": card.code, "apply": "1",
                                                      "shipping_method": shop["method"].pk}).status_code == 200


def test_a_balance_spent_between_apply_and_pay_is_a_field_error(client, shop, monkeypatch):
    card = card_with("50.00")
    fill_cart(client, (shop["tote"], 1))
    import shop.views.checkout as view

    real = view.gift_cards_check

    def then_someone_else(codes, breakdown):
        result = real(codes, breakdown)
        place(shop, [card.code], email="fast@example.org")  # spends all 50.00 (the order is 97.05)
        return result

    monkeypatch.setattr(view, "gift_cards_check", then_someone_else)
    response = client.post(reverse("shop:checkout"), {**ADDRESS, "shipping_method": shop["method"].pk,
                                                      "gift_cards": card.code})
    assert response.status_code == 400
    assert response.context["form"].errors["gift_cards"] == [f"The gift card ending {card.last4} has no balance left."]
    assert Order.objects.count() == 1 and balance(card) == D("0.00")


# -- the admin -----------------------------------------------------------------------------------

def test_the_admin_shows_cards_masked_and_read_only(client, shop):
    card = card_with("50.00", code="MEND-CARD-TEST-2345")
    place(shop, [card.code])
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    listing = client.get(reverse("admin:shop_giftcard_changelist")).content.decode()
    detail = client.get(reverse("admin:shop_giftcard_change", args=[card.pk])).content.decode()
    for page in (listing, detail):
        assert "••••-••••-••••-2345" in page and "MENDCARDTEST2345" not in page and "MEND-CARD-TEST" not in page
    assert "Issued" in detail and "Used" in detail and "-50.00" in detail
    assert client.get(reverse("admin:shop_giftcard_add")).status_code == 403
    assert client.post(reverse("admin:shop_giftcard_delete", args=[card.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:shop_giftcardentry_add")).status_code == 403


# -- data rights ---------------------------------------------------------------------------------

def test_a_persons_gift_cards_are_exported_masked_and_erased_keeping_the_balance(shop):
    from shop.data_rights import Erasure, Subject
    from shop.services.data_rights import gift_cards_erase, gift_cards_export

    card = gift_card_create(D("40.00"), buyer_email="Buyer@Example.org", deliver_on=timezone.localdate(),
                            recipient_name="Robin", recipient_email="robin@example.org", message="Happy birthday",
                            code="MEND-CARD-TEST-2345")
    GiftCard.objects.filter(pk=card.pk).update(emailed_at=timezone.now())
    gift_card_issue(card.pk)
    robin = Subject(frozenset({"robin@example.org"}))
    [exported] = gift_cards_export(robin)
    assert (exported["card"], exported["balance"], exported["recipient_name"]) == ("••••-••••-••••-2345", "40.00", "Robin")
    assert "MENDCARDTEST2345" not in str(exported)
    erasure = Erasure()
    gift_cards_erase(robin, erasure)
    card.refresh_from_db()
    assert (card.recipient_email, card.recipient_name, card.message, card.buyer_email) == (
        f"erased-gift-card-recipient-{card.pk}@erased.invalid", "", "", "Buyer@Example.org")
    assert balance(card) == D("40.00") and erasure.counts == {"gift_cards": 1}
    assert gift_cards_export(Subject(frozenset({"buyer@example.org"})))[0]["buyer_email"] == "Buyer@Example.org"


def test_a_card_leaving_less_than_stripes_minimum_is_refused_on_the_card_and_keeps_its_balance(shop):
    card = card_with("33.00")
    # One scarf 25.00, shipping 6.95 (not taxed), tax 6% of 25.00 = 1.50: 33.45, the card takes
    # 33.00 and would leave 0.45 for a card payment, under Stripe's 0.50.
    with pytest.raises(GiftCardError) as refused:
        place(shop, [card.code], items=[(shop["scarf"], 1)])
    assert str(refused.value) == ("Card payments start at $0.50, and this order would leave $0.45 to pay by card. "
                                  "Please add something to your cart, or leave one gift card out and pay a little "
                                  "more by card.")
    assert not Order.objects.exists()
    assert balance(card) == D("33.00") and GiftCardEntry.objects.filter(card=card).count() == 1


def test_a_card_made_before_the_secret_key_was_rotated_still_pays_and_is_re_keyed(shop, settings):
    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    card = card_with("50.00", code="MEND-CARD-KEYS-2345")
    old_hash = GiftCard.objects.get(pk=card.pk).code_hash
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the-new-key-" + "y" * 40, ["the-old-key-" + "x" * 40]
    order = place(shop, ["mend card keys 2345"])
    # 2 totes 60.00 + scarf 25.00 + shipping 6.95 + tax 6% of 85.00 = 5.10: 97.05; the card pays 50.00.
    assert (order.total, order.gift_card_total, order.amount_due) == (D("97.05"), D("50.00"), D("47.05"))
    new_hash = GiftCard.objects.get(pk=card.pk).code_hash
    assert new_hash != old_hash and new_hash == code_hash("MENDCARDKEYS2345")
    settings.SECRET_KEY_FALLBACKS = []  # once re-keyed, the old key can be dropped
    assert balance(card) == D("0.00")
    assert cards_read(["MENDCARDKEYS2345"]) == ([GiftCard.objects.get(pk=card.pk)], [])


def test_a_card_under_a_key_no_longer_listed_is_not_found(shop, settings):
    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    card_with("50.00", code="MEND-CARD-PAST-2345")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the-new-key-" + "y" * 40, []
    assert cards_read(["MENDCARDPAST2345"]) == ([], ["MENDCARDPAST2345"])


def test_rekeying_every_card_after_a_rotation_lets_the_old_key_go(shop, settings):
    from django.core.management import call_command

    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    card_with("20.00", code="MEND-CARD-AAAA-2345")
    card_with("30.00", code="MEND-CARD-BBBB-2345")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the-new-key-" + "y" * 40, ["the-old-key-" + "x" * 40]
    out = io.StringIO()
    call_command("gift_cards_rekey", stdout=out)
    assert "2 gift cards re-keyed" in out.getvalue()
    settings.SECRET_KEY_FALLBACKS = []
    found, unknown = cards_read(["MENDCARDAAAA2345", "MENDCARDBBBB2345"])
    assert [balance(card) for card in found] == [D("20.00"), D("30.00")] and unknown == []
    call_command("gift_cards_rekey", stdout=out)
    assert "0 gift cards re-keyed" in out.getvalue()
