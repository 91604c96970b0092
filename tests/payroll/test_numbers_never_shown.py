"""Full SSNs and bank account numbers are never rendered: not in any payroll page, not in any
admin list or form (last four only); the admin replaces a number through a write-only field,
and "Reveal" is a POST of payroll staff that shows it once and is recorded in the audit trail."""
import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from payroll.models import Employee, JournalEntry, PayRun
from shop.models import AuditEvent
from shop.platform import roles
from tests.payroll.factories import EmployeeFactory
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert Employee.objects.count() == 12


def secrets_of(employees) -> dict[str, str]:
    """Each demo employee's full SSN (with and without dashes) and account number."""
    found = {}
    for employee in employees:
        assert employee.ssn, "the walk must have numbers to look for"
        found[employee.ssn] = f"SSN of employee {employee.pk}"
        found[re.sub(r"\D", "", employee.ssn)] = f"SSN (digits) of employee {employee.pk}"
        if employee.bank_account:  # some demo employees are paid by paper check
            found[employee.bank_account] = f"account number of employee {employee.pk}"
    return found


def payroll_pages() -> list[str]:
    pages = ["/staff/", reverse("payroll:payruns"), reverse("payroll:wage_fund"), reverse("payroll:reports")]
    for run in PayRun.objects.all():
        pages += [reverse("payroll:payrun", args=[run.pk]), reverse("payroll:payrun_checks", args=[run.pk]),
                  reverse("payroll:payrun_amounts", args=[run.pk])]
    pages += [reverse("payroll:journal_entry", args=[entry.pk]) for entry in JournalEntry.objects.order_by("-id")[:5]]
    return pages


def admin_pages() -> list[str]:
    pages = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "payroll":
            continue
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:%s_%s_changelist" % info))
        pages.append(reverse("admin:%s_%s_add" % info))
        for obj in model._default_manager.order_by("pk")[:3]:
            pages.append(reverse("admin:%s_%s_change" % info, args=[obj.pk]))
    return pages


def test_no_payroll_page_or_admin_form_renders_a_full_ssn_or_account_number(client, demo):
    secrets = secrets_of(Employee.objects.all())
    assert sum("account number" in what for what in secrets.values()) >= 8
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    walked, leaks = 0, []
    for url in payroll_pages() + admin_pages():
        response = client.get(url)
        if response.status_code == 403:  # a model payroll staff may not open (e.g. training records)
            continue
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        html = response.content.decode()
        leaks += [f"{url}: {what}" for secret, what in secrets.items() if secret in html]
        walked += 1
    assert leaks == []
    assert walked >= 30  # the walk reached the pages, not a login screen
    employee = Employee.objects.exclude(bank_account="").order_by("pk").first()
    change = client.get(reverse("admin:payroll_employee_change", args=[employee.pk])).content.decode()
    assert f"•••• {employee.ssn[-4:]}" in change and f"•••• {employee.bank_account[-4:]}" in change


def test_the_walk_would_find_a_number_that_leaked(client, demo):
    """The check above can fail: a page that prints a demo SSN is caught by the same search."""
    employee = Employee.objects.order_by("pk").first()
    employee.preferred_name = employee.ssn  # a name field shown on the pay run page
    employee.save(update_fields=["preferred_name"])
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    secrets = secrets_of([employee])
    leaked = [url for url in payroll_pages() if any(s in client.get(url).content.decode() for s in secrets)]
    assert leaked != []


def test_the_admin_replaces_a_number_through_a_write_only_field_and_a_bank_change_needs_a_prenote(client):
    staff = UserFactory(roles=[roles.PAYROLL_STAFF])
    rosa = EmployeeFactory(ssn="123-45-6789", bank_account="555000111", bank_prenote_sent=True)
    client.force_login(staff)
    url = reverse("admin:payroll_employee_change", args=[rosa.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not None}
    data.update({"ssn_new": "", "bank_routing_new": "", "bank_account_new": "999888777",
                 **{f"{p}-{k}": v for p in ("rates", "w4s", "consents") for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))}})
    html = client.get(url).content.decode()
    assert 'name="bank_account_new"' in html and 'value="555000111"' not in html and "555000111" not in html
    response = client.post(url, data)
    prefixes = [f.prefix for f in response.context["inline_admin_formsets"]] if response.status_code == 200 else []
    assert response.status_code == 302, (prefixes, response.context["adminform"].form.errors if response.status_code == 200 else "")
    rosa.refresh_from_db()
    assert rosa.bank_account == "999888777" and rosa.ssn == "123-45-6789"  # blank kept the SSN
    assert rosa.bank_prenote_sent is False
    assert AuditEvent.objects.filter(action="bank.changed", employee_id=rosa.pk).exists()


def test_a_bad_replacement_number_is_a_field_error(client):
    rosa = EmployeeFactory(ssn="123-45-6789")
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    url = reverse("admin:payroll_employee_change", args=[rosa.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not None}
    data.update({"ssn_new": "12", **{f"{p}-{k}": "0" for p in ("rates", "w4s", "consents") for k in ("TOTAL_FORMS", "INITIAL_FORMS")}})
    response = client.post(url, data)
    assert response.status_code == 200 and "ssn_new" in response.context["adminform"].form.errors
    rosa.refresh_from_db()
    assert rosa.ssn == "123-45-6789"


def test_reveal_is_a_post_of_payroll_staff_shown_once_and_audited(client):
    rosa = EmployeeFactory(ssn="123-45-6789", bank_account="555000111")
    url = reverse("payroll:employee_reveal", args=[rosa.pk])
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    assert client.get(url).status_code == 405
    response = client.post(url, {"field": "ssn"})
    assert response.status_code == 200 and "123-45-6789" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="employee.number_revealed")
    assert event.employee_id == rosa.pk and "123-45-6789" not in str(event.detail) and event.detail.get("field") == "ssn"
    assert client.post(url, {"field": "legal_name"}).status_code == 400
    for role in (roles.SHOP_STAFF, roles.PROGRAM_STAFF, roles.VOLUNTEER_COORDINATOR):
        client.force_login(UserFactory(roles=[role]))
        response = client.post(url, {"field": "ssn"})
        assert response.status_code == 403 and "123-45-6789" not in response.content.decode()
    assert AuditEvent.objects.filter(action="employee.number_revealed").count() == 1
