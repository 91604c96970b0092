"""Payroll staff tell employees apart by name (legal, with the chosen name beside it) in the
time-entry dropdown, the employee list and the pay run register; other roles never see it."""
import pytest
from django.urls import reverse

from shop.platform import roles
from tests.payroll.factories import EmployeeFactory, PayStubFactory
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_time_entry_dropdown_names_employees_for_payroll_staff(client):
    ana = EmployeeFactory(legal_name="Ana Lucia Ortiz", preferred_name="Lucy")
    EmployeeFactory(legal_name="Mei Chen", preferred_name="Mei")
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    html = client.get(reverse("admin:payroll_timeentry_add")).content.decode()
    assert f'<option value="{ana.pk}">Ana Lucia Ortiz (Lucy) · employee {ana.pk}</option>' in html
    assert "Mei Chen · employee" in html and "(Mei)" not in html  # a chosen name equal to the first name adds nothing
    assert str(ana) == f"Employee {ana.pk}"  # logs and audit rows keep the number


def test_the_register_names_each_employee_for_payroll_staff_only(client):
    stub = PayStubFactory(employee=EmployeeFactory(legal_name="Rosa Martinez", preferred_name="Rosie"))
    url = reverse("payroll:payrun", args=[stub.pay_run_id])
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    assert "Rosa Martinez (Rosie)" in client.get(url).content.decode()
    for role in (roles.SHOP_STAFF, roles.PROGRAM_STAFF, roles.VOLUNTEER_COORDINATOR):
        client.force_login(UserFactory(roles=[role]))
        response = client.get(url)
        assert response.status_code == 403 and "Rosa" not in response.content.decode()


def test_program_staff_still_see_masked_names_in_training(client):
    EmployeeFactory(legal_name="Rosa Martinez")
    client.force_login(UserFactory(roles=[roles.PROGRAM_STAFF]))
    html = client.get(reverse("payroll:training_participants")).content.decode()
    assert "Rosa Martinez" not in html


def test_the_attendance_dropdown_names_people_only_for_those_who_may_see_names(client):
    from payroll.models import Program

    ana = EmployeeFactory(legal_name="Ana Lucia Ortiz", preferred_name="Lucy")
    Program.objects.create(name="Sewing", required_hours=40)
    url = reverse("admin:payroll_trainingsession_add")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(url).content.decode()
    assert f'<option value="{ana.pk}">Ana Lucia Ortiz (Lucy) · employee {ana.pk}</option>' in html
    client.force_login(UserFactory(roles=[roles.PROGRAM_STAFF]))
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{ana.pk}">An••• O. (no. {ana.pk})</option>' in html  # as the participants list shows
    assert "Ortiz" not in html and "Lucy" not in html
