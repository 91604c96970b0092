"""The staff wage-fund page: balance, 26 weeks of flows as SVG, outlook, journal."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payroll.services.ledger import Leg, entry_post
from shop import roles
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def credit(amount, days_ago=0, key=None, source_id=None):
    on = timezone.localdate() - timedelta(days=days_ago)
    return entry_post(
        key=key or f"t-{amount}-{days_ago}-{source_id}", on=on, memo=f"Wage content {amount}", source_type="order_line",
        source_id=source_id, legs=[Leg("shop_revenue_clearing", amount), Leg("wage_fund", -amount)],
    )[0]


def draw(amount, days_ago):
    on = timezone.localdate() - timedelta(days=days_ago)
    entry_post(key=f"draw-{days_ago}", on=on, memo="Payroll", source_type="payrun", source_id=None,
               legs=[Leg("wage_fund", amount), Leg("payroll_cash", -amount)])


@pytest.fixture
def payroll_client(client):
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    return client


def test_balance_chart_and_outlook(payroll_client):
    credit(D("4500.00"), days_ago=30)
    credit(D("300.00"), days_ago=0)
    draw(D("800.00"), days_ago=14)
    page = payroll_client.get(reverse("payroll:wage_fund"))
    html = page.content.decode()
    assert page.context["balance"] == D("4000.00")
    assert "$4,000.00" in html
    # 800 drawn over the last 8 weeks: 100.00 a week, 200.00 a biweekly payroll, 40 weeks covered
    outlook = page.context["outlook"]
    assert (outlook.weekly_rate, outlook.next_payroll, outlook.weeks_covered) == (D("100.00"), D("200.00"), D("40.0"))
    assert html.count('class="bar-in"') == 26 and html.count('class="bar-out"') == 26
    flows = page.context["flows"]
    assert sum(f.inflow for f in flows) == D("4800.00") and sum(f.outflow for f in flows) == D("800.00")
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_no_payroll_yet_says_so_and_refunds_are_not_payroll(payroll_client):
    credit(D("10.00"))
    entry_post(key="refund", on=timezone.localdate(), memo="Wage share of refund", source_type="refund", source_id=1,
               legs=[Leg("wage_fund", D("4.00")), Leg("shop_revenue_clearing", D("-4.00"))])
    page = payroll_client.get(reverse("payroll:wage_fund"))
    assert "no rate to project yet" in page.content.decode()
    assert page.context["balance"] == D("6.00") and page.context["flows"][-1].outflow == D("4.00")


def test_the_page_runs_the_same_queries_for_5_or_50_entries(payroll_client):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert payroll_client.get(reverse("payroll:wage_fund")).status_code == 200
        return len(ctx)

    for n in range(5):
        credit(D("1.00") + n, key=f"a{n}")
    few = queries()
    for n in range(45):
        credit(D("1.00") + n, key=f"b{n}")
    assert queries() == few


def test_drill_down_shows_the_sale_but_not_the_customer(payroll_client):
    order = OrderFactory(email="private.customer@example.org")
    line = order.lines.get()
    entry = credit(D("5.00"), source_id=line.pk)
    html = payroll_client.get(reverse("payroll:journal_entry", args=[entry.pk])).content.decode()
    assert order.number in html and line.title in html and "$5.00" in html
    assert "private.customer@example.org" not in html and order.ship_name not in html
    assert payroll_client.get(reverse("payroll:journal_entry", args=[999999])).status_code == 404


def test_journal_paginates(payroll_client):
    for n in range(30):
        credit(D("2.00"), key=f"p{n}")
    first = payroll_client.get(reverse("payroll:wage_fund"))
    assert len(first.context["page"].object_list) == 25
    assert len(payroll_client.get(reverse("payroll:wage_fund"), {"page": 2}).context["page"].object_list) == 5
