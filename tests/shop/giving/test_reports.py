"""The staff giving report's breakdowns: by month (twelve rows), by circle, recurring revenue
(monthly and annualised) and donor retention. Expected figures are worked out here from
the rows the test makes, not by the code under test."""
import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest

from shop.platform import roles
from shop.models import Donation, GivingCircle, RecurringGift
from shop.selectors.giving import circle_totals, donor_retention, giving_report, monthly_recurring_revenue, monthly_totals
from tests.support.factories import UserFactory
from tests.shop.giving.factories import make_donor, make_paid_donation, make_recurring

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2026


@pytest.fixture
def circles():
    return {
        "women": GivingCircle.objects.create(name="Women's Circle", slug="women", yearly_goal=D("5000.00")),
        "men": GivingCircle.objects.create(name="Men's Circle", slug="men", yearly_goal=D("5000.00")),
        "empty": GivingCircle.objects.create(name="Alumni Circle", slug="alumni", yearly_goal=D("1000.00")),
    }


# (donor, year, month, gift amount, fee covered, circle, refunded)
GIFTS = [
    ("ana", 2025, 1, "10.00", "0.00", None, False),
    ("ben", 2025, 6, "20.00", "0.00", "women", False),
    ("cai", 2025, 7, "30.00", "0.00", None, False),
    ("dev", 2025, 8, "40.00", "0.00", None, True),    # refunded: not a 2025 donor
    ("ana", YEAR, 1, "15.15", "0.74", "women", False),
    ("ana", YEAR, 3, "15.15", "0.74", "women", False),
    ("ben", YEAR, 3, "7.01", "0.00", "men", False),
    ("eve", YEAR, 3, "100.00", "3.30", None, False),
    ("eve", YEAR, 12, "0.33", "0.00", None, False),
    ("dev", YEAR, 5, "50.00", "0.00", "women", True),  # refunded: counted nowhere
    ("fay", YEAR + 1, 1, "99.00", "0.00", "men", False),  # another year
]


@pytest.fixture
def gifts(circles):
    donors = {name: make_donor(name=name.title()) for name in {g[0] for g in GIFTS}}
    for donor, year, month, amount, fee, circle, refunded in GIFTS:
        gift = make_paid_donation(donors[donor], amount, paid_at=(year, month, 10, 12), fee_covered=D(fee),
                                  total=D(amount) + D(fee), circle=circles[circle] if circle else None)
        if refunded:
            Donation.objects.filter(pk=gift.pk).update(status=Donation.Status.REFUNDED)
    return donors


def kept(year):
    return [g for g in GIFTS if g[1] == year and not g[6]]


def test_by_month_has_twelve_rows_of_kept_gifts(gifts):
    expected = {m: [0, D("0.00")] for m in range(1, 13)}
    for _, _, month, amount, fee, _, _ in kept(YEAR):
        expected[month][0] += 1
        expected[month][1] += D(amount) + D(fee)  # what was charged, fees included
    rows = monthly_totals(YEAR)
    assert len(rows) == 12 and [r[0] for r in rows] == list(range(1, 13))
    assert {m: [n, total] for m, n, total in rows} == expected
    assert rows[2] == (3, 3, D("126.20"))  # 15.89 + 7.01 + 103.30, worked by hand
    assert rows[4] == (5, 0, D("0.00"))  # May's only gift was refunded


def test_by_circle_groups_kept_gifts_by_name_with_no_circle_last(gifts, circles):
    expected = defaultdict(lambda: [0, D("0.00")])
    for _, _, _, amount, _, circle, _ in kept(YEAR):
        name = circles[circle].name if circle else "No circle"
        expected[name][0] += 1
        expected[name][1] += D(amount)  # the gift the organisation nets, like the funds
    totals = circle_totals(YEAR)
    assert [t.name for t in totals] == ["Men's Circle", "Women's Circle", "No circle"]  # the empty circle is left out
    assert {t.name: [t.gifts, t.amount] for t in totals} == dict(expected)
    assert {t.name: t.amount for t in totals} == {"Men's Circle": D("7.01"), "Women's Circle": D("30.30"),
                                                  "No circle": D("100.33")}
    assert all(isinstance(t.amount, Decimal) for t in totals)


def test_recurring_revenue_monthly_and_annualised():
    monthly = [("12.34", RecurringGift.Status.ACTIVE), ("0.01", RecurringGift.Status.ACTIVE),
               ("25.00", RecurringGift.Status.PAST_DUE), ("40.00", RecurringGift.Status.PAUSED),
               ("50.00", RecurringGift.Status.CANCELLED), ("60.00", RecurringGift.Status.INCOMPLETE)]
    for amount, status in monthly:
        make_recurring(amount=amount, status=status, fee_covered=D("1.00"))
    charging = [D(a) for a, s in monthly if s in (RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE)]
    assert monthly_recurring_revenue() == (len(charging), sum(charging))
    report = giving_report(YEAR)
    assert report["mrr"] == D("37.35") and report["arr"] == D("448.20")  # 37.35 × 12


def test_retention_counts_donors_of_last_year_who_gave_again(gifts):
    before = {g[0] for g in kept(YEAR - 1)}
    now = {g[0] for g in kept(YEAR)}
    assert (before, now) == ({"ana", "ben", "cai"}, {"ana", "ben", "eve"})
    retention = donor_retention(YEAR)
    assert retention == {"previous": 3, "current": 3, "retained": 2, "new": 1, "rate": D("66.7")}
    assert donor_retention(YEAR - 1)["previous"] == 0 and donor_retention(YEAR - 1)["rate"] is None


def test_the_report_page_and_the_csv_show_the_breakdowns(client, gifts):
    make_recurring(amount="12.50")
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    html = client.get(f"/staff/giving/?year={YEAR}").content.decode()
    for expected in ("January 2026", "December 2026", "$126.20", "By circle", "Women&#x27;s Circle", "$30.30",
                     "No circle", "$100.33", "$12.50</strong> a month", "$150.00</strong> a year",
                     "2 of 3 donors", "(66.7%)"):
        assert expected in html, expected
    assert "Alumni Circle" not in html
    rows = list(csv.DictReader(io.StringIO(client.get(f"/staff/giving/gifts.csv?year={YEAR}").content.decode())))
    assert sorted(r["circle"] for r in rows) == sorted(
        {"women": "Women's Circle", "men": "Men's Circle", None: ""}[g[5]] for g in GIFTS if g[1] == YEAR)
