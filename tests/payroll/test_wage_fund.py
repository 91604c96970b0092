"""Sales to wages: every paid line credits the fund once; refunds take back their share."""
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payroll import tasks
from payroll.models import JournalEntry, Posting
from payroll.services.reconcile import wage_fund_reconcile
from shop.models import Order, OrderLine, Refund, RefundLine
from shop.services.orders import order_mark_paid
from shop.services.refunds import refund_allocation, refund_apply_stripe_status
from tests.support.factories import OrderFactory, VariantFactory

pytestmark = pytest.mark.django_db
D = Decimal
CENT = D("0.01")


def fund_balance() -> Decimal:
    """What the wage fund holds (it is credit-normal: the negated sum of its postings), summed here in Python."""
    return -sum((p.amount for p in Posting.objects.filter(account__code="wage_fund")), D("0"))


def make_order(lines):
    """A pending order with (unit price, quantity, wage content per unit) lines, 6% tax, no shipping."""
    order = OrderFactory(lines=True, subtotal=0, tax=0, shipping=0, total=0)
    subtotal = tax = D("0")
    for price, quantity, wage in lines:
        variant = VariantFactory(price=price)
        line_tax = (price * quantity * D("0.06")).quantize(CENT, ROUND_HALF_UP)
        OrderLine.objects.create(
            order=order, product=variant.product, variant=variant, title=variant.product.name, sku=variant.sku,
            unit_price=price, quantity=quantity, wage_content=wage, line_total=price * quantity, tax=line_tax,
        )
        subtotal, tax = subtotal + price * quantity, tax + line_tax
    Order.objects.filter(pk=order.pk).update(subtotal=subtotal, tax=tax, total=subtotal + tax)
    order.refresh_from_db()
    return order


def confirm_refund(order, amount):
    """A refund confirmed by Stripe (the webhook path), without calling Stripe."""
    by_line, shipping = refund_allocation(order, amount)
    refund = Refund.objects.create(order=order, payment=order.payments.first() or _payment(order), amount=amount, shipping_amount=shipping)
    RefundLine.objects.bulk_create(RefundLine(refund=refund, order_line_id=k, amount=v) for k, v in by_line.items())
    refund_apply_stripe_status(refund.pk, "succeeded")
    return refund


def _payment(order):
    from shop.models import Payment

    return Payment.objects.create(order=order, stripe_payment_intent_id=f"pi_{order.number}", amount=order.total, status="succeeded")


def test_a_paid_order_credits_each_line_once(django_capture_on_commit_callbacks):
    order = make_order([(D("48.00"), 2, D("18.50")), (D("19.99"), 3, D("7.00"))])
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(order.pk)
    assert fund_balance() == D("58.00")  # 2 x 18.50 + 3 x 7.00
    entries = JournalEntry.objects.filter(source_type="order_line")
    assert entries.count() == 2
    assert all(sum(p.amount for p in e.postings.all()) == 0 for e in entries)
    for _ in range(3):  # the task replayed, the announcement re-swept
        tasks.credit_paid_order(order.pk)
        tasks.sweep_wage_fund()
    assert fund_balance() == D("58.00") and JournalEntry.objects.count() == 2


def test_an_unpaid_order_credits_nothing():
    order = make_order([(D("10.00"), 1, D("4.00"))])
    assert tasks.credit_paid_order(order.pk) == 0
    assert fund_balance() == 0


def test_a_refund_takes_back_its_share_once(django_capture_on_commit_callbacks):
    order = make_order([(D("50.00"), 1, D("20.00"))])  # gross 53.00, wages 20.00
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(order.pk)
        refund = confirm_refund(order, D("26.50"))  # half the line
    assert fund_balance() == D("10.00")
    for _ in range(3):
        tasks.reverse_confirmed_refund(refund.pk)
        refund_apply_stripe_status(refund.pk, "succeeded")
    assert fund_balance() == D("10.00")
    with django_capture_on_commit_callbacks(execute=True):
        confirm_refund(order, D("26.50"))  # the other half: exactly the rest comes back
    assert fund_balance() == D("0.00")


def test_the_sweeper_credits_what_a_lost_enqueue_left_out():
    order = make_order([(D("10.00"), 1, D("4.00"))])
    order_mark_paid(order.pk)  # its on-commit announcement never runs here: "lost"
    assert fund_balance() == 0 and wage_fund_reconcile().uncredited_orders == [order.pk]
    tasks.sweep_wage_fund()
    assert fund_balance() == D("4.00")
    assert wage_fund_reconcile().ok


def test_reconcile_command_reports_differences_and_exits_1(capsys):
    order = make_order([(D("10.00"), 1, D("4.00"))])
    order_mark_paid(order.pk)
    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile_wage_fund")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "does NOT reconcile" in out and f"Paid orders not yet credited: {order.pk}" in out
    tasks.credit_paid_order(order.pk)
    call_command("reconcile_wage_fund")  # no SystemExit: exit status 0
    assert "The wage fund reconciles." in capsys.readouterr().out


def test_nightly_reconciliation_emails_payroll_staff_on_a_mismatch(mailoutbox):
    from shop.platform import roles
    from tests.support.factories import UserFactory

    UserFactory(email="pat@example.org", roles=[roles.PAYROLL_STAFF])
    UserFactory(email="sam@example.org", roles=[roles.SHOP_STAFF])
    assert tasks.reconcile_wage_fund_nightly() is True and mailoutbox == []
    order_mark_paid(make_order([(D("10.00"), 1, D("4.00"))]).pk)  # paid, never credited
    assert tasks.reconcile_wage_fund_nightly() is False
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["pat@example.org"]
    assert "does NOT reconcile" in mailoutbox[0].body


prices = st.integers(min_value=100, max_value=30000).map(lambda c: D(c) / 100)
line_specs = st.tuples(prices, st.integers(min_value=1, max_value=5), st.integers(min_value=0, max_value=100))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    orders=st.lists(
        st.tuples(st.lists(line_specs, min_size=1, max_size=4), st.lists(st.integers(min_value=1, max_value=100), max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_any_orders_with_any_partial_refunds_leave_the_fund_exact(django_capture_on_commit_callbacks, orders):
    start = fund_balance()
    expected = D("0")
    for specs, refund_percents in orders:
        # wage content is a percentage (0..100) of the unit price, to the cent
        lines = [(price, qty, (price * pct / 100).quantize(CENT, ROUND_HALF_UP)) for price, qty, pct in specs]
        order = make_order(lines)
        with django_capture_on_commit_callbacks(execute=True):
            order_mark_paid(order.pk)
            for percent in refund_percents:
                order.refresh_from_db()
                amount = min((order.total * percent / 100).quantize(CENT, ROUND_HALF_UP), order.total - order.amount_refunded)
                if amount > 0:
                    confirm_refund(order, amount)
        # Independently: each line's wages less the same fraction of them as of its price was refunded.
        for line in order.lines.all():
            wages = line.wage_content * line.quantity
            refunded = sum((rl.amount for rl in line.refund_lines.filter(refund__status="succeeded")), D("0"))
            expected += wages - (wages * refunded / line.gross).quantize(CENT, ROUND_HALF_UP)
    assert fund_balance() - start == expected
    for entry in JournalEntry.objects.prefetch_related("postings"):
        assert sum((p.amount for p in entry.postings.all()), D("0")) == 0
    assert wage_fund_reconcile().ok
