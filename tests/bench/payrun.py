"""A pay run's calculation for N employees with M approved time entries each, next to 50 employees.

    python3 dev.py bench payrun                       # or: .venv/bin/python -m tests.bench payrun
    python -m tests.bench payrun --employees 2000 --entries 10
    python -m tests.bench payrun --profile            # and print where the big run's time goes
    .venv/bin/python -m tests.bench.payrun            # this one alone, without the dispatcher

Database: PostgreSQL, as wage_credits uses it: ``DATABASE_URL`` when it names PostgreSQL,
else postgres://postgres@127.0.0.1:5432/mended_bench (created and migrated when missing).
When PostgreSQL is unreachable (or with --sqlite) it uses a throw-away SQLite file in a
temporary directory instead, and says so; the row's note names the database either way.

The payroll tables are the benchmark's own: every round starts with ``TRUNCATE
payroll_paystub, payroll_payadjustment, payroll_timeentry, payroll_payrun, payroll_payrate,
payroll_withholdingcertificate, payroll_employee CASCADE`` (the ledger tables are not
touched: no pay run here is approved). Set-up, not measured: bulk-created employees
(encrypted legal name, a valid unique SSN, hire date 2025-06-02, routing 021000021 and an
account number, status artisan), a production PayRate of $25 from 2026-01-01 and a default
W-4 (single) each, and --entries approved production TimeEntry rows each on the weekdays of
the period Mon 2026-10-05 .. Sun 2026-10-18, the two weeks in turn (8 h each up to 10
entries, i.e. 80 h = $2,000 at 10; past 10, 80 h split evenly in quarter hours, an odd
count putting a little overtime in the first week), then
``payroll.services.payruns.payrun_create(actor, start, end, pay_date 2026-10-23)``.

Measured: ``payrun_calculate(run.pk, actor)`` wall time, and the SQL queries it ran
(CaptureQueriesContext). Three rounds in the same process: a warm-up with 5 employees
(imports, first queries, the tax tables' cache; printed, not counted), 50 employees (the
baseline), then --employees (default 500); each of the last two is tried --repeat times
(default 3), every try on freshly truncated tables with a new set-up, and the median
time counts (min..max shown).
Each round is checked: one stub per employee, every entry linked to the run, the gross
hours x $25 plus any overtime premium (and for 10 x 8 h the worked example of
tests/payroll: gross 2000.00, net 1690.85). The "in SQL s" column is the time inside the
queries' execute() calls (CaptureQueriesContext's per-query times); the rest is Python:
building model instances, the pay arithmetic, the ORM.

Its row in the summary table: "N employees in X s (Q queries)", the baseline "50 employees
in Y s (Q queries)", and the ratio of the time per employee at N to that at 50 (1.0 is
linear; below 1 the fixed cost is spread over more people). A query count that grows with
the employees is noted in the row. The exit status is 1 only when something failed (an
error, a wrong stub); there is no target to miss.

--profile runs the big round's calculation once more under cProfile (a recalculation of the
same run: it also deletes the stubs and unlinks the entries first) and prints the top
functions by cumulative and by own time.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import sys
import tempfile
import time
import traceback
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from urllib.parse import urlparse

from tests.bench.common import FAILED, Row, report

NAME = "payrun"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mended_bench"
BASELINE_EMPLOYEES = 50
WARMUP_EMPLOYEES = 5
START, END, PAY_DATE = date(2026, 10, 5), date(2026, 10, 18), date(2026, 10, 23)  # Mon .. Sun, paid Fri
HIRED = date(2025, 6, 2)
RATE = Decimal("25.00")
RATE_FROM = date(2026, 1, 1)
PERIOD_HOURS = Decimal(80)
MAX_ENTRIES = 960  # 80 h in quarter hours, and no day past 24 h
# Every payroll table this benchmark fills, children first (the order SQLite deletes in).
# On PostgreSQL TRUNCATE ... CASCADE also empties the consents and maker assignments that
# point at employees (the audit trail, shop_auditevent, names employees by id and is kept).
PAYROLL_TABLES = (
    "payroll_paystub", "payroll_payadjustment", "payroll_timeentry", "payroll_payrun",
    "payroll_payrate", "payroll_withholdingcertificate", "payroll_employee",
)
SQLITE_ALSO = ("payroll_consent", "payroll_makerassignment")
ACTOR = "bench-payroll@example.org"


class BenchError(Exception):
    pass


# -- database -------------------------------------------------------------------------
def choose_database(force_sqlite: bool) -> tuple[str | None, str]:
    """(PostgreSQL URL or None for SQLite, why)."""
    from tests.bench.wage_credits import ensure_database, reachable

    if force_sqlite:
        return None, "--sqlite"
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith(("postgres://", "postgresql://")):
        return None, f"DATABASE_URL does not name PostgreSQL ({url.split('://')[0]})"
    if not reachable(url, 5432):
        return None, f"PostgreSQL at {urlparse(url).netloc.rpartition('@')[2]} is unreachable"
    try:
        created = ensure_database(url)
    except Exception as exc:  # psycopg.OperationalError and friends: cannot use it
        return None, f"PostgreSQL at {url} refused: {str(exc).strip().splitlines()[0]}"
    return url, "created" if created else ""


def clear() -> list[str]:
    """Empty the payroll tables this benchmark fills; the other tables PostgreSQL cascaded to."""
    from django.db import connection

    if connection.vendor == "postgresql":
        from tests.bench.wage_credits import truncate

        return truncate(PAYROLL_TABLES)
    with connection.cursor() as cursor:  # SQLite: no TRUNCATE; the ledger is not among these
        for table in PAYROLL_TABLES[:-1] + SQLITE_ALSO + PAYROLL_TABLES[-1:]:
            cursor.execute(f"DELETE FROM {table}")
    return []


# -- set-up -----------------------------------------------------------------------------
def ssn(n: int) -> str:
    """A valid, unique SSN for n >= 0 (area 100-665, group 10-99, serial 1000-9999)."""
    serial, n = 1000 + n % 9000, n // 9000
    group, area = 10 + n % 90, 100 + n // 90
    if area >= 666:
        raise BenchError("too many employees for the SSN scheme")
    return f"{area:03d}-{group:02d}-{serial:04d}"


def entry_plan(entries: int) -> list[tuple[date, Decimal]]:
    """(day, hours) of each employee's entries: the period's weekdays, the two weeks in turn, about 80 h in all.

    8 h each up to 10 entries; past 10, 80 h / entries rounded down to the quarter hour (an
    odd count puts a little overtime in the first week, which check() expects).
    """
    first = [START + timedelta(days=d) for d in range(5)]
    weekdays = [day for pair in zip(first, (d + timedelta(days=7) for d in first)) for day in pair]  # Mon1, Mon2, Tue1, ...
    hours = Decimal(8) if entries <= len(weekdays) else (PERIOD_HOURS / entries * 4).to_integral_value(ROUND_DOWN) / 4
    return [(weekdays[k % len(weekdays)], hours) for k in range(entries)]


def actor():
    from shop.models import User

    user, _ = User.objects.get_or_create(username=ACTOR, defaults={"email": ACTOR, "is_staff": True})
    return user


def populate(employees: int, entries: int, user) -> int:
    """Bulk-create the employees, their rate, W-4 and approved time; returns the entries made."""
    from django.db import transaction
    from django.utils import timezone

    from payroll.bank import validate_account_number, validate_routing_number
    from payroll.models import Employee, PayRate, TimeEntry, WithholdingCertificate
    from payroll.validators import validate_ssn

    now = timezone.now()
    people = []
    for n in range(employees):
        person = Employee(
            legal_name=f"Bench Employee{n:06d}", preferred_name=f"Bench{n}", ssn=ssn(n), hire_date=HIRED,
            bank_routing="021000021", bank_account=f"{100200300 + n}", bank_account_type=Employee.AccountType.CHECKING,
            bank_prenote_sent=True, status=Employee.Status.ARTISAN,
        )
        validate_ssn(person.ssn)  # bulk_create runs no validators: check what full_clean would
        validate_routing_number(person.bank_routing)
        validate_account_number(person.bank_account)
        people.append(person)
    plan = entry_plan(entries)
    with transaction.atomic():
        people = Employee.objects.bulk_create(people, batch_size=1000)
        PayRate.objects.bulk_create(
            (PayRate(employee=p, kind=PayRate.Kind.PRODUCTION, rate=RATE, effective_from=RATE_FROM, created_by=user) for p in people),
            batch_size=2000,
        )
        WithholdingCertificate.objects.bulk_create(
            (WithholdingCertificate(employee=p, effective_from=RATE_FROM, created_by=user) for p in people), batch_size=2000
        )
        made = TimeEntry.objects.bulk_create(
            (
                TimeEntry(employee=p, date=day, hours=hours, kind=TimeEntry.Kind.PRODUCTION, entered_by=user,
                          approved_by=user, approved_at=now)
                for p in people
                for day, hours in plan
            ),
            batch_size=2000,
        )
    return len(made)


# -- a round ------------------------------------------------------------------------------
def check(run, employees: int, entries: int) -> None:
    """One stub per employee, every entry in the run, the pay the set-up implies."""
    from django.db.models import Count, Max, Min, Sum

    from payroll.models import PayRun, TimeEntry

    if run.status != PayRun.Status.CALCULATED:
        raise BenchError(f"the run is {run.status} after payrun_calculate, not calculated")
    plan = entry_plan(entries)
    hours = sum((h for _, h in plan), Decimal(0))
    by_week: dict[date, Decimal] = {}
    for day, h in plan:
        monday = day - timedelta(days=day.weekday())
        by_week[monday] = by_week.get(monday, Decimal(0)) + h
    overtime = sum((max(Decimal(0), h - 40) for h in by_week.values()), Decimal(0))  # one rate: premium = half of it
    gross = (hours * RATE + overtime * RATE / 2).quantize(Decimal("0.01"))
    stubs = run.stubs.aggregate(n=Count("id"), people=Count("employee", distinct=True), low=Min("gross"), high=Max("gross"),
                                total_hours=Sum("production_hours"), net_low=Min("net"), net_high=Max("net"))
    linked = TimeEntry.objects.filter(pay_run=run).count()
    problems = []
    if stubs["n"] != employees or stubs["people"] != employees:
        problems.append(f"{stubs['n']} stubs for {stubs['people']} employees, not {employees}")
    if linked != employees * entries:
        problems.append(f"{linked} time entries linked to the run, not {employees * entries}")
    if (stubs["low"], stubs["high"]) != (gross, gross):
        problems.append(f"gross {stubs['low']}..{stubs['high']}, not {gross} ({hours} h x ${RATE}, {overtime} h overtime)")
    if stubs["total_hours"] != hours * employees:
        problems.append(f"{stubs['total_hours']} production hours in all, not {hours * employees}")
    if gross == Decimal("2000.00") and (stubs["net_low"], stubs["net_high"]) != (Decimal("1690.85"),) * 2:
        problems.append(f"net {stubs['net_low']}..{stubs['net_high']}, not 1690.85 (the worked example in tests/payroll)")
    if problems:
        raise BenchError("wrong pay run: " + "; ".join(problems))


def one_round(label: str, employees: int, entries: int, user, repeat: int = 1) -> dict:
    """`repeat` times: clear, set up, create the run and time its calculation; the median counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payroll.services.payruns import payrun_calculate, payrun_create

    times, sql_times, counts, set_up = [], [], set(), 0.0
    for _ in range(repeat):
        began = time.perf_counter()
        cascaded = clear()
        made = populate(employees, entries, user)
        run = payrun_create(user, START, END, PAY_DATE)
        set_up += time.perf_counter() - began
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            run = payrun_calculate(run.pk, user)
            times.append(time.perf_counter() - began)
        check(run, employees, made // employees)
        counts.add(len(captured.captured_queries))
        sql_times.append(sum(float(q["time"]) for q in captured.captured_queries))  # inside execute()
    if len(counts) > 1:
        raise BenchError(f"{label}: the same calculation ran {sorted(counts)} queries on different tries")
    elapsed, sql_s, queries = statistics.median(times), statistics.median(sql_times), counts.pop()
    spread = f"{min(times):.3f}..{max(times):.3f}" if repeat > 1 else "-"
    print(f"  {label:<9} {employees:>9} {made:>8} {elapsed:>9.3f} {spread:>13} {queries:>8} {employees / elapsed:>12.0f} "
          f"{sql_s:>9.3f}   (set-up {set_up / repeat:.1f} s each)", flush=True)
    return {"employees": employees, "entries": made, "seconds": elapsed, "queries": queries, "run": run, "sql_s": sql_s,
            "sql": [q["sql"] for q in captured.captured_queries], "cascaded": cascaded, "spread": spread}


def kinds(sqls: list[str]) -> dict[str, int]:
    """Queries by their statement with numbers blanked ("UPDATE payroll_payrun SET progress_done = N ..."), in order."""
    counts: dict[str, int] = {}
    for sql in sqls:
        head = re.sub(r"\d+", "N", sql.replace('"', ""))
        head = head[:110] + " ..." if len(head) > 110 else head
        counts[head] = counts.get(head, 0) + 1
    return counts


def profile(run, user, top: int = 25) -> None:
    import cProfile
    import pstats

    from payroll.services.payruns import payrun_calculate

    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    payrun_calculate(run.pk, user)
    profiler.disable()
    took = time.perf_counter() - began
    print(f"\ncProfile of a recalculation of the {run.stubs.count()}-employee run ({took:.3f} s under the profiler):")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# -- the benchmark ----------------------------------------------------------------------
def run(args) -> Row:
    database_url, why = choose_database(args.sqlite)
    tmp = None
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        where = f"PostgreSQL {urlparse(database_url).path.lstrip('/')}"
        print(f"Database: {where}{' (created)' if why == 'created' else ''}", flush=True)
    else:
        os.environ.pop("DATABASE_URL", None)
        tmp = tempfile.TemporaryDirectory(prefix="mended-bench-payrun-")
        os.environ["MENDED_BENCH_DB"] = os.path.join(tmp.name, "bench.sqlite3")
        where = "SQLite (temp file)"
        print(f"Database: a throw-away SQLite file, {os.environ['MENDED_BENCH_DB']} ({why})", flush=True)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "tests.bench.settings", "LOG_LEVEL": "WARNING"})
    try:
        import django

        django.setup()
        from django.core.management import call_command

        began = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        print(f"Migrated in {time.perf_counter() - began:.1f} s. Each round: "
              f"{'TRUNCATE ' + ', '.join(PAYROLL_TABLES) + ' CASCADE' if database_url else 'DELETE FROM the payroll tables'}"
              f", set-up, then payrun_calculate() for {START}..{END}, paid {PAY_DATE}.\n", flush=True)
        user = actor()
        print(f"  {'round':<9} {'employees':>9} {'entries':>8} {'seconds':>9} {'min..max':>13} {'queries':>8} "
              f"{'employees/s':>12} {'in SQL s':>9}   (median of {args.repeat} tries each but the warm-up)")
        one_round("warm-up", WARMUP_EMPLOYEES, args.entries, user)
        base = one_round("baseline", BASELINE_EMPLOYEES, args.entries, user, args.repeat)
        big = one_round("measured", args.employees, args.entries, user, args.repeat)
        if big["cascaded"]:
            print(f"  (TRUNCATE cascaded to {', '.join(big['cascaded'])})")
        if args.profile:
            profile(big["run"], user)
    finally:
        if tmp is not None:
            from django.db import connections

            connections.close_all()
            tmp.cleanup()

    per_big, per_base = big["seconds"] / big["employees"], base["seconds"] / base["employees"]
    ratio = per_big / per_base
    for r, per in ((big, per_big), (base, per_base)):
        print(("\n" if r is big else "") + f"{r['employees']} employees: {r['seconds']:.3f} s, {r['queries']} queries, "
              f"{1000 * per:.2f} ms per employee, {r['employees'] / r['seconds']:.0f} employees/s; "
              f"{r['sql_s']:.3f} s of it in execute() ({100 * r['sql_s'] / r['seconds']:.0f}%)")
    print(f"time per employee at {big['employees']} / at {base['employees']} = {ratio:.2f}")
    big_kinds, base_kinds = kinds(big["sql"]), kinds(base["sql"])
    grown = [f"{k.split(' (')[0]} {base_kinds.get(k, 0)} -> {n}" for k, n in big_kinds.items() if n != base_kinds.get(k, 0)]
    if big["queries"] != base["queries"]:
        print(f"The query count changes with the employees ({base['queries']} -> {big['queries']}: {'; '.join(grown)}).")
    print(f"The {big['employees']}-employee run's {big['queries']} queries, in order (numbers shown as N):")
    for kind, count in big_kinds.items():
        print(f"  {count:>4} x {kind}")
    grows = "" if big["queries"] == base["queries"] else f"; queries grow {base['queries']} -> {big['queries']} ({'; '.join(grown)})"
    return Row(
        NAME,
        figure=f"{big['employees']} employees in {big['seconds']:.2f} s ({big['queries']} queries)",
        baseline=f"{base['employees']} employees in {base['seconds']:.3f} s ({base['queries']} queries)",
        ratio=f"{ratio:.2f}",
        note=f"time per employee, {big['employees']} vs {base['employees']}; {big['employees'] / big['seconds']:.0f} employees/s, "
        f"{big['entries'] // big['employees']} entries each; {where}{grows}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench payrun", description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=500, help="employees in the measured run (default 500)")
    parser.add_argument("--entries", type=int, default=10, help=f"approved time entries per employee (default 10, at most {MAX_ENTRIES})")
    parser.add_argument("--repeat", type=int, default=3, help="tries per size, each on fresh tables; the median counts (default 3)")
    parser.add_argument("--sqlite", action="store_true", help="use a throw-away SQLite file even when PostgreSQL is there")
    parser.add_argument("--profile", action="store_true", help="profile a recalculation of the measured run with cProfile")
    args = parser.parse_args(argv)
    if args.employees < 1 or args.repeat < 1 or not 1 <= args.entries <= MAX_ENTRIES:
        parser.error(f"--employees and --repeat must be positive, --entries 1 to {MAX_ENTRIES}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: close the database, remove the temp file
    try:
        row = run(args)
    except Exception as exc:
        traceback.print_exc()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"FAILED: {message}", flush=True)
        report(Row(NAME, note=message, status=FAILED))
        return 1
    report(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
