"""Year-end W-2 data and the payroll reports."""
import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from payroll.models import AuditEvent
from payroll.services.ledger import Leg, entry_post
from shop.platform import roles
from tests.support.factories import UserFactory
from tests.payroll.factories import EmployeeFactory, PayRunFactory, PayStubFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_w2_boxes_sum_the_years_final_stubs_and_cap_social_security_wages(client):
    rosa = EmployeeFactory(legal_name="Rosa Martinez", ssn="123-45-6789")
    high = EmployeeFactory(legal_name="Hana Tesfaye", ssn="123-45-6790")
    paid, approved = PayRunFactory(status="paid"), PayRunFactory(status="approved", pay_date=date(2026, 11, 6))
    PayStubFactory(pay_run=paid, employee=rosa)  # 2000 / 156.15 / 124 / 29
    PayStubFactory(pay_run=approved, employee=rosa, gross=D("1000.00"), federal_income_tax=D("40.00"),
                   social_security=D("62.00"), medicare=D("14.50"), net=D("883.50"))
    PayStubFactory(pay_run=PayRunFactory(status="void"), employee=rosa, gross=D("999.00"))  # voided: not counted
    PayStubFactory(pay_run=PayRunFactory(status="paid", pay_date=date(2025, 12, 26)), employee=rosa)  # last year
    PayStubFactory(pay_run=paid, employee=high, gross=D("190000.00"), federal_income_tax=D("40000.00"),
                   social_security=D("11439.00"), medicare=D("2755.00"), net=D("135806.00"))
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    response = client.get(reverse("payroll:w2_export", args=[2026]))
    assert response["Content-Type"] == "text/csv" and response["Cache-Control"] == "no-store"
    rows = {r["legal_name"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["Rosa Martinez"] == {
        "employee_id": str(rosa.pk), "legal_name": "Rosa Martinez", "ssn": "123-45-6789",
        "box1_wages": "3000.00", "box2_federal_income_tax": "196.15", "box3_social_security_wages": "3000.00",
        "box4_social_security_tax": "186.00", "box5_medicare_wages": "3000.00", "box6_medicare_tax": "43.50",
    }
    assert rows["Hana Tesfaye"]["box3_social_security_wages"] == "184500.00"  # the 2026 wage base
    assert rows["Hana Tesfaye"]["box5_medicare_wages"] == "190000.00"
    assert AuditEvent.objects.filter(action="w2.exported").count() == 1


def test_reports_compare_wages_funded_by_sales_with_payroll_cost(client):
    entry_post(key="sale", on=date(2026, 10, 1), memo="sale", source_type="order_line", source_id=1,
               legs=[Leg("shop_revenue_clearing", D("500.00")), Leg("wage_fund", D("-500.00"))])
    entry_post(key="opening", on=date(2026, 1, 1), memo="opening", source_type="opening", source_id=None,
               legs=[Leg("opening_balance", D("9000.00")), Leg("wage_fund", D("-9000.00"))])
    PayStubFactory(pay_run=PayRunFactory(status="paid"), production_pay=D("1800.00"), training_pay=D("200.00"))
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    page = client.get(reverse("payroll:reports"), {"year": "2026"})
    funding, cost = page.context["funding"], page.context["cost"]
    assert funding["funded_by_sales"] == D("500.00")  # the opening balance is not sales
    assert funding["payroll_cost"] == D("2207.00")  # 2000 + 124 + 29 + 54
    assert funding["gap"] == D("1707.00")
    assert (cost["production_pay"], cost["training_pay"]) == (D("1800.00"), D("200.00"))
    assert client.get(reverse("payroll:reports"), {"year": "nonsense"}).status_code == 200
