"""The figures the page benchmark and the load run print come from these readers: wrk's output,
nearest-rank percentiles, gunicorn's access log (``%(D)s``, microseconds)."""
import pytest

from tests.bench.measure import ACCESS_LOG_FORMAT, access_log_times, parse_wrk, percentile, server_p95
from tests.load.__main__ import locust_name

WRK = """Running 2s test @ http://127.0.0.1:8131/shop/
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.59ms  723.25us  12.40ms   92.26%
    Req/Sec     1.93k   168.34     2.09k    85.00%
  Latency Distribution
     50%  850.00us
     75%    2.52ms
     90%    2.99ms
     99%    1.20s
  7674 requests in 2.00s, 1.16MB read
  Socket errors: connect 0, read 12, write 1, timeout 2
  Non-2xx or 3xx responses: 5
Requests/sec:   3828.67
Transfer/sec:    594.56KB
"""


def test_wrk_output_gives_requests_rate_percentiles_in_ms_and_failures():
    figures = parse_wrk(WRK)
    assert figures["requests"] == 7674
    assert figures["seconds"] == 2.0
    assert figures["rps"] == 3837.0  # requests / seconds, not wrk's rounded line
    assert figures["p50"] == pytest.approx(0.85)  # microseconds read as ms
    assert figures["p99"] == pytest.approx(1200.0)  # seconds read as ms
    assert figures["non_2xx"] == 5
    assert figures["socket_errors"] == 3  # connect + write + timeout; a read error is the server closing after its answer
    assert figures["read_errors"] == 12


def test_wrk_output_in_minutes_and_without_errors():
    figures = parse_wrk("  61 requests in 1.02m, 1.00MB read\n  Latency Distribution\n     50%   1.00s\n")
    assert figures["seconds"] == pytest.approx(61.2)
    assert figures["rps"] == pytest.approx(61 / 61.2)
    assert figures["p50"] == 1000.0 and figures["p99"] is None
    assert figures["non_2xx"] == 0 and figures["socket_errors"] == 0


def test_a_failed_wrk_run_is_an_error_not_a_zero():
    with pytest.raises(ValueError, match="requests in"):
        parse_wrk("unable to connect to 127.0.0.1:9:Connection refused\n")


def test_percentile_is_nearest_rank():
    values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]
    assert percentile(values, 50) == 5
    assert percentile(values, 95) == 10
    assert percentile(values, 90) == 9
    assert percentile(values, 100) == 10
    assert percentile([7], 1) == 7
    assert percentile([], 95) is None
    with pytest.raises(ValueError):
        percentile(values, 0)


def test_the_access_log_format_is_status_method_path_microseconds():
    assert ACCESS_LOG_FORMAT == "%(s)s %(m)s %(U)s %(D)s"


def test_access_log_lines_read_as_milliseconds_and_junk_is_skipped():
    lines = [
        "200 GET /shop/ 12500",
        "[2026-12-07 12:00:00 +0000] [42] [INFO] Booting worker with pid: 42",
        "302 POST /shop/product/market-tote/ 48000",
        "500 GET /cart/ 7",
        "200 GET /shop/ 12",  # truncated last line
        "",
    ]
    assert access_log_times(lines) == [
        ("GET", "/shop/", "200", 12.5),
        ("POST", "/shop/product/market-tote/", "302", 48.0),
        ("GET", "/cart/", "500", 0.007),
        ("GET", "/shop/", "200", 0.012),
    ]


def test_server_p95_overall_and_per_locust_name():
    lines = [f"200 GET /shop/product/p{n}/ {n * 1000}" for n in range(1, 21)]  # 1..20 ms
    lines += ["302 POST /shop/product/p1/ 90000", "200 GET / 3000", "200 POST /checkout/pay/tok/confirm/ 250000"]
    found = server_p95(lines, locust_name)
    assert found["/shop/product/[slug]/"] == (20, 19.0)
    assert found["add to cart"] == (1, 90.0)
    assert found["pay"] == (1, 250.0)
    assert found["/"] == (1, 3.0)
    assert found["all"][0] == 23
    assert found["all"][1] == 90.0  # the 22nd of 23 in order: 1..20, then 3 (again), 90, 250
    assert server_p95(lines) == {"all": found["all"]}


@pytest.mark.parametrize(("method", "path", "name"), [
    ("GET", "/shop/product/market-tote/", "/shop/product/[slug]/"),
    ("POST", "/shop/product/market-tote/", "add to cart"),
    ("GET", "/checkout/pay/abc.def/", "/checkout/pay/[token]/"),
    ("POST", "/checkout/pay/abc.def/confirm/", "pay"),
    ("POST", "/checkout/", "checkout"),
    ("GET", "/checkout/", "/checkout/"),
    ("POST", "/stripe/webhook/", "webhooks (from localstripe)"),
    ("GET", "/static/shop/site.4f2a.css", "static files"),
    ("GET", "/cart/", "/cart/"),
])
def test_access_log_requests_get_locust_names(method, path, name):
    assert locust_name(method, path) == name
