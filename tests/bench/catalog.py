"""Catalog page throughput next to a bare Django view, both served by gunicorn.

    python3 dev.py bench catalog              # or: .venv/bin/python -m tests.bench catalog
    python3 dev.py bench catalog --seconds 5 --products 1000
    .venv/bin/python -m tests.bench.catalog   # this one alone, without the dispatcher

(``python3 dev.py bench`` runs every benchmark in tests/bench, this one included.)

It migrates a throw-away SQLite database (or ``DATABASE_URL`` when set: rows named
``bench-*`` are replaced there), adds N active products with 1-2 variants and an image
row each, starts gunicorn on a free loopback port with tests.bench.settings (DEBUG off),
then loads each URL for the same time, in alternating rounds of about 2 s after a
1 s warm-up, with 2 client processes per worker (http.client, loopback only):

    /shop/         the catalog list page, first page (SHOP_PAGE_SIZE, 24) of N products
    /bench/bare/   a view rendering a 20-item template from memory, no queries

It prints requests, requests/s and mean latency per URL, and the ratio catalog/bare
against the target of 0.3 or better. Missing the target is reported, not failed: the
exit status is 1 only when a request failed (not 200) or the page is not the one meant.
Figures depend on the machine; the ratio is what to compare between runs. Its row in the
summary table: catalog req/s, bare req/s, the ratio, and whether the target was met.
"""
from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tests.bench.common import FAILED, Row, report

NAME = "catalog"
ROOT = Path(__file__).resolve().parents[2]
TARGET = 0.3
CATALOG, BARE = "/shop/", "/bench/bare/"
WARMUP_SECONDS = 1.0
ROUND_SECONDS = 2.0  # measured time is split into alternating rounds of about this length
MAX_REQUESTS_PER_CLIENT = 1_000_000  # a second bound on each client's loop, besides time


def seed(products: int) -> int:
    """Migrate the bench database and (re)create the bench catalog; return active products."""
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connections, transaction

    from shop.models import Category, Product, ProductImage, ProductVariant

    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        Product.objects.filter(slug__startswith="bench-").delete()
        Category.objects.filter(slug__startswith="bench-").delete()
        categories = Category.objects.bulk_create(
            Category(name=f"Bench category {n}", slug=f"bench-category-{n}", position=n) for n in range(5)
        )
        items = Product.objects.bulk_create(
            Product(
                category=categories[n % len(categories)],
                name=f"Bench product {n:05d}",
                slug=f"bench-product-{n:05d}",
                description="A benchmark product with a short description.",
                story="Made for the benchmark.",
                wage_content=Decimal("8.00"),
            )
            for n in range(products)
        )
        ProductVariant.objects.bulk_create(
            ProductVariant(
                product=item,
                sku=f"BENCH-{n:05d}-{v}",
                options={"size": ["S", "L"][v]},
                price=Decimal(20 + n % 40 + 5 * v),
                stock=0 if n % 10 == 0 else 5,  # every tenth product is sold out
                position=v,
            )
            for n, item in enumerate(items)
            for v in range(1 + n % 2)
        )
        # One image row each (no file: the page only builds its URL).
        ProductImage.objects.bulk_create(
            ProductImage(product=item, image=f"products/{item.slug}/front.jpg", alt_text=item.name) for item in items
        )
    active = Product.objects.filter(is_active=True).count()
    connections.close_all()
    return active


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_server(port: int, workers: int, env: dict, log) -> subprocess.Popen:
    # Sync workers (--workers, 2 by default): gunicorn's default and the usual Django
    # deployment behind a proxy. Each worker serves one request at a time and closes the
    # connection after it, so both URLs pay the same server and connection cost and the
    # ratio compares what the two views do.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if get(port, "/healthz", timeout=2)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer on /healthz within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def client(port: int, path: str, start_at: float, seconds: float) -> tuple[int, int, float, float, str]:
    """One client: requests back to back until the time is up; (ok, failed, latency, end, error)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # reconnects when the server closes
    ok = failed = 0
    latency = 0.0
    error = ""
    time.sleep(max(0.0, start_at - time.time()))
    deadline = start_at + seconds
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        began = time.time()
        if began >= deadline:
            break
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            status, error = 0, repr(exc)
        latency += time.time() - began
        if status == 200:
            ok += 1
        else:
            failed += 1
            error = error or f"HTTP {status}"
    conn.close()
    return ok, failed, latency, time.time(), error


def tally() -> dict:
    return {"ok": 0, "failed": 0, "latency": 0.0, "elapsed": 0.0, "errors": set()}


def load(pool: ProcessPoolExecutor, clients: int, port: int, path: str, seconds: float, into: dict) -> None:
    """Run `clients` clients on `path` for `seconds`; add their figures to `into`."""
    start_at = time.time() + 0.2  # all clients begin together, once their processes run
    results = list(pool.map(client, *zip(*[(port, path, start_at, seconds)] * clients)))
    into["ok"] += sum(r[0] for r in results)
    into["failed"] += sum(r[1] for r in results)
    into["latency"] += sum(r[2] for r in results)
    into["elapsed"] += max(r[3] for r in results) - start_at
    into["errors"].update(r[4] for r in results if r[4])


def check_catalog(port: int, active: int, page_size: int = 24) -> str:
    """Empty when /shop/ is the page meant: 200, the product count, a full first page."""
    status, body = get(port, CATALOG)
    text = body.decode()
    if status != 200:
        return f"{CATALOG} answered {status}"
    if f"{active} product" not in text:
        return f"{CATALOG} does not show '{active} products'"
    cards = text.count('<li class="card">')
    if cards != min(page_size, active):
        return f"{CATALOG} shows {cards} products, expected {min(page_size, active)}"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench catalog", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per URL (default 10)")
    parser.add_argument("--products", type=int, default=1000, help="active products to create (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--clients", type=int, default=0, help="concurrent clients (default 2 per worker)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.products < 0 or args.workers < 1 or args.clients < 0:
        parser.error("--seconds and --workers must be positive, --products and --clients not negative")
    clients = args.clients or 2 * args.workers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop gunicorn when killed

    with tempfile.TemporaryDirectory(prefix="mended-bench-") as tmp:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
               "MENDED_BENCH_DB": str(Path(tmp) / "bench.sqlite3")}
        os.environ.update(env)  # for seed(), which runs in a child process
        database = "DATABASE_URL" if env.get("DATABASE_URL") else "a temporary SQLite file"
        print(f"Setting up {args.products} products in {database} ...", flush=True)
        with ProcessPoolExecutor(1) as once:  # keeps Django out of this process
            active = once.submit(seed, args.products).result()

        port = free_port()
        log_path = Path(tmp) / "gunicorn.log"
        try:
            with open(log_path, "wb") as log:
                server = start_server(port, args.workers, env, log)
        except RuntimeError as exc:
            print(f"FAILED: {exc}\n" + log_path.read_text(errors="replace")[-3000:])
            report(Row(NAME, note=str(exc), status=FAILED))
            return 1
        try:
            problem = check_catalog(port, active, int(env.get("SHOP_PAGE_SIZE", 24)))
            print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}; {clients} clients; "
                  f"{active} active products; {args.seconds:g} s per URL after {WARMUP_SECONDS:g} s warm-up",
                  flush=True)
            totals, warm = {CATALOG: tally(), BARE: tally()}, tally()
            # Short alternating rounds, so load from anything else on the machine falls on
            # both URLs alike.
            rounds = max(1, round(args.seconds / ROUND_SECONDS))
            with ProcessPoolExecutor(clients) as pool:
                for path in (BARE, CATALOG):
                    load(pool, clients, port, path, WARMUP_SECONDS, warm)
                for _ in range(rounds):
                    for path in (BARE, CATALOG):
                        load(pool, clients, port, path, args.seconds / rounds, totals[path])
        finally:
            stop_server(server)
        log_text = log_path.read_text(errors="replace").strip()

    print(f"\n{'URL':<14}{'requests':>10}{'req/s':>10}{'mean ms':>10}{'failed':>8}")
    for path, t in totals.items():
        t["rps"] = t["ok"] / t["elapsed"]
        mean_ms = 1000 * t["latency"] / max(1, t["ok"] + t["failed"])
        print(f"{path:<14}{t['ok']:>10}{t['rps']:>10.1f}{mean_ms:>10.2f}{t['failed']:>8}")
    ratio = totals[CATALOG]["rps"] / totals[BARE]["rps"] if totals[BARE]["rps"] else 0.0
    verdict = "met" if ratio >= TARGET else "MISSED"
    print(f"\ncatalog/bare = {ratio:.2f}  (target {TARGET} or better: {verdict})")
    row = Row(
        NAME,
        figure=f"{totals[CATALOG]['rps']:.1f} req/s {CATALOG}",
        baseline=f"{totals[BARE]['rps']:.1f} req/s {BARE}",
        ratio=f"{ratio:.2f}",
        note=f"target {TARGET}: {verdict}; {active} products, {args.workers} gunicorn workers, {args.seconds:g} s per URL",
    )

    failed = warm["failed"] + sum(t["failed"] for t in totals.values())
    for error in sorted(warm["errors"].union(*(t["errors"] for t in totals.values()))):
        print(f"error: {error}")
    if problem:
        print(f"error: {problem}")
    if failed or problem:
        if log_text:
            print("gunicorn log (last lines):\n" + "\n".join(log_text.splitlines()[-20:]))
        print(f"FAILED: {failed} request(s) failed" + ("; " + problem if problem else ""))
        row.status, row.note = FAILED, f"{failed} request(s) failed" + ("; " + problem if problem else "")
        report(row)
        return 1
    report(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
