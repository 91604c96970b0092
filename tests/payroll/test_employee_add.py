"""Payroll staff add an employee on their own page: identity, address, W-4, bank with a
prenote, pay rate, start date and I-9 date, all or nothing, with field errors."""
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from payroll.models import Employee, PayRate, WithholdingCertificate
from shop.models import AuditEvent
from shop.platform import roles
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/staff/payroll/employees/new/"


def hire(**changes):
    data = {
        "legal_name": "Ana Lucia Ortiz", "preferred_name": "Lucy", "date_of_birth": "1994-05-17", "ssn": "123-45-6701",
        "address": "12 Palm Way, Tampa FL 33602", "email": "ana@example.org", "phone": "813-555-0101",
        "status": "trainee", "hire_date": "2026-11-02", "i9_completed_on": "2026-11-04", "rate": "16.50",
        "filing_status": "head_of_household", "step3_credits": "2000", "step4c_extra_withholding": "10.00",
        "bank_routing": "021000021", "bank_account": "44556677", "bank_account_type": "checking",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def staff(client):
    user = UserFactory(roles=[roles.PAYROLL_STAFF])
    client.force_login(user)
    return user


def test_a_hire_saves_the_record_w4_rate_and_bank_with_a_prenote_due(client, staff):
    assert client.get(URL).status_code == 200
    response = client.post(URL, hire())
    assert response.status_code == 302
    ana = Employee.objects.get()
    assert response["Location"] == reverse("admin:payroll_employee_change", args=[ana.pk])
    assert (ana.legal_name, ana.preferred_name, ana.ssn) == ("Ana Lucia Ortiz", "Lucy", "123-45-6701")
    assert ana.address == "12 Palm Way, Tampa FL 33602" and ana.date_of_birth == "1994-05-17"
    assert ana.hire_date == date(2026, 11, 2) and ana.i9_completed_on == date(2026, 11, 4)
    assert ana.bank_account == "44556677" and ana.bank_prenote_sent is False  # the prenote is still to go
    w4 = WithholdingCertificate.objects.get(employee=ana)
    assert (w4.effective_from, w4.filing_status, w4.step3_credits, w4.step4c_extra_withholding) == (
        date(2026, 11, 2), "head_of_household", Decimal("2000.00"), Decimal("10.00"))
    rate = PayRate.objects.get(employee=ana)
    assert (rate.kind, rate.rate, rate.effective_from) == ("production", Decimal("16.50"), date(2026, 11, 2))
    actions = set(AuditEvent.objects.filter(employee_id=ana.pk).values_list("action", flat=True))
    assert {"employee.created", "w4.recorded", "pay_rate.set", "bank.changed"} <= actions


def test_without_bank_details_the_hire_is_paid_by_check(client, staff):
    assert client.post(URL, hire(bank_routing="", bank_account="", bank_account_type="")).status_code == 302
    assert Employee.objects.get().bank_account == ""


@pytest.mark.parametrize("changes, field", [
    ({"ssn": "12-3"}, "ssn"),
    ({"legal_name": ""}, "legal_name"),
    ({"hire_date": "next week"}, "hire_date"),
    ({"i9_completed_on": ""}, "i9_completed_on"),
    ({"bank_account_type": ""}, "bank_account"),
    ({"rate": "-1"}, "rate"),
])
def test_bad_input_is_a_field_error_and_nothing_is_saved(client, staff, changes, field):
    response = client.post(URL, hire(**changes))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not Employee.objects.exists()


def test_a_refusal_late_in_the_hire_rolls_back_the_whole_record(client, staff):
    from payroll.models import MinimumWage

    MinimumWage.objects.create(effective_from=date(2026, 1, 1), rate=Decimal("14.00"))
    response = client.post(URL, hire(rate="9.00"))  # the record is valid; the rate is below the minimum wage
    assert response.status_code == 400 and "below the minimum wage" in response.content.decode()
    assert not Employee.objects.exists() and not WithholdingCertificate.objects.exists()
    response = client.post(URL, hire(bank_routing="123456789"))  # a routing number whose check digit is wrong
    assert response.status_code == 400 and not Employee.objects.exists()


def test_other_roles_cannot_add_employees(client):
    for role in (roles.SHOP_STAFF, roles.PROGRAM_STAFF, roles.VOLUNTEER_COORDINATOR):
        client.force_login(UserFactory(roles=[role]))
        assert client.post(URL, hire()).status_code == 403
    assert not Employee.objects.exists()


def test_a_substitute_mailing_address_is_taken_at_hire_and_used_for_mail(client, staff):
    from payroll.selectors.people import mailing_address_lines

    page = client.get(URL).content.decode()
    assert 'name="mailing_address"' in page and "Address Confidentiality Program" in page
    response = client.post(URL, hire(mailing_address="ACP Lot 1234\nP.O. Box 915\nTallahassee FL 32302"))
    assert response.status_code == 302
    ana = Employee.objects.get()
    assert ana.address == "12 Palm Way, Tampa FL 33602"  # kept for the new-hire report
    assert mailing_address_lines(ana) == ["ACP Lot 1234", "P.O. Box 915", "Tallahassee FL 32302"]


def test_a_hire_without_a_mailing_address_is_mailed_at_home(client, staff):
    from payroll.selectors.people import mailing_address_lines

    assert client.post(URL, hire()).status_code == 302
    ana = Employee.objects.get()
    assert ana.mailing_address == "" and mailing_address_lines(ana) == ["12 Palm Way, Tampa FL 33602"]


def test_an_overlong_mailing_address_is_a_field_error_and_nothing_is_saved(client, staff):
    response = client.post(URL, hire(mailing_address="x" * 301))
    assert response.status_code == 400 and "at most 300 characters" in response.content.decode()
    assert not Employee.objects.exists()
