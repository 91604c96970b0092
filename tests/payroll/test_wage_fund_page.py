"""The staff wage-fund page: balance, 26 weeks of flows as SVG, outlook, journal."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payroll.services.ledger import Leg, entry_post
from shop.platform import roles
from tests.support.factories import OrderFactory, UserFactory

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


def test_balance_and_chart(payroll_client):
    credit(D("4500.00"), days_ago=30)
    credit(D("300.00"), days_ago=0)
    draw(D("800.00"), days_ago=14)
    page = payroll_client.get(reverse("payroll:wage_fund"))
    html = page.content.decode()
    assert page.context["balance"] == D("4000.00")
    assert "$4,000.00" in html
    # One bar per source and week that moved money: two sales weeks in, one payroll week out.
    assert html.count('class="bar-sales"') == 2 and html.count('class="bar-payroll"') == 1
    flows = page.context["flows"]
    assert sum(f.inflow for f in flows) == D("4800.00") and sum(f.outflow for f in flows) == D("800.00")
    assert flows[-1].balance == D("4000.00")
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_no_payroll_to_project_says_so_and_refunds_are_not_payroll(payroll_client):
    credit(D("10.00"))
    entry_post(key="refund", on=timezone.localdate(), memo="Wage share of refund", source_type="refund", source_id=1,
               legs=[Leg("wage_fund", D("4.00")), Leg("shop_revenue_clearing", D("-4.00"))])
    draw(D("500.00"), days_ago=3)  # a past draw is history, not the next payroll
    page = payroll_client.get(reverse("payroll:wage_fund"))
    assert "nothing to project yet" in page.content.decode()
    assert page.context["outlook"].weeks_covered is None
    # The draw 3 days ago is this week or last (on a Monday to Wednesday): count the 26 weeks.
    assert page.context["balance"] == D("-494.00") and sum(f.outflow for f in page.context["flows"]) == D("504.00")
    sales = {s.key: s for s in page.context["flows"][-1].sources}["sales"]
    assert (sales.inflow, sales.outflow) == (D("10.00"), D("4.00"))  # the refund is taken back from sales


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


# -- the next payroll, the runway and the warnings ---------------------------------------------


def opening_grant(wages="52000.00", training="0.00"):
    legs = [Leg("wage_fund", -D(wages))] + ([Leg("training_fund", -D(training))] if D(training) else [])
    entry_post(key="opening", on=timezone.localdate() - timedelta(days=60), memo="Opening balance: grants",
               source_type="opening", source_id=None,
               legs=legs + [Leg("opening_balance", D(wages) + D(training))])


def worked(employee, days, hours="8", kind="production"):
    from payroll.services.time import time_entries_approve, time_entry_add

    ids = [time_entry_add(employee, day, D(hours), kind, actor=None).pk for day in days]
    time_entries_approve(ids, actor=None)


def weekdays(start, end):
    return [start + timedelta(days=n) for n in range((end - start).days + 1) if (start + timedelta(days=n)).weekday() < 5]


def test_the_runway_uses_the_calculated_run_not_an_average_of_past_draws(payroll_client):
    from payroll.services import payruns
    from tests.payroll.factories import EmployeeFactory, PayRateFactory

    opening_grant("52000.00")
    draw(D("3000.00"), days_ago=20)  # an older, smaller run: the old page averaged draws like this one
    rosa = EmployeeFactory()
    PayRateFactory(employee=rosa, rate=D("25.00"))
    start, end = date(2026, 11, 9), date(2026, 11, 22)
    worked(rosa, weekdays(start, end))  # 10 days × 8 h = 80 h × $25.00 = $2,000.00 gross
    run = payruns.payrun_create(None, start, end, date(2026, 11, 27))
    payruns.payrun_calculate(run.pk, UserFactory())

    page = payroll_client.get(reverse("payroll:wage_fund"))
    outlook = page.context["outlook"]
    # $2,000.00 + employer Social Security $124.00, Medicare $29.00, Florida reemployment tax $54.00.
    assert (outlook.next.basis, outlook.next.run, outlook.next_payroll) == ("run", run, D("2207.00"))
    assert outlook.weekly_rate == D("1103.50")
    assert page.context["balance"] == D("49000.00") and outlook.weeks_covered == D("44.4")  # 49,000 ÷ 1,103.50
    html = page.content.decode()
    assert "From the calculated pay run waiting for approval" in html and "1 person): wages and employer taxes of $2,207.00" in html


def test_without_a_calculated_run_the_next_payroll_is_estimated_from_rates_and_typical_hours(payroll_client):
    from payroll.models import Employee, PayRate
    from tests.payroll.factories import EmployeeFactory, PayRateFactory

    from payroll.services.payruns import pay_period_containing

    opening_grant("10000.00", training="1000.00")
    today = timezone.localdate()
    current = pay_period_containing(today)[0]  # the pay period under way
    two_back, last = current - timedelta(days=28), current - timedelta(days=14)  # two finished periods
    maker = EmployeeFactory()
    PayRateFactory(employee=maker, rate=D("20.00"))
    worked(maker, [two_back + timedelta(days=n) for n in range(4)])  # 32 h
    worked(maker, [last + timedelta(days=n) for n in range(6)])  # 48 h; none in the two periods before: time off
    worked(maker, [current])  # the period under way is not finished: not counted
    trainee = EmployeeFactory(status=Employee.Status.TRAINEE)
    PayRateFactory(employee=trainee, kind=PayRate.Kind.TRAINING, rate=D("16.00"))
    worked(trainee, [two_back], hours="2", kind="training")
    worked(trainee, [last], hours="3", kind="training")  # 2.5 h a period
    gone = EmployeeFactory(status=Employee.Status.TERMINATED)
    PayRateFactory(employee=gone, rate=D("30.00"))
    worked(gone, [last + timedelta(days=n) for n in range(10)])  # no longer employed: not in the next payroll
    PayRateFactory(employee=maker, rate=D("22.00"), effective_from=today)  # a raise today: the estimate uses it

    next_ = payroll_client.get(reverse("payroll:wage_fund")).context["outlook"].next
    assert (next_.basis, next_.people, next_.hours) == ("estimate", 2, D("42.50"))
    # Maker: (32 + 48) / 2 = 40 h × $22.00 = $880.00 + SS $54.56 + Medicare $12.76 + FL $23.76 = $971.08.
    # Trainee: 2.5 h × $16.00 = $40.00 + SS $2.48 + Medicare $0.58 + FL $1.08 = $44.14.
    assert (next_.wage_draw, next_.training_draw) == (D("971.08"), D("44.14"))
    assert next_.employer_taxes == D("95.22")
    html = payroll_client.get(reverse("payroll:wage_fund")).content.decode()
    assert "this is an estimate" in html and "2 active employees at today's pay rates" in html
    # The employer taxes are named from the tax lines (payroll/tax_lines.py), the state's by its tables.
    assert "plus $95.22 of employer Social Security, Medicare and Florida reemployment tax." in html


def test_a_fund_below_zero_or_short_of_the_next_draw_is_a_warning_on_the_staff_pages(payroll_client):
    from payroll.services import payruns
    from tests.payroll.factories import EmployeeFactory, PayRateFactory

    opening_grant("1500.00")
    entry_post(key="training-overdrawn", on=timezone.localdate() - timedelta(days=5), memo="Training wages", source_type="payrun",
               source_id=None, legs=[Leg("training_fund", D("3235.87")), Leg("payroll_cash", D("-3235.87"))])
    rosa = EmployeeFactory()
    PayRateFactory(employee=rosa, rate=D("25.00"))
    start, end = date(2026, 11, 9), date(2026, 11, 22)
    worked(rosa, weekdays(start, end))
    run = payruns.payrun_create(None, start, end, date(2026, 11, 27))
    payruns.payrun_calculate(run.pk, UserFactory())

    for url in (reverse("payroll:wage_fund"), reverse("payroll:payruns")):
        html = payroll_client.get(url).content.decode()
        assert "The training fund is below zero: -$3,235.87." in html, url
        assert "The wage fund ($1,500.00) does not cover the next payroll on Nov 27, 2026, which draws $2,207.00 from it." in html


def test_the_nightly_check_emails_payroll_staff_about_the_funds(mailoutbox, caplog):
    from payroll import tasks

    UserFactory(email="pat@example.org", roles=[roles.PAYROLL_STAFF])
    opening_grant("100.00")
    assert tasks.check_fund_levels_nightly() == 0 and mailoutbox == []
    entry_post(key="overdrawn", on=timezone.localdate(), memo="Training wages", source_type="payrun", source_id=None,
               legs=[Leg("training_fund", D("3235.87")), Leg("payroll_cash", D("-3235.87"))])
    with caplog.at_level("WARNING", logger="payroll.services.reconcile"):
        assert tasks.check_fund_levels_nightly() == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["pat@example.org"]
    assert "The training fund is below zero: -$3,235.87." in mailoutbox[0].body
    assert "training fund is below zero" in caplog.text


def test_the_nightly_fund_check_is_scheduled(settings):
    assert any(job["task"] == "payroll.tasks.check_fund_levels_nightly" for job in settings.CELERY_BEAT_SCHEDULE.values())


def test_the_chart_shows_each_source_by_what_it_is_and_the_balance_over_time(payroll_client):
    opening_grant("52000.00")
    credit(D("120.00"), days_ago=7)
    entry_post(key="gift", on=timezone.localdate(), memo="Designated gift", source_type="donation", source_id=1,
               legs=[Leg("designated_donations", D("75.00")), Leg("wage_fund", D("-75.00"))])
    draw(D("14174.20"), days_ago=1)
    page = payroll_client.get(reverse("payroll:wage_fund"))
    html = page.content.decode()
    assert "grants and opening balance in $52,000.00" in html
    assert "sales in $120.00" in html and "designated gifts in $75.00" in html and "payroll draws out $14,174.20" in html
    assert "credited from sales" not in html  # the old caption called every inflow a sale
    assert 'class="bar-grants"' in html and 'class="bar-gifts"' in html
    flows = page.context["flows"]
    assert flows[-1].balance == D("38020.80")  # 52,000 + 120 + 75 − 14,174.20
    assert page.context["balance_chart"]["points"].count(",") == 26


def test_the_estimate_takes_the_same_queries_for_1_or_20_employees(payroll_client):
    from payroll.models import TimeEntry
    from tests.payroll.factories import EmployeeFactory, PayRateFactory

    day = timezone.localdate() - timedelta(days=2)

    def add_people(n):
        for _ in range(n):
            employee = EmployeeFactory()
            PayRateFactory(employee=employee, rate=D("20.00"))
            TimeEntry.objects.create(employee=employee, date=day, hours=D("8"), kind="production")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert payroll_client.get(reverse("payroll:wage_fund")).status_code == 200
        return len(ctx)

    add_people(1)
    one = queries()
    add_people(19)
    assert queries() == one
    assert payroll_client.get(reverse("payroll:wage_fund")).context["outlook"].next.people == 20
