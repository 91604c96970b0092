"""What the page benchmark and the load run read their figures from (pure functions, tested in
tests/bench/test_measure.py): wrk's output, latency percentiles, gunicorn's access log.

- ``parse_wrk(text)``: the figures of one ``wrk --latency`` run (requests, seconds, req/s,
  p50/p99 in ms, non-2xx answers, socket errors).
- ``percentile(values, p)``: the nearest-rank percentile of a list (no interpolation: a value
  that was measured).
- ``access_log_times(lines)``: (method, path, status, ms) of each line of a gunicorn access log written
  with ``ACCESS_LOG_FORMAT`` (``%(D)s`` is the time gunicorn's worker spent on the request, in
  microseconds: it leaves out the time the request waited for a free worker and the load
  generator's own queueing).
"""
from __future__ import annotations

import math
import re

# gunicorn --access-logformat for the load run: status, method, path (no query string), microseconds.
ACCESS_LOG_FORMAT = "%(s)s %(m)s %(U)s %(D)s"

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_DURATION_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_NUMBER_UNIT = r"([\d.]+)(us|ms|s|m)"


def _ms(number: str, unit: str) -> float:
    return float(number) * _UNITS_MS[unit]


def parse_wrk(text: str) -> dict:
    """The figures of one ``wrk --latency`` run; ValueError when the output has none (wrk failed)."""
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m|h)", text)
    if not done:
        raise ValueError("no 'N requests in T' line in wrk's output: " + text.strip()[-300:])
    figures = {
        "requests": int(done.group(1)),
        "seconds": float(done.group(2)) * _DURATION_S[done.group(3)],
        "non_2xx": 0,
        "socket_errors": 0,
    }
    figures["rps"] = figures["requests"] / figures["seconds"] if figures["seconds"] else 0.0
    for label in ("50", "99"):
        found = re.search(rf"^\s*{label}(?:\.0+)?%\s+{_NUMBER_UNIT}\s*$", text, re.M)
        figures[f"p{label}"] = _ms(found.group(1), found.group(2)) if found else None
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if non_2xx:
        figures["non_2xx"] = int(non_2xx.group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if errors:
        # A read error is the server closing the connection after its answer (gunicorn's sync
        # workers do, after every request): wrk counts it, the answer was whole. Only connect,
        # write and timeout errors are failures.
        figures["socket_errors"] = int(errors.group(1)) + int(errors.group(3)) + int(errors.group(4))
        figures["read_errors"] = int(errors.group(2))
    return figures


def percentile(values, p: float) -> float | None:
    """The nearest-rank p-th percentile (0 < p <= 100) of the values; None when there are none."""
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def access_log_times(lines) -> list[tuple[str, str, str, float]]:
    """(method, path, status, milliseconds) of each well-formed line of an access log written
    with ``ACCESS_LOG_FORMAT``; other lines (startup messages, a truncated last line) are skipped."""
    times = []
    for line in lines:
        parts = line.split()
        if len(parts) != 4 or not parts[0].isdigit() or not parts[3].isdigit():
            continue
        status, method, path, micros = parts
        times.append((method, path, status, int(micros) / 1000))
    return times


def server_p95(lines, group=None) -> dict[str, tuple[int, float]]:
    """{name: (requests, p95 ms)} from an access log: "all", and per ``group(method, path)`` when
    given (a name such as "/shop/product/[slug]/"; None counts the request under "all" only)."""
    buckets: dict[str, list[float]] = {"all": []}
    for method, path, _status, ms in access_log_times(lines):
        buckets["all"].append(ms)
        name = group(method, path) if group else None
        if name:
            buckets.setdefault(name, []).append(ms)
    return {name: (len(values), percentile(values, 95)) for name, values in buckets.items() if values}
