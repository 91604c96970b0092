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
