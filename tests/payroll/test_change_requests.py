"""Employees ask at /me/requests/ to change their W-4, address or bank account; payroll staff
approve (applied through the people services; a bank change starts a prenote) or decline,
and the employee sees each request's state."""
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from payroll.models import ChangeRequest, WithholdingCertificate
from shop.models import AuditEvent
from shop.platform import roles
from tests.payroll.factories import EmployeeFactory
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
MINE = "/me/requests/"


@pytest.fixture
def rosa():
    return EmployeeFactory(user=UserFactory(), legal_name="Rosa Martinez", address="1 Old Rd",
                           bank_account="100200300", bank_prenote_sent=True)


def decide(client, item, action, **data):
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    return client.post(reverse("payroll:change_request_action", args=[item.pk, action]), data)


def test_a_bank_change_waits_for_payroll_then_starts_a_prenote(client, rosa):
    client.force_login(rosa.user)
    assert client.get(MINE).status_code == 200
    response = client.post(MINE, {"kind": "bank", "bank-routing": "021000021", "bank-account": "55566677",
                                  "bank-account_type": "savings"})
    assert response.status_code == 302
    rosa.refresh_from_db()
    assert rosa.bank_account == "100200300"  # nothing changes before payroll decides
    item = ChangeRequest.objects.get()
    with connection.cursor() as cursor:  # what was asked is encrypted at rest, like the record
        cursor.execute("SELECT payload FROM payroll_changerequest WHERE id = %s", [item.pk])
        assert "55566677" not in cursor.fetchone()[0]
    assert "Waiting for payroll" in client.get(MINE).content.decode()

    staff_page = (client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF])), client.get("/staff/payroll/requests/"))[1]
    html = staff_page.content.decode()
    assert "Rosa Martinez" in html and "•••• 6677" in html and "55566677" not in html
    assert "1 change request from employees to decide" in client.get("/staff/").content.decode()

    assert decide(client, item, "approve").status_code == 302
    rosa.refresh_from_db()
    assert rosa.bank_account == "55566677" and rosa.bank_account_type == "savings" and rosa.bank_prenote_sent is False
    assert AuditEvent.objects.filter(action="bank.changed", employee_id=rosa.pk).exists()
    client.force_login(rosa.user)
    assert "Approved" in client.get(MINE).content.decode()


def test_a_w4_request_records_a_new_certificate_when_approved(client, rosa):
    client.force_login(rosa.user)
    client.post(MINE, {"kind": "w4", "w4-filing_status": "married_jointly", "w4-step3_credits": "4000",
                       "w4-step4c_extra_withholding": "25"})
    item = ChangeRequest.objects.get(kind="w4")
    assert not WithholdingCertificate.objects.filter(employee=rosa).exists()
    decide(client, item, "approve")
    w4 = WithholdingCertificate.objects.get(employee=rosa)
    assert (w4.filing_status, w4.step3_credits, w4.step4c_extra_withholding) == ("married_jointly", Decimal("4000.00"), Decimal("25.00"))


def test_an_address_request_declined_leaves_the_record_and_says_why(client, rosa):
    client.force_login(rosa.user)
    client.post(MINE, {"kind": "address", "address-address": "9 New St"})
    item = ChangeRequest.objects.get()
    decide(client, item, "decline", note="Please bring a lease")
    rosa.refresh_from_db()
    assert rosa.address == "1 Old Rd"
    client.force_login(rosa.user)
    html = client.get(MINE).content.decode()
    assert "Declined" in html and "Please bring a lease" in html
    assert decide(client, item, "approve").status_code == 302  # a decided request cannot be decided again
    rosa.refresh_from_db()
    assert rosa.address == "1 Old Rd"


def test_bad_requests_are_field_errors_and_one_of_each_kind_waits_at_a_time(client, rosa):
    client.force_login(rosa.user)
    response = client.post(MINE, {"kind": "bank", "bank-routing": "123456789", "bank-account": "1", "bank-account_type": "checking"})
    assert response.status_code == 400 and not ChangeRequest.objects.exists()
    assert client.post(MINE, {"kind": "salary"}).status_code == 400
    assert client.post(MINE, {"kind": "address", "address-address": ""}).status_code == 400
    assert client.post(MINE, {"kind": "address", "address-address": "9 New St"}).status_code == 302
    response = client.post(MINE, {"kind": "address", "address-address": "10 New St"})
    assert response.status_code == 400 and "already have a request" in response.content.decode()
    assert ChangeRequest.objects.count() == 1


def test_only_payroll_staff_decide_and_other_people_have_no_request_page(client, rosa):
    item = ChangeRequest.objects.create(employee=rosa, kind="address", payload='{"address": "9 New St"}')
    for role in (roles.SHOP_STAFF, roles.PROGRAM_STAFF, roles.VOLUNTEER_COORDINATOR):
        client.force_login(UserFactory(roles=[role]))
        assert client.post(reverse("payroll:change_request_action", args=[item.pk, "approve"])).status_code == 403
    client.force_login(UserFactory())
    assert client.get(MINE).status_code == 404
    rosa.refresh_from_db()
    assert rosa.address == "1 Old Rd" and ChangeRequest.objects.get().status == "pending"
