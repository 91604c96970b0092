"""Worker CPU per request in-process: the pages benchmark's URLs through Django's WSGI handler in
this one process, timed with ``time.process_time()`` (what a busy, shared machine disturbs
least; no gunicorn, no sockets, no load generator).

    .venv/bin/python -m tests.bench.inprocess                      # every row, 300 requests each
    .venv/bin/python -m tests.bench.inprocess --only "cart (2 items),catalog miss" --requests 300
    .venv/bin/python -m tests.bench.inprocess --profile "catalog miss"   # cProfile of that row

The same set-up as ``tests.bench.pages`` (its ``seed``: the production settings through
tests/bench/settings.py, PostgreSQL ``DATABASE_URL`` (default mended_bench) and Redis
``BENCH_CACHE_URL``, 1000 bench products, a guest cart of 2 lines). Each row is warmed up,
then measured in batches (``--batches``, alternating between the rows so that load from
elsewhere falls on all alike) and the best batch's CPU per request is printed, next to the
median batch. Figures are in-process numbers, not the gunicorn table's: compare them with
each other (before/after on the same machine), not with ``bench pages``.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time

from tests.bench.pages import DEFAULT_BROKER_URL, DEFAULT_CACHE_URL, DEFAULT_DATABASE_URL, PROXY, seed, targets


def environ(path: str, headers: dict) -> dict:
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False, "HTTP_HOST": "127.0.0.1",
    }
    for name, value in {**PROXY, **headers}.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.inprocess", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="measured requests per row and batch (default 300)")
    parser.add_argument("--batches", type=int, default=3, help="batches per row, alternating (default 3)")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--only", default="", help="comma-separated rows")
    parser.add_argument("--profile", default="", help="a row to profile (cProfile, 25 functions by own time)")
    args = parser.parse_args(argv)

    from cryptography.fernet import Fernet

    os.environ.update({
        "DJANGO_ENV": "production", "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "DJANGO_SECRET_KEY": "bench-" + Fernet.generate_key().decode(), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE_URL),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_bench", "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "EMAIL_URL": "dummymail://", "LOG_LEVEL": "WARNING", "CELERY_TASK_ALWAYS_EAGER": "1",
        "MENDED_BENCH_STATIC": os.environ.get("MENDED_BENCH_STATIC", "/tmp/mended-bench-inprocess-static"),
    })
    from tests.bench.wage_credits import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    urls = seed(args.products)
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    plan = [t for t in targets(urls) if t and not t.bare]
    wanted = {name.strip() for name in args.only.split(",") if name.strip()} | ({args.profile} if args.profile else set())
    if wanted:
        plan = [t for t in plan if t.name in wanted]

    def one(target) -> None:
        status = []
        body = app(environ(target.path, target.headers), lambda s, h, *_: status.append(s))
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        if not status[0].startswith("200") or target.marker.encode() not in content:
            raise SystemExit(f"{target.name}: {status[0]}, marker {target.marker!r} missing")

    for target in plan:  # warm up
        for _ in range(30):
            one(target)
    if args.profile:
        target = next(t for t in plan if t.name == args.profile)
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.requests):
            one(target)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(60)
        return 0
    results = {t.name: [] for t in plan}
    for _ in range(args.batches):
        for target in plan:
            start = time.process_time()
            for _ in range(args.requests):
                one(target)
            results[target.name].append(1000 * (time.process_time() - start) / args.requests)
    print(f"{'row':<20} {'best ms':>8} {'median ms':>10}   (in-process worker CPU per request, {args.requests} x {args.batches})")
    for name, values in results.items():
        print(f"{name:<20} {min(values):>8.2f} {statistics.median(values):>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
