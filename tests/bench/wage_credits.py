"""Wage-fund credits through the real Celery worker, next to one bulk insert of the same rows.

    python3 dev.py bench wage_credits                      # or: .venv/bin/python -m tests.bench wage_credits
    python -m tests.bench wage_credits --orders 500 --pool solo
    .venv/bin/python -m tests.bench.wage_credits           # this one alone, without the dispatcher

Needs PostgreSQL and Redis: ``DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/mended_bench, created and migrated when missing) and
``CELERY_BROKER_URL`` (default redis://127.0.0.1:6379/2). When either is unreachable it
says so and reports "skipped: needs PostgreSQL and Redis" (exit status 0).

It works on a fresh database and on one that holds other rows (the demo data, earlier runs):
it deletes and truncates nothing (the ledger refuses DELETE and UPDATE; a TRUNCATE would take
the demo's credits with it). The ledger must reconcile before it starts (else it stops: not
its doing). Each run tags its own orders (numbers ``MT-B<run>-<n>``) and counts only the
credits of its own lines (ids from its first line on). It bulk-creates N orders (--orders,
default 10,000) directly in state "paid" with paid_at set, 1-2 lines each with wage content
(set-up, not measured: no Stripe, no checkout).

It starts a real worker (``celery -A config worker`` via tests.support.processes.CeleryWorker, log
level WARNING, ``DATABASE_CONN_MAX_AGE`` 600 as in production unless set) on a queue of its own: by default the prefork pool with 2 processes
(Celery's default pool, which the README's worker command uses; --concurrency is fixed
rather than the CPU count so runs compare across machines), or --pool solo as the
integration tests run it. Then it measures, from the first announcement until the ledger
holds a credit entry for every line (polled, bounded by --timeout, default 900 s):

    shop.platform.facts.order_paid.send(sender="shop", order_id=...)   for each order, as shop
    does after commit, with Celery eager mode off -> payroll's receiver enqueues
    payroll.tasks.credit_paid_orders (batches of paid order ids) -> the worker posts one entry (2 postings) per line.

It prints orders/s and postings/s, then runs payroll.services.reconcile.wage_fund_reconcile()
(it must be ok, or the benchmark fails). The baseline, in the same run: a twin set of N paid
orders of the same shapes is created (set-up, after the worker's run, so the worker never sees
them), then the same entries and postings for their lines are inserted with one bulk_create
each (entries, then postings) in one transaction, timed (rows/s and the equivalent orders/s);
the ledger must reconcile again. The ratio is worker / bulk insert; the target is 0.25 or
better (reported, not failed). Last, it runs the task's body in this process (no Celery) for
200 more orders, one call per batch of paid order ids as the worker gets them: the queries and time per order;
the difference from the worker's time per order is Celery's share.

The exit status is 1 only when something failed (the worker died, the timeout passed, the
ledger did not reconcile); a missed target is reported.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import traceback
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

from tests.bench.common import FAILED, SKIPPED, Row, report
from tests.support.reachable_services import reachable

NAME = "wage_credits"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mended_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/2"
SKIP_NOTE = "needs PostgreSQL and Redis"
WORKER_START_TIMEOUT = 60.0
POLL_SECONDS = 0.1
PROGRESS_SECONDS = 10.0
TARGET = 0.25
TWIN_START, PROBE_START, PROBE_ORDERS = 5_000_000, 9_000_000, 200


class BenchError(Exception):
    pass


# -- services ---------------------------------------------------------------------------
def missing_services(database_url: str, broker_url: str) -> list[str]:
    missing = []
    if not database_url.startswith(("postgres://", "postgresql://")):
        missing.append(f"DATABASE_URL does not name PostgreSQL ({database_url.split('://')[0]})")
    elif not reachable(database_url, 5432):
        missing.append(f"PostgreSQL at {urlparse(database_url).netloc.rpartition('@')[2]} is unreachable")
    if not broker_url.startswith("redis://"):
        missing.append(f"CELERY_BROKER_URL does not name Redis ({broker_url.split('://')[0]})")
    elif not reachable(broker_url, 6379):
        missing.append(f"Redis at {urlparse(broker_url).netloc.rpartition('@')[2]} is unreachable")
    return missing


def ensure_database(database_url: str) -> bool:
    """Create the database named in the URL if it is missing (via the postgres database)."""
    import psycopg
    from psycopg import sql

    url = urlparse(database_url)
    name = unquote(url.path.lstrip("/"))
    params = {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": unquote(url.username or ""),
        "password": unquote(url.password or ""),
        "dbname": "postgres",
        "connect_timeout": 5,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v != ""}, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


# -- set-up -----------------------------------------------------------------------------
def truncate(tables) -> list[str]:
    """TRUNCATE ... CASCADE; returns the other tables PostgreSQL says it cascaded to."""
    from django.db import connection

    connection.ensure_connection()
    notices: list[str] = []
    raw = connection.connection

    def handler(diag) -> None:
        notices.append(diag.message_primary or "")

    raw.add_notice_handler(handler)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    finally:
        raw.remove_notice_handler(handler)
    return [n.removeprefix("truncate cascades to table ").strip('"') for n in notices]


def create_paid_orders(count: int, run: str, start: int = 0) -> tuple[list[int], list[int]]:
    """Bulk-create `count` paid orders with 1-2 lines each, numbered MT-B<run>-<n>; (order ids, line ids)."""
    from django.db import transaction
    from django.utils import timezone

    from shop.models import Order, OrderLine
    from shop.platform.money import quantize

    now = timezone.now()
    shapes = []  # per order: [(unit price, quantity, wage content per unit)]
    for n in range(start, start + count):
        shapes.append(
            [(Decimal(20 + (n + k) % 40), 1 + (n + k) % 3, Decimal("8.00") + Decimal((n + k) % 5) / 4) for k in range(1 + n % 2)]
        )
    orders = []
    for n, shape in zip(range(start, start + count), shapes):
        subtotal = sum((price * qty for price, qty, _ in shape), Decimal(0))
        tax = sum((quantize(price * qty * Decimal("0.07")) for price, qty, _ in shape), Decimal(0))
        shipping = Decimal("6.00")
        orders.append(
            Order(
                number=f"MT-B{run}-{n:07d}", email=f"bench{n}@example.com", state=Order.State.PAID, paid_at=now,
                shipping_method_name="Bench post", ship_name=f"Bench Customer {n}", ship_line1="1 Bench Road",
                ship_city="Tampa", ship_state="FL", ship_postal_code="33602",
                subtotal=subtotal, shipping=shipping, tax=tax, total=subtotal + shipping + tax,
            )
        )
    with transaction.atomic():
        orders = Order.objects.bulk_create(orders, batch_size=2000)
        lines = OrderLine.objects.bulk_create(
            (
                OrderLine(
                    order=order, title=f"Bench tote {k}", variant_label="One size", sku=f"BENCH-TOTE-{k}",
                    unit_price=price, quantity=qty, wage_content=wage, line_total=price * qty,
                    tax=quantize(price * qty * Decimal("0.07")),
                )
                for order, shape in zip(orders, shapes)
                for k, (price, qty, wage) in enumerate(shape)
            ),
            batch_size=2000,
        )
    return [o.pk for o in orders], [line.pk for line in lines]


# -- the worker -------------------------------------------------------------------------
def make_worker(pool: str, concurrency: int, queue: str, env: dict, log_path: Path):
    from tests.support.processes import CeleryWorker

    worker = CeleryWorker(queue=queue, env=env, log_path=log_path, loglevel="WARNING")
    if pool != "solo":
        worker.argv = [a for a in worker.argv if not a.startswith(("--pool=", "--concurrency="))]
        worker.argv += [f"--pool={pool}", f"--concurrency={concurrency}"]
    return worker


def start_worker(worker) -> float:
    """Spawn and wait for an answer to a ping (at WARNING the worker logs no "ready.")."""
    began = time.monotonic()
    worker.spawn()
    deadline = began + WORKER_START_TIMEOUT
    while not worker.ping():
        if not worker.alive:
            raise BenchError(f"the Celery worker exited before answering a ping\n{worker.describe()}")
        if time.monotonic() > deadline:
            raise BenchError(f"the Celery worker did not answer a ping within {WORKER_START_TIMEOUT:g} s\n{worker.describe()}")
    return time.monotonic() - began


def worker_problems(worker) -> list[str]:
    return [line for line in worker.log_text().splitlines() if "ERROR" in line or "Traceback" in line or "CRITICAL" in line]


# -- measuring ----------------------------------------------------------------------------
def pg_stats() -> dict:
    """This database's cumulative counters (flushed by backends at most every second)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT sessions, xact_commit, xact_rollback, tup_inserted FROM pg_stat_database WHERE datname = current_database()"
        )
        sessions, commits, rollbacks, inserted = cursor.fetchone()
    return {"sessions": sessions, "commits": commits, "rollbacks": rollbacks, "inserted": inserted}


def credited_entries(first_line: int) -> int:
    """Credit entries of this run's lines (ids from its first line on; no one else adds lines here)."""
    from payroll.models import JournalEntry

    return JournalEntry.objects.filter(source_type="order_line", source_id__gte=first_line).count()


def announce_and_wait(order_ids: list[int], first_line: int, expected: int, worker, timeout: float) -> dict:
    """Send order_paid for every order; wait until the ledger holds `expected` credits."""
    from celery.signals import after_task_publish

    from payroll.receivers import paid_orders
    from shop.platform.facts import order_paid

    published = []

    def on_publish(sender=None, routing_key=None, **_):
        published.append((sender, routing_key))

    after_task_publish.connect(on_publish, weak=False)
    try:
        began = time.monotonic()
        for order_id in order_ids:
            order_paid.send(sender="shop", order_id=order_id)
        paid_orders.flush()  # the last part-batch now, not after the receiver's timer
        announced = time.monotonic() - began
    finally:
        after_task_publish.disconnect(on_publish)
    # The receiver sends paid orders in batches (payroll/receivers.py): one credit_paid_orders
    # message per BATCH_ORDERS ids, never one message per order.
    wrong = [p for p in published if p != ("payroll.tasks.credit_paid_orders", worker.queue)]
    if not published or len(published) >= len(order_ids) > 1 or wrong:
        raise BenchError(
            f"{len(order_ids)} announcements published {len(published)} task(s), {len(wrong)} of them not "
            f"credit_paid_orders on {worker.queue}: {wrong[:3]}"
        )
    print(f"  announced {len(order_ids)} orders in {announced:.2f} s "
          f"({1000 * announced / len(order_ids):.2f} ms each, publishing included)", flush=True)

    deadline = began + timeout
    next_progress = time.monotonic() + PROGRESS_SECONDS
    polls = 0
    while True:
        done = credited_entries(first_line)
        polls += 1
        now = time.monotonic()
        if done >= expected:
            break
        if not worker.alive:
            raise BenchError(f"the worker died with {done}/{expected} entries posted\n{worker.describe()}")
        if now > deadline:
            raise BenchError(f"timed out after {timeout:g} s with {done}/{expected} entries posted\n{worker.describe()}")
        if now >= next_progress:
            rate = done / (now - began)
            print(f"  {now - began:6.0f} s: {done}/{expected} entries ({rate:.0f}/s)", flush=True)
            next_progress = now + PROGRESS_SECONDS
        time.sleep(POLL_SECONDS)
    return {"elapsed": time.monotonic() - began, "announced": announced, "polls": polls, "entries": done}


def bulk_baseline(order_ids: list[int]) -> dict:
    """Insert the credit entries and postings of these (twin) orders' lines with one bulk_create each."""
    from django.db import transaction
    from django.utils import timezone

    from payroll.models import Account, JournalEntry, Posting
    from payroll.services.wage_fund import CLEARING, PAID_STATES, WAGE_FUND, credit_key
    from shop.models import OrderLine
    from shop.wages import line_wage_total

    accounts = {a.code: a for a in Account.objects.filter(code__in=[WAGE_FUND, CLEARING])}
    rows = OrderLine.objects.filter(order__in=order_ids, order__state__in=PAID_STATES).values_list(
        "pk", "quantity", "title", "wage_content", "order__number", "order__paid_at"
    )
    entries, wages = [], []
    for pk, quantity, title, wage_content, number, paid_at in rows.iterator():
        wage = line_wage_total(wage_content, quantity)
        if wage <= 0:
            continue
        entries.append(
            JournalEntry(
                date=timezone.localdate(paid_at), memo=f"Wage content, order {number}: {quantity} × {title}"[:200],
                source_type="order_line", source_id=pk, idempotency_key=credit_key(pk),
            )
        )
        wages.append(wage)
    began = time.monotonic()
    with transaction.atomic():  # the deferred balance trigger runs at this commit, as for the worker's
        entries = JournalEntry.objects.bulk_create(entries)
        postings = Posting.objects.bulk_create(
            posting
            for entry, wage in zip(entries, wages)
            for posting in (
                Posting(entry=entry, account=accounts[CLEARING], amount=wage),
                Posting(entry=entry, account=accounts[WAGE_FUND], amount=-wage),
            )
        )
    return {"elapsed": time.monotonic() - began, "entries": len(entries), "postings": len(postings)}


def probe_in_process(run_tag: str) -> dict:
    """Credit PROBE_ORDERS more orders in this process, one task-body call per batch as the
    worker gets them (no Celery, one connection kept): queries and seconds per order. The
    ledger stays whole: these orders are paid and get credited."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payroll.services.wage_fund import BATCH_ORDERS
    from payroll.tasks import credit_paid_orders

    order_ids, line_ids = create_paid_orders(PROBE_ORDERS, run_tag, start=PROBE_START)
    batches = [order_ids[i:i + BATCH_ORDERS] for i in range(0, len(order_ids), BATCH_ORDERS)]
    connection.ensure_connection()
    with CaptureQueriesContext(connection) as first:
        credit_paid_orders.run(batches[0])  # the task's function, as the worker calls it
    began = time.monotonic()
    with CaptureQueriesContext(connection) as captured:
        for batch in batches[1:]:
            credit_paid_orders.run(batch)
    seconds = time.monotonic() - began + sum(float(q["time"]) for q in first.captured_queries)
    queries = len(first.captured_queries) + len(captured.captured_queries)
    return {"orders": len(order_ids), "queries": queries / len(order_ids), "seconds": seconds / len(order_ids),
            "first_sql": [q["sql"] for q in first.captured_queries], "credited": credited_entries(line_ids[0]),
            "lines": len(line_ids)}


# -- the benchmark ----------------------------------------------------------------------
def run(args) -> Row:
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    broker_url = os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER_URL
    missing = missing_services(database_url, broker_url)
    if not missing:
        try:
            created = ensure_database(database_url)
        except Exception as exc:  # psycopg.OperationalError and friends: cannot use it
            missing.append(f"PostgreSQL at {database_url} refused: {str(exc).strip().splitlines()[0]}")
    if missing:
        print(f"Skipped: this benchmark {SKIP_NOTE} ({'; '.join(missing)}).\n"
              f"Set DATABASE_URL and CELERY_BROKER_URL, or start them on the defaults "
              f"({DEFAULT_DATABASE_URL}, {DEFAULT_BROKER_URL}).", flush=True)
        return Row(NAME, note=SKIP_NOTE, status=SKIPPED)

    queue = f"mended-bench-{uuid.uuid4().hex[:12]}"
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",  # the project's settings, DEBUG off
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_QUEUE": queue,
        "LOG_LEVEL": "WARNING",
        # As in production: the worker keeps its connection between tasks (checked before reuse).
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "600"),
    })
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from config.celery import app
    from payroll.services.reconcile import wage_fund_reconcile

    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    settings.CELERY_TASK_DEFAULT_QUEUE = queue

    db_name = urlparse(database_url).path.lstrip("/")
    print(f"Database {db_name}{' (created)' if created else ''}: migrating ...", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    found = wage_fund_reconcile()
    if not found.ok:
        print("\n".join("    " + line for line in found.lines()[:20]))
        raise BenchError(f"the ledger of {db_name} does not reconcile before the benchmark starts (not its doing); "
                         f"run manage.py reconcile_wage_fund there")
    run_tag = uuid.uuid4().hex[:6]
    began = time.monotonic()
    order_ids, line_ids = create_paid_orders(args.orders, run_tag)
    expected, first_line = len(line_ids), line_ids[0]
    print(f"Set up {len(order_ids)} paid orders (MT-B{run_tag}-*) with {expected} lines in {time.monotonic() - began:.1f} s; "
          f"the ledger reconciled before (nothing deleted or truncated)", flush=True)

    pool = args.pool if args.pool == "solo" else f"prefork x{args.concurrency}"
    with tempfile.TemporaryDirectory(prefix="mended-bench-worker-") as tmp:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        worker = make_worker(args.pool, args.concurrency, queue, env, Path(tmp) / "worker.log")
        try:
            started = start_worker(worker)
            print(f"Worker: pool {pool}, queue {queue}, ready in {started:.1f} s", flush=True)
            before = pg_stats()
            measured = announce_and_wait(order_ids, first_line, expected, worker, args.timeout)
            time.sleep(1.5)  # let backends flush their statistics
            after = pg_stats()
            problems = worker_problems(worker)
        finally:
            worker.stop()
            try:
                worker.delete_queue()
            except Exception as exc:  # the broker went away: say so, do not hide the result
                print(f"warning: could not delete queue {queue}: {exc}")
    if problems:
        print(f"The worker logged {len(problems)} error line(s), the first:\n  " + "\n  ".join(problems[:10]))

    n, entries, elapsed = len(order_ids), measured["entries"], measured["elapsed"]
    orders_s, postings_s = n / elapsed, 2 * entries / elapsed
    delta = {k: after[k] - before[k] for k in after}
    print(f"\nThrough the worker ({pool}): {n} orders, {entries} entries, {2 * entries} postings in {elapsed:.2f} s")
    print(f"  {orders_s:.1f} orders/s, {entries / elapsed:.1f} entries/s, {postings_s:.1f} postings/s")
    print(f"  PostgreSQL during the run (approximate): {delta['sessions']} sessions opened "
          f"({delta['sessions'] / n:.2f} per order), {delta['commits'] - measured['polls']} commits besides "
          f"the {measured['polls']} polls ({(delta['commits'] - measured['polls']) / n:.2f} per order), "
          f"{delta['rollbacks']} rollbacks")

    report_ok = wage_fund_reconcile()
    print(f"  wage_fund_reconcile(): ok={report_ok.ok}")
    if not report_ok.ok or entries != expected:
        print("\n".join("    " + line for line in report_ok.lines()[:20]))
        raise BenchError(f"the ledger does not reconcile after the worker's run (ok={report_ok.ok}, "
                         f"{entries} entries for {expected} lines)")

    twin_ids, _ = create_paid_orders(args.orders, run_tag, start=TWIN_START)
    base = bulk_baseline(twin_ids)
    b_elapsed, b_rows = base["elapsed"], base["entries"] + base["postings"]
    b_orders_s = n / b_elapsed
    base_ok = wage_fund_reconcile().ok
    print(f"\nBaseline, one bulk_create each, for a twin set of {len(twin_ids)} orders: {base['entries']} entries + "
          f"{base['postings']} postings in {b_elapsed:.3f} s")
    print(f"  {b_rows / b_elapsed:.0f} rows/s, {base['postings'] / b_elapsed:.0f} postings/s, the same as {b_orders_s:.0f} orders/s; "
          f"reconciles: {base_ok}")
    if base["entries"] != entries or not base_ok:
        raise BenchError(f"the baseline did not write the same ledger ({base['entries']} entries, reconciles: {base_ok})")
    ratio = orders_s / b_orders_s
    verdict = "met" if ratio >= TARGET else "MISSED"
    print(f"\nworker / bulk insert = {ratio:.4f}  (target {TARGET} or better: {verdict}; the bulk insert is "
          f"{1 / ratio:.1f}x faster)")

    probe = probe_in_process(run_tag)
    probe_ok = wage_fund_reconcile().ok
    if probe["credited"] != probe["lines"] or not probe_ok:
        raise BenchError(f"the in-process probe left {probe['lines'] - probe['credited']} line(s) uncredited "
                         f"(reconciles: {probe_ok})")
    print(f"\nThe task's body in this process, no Celery, one call per batch of ids ({probe['orders']} orders): "
          f"{probe['queries']:.2f} queries and {1000 * probe['seconds']:.2f} ms an order; reconciles: {probe_ok}. "
          f"The first call's queries (one batch):")
    for sql in probe["first_sql"]:
        print(f"    {sql[:140]}")
    print(f"The worker took {1000 * elapsed / n:.2f} ms an order ({pool}"
          + (f"; {1000 * elapsed * args.concurrency / n:.2f} ms per order in each process" if args.pool != "solo" else "")
          + ")")
    return Row(
        NAME,
        figure=f"{orders_s:.0f} orders/s, {postings_s:.0f} postings/s (worker, {pool})",
        baseline=f"{b_orders_s:.0f} orders/s, {b_rows / b_elapsed:.0f} rows/s (1 bulk insert)",
        ratio=f"{ratio:.4f}",
        note=f"target {TARGET}: {verdict}; {n} orders in {elapsed:.1f} s; reconciled ok after each step; "
        f"~{probe['queries']:.1f} queries per order in process"
        + ("; the database held other rows" if not created else "")
        + (f"; {len(problems)} worker error line(s)" if problems else ""),
    )



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench wage_credits", description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000, help="paid orders to credit (default 10000)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the ledger (default 900)")
    parser.add_argument("--pool", choices=["solo", "prefork"], default="prefork", help="the worker's pool (default prefork)")
    parser.add_argument("--concurrency", type=int, default=2, help="prefork processes (default 2)")
    args = parser.parse_args(argv)
    if args.orders < 1 or args.timeout <= 0 or args.concurrency < 1:
        parser.error("--orders, --timeout and --concurrency must be positive")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the worker when killed

    import pytest  # tests.support.processes reports failures with pytest.fail

    try:
        row = run(args)
    except (Exception, pytest.fail.Exception) as exc:
        traceback.print_exc()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"FAILED: {message}", flush=True)
        report(Row(NAME, note=message, status=FAILED))
        return 1
    report(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
