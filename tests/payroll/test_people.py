"""Survivor records: encrypted, masked, audited; consents drive the product credit."""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from payroll.models import AuditEvent, Employee
from payroll.services import payruns
from payroll.services.consent import consent_revoke
from payroll.services.people import EmployeeError, bank_details_set, maker_assign, pay_rate_set
from tests.payroll.consent.factories import grant
from payroll.services.time import TimeEntryError, time_entries_approve, time_entry_add
from shop.platform import roles
from tests.support.factories import ProductFactory, UserFactory
from tests.payroll.factories import EmployeeFactory, PayRateFactory, PayStubFactory, PayRunFactory

pytestmark = pytest.mark.django_db


def raw_row(employee):
    with connection.cursor() as cursor:
        cursor.execute("SELECT legal_name, ssn, bank_account FROM payroll_employee WHERE id = %s", [employee.pk])
        return cursor.fetchone()


def test_personal_data_is_encrypted_at_rest():
    employee = EmployeeFactory(legal_name="Rosa Martinez", ssn="123-45-6789", bank_account="9876543210")
    stored = raw_row(employee)
    assert all(value.startswith("gAAAAA") for value in stored)  # Fernet tokens
    assert "Rosa" not in "".join(stored) and "6789" not in "".join(stored)
    assert Employee.objects.get(pk=employee.pk).legal_name == "Rosa Martinez"


def test_key_rotation_re_encrypts_with_the_new_key(settings):
    employee = EmployeeFactory(legal_name="Rosa Martinez")
    before = raw_row(employee)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_encryption_keys")
    after = raw_row(employee)
    assert after != before
    assert Fernet(new_key.encode()).decrypt(after[0].encode()) == b"Rosa Martinez"  # the newest key alone reads it
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Employee.objects.get(pk=employee.pk).legal_name == "Rosa Martinez"


def test_payroll_staff_list_names_with_masked_numbers_and_opening_a_record_is_audited(client):
    employee = EmployeeFactory(legal_name="Rosa Martinez", preferred_name="Rosie", ssn="123-45-6789", bank_account="9876543210")
    staff = UserFactory(roles=[roles.PAYROLL_STAFF])
    client.force_login(staff)
    listing = client.get(reverse("admin:payroll_employee_changelist")).content.decode()
    assert "Rosa Martinez (Rosie)" in listing and "•••• 6789" in listing and "•••• 3210" in listing
    assert "123-45-6789" not in listing and "9876543210" not in listing
    views = AuditEvent.objects.filter(employee_id=employee.pk)
    assert not views.exists()
    client.get(reverse("admin:payroll_employee_change", args=[employee.pk]))
    event = views.get()
    assert (event.actor, event.employee_id, event.action) == (staff, employee.pk, "employee.viewed")
    assert event.ip_address == "127.0.0.1"


def test_only_payroll_staff_reach_employee_records(client):
    employee = EmployeeFactory()
    for role in (roles.SHOP_STAFF, roles.PROGRAM_STAFF, roles.VOLUNTEER_COORDINATOR):
        client.force_login(UserFactory(roles=[role]))
        assert client.get(reverse("admin:payroll_employee_change", args=[employee.pk])).status_code == 403
    assert not AuditEvent.objects.filter(employee_id=employee.pk).exists()


def test_bank_details_are_validated_and_need_a_new_prenote():
    employee = EmployeeFactory(bank_prenote_sent=True)
    with pytest.raises(EmployeeError, match="check digit"):
        bank_details_set(employee, "021000022", "12345678", "checking", actor=None)
    bank_details_set(employee, "011000015", "12345678", "savings", actor=None)
    employee.refresh_from_db()
    assert employee.bank_routing == "011000015" and not employee.bank_prenote_sent
    assert AuditEvent.objects.filter(action="bank.changed", employee_id=employee.pk).exists()


def test_consent_sets_and_clears_the_product_credit_in_one_step():
    employee = EmployeeFactory(preferred_name="Amara")
    product = ProductFactory()
    maker_assign(employee, product, actor=None)
    product.refresh_from_db()
    assert product.maker_credit == ""  # no consent yet
    consent = grant(employee, "name_credit", valid_from=timezone.localdate())
    product.refresh_from_db()
    assert product.maker_credit == "Amara" and product.maker_line == "Made by Amara"
    consent_revoke(consent.pk, None, note="Withdrawn by phone")
    product.refresh_from_db()
    assert product.maker_credit == "" and product.maker_line == "Made by one of our artisans"
    consent.refresh_from_db()
    assert consent.revoked_at is not None and consent.revoke_note == "Withdrawn by phone"  # the record is kept


def test_rates_and_hours_below_the_minimum_wage_are_refused():
    employee = EmployeeFactory()
    with pytest.raises(EmployeeError, match=r"below the minimum wage of \$15.00"):
        pay_rate_set(employee, "production", Decimal("14.50"), date(2026, 10, 1), actor=None)
    pay_rate_set(employee, "production", Decimal("14.50"), date(2026, 9, 1), actor=None)  # fine before Sept 30
    time_entry_add(employee, date(2026, 9, 15), Decimal("8"), "production", actor=None)
    with pytest.raises(TimeEntryError, match=r"below the minimum wage of \$15.00 in force on Oct 5, 2026"):
        time_entry_add(employee, date(2026, 10, 5), Decimal("8"), "production", actor=None)


def test_paid_hours_are_locked():
    from payroll.services.time import time_entry_remove

    employee = EmployeeFactory()
    PayRateFactory(employee=employee)
    entry = time_entry_add(employee, date(2026, 10, 5), Decimal("8"), "production", actor=None)
    time_entries_approve([entry.pk], actor=None)
    run = payruns.payrun_create(None, date(2026, 10, 5), date(2026, 10, 18), date(2026, 10, 23))
    payruns.payrun_calculate(run.pk, UserFactory())
    payruns.payrun_approve(run.pk, UserFactory(), override_reason="The funds are not what this test is about.")
    with pytest.raises(TimeEntryError, match="paid in an approved pay run"):
        time_entry_remove(entry.pk)


def test_each_employee_sees_only_their_own_pay(client):
    alice_user, bob_user = UserFactory(), UserFactory()
    alice, bob = EmployeeFactory(user=alice_user), EmployeeFactory(user=bob_user)
    run = PayRunFactory(status="paid")
    alices, bobs = PayStubFactory(pay_run=run, employee=alice), PayStubFactory(pay_run=run, employee=bob, gross=Decimal("1234.00"))
    client.force_login(alice_user)
    page = client.get(reverse("payroll:my_pay"))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert reverse("payroll:pay_stub_pdf", args=[alices.pk]) in page.content.decode()
    assert reverse("payroll:pay_stub_pdf", args=[bobs.pk]) not in page.content.decode()
    pdf = client.get(reverse("payroll:pay_stub_pdf", args=[alices.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.getvalue().startswith(b"%PDF")
    assert client.get(reverse("payroll:pay_stub_pdf", args=[bobs.pk])).status_code == 404
    assert client.get(reverse("payroll:payruns")).status_code == 403  # no staff pages for employees
    client.force_login(bob_user)
    assert client.get(reverse("payroll:pay_stub_pdf", args=[bobs.pk])).status_code == 200


def test_the_pay_stub_pdf_shows_the_figures_and_only_a_masked_account():
    from payroll.services.paystubs import pay_stub_pdf

    employee = EmployeeFactory(legal_name="Rosa Martinez", bank_account="9876543210")
    stub = PayStubFactory(employee=employee, bank_masked="•••• 3210", production_hours=Decimal("80"), production_rate=Decimal("25"),
                          production_pay=Decimal("2000.00"), ytd={"gross": "6000.00", "net": "5072.55"})
    pdf = pay_stub_pdf(stub)
    text = _pdf_text(pdf)
    for expected in ("Rosa Martinez", "12-3456789", "$2,000.00", "$156.15", "$124.00", "$29.00", "$1,690.85", "$6,000.00", "3210"):
        assert expected in text, expected
    assert "9876543210" not in text


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_seed_demo_adds_a_paid_payroll_once(django_capture_on_commit_callbacks):
    from payroll.models import PayRun, PayStub
    from shop.models import Product

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
        call_command("seed_demo")
    assert Employee.objects.count() == 12
    run = PayRun.objects.get()
    assert run.status in ("approved", "paid") and PayStub.objects.filter(pay_run=run).count() == 12
    assert PayStub.objects.exclude(pdf="").count() == 12
    assert Product.objects.exclude(maker_credit="").exists()
    assert Employee.objects.filter(user__email="employee@mended.example").exists()


def test_the_header_links_employees_to_their_pay_and_payroll_staff_to_payroll(client):
    employee_user = UserFactory()
    EmployeeFactory(user=employee_user)
    client.force_login(employee_user)
    html = client.get(reverse("shop:home")).content.decode()
    assert reverse("payroll:my_pay") in html and reverse("payroll:payruns") not in html
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    html = client.get(reverse("shop:home")).content.decode()
    assert reverse("payroll:payruns") in html and reverse("payroll:my_pay") not in html


def test_the_admin_applies_the_same_rules_as_the_services(client):
    staff = UserFactory(roles=[roles.PAYROLL_STAFF])
    client.force_login(staff)
    employee = EmployeeFactory()
    PayRateFactory(employee=employee, rate=Decimal("14.50"), effective_from=date(2026, 1, 1))
    response = client.post(reverse("admin:payroll_timeentry_add"), {
        "employee": employee.pk, "date": "2026-10-05", "hours": "8", "kind": "production", "note": "",
    })
    assert response.status_code == 200 and "below the minimum wage of $15.00" in response.content.decode()
    assert not employee.time_entries.exists()
    response = client.post(reverse("admin:payroll_timeentry_add"), {
        "employee": employee.pk, "date": "2026-09-15", "hours": "8", "kind": "production", "note": "",
    })
    assert response.status_code == 302
    assert employee.time_entries.get().entered_by == staff


def test_employees_enter_their_own_hours_only_when_allowed(client):
    user = UserFactory()
    employee = EmployeeFactory(user=user, employee_can_enter_time=False)
    PayRateFactory(employee=employee)
    client.force_login(user)
    assert client.get(reverse("payroll:my_time")).status_code == 404
    Employee.objects.filter(pk=employee.pk).update(employee_can_enter_time=True)
    bad = client.post(reverse("payroll:my_time"), {"date": "2026-10-05", "hours": "30", "kind": "production"})
    assert bad.status_code == 400 and "less than or equal to 24" in bad.content.decode()
    early = client.post(reverse("payroll:my_time"), {"date": "2020-01-01", "hours": "8", "kind": "production"})
    assert early.status_code == 400 and "is outside this person" in early.content.decode()
    assert client.post(reverse("payroll:my_time"), {"date": "2026-10-05", "hours": "8", "kind": "production"}).status_code == 302
    entry = employee.time_entries.get()
    assert entry.entered_by == user and entry.approved_at is None  # payroll staff approve it
