"""The shop staff's giving report: by fund, by month, monthly recurring revenue, retention, CSV."""
import csv
import io
from decimal import Decimal

import pytest

from shop.platform import roles
from shop.models import Donation, RecurringGift
from shop.selectors.giving import donor_retention, fund_totals, monthly_recurring_revenue, monthly_totals
from tests.support.factories import UserFactory
from tests.shop.giving.factories import make_donor, make_paid_donation, make_recurring

pytestmark = pytest.mark.django_db


@pytest.fixture
def gifts():
    a, b, c = make_donor(name="=cmd|evil"), make_donor(), make_donor()
    make_paid_donation(a, "10.10", paid_at=(2025, 3, 1, 12), fund="wages")
    make_paid_donation(b, "20.20", paid_at=(2025, 4, 1, 12))
    make_paid_donation(a, "30.30", paid_at=(2026, 3, 5, 12), fund="wages")
    make_paid_donation(c, "0.10", paid_at=(2026, 3, 6, 12), fund="wages")
    refunded = make_paid_donation(c, "5.00", paid_at=(2026, 4, 6, 12), fund="care")
    Donation.objects.filter(pk=refunded.pk).update(status=Donation.Status.REFUNDED)
    make_recurring(amount="15.00")
    make_recurring(amount="7.50", status=RecurringGift.Status.PAUSED)


def test_selectors_sum_exactly(gifts):
    funds = {f.fund: f for f in fund_totals(2026)}
    assert funds["wages"].received == Decimal("30.40") and funds["wages"].gifts == 2
    assert funds["care"].received == Decimal("5.00") and funds["care"].refunded == Decimal("5.00") and funds["care"].net == 0
    assert monthly_totals(2026)[2] == (3, 2, Decimal("30.40"))
    assert monthly_totals(2026)[3] == (4, 0, Decimal("0.00"))  # a refunded gift is not counted as kept
    assert monthly_recurring_revenue() == (1, Decimal("15.00"))
    assert donor_retention(2026) == {"previous": 2, "current": 2, "retained": 1, "new": 1, "rate": Decimal("50.0")}


def test_report_page_and_csv(client, gifts):
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    html = client.get("/staff/giving/?year=2026").content.decode()
    assert "$15.00" in html and "1 of 2 donors" in html and "Survivor wages and job training" in html
    assert client.get("/staff/giving/?year=nonsense").status_code == 200
    response = client.get("/staff/giving/gifts.csv?year=2026")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 3 and {r["total"] for r in rows} == {"30.30", "0.10", "5.00"}
    assert rows[0]["donor"] == "'=cmd|evil"  # no spreadsheet formulas


def test_staff_refund_form_and_unknown_action(client, gifts):
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    gift = Donation.objects.filter(status="paid").first()
    assert client.get(f"/staff/giving/gifts/{gift.number}/").status_code == 200
    assert client.post(f"/staff/giving/gifts/{gift.number}/explode/").status_code == 404
    assert client.post(f"/staff/giving/gifts/{gift.number}/correct/", {"donor_name": ""}).status_code == 400


def test_demo_gifts_have_receipts_and_reach_the_wage_fund(django_capture_on_commit_callbacks):
    from django.core import mail

    from payroll.models import JournalEntry
    from shop.demo.giving import seed_giving

    with django_capture_on_commit_callbacks(execute=True):
        assert seed_giving() == 7
    assert seed_giving() == 0
    assert Donation.objects.filter(status="paid").count() == 7
    assert all(d.receipts.filter(voided_at__isnull=True).count() == 1 for d in Donation.objects.all())
    assert RecurringGift.objects.filter(status="active").count() == 1
    assert JournalEntry.objects.filter(source_type="donation").count() == 4  # one wages gift + three monthly
    assert mail.outbox == []  # demo receipts count as sent already
