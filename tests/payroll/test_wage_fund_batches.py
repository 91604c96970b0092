"""Crediting in batches: several paid orders per transaction, one multi-row insert, each line once."""
from datetime import date, datetime, timezone as dt_timezone
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError

from config.celery import app
from payroll import receivers, tasks
from payroll.models import JournalEntry, Posting
from payroll.services import wage_fund
from payroll.services.reconcile import wage_fund_reconcile
from shop.models import Order, OrderLine
from shop.platform.facts import order_paid
from shop.services.orders import order_mark_paid
from tests.support.factories import OrderFactory, VariantFactory

pytestmark = pytest.mark.django_db
D = Decimal
PAID_AT = datetime(2026, 11, 30, 3, 30, tzinfo=dt_timezone.utc)  # 22:30 on 29 November in New York


def fund_balance() -> Decimal:
    return -sum((p.amount for p in Posting.objects.filter(account__code="wage_fund")), D("0"))


def orders(*shapes, state=Order.State.PAID, prefix="MT-T"):
    """Set-up: orders numbered prefix0000, prefix0001, ... written in bulk, each with (title,
    quantity, wage content per unit) lines."""
    variant = VariantFactory(price=D("10.00"))
    made = Order.objects.bulk_create(
        Order(number=f"{prefix}{n:04d}", email=f"t{n}@example.org", state=state, paid_at=PAID_AT if state != "pending" else None,
              shipping_method_name="Standard", ship_name="T", subtotal=D("10.00"), shipping=D("0"), tax=D("0"), total=D("10.00"))
        for n in range(len(shapes))
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, product=variant.product, variant=variant, title=title, sku=variant.sku, unit_price=D("10.00"),
                  quantity=quantity, wage_content=wage, line_total=D("10.00") * quantity, tax=D("0"))
        for order, shape in zip(made, shapes)
        for title, quantity, wage in shape
    )
    return made


def ledger():
    """Every entry as (key, date, memo, source_type, ((account, amount), ...)), in key order."""
    return sorted(
        (e.idempotency_key, e.date, e.memo, e.source_type, tuple((p.account.code, p.amount) for p in e.postings.all()))
        for e in JournalEntry.objects.prefetch_related("postings__account")
    )


def credit_row(line, amount, memo):
    return (f"order-line:{line.pk}:credit", date(2026, 11, 29), memo, "order_line",
            (("shop_revenue_clearing", D(amount)), ("wage_fund", -D(amount))))


def test_a_batch_posts_one_entry_per_paid_line_as_written_out_here():
    tote_and_candle, soap_and_free, unpaid = orders(
        [("Tote", 2, D("18.50")), ("Candle", 3, D("7.00"))],
        [("Soap", 1, D("4.25")), ("Sticker", 4, D("0.00"))],  # no wage content: no entry
        [("Scarf", 1, D("9.00"))],
    )
    Order.objects.filter(pk=unpaid.pk).update(state=Order.State.PENDING, paid_at=None)
    tote, candle = tote_and_candle.lines.order_by("pk")
    soap = soap_and_free.lines.get(title="Soap")

    assert wage_fund.wage_fund_credit_orders([tote_and_candle.pk, soap_and_free.pk, unpaid.pk]) == 3

    assert ledger() == sorted([
        credit_row(tote, "37.00", "Wage content, order MT-T0000: 2 × Tote"),
        credit_row(candle, "21.00", "Wage content, order MT-T0000: 3 × Candle"),
        credit_row(soap, "4.25", "Wage content, order MT-T0001: 1 × Soap"),
    ])
    assert fund_balance() == D("62.25")
    assert wage_fund_reconcile().ok  # the pending order owes the fund nothing yet


def test_the_same_batch_twice_or_two_overlapping_batches_post_nothing_twice():
    made = orders(*[[("Tote", 1, D(wage))] for wage in ("1.00", "2.00", "4.00", "8.00", "16.00", "32.00")])
    ids = [o.pk for o in made]
    assert wage_fund.wage_fund_credit_orders(ids[:4]) == 4
    assert wage_fund.wage_fund_credit_orders(ids[:4]) == 0  # a retried batch
    assert wage_fund.wage_fund_credit_orders(ids[2:]) == 2  # overlaps the first: only the last two are new
    assert wage_fund.wage_fund_credit_orders(ids) == 0
    assert fund_balance() == D("63.00")
    assert JournalEntry.objects.count() == 6 and Posting.objects.count() == 12
    assert wage_fund_reconcile().ok


def test_a_line_another_batch_credited_after_this_one_read_it_gets_no_second_postings():
    """The race between two workers: this batch read a line as uncredited, another batch then
    committed its credit; the insert skips it (ON CONFLICT DO NOTHING) and adds no postings."""
    first, second = orders([("Tote", 1, D("5.00"))], [("Candle", 2, D("3.00"))])
    assert wage_fund.wage_fund_credit_orders([first.pk]) == 1
    stale = OrderLine.objects.filter(order__state__in=wage_fund.PAID_STATES, wage_content__gt=0)  # blind to credits
    with mock.patch.object(wage_fund, "_uncredited_lines", return_value=stale):
        assert wage_fund.wage_fund_credit_orders([first.pk, second.pk]) == 1
    assert Posting.objects.filter(entry__source_id=first.lines.get().pk).count() == 2
    assert fund_balance() == D("11.00") and JournalEntry.objects.count() == 2


@pytest.mark.parametrize("rows_a_statement", [1, 3])
def test_entries_split_over_several_statements_return_only_the_new_ones(rows_a_statement):
    """As SQLite's parameter limit splits a large batch: each statement returns the entries it
    inserted, a line another batch credited first (here: every other line) gets no postings."""
    made = orders(*[[("Tote", 1, D("1.00")), ("Candle", 1, D("0.10"))] for _ in range(4)])
    lines = list(OrderLine.objects.filter(order__in=made).order_by("pk"))
    stale = OrderLine.objects.filter(order__state__in=wage_fund.PAID_STATES, wage_content__gt=0)  # blind to credits
    wage_fund.wage_fund_credit_orders([made[0].pk, made[2].pk])  # 4 lines credited first
    connection = wage_fund.connections["default"]
    with mock.patch.object(connection.ops, "bulk_batch_size", return_value=rows_a_statement), \
            mock.patch.object(wage_fund, "_uncredited_lines", return_value=stale):
        assert wage_fund.wage_fund_credit_orders([o.pk for o in made]) == 4
    assert fund_balance() == D("4.40") and JournalEntry.objects.count() == 8 and Posting.objects.count() == 16
    assert sorted(JournalEntry.objects.values_list("source_id", flat=True)) == [line.pk for line in lines]
    assert wage_fund_reconcile().ok


def test_the_database_refuses_a_second_credit_of_a_line_even_under_another_key():
    (order,) = orders([("Tote", 1, D("5.00"))])
    wage_fund.wage_fund_credit_orders([order.pk])
    with pytest.raises(IntegrityError):
        JournalEntry.objects.create(date=date(2026, 11, 29), memo="again", source_type="order_line",
                                    source_id=order.lines.get().pk, idempotency_key="another-spelling")


@pytest.mark.parametrize("count", [5, 50])
def test_a_batch_of_5_or_50_orders_runs_the_same_queries(count, django_assert_num_queries):
    made = orders(*[[("Tote", 1, D("2.00")), ("Candle", 1, D("1.00"))] for _ in range(count)])
    # savepoint, the lines, the accounts, the entries (returning the new ones), the postings, release
    with django_assert_num_queries(6):
        assert wage_fund.wage_fund_credit_orders([o.pk for o in made]) == 2 * count
    assert fund_balance() == D("3.00") * count


def test_a_task_for_an_order_already_credited_costs_one_query(django_assert_num_queries):
    (order,) = orders([("Tote", 1, D("2.00"))])
    wage_fund.wage_fund_credit_orders([order.pk])
    with django_assert_num_queries(1):
        assert tasks.credit_paid_order(order.pk) == 0


def test_the_task_for_one_order_credits_the_paid_orders_of_its_block_with_it(monkeypatch):
    monkeypatch.setattr(wage_fund, "BATCH_ORDERS", 10**9)  # every id of this test in one block
    first, second, third = orders([("Tote", 1, D("5.00"))], [("Candle", 1, D("3.00"))], [("Soap", 2, D("1.50"))])
    (pending,) = orders([("Scarf", 1, D("9.00"))], state=Order.State.PENDING, prefix="MT-P")
    assert tasks.credit_paid_order(second.pk) == 3  # its own line and its paid neighbours'
    assert tasks.credit_paid_order(first.pk) == 0 and tasks.credit_paid_order(third.pk) == 0
    assert tasks.credit_paid_order(pending.pk) == 0
    assert fund_balance() == D("11.00")
    assert not JournalEntry.objects.filter(source_id=pending.lines.get().pk).exists()


def test_the_task_leaves_orders_of_other_blocks_to_their_own_tasks(monkeypatch):
    monkeypatch.setattr(wage_fund, "BATCH_ORDERS", 1)  # a block of one id: no neighbours
    first, second = orders([("Tote", 1, D("5.00"))], [("Candle", 1, D("3.00"))])
    assert tasks.credit_paid_order(first.pk) == 1
    assert fund_balance() == D("5.00")
    assert tasks.credit_paid_order(second.pk) == 1
    assert fund_balance() == D("8.00")


def failing_on(amount):
    """Posting.objects.bulk_create that fails (as the database would) when a posting has this amount."""
    real = Posting.objects.bulk_create

    def bulk_create(postings, *args, **kwargs):
        postings = list(postings)
        if any(p.amount == amount for p in postings):
            raise IntegrityError("injected: this order's postings cannot be written")
        return real(postings, *args, **kwargs)

    return mock.patch.object(Posting.objects, "bulk_create", side_effect=bulk_create)


def test_one_order_failing_mid_batch_leaves_nothing_half_written_and_the_others_are_credited():
    good, bad, other = orders([("Tote", 1, D("5.00"))], [("Candle", 1, D("6.66"))], [("Soap", 1, D("2.00"))])
    with failing_on(D("6.66")), pytest.raises(IntegrityError, match="injected"):
        wage_fund.wage_fund_credit_orders([good.pk, bad.pk, other.pk])
    # The batch's entries were inserted before its postings failed: all rolled back, then each
    # order went again in a transaction of its own; only the bad one is missing, whole.
    assert not JournalEntry.objects.filter(postings__isnull=True).exists()
    assert not JournalEntry.objects.filter(source_id=bad.lines.get().pk).exists()
    assert fund_balance() == D("7.00")
    assert wage_fund_reconcile().uncredited_orders == [bad.pk]
    tasks.sweep_wage_fund()  # once the fault is gone, the nightly sweep credits it
    assert fund_balance() == D("13.66") and wage_fund_reconcile().ok


def test_a_database_outage_mid_batch_is_retried_whole_not_order_by_order():
    made = orders([("Tote", 1, D("5.00"))], [("Candle", 1, D("3.00"))])
    with mock.patch.object(Posting.objects, "bulk_create", side_effect=OperationalError("server closed the connection")) as insert:
        with pytest.raises(OperationalError):
            wage_fund.wage_fund_credit_orders([o.pk for o in made])
    assert insert.call_count == 1  # no per-order fallback: the task's autoretry runs the batch again
    assert JournalEntry.objects.count() == 0
    assert wage_fund.wage_fund_credit_orders([o.pk for o in made]) == 2 and fund_balance() == D("8.00")


def test_the_sweep_sends_the_unposted_orders_in_batches(monkeypatch):
    monkeypatch.setattr(wage_fund, "BATCH_ORDERS", 2)
    made = orders(*[[("Tote", 1, D("1.25"))] for _ in range(5)])
    ids = [o.pk for o in made]
    with mock.patch.object(tasks.credit_paid_orders, "delay", wraps=tasks.credit_paid_orders.delay) as delay, \
            mock.patch.object(tasks.credit_paid_order, "delay") as one_by_one:
        tasks.sweep_wage_fund()
    assert [c.args for c in delay.call_args_list] == [([ids[0], ids[1]],), ([ids[2], ids[3]],), ([ids[4]],)]
    assert one_by_one.call_count == 0
    assert fund_balance() == D("6.25") and wage_fund_reconcile().ok


def test_messages_already_queued_under_the_old_task_name_are_still_handled():
    (order,) = orders([("Tote", 2, D("4.00"))])
    assert {"payroll.tasks.credit_paid_order", "payroll.tasks.credit_paid_orders"} <= set(app.tasks)
    app.tasks["payroll.tasks.credit_paid_order"].apply(args=[order.pk]).get()
    assert fund_balance() == D("8.00")


def test_eagerly_every_paid_order_is_credited_as_it_is_paid(django_capture_on_commit_callbacks):
    """The embedded default (no broker: tasks run in-process): each payment credits at once."""
    placed = [OrderFactory(lines=True) for _ in range(3)]  # lines=True: no default line
    for order, (quantity, wage) in zip(placed, [(1, "6.00"), (2, "2.50"), (3, "1.10")]):
        variant = VariantFactory(price=D("20.00"))
        OrderLine.objects.create(order=order, product=variant.product, variant=variant, title="Tote", sku=variant.sku,
                                 unit_price=D("20.00"), quantity=quantity, wage_content=D(wage),
                                 line_total=D("20.00") * quantity, tax=D("0"))
    expected = [D("6.00"), D("11.00"), D("14.30")]
    for order, balance in zip(placed, expected):
        with django_capture_on_commit_callbacks(execute=True):
            order_mark_paid(order.pk)
        assert fund_balance() == balance
    assert wage_fund_reconcile().ok


# -- the receiver: paid orders go to the worker in batches -----------------------------------
class FakeTimer:
    """Stands in for threading.Timer: records each timer started; the test fires it."""

    started: list["FakeTimer"] = []

    def __init__(self, seconds, function):
        self.seconds, self.function, self.cancelled = seconds, function, False

    def start(self):
        FakeTimer.started.append(self)

    def cancel(self):
        self.cancelled = True

    def fire(self):
        if not self.cancelled:
            self.function()


@pytest.fixture
def fake_timers():
    FakeTimer.started = []
    return FakeTimer.started


def test_ids_are_sent_a_full_batch_at_a_time_and_the_rest_when_the_timer_fires(fake_timers):
    sent = []
    batch = receivers.PaidOrderBatch(sent.append, size=3, seconds=0.2, timer=FakeTimer)
    for order_id in [11, 12, 13, 14, 15, 16, 17]:
        batch.add(order_id)
    assert sent == [[11, 12, 13], [14, 15, 16]]  # the id that fills a batch sends it at once
    assert [t.seconds for t in fake_timers] == [0.2, 0.2, 0.2]  # one timer per batch begun
    assert [t.cancelled for t in fake_timers] == [True, True, False]  # a full batch stops its timer
    fake_timers[0].fire()  # a cancelled timer that fires anyway (it was already running) sends nothing
    assert sent == [[11, 12, 13], [14, 15, 16]]
    fake_timers[2].fire()
    assert sent == [[11, 12, 13], [14, 15, 16], [17]]
    batch.flush()  # nothing held: nothing sent
    batch.add(18)
    assert len(fake_timers) == 4 and sent[-1] == [17]


def test_a_send_the_broker_refuses_is_logged_and_the_next_batch_still_goes(fake_timers, caplog):
    sent = []

    def send(ids):
        if 2 in ids:
            raise OSError("broker unreachable")
        sent.append(ids)

    batch = receivers.PaidOrderBatch(send, size=2, seconds=0.2, timer=FakeTimer)
    for order_id in [1, 2, 3, 4]:
        batch.add(order_id)  # never raises into the payment's on-commit callback
    assert sent == [[3, 4]]
    assert "Could not enqueue the wage-fund credit of orders [1, 2]" in caplog.text


def test_paid_orders_are_published_as_one_message_per_batch_and_credited_once(monkeypatch, fake_timers,
                                                                             django_assert_num_queries):
    """With a broker (eager off): 5 payments, batches of 2, publish 3 credit_paid_orders
    messages and no per-order ones; running them (and a duplicate) credits each line once."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(receivers, "paid_orders", receivers.PaidOrderBatch(receivers._send_paid_orders, size=2, seconds=0.2,
                                                                           timer=FakeTimer))
    made = orders(*[[("Tote", 1, D(wage)), ("Candle", 2, D("0.50"))] for wage in ("1.00", "2.00", "3.00", "4.00", "5.00")],
                  state=Order.State.PENDING)
    ids = [o.pk for o in made]
    with mock.patch.object(tasks.credit_paid_orders, "delay") as batched, \
            mock.patch.object(tasks.credit_paid_order, "delay") as one_by_one:
        with django_assert_num_queries(0):  # announcing costs the paying request no query
            for order_id in ids:
                order_paid.send(sender="shop", order_id=order_id)
        assert [c.args for c in batched.call_args_list] == [([ids[0], ids[1]],), ([ids[2], ids[3]],)]
        fake_timers[-1].fire()  # the last, lone order goes when its timer fires
    messages = [c.args[0] for c in batched.call_args_list]
    assert messages == [[ids[0], ids[1]], [ids[2], ids[3]], [ids[4]]] and one_by_one.call_count == 0
    Order.objects.filter(pk__in=ids).update(state=Order.State.PAID, paid_at=PAID_AT)  # (paid: set-up in bulk)
    assert [tasks.credit_paid_orders(m) for m in messages] == [4, 4, 2]
    assert tasks.credit_paid_orders(messages[0]) == 0  # a redelivered message
    assert fund_balance() == D("20.00") and JournalEntry.objects.count() == 10
    assert wage_fund_reconcile().ok


def test_a_forked_child_starts_with_no_ids_and_no_timer_of_its_parent(fake_timers):
    sent = []
    batch = receivers.PaidOrderBatch(sent.append, size=10, seconds=0.2, timer=FakeTimer)
    batch.add(7)
    batch._reset()  # what os.register_at_fork runs in the child
    batch.add(8)
    fake_timers[-1].fire()
    assert sent == [[8]] and len(fake_timers) == 2
