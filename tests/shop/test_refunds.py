"""Refunds through Stripe, allocated across the order's lines to the cent."""
from decimal import Decimal

import pytest
import stripe
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.platform import roles
from shop.platform.facts import refund_confirmed
from shop.models import Order, OrderLine, Refund
from shop.services.orders import order_mark_paid
from shop.services.payments import payment_confirm
from shop.services.refunds import RefundError, refund_apply_stripe_status, refund_create
from tests.support.factories import OrderFactory, UserFactory, VariantFactory
from tests.support.stripe_helpers import card

pytestmark = pytest.mark.django_db
D = Decimal


def paid_order(lines):
    """A paid order with the given (unit price, quantity, tax) lines and $6.95 shipping."""
    subtotal = sum(price * qty for price, qty, _ in lines)
    tax = sum(line_tax for _, _, line_tax in lines)
    order = OrderFactory(lines=True, subtotal=subtotal, tax=tax, shipping=D("6.95"), total=subtotal + tax + D("6.95"))
    for price, quantity, line_tax in lines:
        variant = VariantFactory(price=price)
        OrderLine.objects.create(
            order=order, product=variant.product, variant=variant, title=variant.product.name, sku=variant.sku,
            unit_price=price, quantity=quantity, wage_content=D("5.00"), line_total=price * quantity, tax=line_tax,
        )
    payment_confirm(order, card())
    order_mark_paid(order.pk)
    order.refresh_from_db()
    return order


THREE_LINES = [(D("20.00"), 1, D("1.20")), (D("25.00"), 2, D("3.00")), (D("10.00"), 1, D("0.60"))]


def test_a_partial_refund_of_three_lines_is_split_to_the_cent(localstripe_server, django_capture_on_commit_callbacks):
    order = paid_order(THREE_LINES)  # lines 21.20, 53.00, 10.60 with tax; shipping 6.95; total 91.75
    announced = []
    refund_confirmed.connect(lambda sender, **kw: announced.append(kw), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            refund = refund_create(order.pk, D("30.00"), "Damaged in transit")
    finally:
        refund_confirmed.disconnect(dispatch_uid="t")
    # Worked by hand: 30.00 x (21.20, 53.00, 10.60, 6.95) / 91.75 = 6.9319, 17.3297, 3.4659, 2.2725;
    # floors 6.93 + 17.32 + 3.46 + 2.27 = 29.98, the two cents to the largest remainders (.97, .59).
    by_line = [rl.amount for rl in refund.lines.order_by("order_line_id")]
    assert by_line == [D("6.93"), D("17.33"), D("3.47")]
    assert refund.shipping_amount == D("2.27")
    assert sum(by_line) + refund.shipping_amount == D("30.00")
    assert refund.status == Refund.Status.SUCCEEDED and refund.stripe_refund_id.startswith("re_")
    assert stripe.Refund.retrieve(refund.stripe_refund_id).amount == 3000
    order.refresh_from_db()
    assert order.state == Order.State.PARTIALLY_REFUNDED and order.amount_refunded == D("30.00")
    assert len(announced) == 1 and announced[0]["order_id"] == order.pk
    assert sum(announced[0]["line_amounts"].values()) == sum(by_line)


def test_refunding_the_rest_makes_the_order_refunded_and_no_more(localstripe_server):
    order = paid_order(THREE_LINES)
    refund_create(order.pk, D("30.00"))
    last = refund_create(order.pk, D("61.75"))
    order.refresh_from_db()
    assert order.state == Order.State.REFUNDED and order.amount_refunded == order.total
    # Every line got back exactly its price and tax over the two refunds.
    for line in order.lines.all():
        assert sum(rl.amount for rl in line.refund_lines.all()) == line.gross
    assert last.shipping_amount + Refund.objects.get(amount=D("30.00")).shipping_amount == D("6.95")
    with pytest.raises(RefundError, match="nothing to refund"):
        refund_create(order.pk, D("0.01"))


def test_over_refunds_and_unpaid_orders_are_refused(localstripe_server):
    order = paid_order(THREE_LINES)
    with pytest.raises(RefundError, match=r"At most \$91.75"):
        refund_create(order.pk, D("91.76"))
    with pytest.raises(RefundError, match="above"):
        refund_create(order.pk, D("0"))
    with pytest.raises(RefundError, match="awaiting payment"):
        refund_create(OrderFactory().pk, D("1.00"))
    assert not Refund.objects.exists()


def test_a_refund_is_final_only_when_stripe_confirms_it(localstripe_server):
    order = paid_order(THREE_LINES)
    refund = refund_create(order.pk, D("10.00"))
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.PENDING)  # as if Stripe said "pending"
    Order.objects.filter(pk=order.pk).update(amount_refunded=0, state=Order.State.PAID)
    assert refund_apply_stripe_status(refund.pk, "pending") is False
    order.refresh_from_db()
    assert order.amount_refunded == 0
    assert refund_apply_stripe_status(refund.pk, "succeeded") is True
    assert refund_apply_stripe_status(refund.pk, "succeeded") is False  # replayed: no double count
    order.refresh_from_db()
    assert order.amount_refunded == D("10.00")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prices=st.lists(st.integers(min_value=100, max_value=20000), min_size=1, max_size=4),
    cuts=st.lists(st.integers(min_value=1, max_value=10000), min_size=1, max_size=3),
)
def test_any_sequence_of_partial_refunds_stays_exact(localstripe_server, prices, cuts):
    lines = [(D(p) / 100, 1, (D(p) * D("0.06") / 100).quantize(D("0.01"))) for p in prices]
    order = paid_order(lines)
    for cut in cuts:
        remaining = order.total - order.amount_refunded
        amount = min(D(cut) / 100, remaining)
        if amount <= 0:
            break
        refund = refund_create(order.pk, amount)
        assert sum(rl.amount for rl in refund.lines.all()) + refund.shipping_amount == amount
        order.refresh_from_db()
    for line in order.lines.all():
        assert sum((rl.amount for rl in line.refund_lines.all()), D("0")) <= line.gross
    assert order.amount_refunded <= order.total


def test_staff_refund_from_the_admin(client, localstripe_server):
    order = paid_order(THREE_LINES)
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    url = reverse("admin:shop_order_refund", args=[order.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="91.75"' in page.content.decode()  # "refund all" is the default
    too_much = client.post(url, {"amount": "100.00", "reason": ""})
    assert too_much.status_code == 400 and "At most $91.75" in too_much.content.decode()
    assert client.post(url, {"amount": "abc"}).status_code == 400
    assert client.post(url, {"amount": "15.00", "reason": "Late"}).status_code == 302
    order.refresh_from_db()
    assert order.amount_refunded == D("15.00")


def test_a_refund_stripe_refuses_does_not_say_nothing_was_charged(client, localstripe_server):
    """The order was charged; the refund failed. "Nothing was charged" would be untrue here."""
    from shop.models import Payment

    order = paid_order(THREE_LINES)
    Payment.objects.filter(order=order).update(stripe_payment_intent_id="pi_unknown_to_stripe")
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    response = client.post(reverse("admin:shop_order_refund", args=[order.pk]), {"amount": "10.00", "reason": ""})
    text = response.content.decode()
    assert response.status_code == 400 and "did not make the refund" in text
    assert "Nothing was charged" not in text
    assert order.refunds.get().status == Refund.Status.FAILED


def test_a_seeded_demo_order_refunds_with_a_clear_note_and_no_call_to_stripe(client, settings, django_capture_on_commit_callbacks):
    """seed_demo runs before localstripe starts (dev.py run), so its payments are marked demo."""
    from django.core.management import call_command

    from shop.models import Payment

    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing answers: a call to Stripe would fail the refund
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert Payment.objects.exists() and not Payment.objects.filter(demo=False).exists()
    order = Order.objects.filter(state=Order.State.PAID, email__endswith="@demo.mended.example").first()
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    url = reverse("admin:shop_order_refund", args=[order.pk])
    assert "This is a demo order" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True) as announced:
        response = client.post(url, {"amount": "5.00", "reason": "Demo"}, follow=True)
    text = response.content.decode()
    assert "Refund of $5.00 recorded. This is a demo order: it was never charged at Stripe" in text
    assert "Nothing was charged" not in text
    order.refresh_from_db()
    refund = order.refunds.get(reason="Demo")
    assert refund.status == Refund.Status.SUCCEEDED and refund.stripe_refund_id == f"re_demo_{refund.pk}"
    assert order.amount_refunded == D("5.00") and order.state == Order.State.PARTIALLY_REFUNDED
    assert sum(line.amount for line in refund.lines.all()) + refund.shipping_amount == D("5.00")
    assert announced  # the wage fund hears of it like any confirmed refund
