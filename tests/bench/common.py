"""What every benchmark shares: its row in the summary table, and how it hands it over.

``python -m tests.bench`` runs each benchmark as a child process (``python -m
tests.bench.<name>``), so each gets a clean interpreter, its own environment and its own
Django settings. A benchmark reports its row by writing it, as JSON, to the file named by
``MENDED_BENCH_RESULT`` (``report()``); run on its own, it just prints the row.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

RESULT_ENV = "MENDED_BENCH_RESULT"
OK, FAILED, SKIPPED = "ok", "failed", "skipped"


@dataclass
class Row:
    """One line of the summary table. ``status`` is ok, failed or skipped."""

    benchmark: str
    figure: str = ""
    baseline: str = ""
    ratio: str = ""
    note: str = ""
    status: str = OK


def report(row: Row) -> None:
    """Hand the row to the dispatcher (or print it when the benchmark runs on its own)."""
    path = os.environ.get(RESULT_ENV)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(asdict(row), out)
    else:
        print_table([row])


def read(path: str) -> Row | None:
    try:
        with open(path, encoding="utf-8") as file:
            return Row(**json.load(file))
    except (OSError, ValueError, TypeError):
        return None


def print_table(rows: list[Row]) -> None:
    headers = ("benchmark", "figure", "baseline", "ratio", "note")
    cells = [headers] + [
        (r.benchmark, r.figure, r.baseline, r.ratio, {OK: r.note, SKIPPED: f"skipped: {r.note}"}.get(r.status, f"FAILED: {r.note}"))
        for r in rows
    ]
    widths = [max(len(str(c[i])) for c in cells) for i in range(len(headers) - 1)]

    def line(c) -> str:
        return "  ".join(str(v).ljust(w) for v, w in zip(c, widths)) + "  " + str(c[-1])

    print("\n" + line(headers))
    print("  ".join("-" * w for w in widths) + "  " + "-" * 4)
    for c in cells[1:]:
        print(line(c))


def main_for(name: str, description: str, add_options, run) -> int:
    """A benchmark module's ``main``: parse options, run, report the row (a failed row on an error)."""
    import argparse
    import signal
    import sys
    import traceback

    parser = argparse.ArgumentParser(prog=f"python -m tests.bench {name}", description=description)
    add_options(parser)
    parser.add_argument("--sqlite", action="store_true", help="use a throw-away SQLite file even when PostgreSQL is there")
    args = parser.parse_args(sys.argv[1:])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with django_database(name, args.sqlite) as where:
            row = run(args, where)
    except Exception as exc:
        traceback.print_exc()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"FAILED: {message}", flush=True)
        report(Row(name, note=message, status=FAILED))
        return 1
    report(row)
    return 0


class django_database:
    """Set Django up on the benchmarks' PostgreSQL database (or a throw-away SQLite file), migrated.

    ``with django_database("statements", force_sqlite) as where:`` gives a label naming it."""

    def __init__(self, name: str, force_sqlite: bool):
        self.name, self.force_sqlite, self.tmp = name, force_sqlite, None

    def __enter__(self) -> str:
        import tempfile
        from urllib.parse import urlparse

        from tests.bench.payrun import choose_database

        url, why = choose_database(self.force_sqlite)
        if url:
            os.environ["DATABASE_URL"] = url
            where = f"PostgreSQL {urlparse(url).path.lstrip('/')}"
        else:
            os.environ.pop("DATABASE_URL", None)
            self.tmp = tempfile.TemporaryDirectory(prefix=f"mended-bench-{self.name}-")
            os.environ["MENDED_BENCH_DB"] = os.path.join(self.tmp.name, "bench.sqlite3")
            where = f"SQLite (temp file; {why})"
        os.environ.update({"DJANGO_SETTINGS_MODULE": "tests.bench.settings", "LOG_LEVEL": "WARNING"})
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        print(f"Database: {where}", flush=True)
        return where

    def __exit__(self, *exc) -> None:
        if self.tmp is not None:
            from django.db import connections

            connections.close_all()
            self.tmp.cleanup()
