"""Run the benchmarks in tests/bench and print one summary table (not part of the test run).

    python3 dev.py bench                       # every benchmark, default options
    python -m tests.bench pages --seconds 4    # one benchmark, with its options
    python -m tests.bench pages --seconds 4 wage_credits --orders 500   # several
    python -m tests.bench pages --help         # a benchmark's options
    python -m tests.bench catalog              # an alias: the pages benchmark's catalog rows
    python -m tests.bench --list

Each named benchmark takes the options that follow its name, up to the next name. Each
runs as its own child process (``python -m tests.bench.<name> ...``, which also works on
its own), one after the other, with its output shown as it goes. At the end a table
gives each one's figure, baseline, ratio and note.

The exit status is 1 when a benchmark failed (an error, a wrong answer, a crash), 0
otherwise: a missed target or a benchmark skipped for want of a service is reported in
the table, not failed.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import FAILED, RESULT_ENV, Row, print_table, read

ROOT = Path(__file__).resolve().parents[2]
# name: (module, one line on what it measures). Later benchmarks are added here.
BENCHMARKS = {
    "pages": ("tests.bench.pages", "every public page and the cart, req/s, p50/p99 and queries next to a bare Django project, through gunicorn"),
    "wage_credits": ("tests.bench.wage_credits", "paid orders credited to the wage fund by a real Celery worker, next to one bulk insert"),
    "payrun": ("tests.bench.payrun", "payrun_calculate() time and queries for 500 employees x 10 time entries, next to 50"),
    "statements": ("tests.bench.statements", "5,000 year-end giving statements (PDF + e-mail), next to their PDFs alone"),
    "volunteer_signups": ("tests.bench.volunteer_signups", "100 concurrent sign-ups for 10 places, next to one by one"),
}

# Other names for a benchmark, or a part of one; not run again by a bare `python -m tests.bench`.
ALIASES = {
    "catalog": ("tests.bench.catalog", "the pages benchmark's catalog rows (cached and cache miss) only"),
}

_child: subprocess.Popen | None = None


def parse(argv: list[str]) -> list[tuple[str, list[str]]]:
    """[(name, options)] in the order given; every benchmark, no options, when none is named."""
    plan: list[tuple[str, list[str]]] = []
    for arg in argv:
        if arg in BENCHMARKS or arg in ALIASES:
            plan.append((arg, []))
        elif plan:
            plan[-1][1].append(arg)
        else:
            raise SystemExit(
                f"python -m tests.bench: {arg!r} is not a benchmark. Options go after the "
                f"benchmark's name, e.g. `python -m tests.bench pages --seconds 4`.\n"
                f"Benchmarks: {', '.join(BENCHMARKS)} (and {', '.join(ALIASES)})"
            )
    return plan or [(name, []) for name in BENCHMARKS]


def run_one(name: str, options: list[str]) -> Row:
    global _child
    module = {**BENCHMARKS, **ALIASES}[name][0]
    print(f"\n===== {name}: python -m {module} {' '.join(options)}".rstrip(), flush=True)
    with tempfile.TemporaryDirectory(prefix="mended-bench-result-") as tmp:
        result = os.path.join(tmp, "row.json")
        began = time.monotonic()
        _child = subprocess.Popen([sys.executable, "-m", module, *options], cwd=ROOT, env={**os.environ, RESULT_ENV: result})
        try:
            code = _child.wait()
        except KeyboardInterrupt:
            _child.wait()  # it got the Ctrl-C too: let it clean up
            raise
        finally:
            _child = None
        took = time.monotonic() - began
        row = read(result)
    if code == 2 and row is None:  # argparse's usage error, or --help (exit 0, no row)
        return Row(name, note=f"bad options: {' '.join(options)}", status=FAILED)
    if row is None:
        if code == 0:  # --help and the like
            return Row(name, note="no result (printed help?)", status="skipped")
        return Row(name, note=f"exited with {code} before reporting (see its output above)", status=FAILED)
    if code != 0 and row.status != FAILED:
        row.status, row.note = FAILED, f"exited with {code}; {row.note}"
    print(f"===== {name}: {row.status} in {took:.0f} s", flush=True)
    return row


def _forward_sigterm(signum, frame):
    if _child is not None and _child.poll() is None:
        _child.terminate()
        try:
            _child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _child.kill()
    sys.exit(143)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    if argv[:1] == ["--list"]:
        for name, (module, what) in {**BENCHMARKS, **ALIASES}.items():
            print(f"{name:<18} {what}  ({module})")
        return 0
    plan = parse(argv)
    signal.signal(signal.SIGTERM, _forward_sigterm)
    began = time.monotonic()
    rows = [run_one(name, options) for name, options in plan]
    print_table(rows)
    failed = [r.benchmark for r in rows if r.status == FAILED]
    print(f"\n{len(rows)} benchmark(s) in {time.monotonic() - began:.0f} s" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
