"""Every anonymous public page, and the cart, next to a bare Django view, both through gunicorn.

    python3 dev.py bench pages                  # or: .venv/bin/python -m tests.bench pages
    python3 dev.py bench pages --seconds 6 --workers 4 --only catalog,product
    python3 dev.py bench catalog                # the old name: the catalog rows only
    .venv/bin/python -m tests.bench.pages       # this one alone, without the dispatcher

Mended is served with the production settings (``DJANGO_ENV=production``, through
tests/bench/settings.py: the project's settings plus /bench/bare/ and a middleware that acts
only on the two headers below): the cache in Redis (``BENCH_CACHE_URL``, default
redis://127.0.0.1:6379/14; local memory per process, said so, when Redis is unreachable),
PostgreSQL when ``DATABASE_URL`` names it (reachable), SQLite in a temporary file otherwise,
persistent connections (``CONN_MAX_AGE`` 600, health-checked), static files collected into a
temporary directory, behind a proxy (every request says ``X-Forwarded-Proto: https``). The
output says which database and cache it used.

The baseline is a bare Django view in a minimal project (tests/bench/bare/: no apps, no
middleware, no database) rendering 20 items through the template engine, on a second gunicorn
with as many workers. Both run sync workers (``--workers``, default 4) and close the connection
after each answer, so every URL pays the same connection cost.

Set-up (not measured): migrate; the demo data when the database has none (``seed_demo``,
tasks eager), so the events, circles and pledges pages have something to show; N bench products
(``--products``, default 1000, slugs ``bench-*`` replaced); a guest cart of 2 lines in a
session (its cookie sent with each cart request); every page area's version bumped (nothing
from an earlier run is served).

Each URL is loaded by wrk (``-t2 -c10``, ``--latency``; the Python client pool when wrk is not
installed or ``--client python``) in alternating rounds of about 2 s (``--seconds`` per URL in
all, split into rounds), after a warm-up round, the bare view's round among them, so that load
from anything else on the machine falls on every URL alike. A cache miss is forced by the
request header ``X-Bench-Miss: catalog``: tests.bench.middleware bumps the catalog's version
(``page_cache.changed``) before the view runs, so each such request renders and writes its
entry, as the first visitor after a change does (plus one cache round trip, the bump).

It prints per URL: requests, req/s, p50 and p99 in ms (the median of the rounds' p50s, the
highest of their p99s), the gunicorn workers' CPU per request (from /proc: what a busy machine
disturbs least), the queries and cache round trips of one request (answered by the
middleware to ``X-Bench-Count``; a forced miss's bump is not counted), the ratio with the bare view and its target: every public page
0.3, the catalog miss 0.06, the product page 0.25, the cart 0.1. A missed target is reported,
not failed; the exit status is 1 when a request failed (not 200, a socket error) or a page is
not the one meant. Figures depend on the machine; compare ratios.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.common import FAILED, Row, report
from tests.bench.measure import parse_wrk, percentile
from tests.support.reachable_services import reachable

NAME = "pages"
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mended_bench"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/14"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/13"  # production insists on one; no task runs on a GET
BARE_PATH = "/bench/bare/"
ROUND_SECONDS = 2
PROXY = {"X-Forwarded-Proto": "https"}
MISS = {"X-Bench-Miss": "catalog"}
PUBLIC, CATALOG_MISS, PRODUCT, CART = 0.3, 0.06, 0.25, 0.1
CATALOG_ROWS = ("catalog", "catalog miss")


@dataclass
class Target:
    name: str
    path: str
    target: float | None = None  # the least ratio with the bare view
    headers: dict = field(default_factory=dict)
    marker: str = ""  # text the page must hold
    bare: bool = False  # served by the bare project
    # measured
    requests: int = 0
    seconds: float = 0.0
    failed: int = 0
    p50s: list = field(default_factory=list)
    p99s: list = field(default_factory=list)
    cpu: float = 0.0  # seconds of the server's workers' CPU during the measured rounds
    queries: str = "?"
    cache_trips: str = "?"
    errors: set = field(default_factory=set)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.requests if self.requests else 0.0


def targets(urls: dict) -> list[Target]:
    return [
        Target("bare project", BARE_PATH, bare=True, marker="Bare view"),
        Target("Mended bare view", BARE_PATH, marker="Bare view"),  # all of Mended's middleware around it
        Target("home", "/", PUBLIC, marker="</html>"),
        Target("catalog", "/shop/", PUBLIC, marker='class="result-count"'),
        Target("category", urls["category"], PUBLIC, marker='class="result-count"'),
        Target("search", "/shop/?q=" + urls["search"], PUBLIC, marker='class="result-count"'),
        Target("product", urls["product"], PRODUCT, marker='name="variant"'),
        Target("donate", "/donate/", PUBLIC, marker="<form"),
        Target("events", "/events/", PUBLIC, marker="</html>"),
        Target("event", urls["event"], PUBLIC, marker="</html>") if urls.get("event") else None,
        Target("circles", "/circles/", PUBLIC, marker="</html>"),
        Target("pledge", "/pledge/", PUBLIC, marker="<form"),
        Target("gift boxes", "/gifts/boxes/", PUBLIC, marker="</html>"),
        Target("cart (2 items)", "/cart/", CART, {"Cookie": urls["cart_cookie"]}, marker=urls["cart_marker"]),
        # Last in each round: their version bumps cost the cached rows of the next round one
        # miss per page, not one per round of each.
        Target("catalog miss", "/shop/", CATALOG_MISS, MISS, marker='class="result-count"'),
        Target("product miss", urls["product"], None, MISS, marker='name="variant"'),
    ]


# -- set-up (in a child process: keeps Django out of this one) ---------------------------
def seed(products: int) -> dict:
    import django

    django.setup()
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.sessions.backends.base import SessionBase
    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from shop.models import Cart, CartLine, Category, Event, Product, ProductImage, ProductVariant
    from shop.models.cart import SESSION_CART_KEY
    from shop.platform import page_cache

    call_command("migrate", interactive=False, verbosity=0)
    seeded_demo = False
    if not Event.objects.exists():
        call_command("seed_demo", verbosity=0)
        seeded_demo = True
    call_command("collectstatic", interactive=False, verbosity=0)
    with transaction.atomic():
        Product.objects.filter(slug__startswith="bench-").delete()
        Category.objects.filter(slug__startswith="bench-").delete()
        categories = Category.objects.bulk_create(
            Category(name=f"Bench category {n}", slug=f"bench-category-{n}", position=100 + n) for n in range(5)
        )
        items = Product.objects.bulk_create(
            Product(category=categories[n % len(categories)], name=f"Bench product {n:05d}", slug=f"bench-product-{n:05d}",
                    description="A benchmark product with a short description.", story="Made for the benchmark.",
                    wage_content=Decimal("8.00"))
            for n in range(products)
        )
        ProductVariant.objects.bulk_create(
            ProductVariant(product=item, sku=f"BENCH-{n:05d}-{v}", options={"size": ["S", "L"][v]},
                           price=Decimal(20 + n % 40 + 5 * v), stock=0 if n % 10 == 0 else 5, position=v)
            for n, item in enumerate(items)
            for v in range(1 + n % 2)
        )
        ProductImage.objects.bulk_create(  # one image row each (no file: the page only builds its URL)
            ProductImage(product=item, image=f"products/{item.slug}/front.jpg", alt_text=item.name) for item in items
        )
    # A guest cart of two lines, in a session of its own, as a returning visitor has it.
    variants = list(ProductVariant.objects.filter(product__slug__startswith="bench-", stock__gt=0).order_by("pk")[:2])
    cart = Cart.objects.create()
    for variant in variants:
        CartLine.objects.create(cart=cart, variant=variant, quantity=1)
    session: SessionBase = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    session[SESSION_CART_KEY] = cart.pk
    session.create()
    csrf = _get_new_csrf_string()
    event = (Event.objects.filter(is_published=True, starts_at__gt=timezone.now()).order_by("starts_at").first()
             or Event.objects.filter(is_published=True).first())
    page_cache.everything_changed()  # nothing an earlier run cached is served
    found = {
        "active": Product.objects.filter(is_active=True).count(),
        "category": f"/shop/category/{categories[0].slug}/",
        "product": f"/shop/product/{items[1].slug}/" if products > 1 else "/shop/product/none/",
        "search": "tote",
        "event": f"/events/{event.slug}/" if event else "",
        "cart_cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "cart_marker": variants[-1].product.name if variants else "</html>",
        "database": connection.vendor,
        "database_name": str(connection.settings_dict["NAME"]),
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        "seeded_demo": seeded_demo,
    }
    connections.close_all()
    return found


# -- servers ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={**PROXY, **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def start_server(app: str, port: int, workers: int, env: dict, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            get(port, BARE_PATH, timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"gunicorn ({app}) did not answer within 60 s")


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's worker processes (Linux
    /proc; 0 elsewhere). Per request, it is the figure a busy machine disturbs least: the time
    the workers spent, not the time they waited for a core."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0.0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == master:  # ppid; utime and stime are the 14th and 15th fields
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- load -------------------------------------------------------------------------------------
def wrk_round(port: int, target: Target, seconds: int, clients: int, threads: int) -> dict:
    headers = [arg for name, value in {**PROXY, **target.headers}.items() for arg in ("-H", f"{name}: {value}")]
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "--latency", *headers,
               f"http://127.0.0.1:{port}{target.path}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    figures = parse_wrk(done.stdout + done.stderr)
    figures["failed"] = figures["non_2xx"] + figures["socket_errors"]
    return figures


def python_client(port: int, path: str, headers: dict, start_at: float, seconds: float) -> tuple[list[float], int, float, str]:
    """One client: requests back to back until the time is up; (latencies in ms, failed, end, error)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # reconnects when the server closes
    latencies, failed, error = [], 0, ""
    time.sleep(max(0.0, start_at - time.time()))
    deadline = start_at + seconds
    while (began := time.time()) < deadline:
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            status, error = 0, repr(exc)
        latencies.append(1000 * (time.time() - began))
        if status != 200:
            failed += 1
            error = error or f"HTTP {status}"
    conn.close()
    return latencies, failed, time.time(), error


def python_round(pool: ProcessPoolExecutor, port: int, target: Target, seconds: int, clients: int) -> dict:
    start_at = time.time() + 0.2
    headers = {**PROXY, **target.headers}
    results = list(pool.map(python_client, *zip(*[(port, target.path, headers, start_at, seconds)] * clients)))
    latencies = [ms for r in results for ms in r[0]]
    failed = sum(r[1] for r in results)
    elapsed = max(r[2] for r in results) - start_at
    errors = {r[3] for r in results if r[3]}
    return {"requests": len(latencies) - failed, "seconds": elapsed, "failed": failed, "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "errors": errors}


# -- checks -----------------------------------------------------------------------------------
def check(port: int, target: Target) -> str:
    """Empty when the URL answers 200 with the page meant; records its queries and cache trips
    (of a second request: the first may have been a miss after another row's version bump)."""
    if "X-Bench-Miss" not in target.headers:
        get(port, target.path, target.headers)
    status, headers, body = get(port, target.path, {**target.headers, "X-Bench-Count": "1"})
    if status != 200:
        return f"{target.name}: {target.path} answered {status}"
    if target.marker and target.marker.encode() not in body:
        return f"{target.name}: {target.path} does not hold {target.marker!r}"
    target.queries = headers.get("X-Bench-Queries", "-")
    target.cache_trips = headers.get("X-Bench-Cache", "-")
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench pages", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=6, help="measured seconds per URL, in rounds of 2 s (default 6)")
    parser.add_argument("--products", type=int, default=1000, help="bench products to create (default 1000)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers, each server (default 4)")
    parser.add_argument("--clients", type=int, default=10, help="concurrent connections (default 10, wrk -c10)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto",
                        help="the load generator (default: wrk when installed)")
    parser.add_argument("--only", default="", help="comma-separated rows to measure (e.g. catalog,product)")
    parser.add_argument("--sqlite", action="store_true", help="a throw-away SQLite file even when PostgreSQL is there")
    args = parser.parse_args(argv)
    if args.seconds < 1 or args.products < 2 or args.workers < 1 or args.clients < 2:
        parser.error("--seconds, --workers must be positive, --products and --clients at least 2")
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    if args.client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk), or use --client python")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop gunicorn when killed

    with tempfile.TemporaryDirectory(prefix="mended-bench-pages-") as tmp:
        database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        why_sqlite = ""
        if args.sqlite:
            why_sqlite = "--sqlite"
        elif not database_url.startswith(("postgres://", "postgresql://")):
            why_sqlite = "DATABASE_URL does not name PostgreSQL"
        elif not reachable(database_url, 5432):
            why_sqlite = "PostgreSQL is unreachable"
        else:
            from tests.bench.wage_credits import ensure_database

            try:
                ensure_database(database_url)
            except Exception as exc:  # noqa: BLE001 - say why, fall back
                why_sqlite = f"PostgreSQL refused: {str(exc).strip().splitlines()[0]}"
        if why_sqlite:
            database_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        cache_url = os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE_URL)
        cache_note = ""
        if not reachable(cache_url, 6379):
            cache_url, cache_note = "locmemcache://bench", " (Redis unreachable: a local-memory cache in each worker)"
        from cryptography.fernet import Fernet

        env = {**os.environ, "DJANGO_ENV": "production", "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
               "DJANGO_SECRET_KEY": "bench-" + Fernet.generate_key().decode(), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
               "DATABASE_URL": database_url, "CACHE_URL": cache_url,
               "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL),
               "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "STRIPE_SECRET_KEY": "sk_test_bench",
               "STRIPE_PUBLISHABLE_KEY": "pk_test_bench", "STRIPE_WEBHOOK_SECRET": "whsec_bench",
               "EMAIL_URL": "dummymail://", "LOG_LEVEL": "WARNING", "MENDED_BENCH_STATIC": str(Path(tmp) / "static"),
               "PYTHONUNBUFFERED": "1"}
        os.environ.update({**env, "CELERY_TASK_ALWAYS_EAGER": "1"})  # for seed(): the demo's tasks run in place
        print(f"Setting up (migrate, demo data when missing, {args.products} bench products, a cart) ...", flush=True)
        with ProcessPoolExecutor(1) as once:
            urls = once.submit(seed, args.products).result()
        where = (f"PostgreSQL {urls['database_name']}" if urls["database"] == "postgresql"
                 else f"SQLite (temp file; {why_sqlite})")
        cache_label = f"{urls['cache']} {cache_url}{cache_note}"
        print(f"Database: {where}; CONN_MAX_AGE {urls['conn_max_age']}; cache: {cache_label}"
              + ("; demo data loaded" if urls["seeded_demo"] else "") + f"; {urls['active']} active products", flush=True)

        plan = [t for t in targets(urls) if t]
        wanted = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = wanted - {t.name for t in plan}
        if unknown:
            parser.error(f"--only: no row named {', '.join(sorted(unknown))} (rows: {', '.join(t.name for t in plan)})")
        if wanted:
            plan = [t for t in plan if t.bare or t.name in wanted]

        port, bare_port = free_port(), free_port()
        bare_env = {k: v for k, v in env.items() if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_"))}
        bare_env["DJANGO_SETTINGS_MODULE"] = "tests.bench.bare.settings"
        log_path, bare_log_path = Path(tmp) / "gunicorn.log", Path(tmp) / "bare.log"
        servers = []
        problems: list[str] = []
        try:
            with open(log_path, "wb") as log, open(bare_log_path, "wb") as bare_log:
                servers.append(start_server("config.wsgi:application", port, args.workers, env, log))
                servers.append(start_server("tests.bench.bare.wsgi:application", bare_port, args.workers, bare_env, bare_log))
            port_of = {True: bare_port, False: port}
            tool = f"wrk -t2 -c{args.clients}" if use_wrk else f"{args.clients} http.client processes"
            rounds = max(1, round(args.seconds / ROUND_SECONDS))
            seconds = max(1, round(args.seconds / rounds))
            print(f"gunicorn: {args.workers} sync workers each, Mended on :{port}, bare project on :{bare_port}; {tool}; "
                  f"{rounds} rounds of {seconds} s per URL after a {seconds} s warm-up", flush=True)
            for target in plan:  # each the page meant, before any load
                problem = check(port_of[target.bare], target)
                if problem:
                    problems.append(problem)
            pool = None if use_wrk else ProcessPoolExecutor(args.clients)
            try:
                master_of = {True: servers[1].pid, False: servers[0].pid}
                for number in range(rounds + 1):  # round 0 warms up
                    for target in plan:
                        cpu_before = workers_cpu(master_of[target.bare])
                        if use_wrk:
                            figures = wrk_round(port_of[target.bare], target, seconds, args.clients, min(2, args.clients))
                        else:
                            figures = python_round(pool, port_of[target.bare], target, seconds, args.clients)
                        target.failed += figures["failed"]
                        target.errors.update(figures.get("errors", ()))
                        if number == 0:
                            continue
                        target.cpu += workers_cpu(master_of[target.bare]) - cpu_before
                        target.requests += figures["requests"] - (figures["non_2xx"] if use_wrk else 0)
                        target.seconds += figures["seconds"]
                        target.p50s.append(figures["p50"])
                        target.p99s.append(figures["p99"])
                    if number == 0:  # warm: one request's queries and cache round trips, as served under load
                        time.sleep(1)  # requests wrk left in flight (a miss row's bumps) finish first
                        for target in plan:
                            problem = check(port_of[target.bare], target)
                            if problem:
                                problems.append(problem)
                    print(f"  round {number}{' (warm-up)' if number == 0 else ''} done", flush=True)
            finally:
                if pool is not None:
                    pool.shutdown()
        finally:
            for server in servers:
                stop_server(server)
        log_text = log_path.read_text(errors="replace").strip() + bare_log_path.read_text(errors="replace").strip()

    bare_rps = plan[0].rps
    print(f"\n{'page':<18}{'requests':>9}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'cpu ms':>8}{'queries':>8}{'cache':>6}"
          f"{'x bare':>8}{'target':>8}  verdict")
    missed = []
    for target in plan:
        ratio = target.rps / bare_rps if bare_rps else 0.0
        verdict = ""
        if target.target is not None:
            verdict = "met" if ratio >= target.target else "MISSED"
            if verdict == "MISSED":
                missed.append(target.name)
        p50 = statistics.median(v for v in target.p50s if v is not None) if any(v is not None for v in target.p50s) else 0
        p99 = max((v for v in target.p99s if v is not None), default=0)
        print(f"{target.name:<18}{target.requests:>9}{target.rps:>9.1f}{p50:>8.1f}{p99:>8.1f}{target.cpu_ms:>8.2f}{target.queries:>8}"
              f"{target.cache_trips:>6}{ratio:>8.3f}{(target.target or 0):>8.2f}  {verdict}"
              + (f"  ({target.failed} failed)" if target.failed else ""))
    print(f"\n{where}; cache {cache_label}; queries and cache = one request's SQL statements and cache round trips "
          f"(a miss's version bump not counted); p50 = median of the rounds', p99 = highest of the rounds'; "
          f"cpu ms = the server workers' CPU per request (from /proc; 10 ms ticks over each round).")
    by_name = {t.name: t for t in plan}
    summary = ", ".join(f"{name} {by_name[name].rps / bare_rps:.2f}" for name in ("catalog", "catalog miss", "product", "cart (2 items)")
                        if name in by_name and bare_rps)
    row = Row(
        NAME,
        figure=", ".join(f"{t.name} {t.rps:.0f}" for t in plan[1:] if t.name in ("catalog", "catalog miss", "product"))
        + " req/s",
        baseline=f"bare project {bare_rps:.0f} req/s",
        ratio=summary,
        note=(f"targets missed: {', '.join(missed)}" if missed else "every target met")
        + "; worker CPU per request: " + ", ".join(f"{name} {by_name[name].cpu_ms:.1f} ms" for name in
                                                    ("bare project", "catalog", "catalog miss", "product", "product miss")
                                                    if name in by_name)
        + f"; {len(plan) - 1} URLs; {where.split(' (')[0]}; {urls['cache']}; {args.workers} workers",
    )
    failed = sum(t.failed for t in plan)
    for target in plan:
        for error in sorted(target.errors):
            print(f"error ({target.name}): {error}")
    for problem in problems:
        print(f"error: {problem}")
    if failed or problems:
        if log_text:
            print("gunicorn log (last lines):\n" + "\n".join(log_text.splitlines()[-30:]))
        reason = f"{failed} request(s) failed" + ("; " + "; ".join(problems) if problems else "")
        print(f"FAILED: {reason}")
        row.status, row.note = FAILED, reason
        report(row)
        return 1
    report(row)
    return 0


def catalog_main(argv: list[str] | None = None) -> int:
    """``bench catalog``: the catalog rows only (the benchmark's old name)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(a == "--only" or a.startswith("--only=") for a in argv):
        argv += ["--only", ",".join(CATALOG_ROWS)]
    return main(argv)


if __name__ == "__main__":
    sys.exit(main())
