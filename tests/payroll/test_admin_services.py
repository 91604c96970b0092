"""The admin is a door to the services, not around them: every admin of a payroll, giving
or ledger model is read-only or writes through a declared service; bank details changed
in the admin need a new prenote; rates, W-4s and consents are only ever added there."""
from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin, ModelAdmin
from django.test import RequestFactory
from django.urls import reverse
from django.utils.module_loading import import_string

from payroll.models import AuditEvent, Consent, PayRate, TrainingSession, WithholdingCertificate
from payroll.services.people import EmployeeError, PayRateNeedsConfirmation, pay_rate_set
from shop.platform import roles
from tests.support.factories import UserFactory
from tests.payroll.factories import EmployeeFactory, PayRateFactory

pytestmark = pytest.mark.django_db

# Shop's giving and ledger-like admin modules: every class registered from them is checked.
SHOP_GIVING_MODULES = ("shop.admin.giving", "shop.admin.circles", "shop.admin.events", "shop.admin.audit")

# Admins that edit plain reference data: no rule beyond the model's own fields, no money,
# no history, nothing another record copies at the time. Each says why; anything new must
# be read-only, write through a service, or be added here with its reason.
REFERENCE_DATA = {
    "payroll.admin.ProgramAdmin": "training programmes: a name, required hours and competencies",
    "payroll.admin.CompetencyInline": "a programme's list of competencies (sign-offs are made by a service)",
    "payroll.admin.CohortAdmin": "a named group with dates",
    "payroll.admin.SkillAdmin": "volunteer skill labels",
    "payroll.admin.GoalDomainAdmin": "service-plan goal domain labels (goals are written by the casework services)",
    "payroll.admin.WaiverVersionAdmin": "waiver text, frozen once anyone accepted it (get_readonly_fields)",
    "payroll.admin.VolunteerAdmin": "a volunteer's contact details (sign-ups and waivers go through services)",
    "payroll.admin.ShiftAdmin": "wording only: times, capacity and status are read-only; cancelling is a service action",
    "shop.admin.giving.DonorAdmin": "a donor's name and postal address (gifts and receipts are read-only)",
    "shop.admin.circles.GivingCircleAdmin": "a circle's name, goal, description and leaders",
    "shop.admin.circles.CircleInvitationInline": "every field read-only, no add or delete: a record of invitations",
    "shop.admin.events.EventAdmin": "an event's details; prices are copied onto each purchase when it is made",
    "shop.admin.events.TicketTypeInline": "ticket prices, copied onto each purchase",
    "shop.admin.events.SponsorshipTierInline": "sponsorship tiers, copied onto each sponsorship",
}


def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


def covered_admins():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "payroll" or type(model_admin).__module__ in SHOP_GIVING_MODULES:
            yield model, model_admin


def name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def permissions(admin_object, request) -> dict:
    if isinstance(admin_object, InlineModelAdmin):
        return {"add": admin_object.has_add_permission(request, None), "change": admin_object.has_change_permission(request, None),
                "delete": admin_object.can_delete and admin_object.has_delete_permission(request, None)}
    return {"add": admin_object.has_add_permission(request), "change": admin_object.has_change_permission(request, None),
            "delete": admin_object.has_delete_permission(request, None)}


def overrides(model_admin, method: str) -> bool:
    return getattr(type(model_admin), method) is not getattr(ModelAdmin, method)


def declared_services(admin_object) -> list:
    """The service functions an admin says it writes through; each must exist in a services module."""
    services = []
    for path in getattr(admin_object, "admin_writes_through", ()):
        assert ".services." in path, f"{name(type(admin_object))}: {path} is not a service"
        function = import_string(path)
        assert callable(function), path
        services.append(function)
    return services


def classify(admin_object, parent, request) -> str:
    cls = type(admin_object)
    allowed = permissions(admin_object, request)
    if not any(allowed.values()):
        return "read-only"
    if name(cls) in REFERENCE_DATA:
        return "reference"
    if not declared_services(admin_object):
        return "unclassified"
    owner = parent or admin_object
    if isinstance(admin_object, InlineModelAdmin):
        return "service" if overrides(owner, "save_formset") else "unclassified"
    needed = (["save_model"] if allowed["add"] or allowed["change"] else []) + (
        ["delete_model", "delete_queryset"] if allowed["delete"] else [])
    return "service" if all(overrides(admin_object, m) for m in needed) else "unclassified"


def test_every_payroll_giving_and_ledger_admin_is_read_only_or_writes_through_a_service():
    request = superuser_request()
    seen, unclassified = set(), []
    for model, model_admin in covered_admins():
        for admin_object, parent in [(model_admin, None)] + [
            (inline(model, admin.site), model_admin) for inline in model_admin.inlines
        ]:
            seen.add(name(type(admin_object)))
            if classify(admin_object, parent, request) == "unclassified":
                unclassified.append(f"{name(type(admin_object))} {permissions(admin_object, request)}")
    assert not unclassified, "Admins that write without a service: " + "; ".join(unclassified)
    assert set(REFERENCE_DATA) <= seen, "stale REFERENCE_DATA entries"
    # The ones the issue named are covered, and the ledger, gifts, receipts and audit trail are read-only.
    for must in ("payroll.admin.EmployeeAdmin", "payroll.admin.PayRateInline", "payroll.admin.W4Inline",
                 "payroll.admin.ConsentInline", "payroll.admin.TimeEntryAdmin", "shop.admin.giving.DonationAdmin",
                 "shop.admin.giving.ReceiptAdmin", "shop.admin.giving.RecurringGiftAdmin", "shop.admin.audit.AuditEventAdmin",
                 "payroll.admin.JournalEntryAdmin", "payroll.admin.PostingInline"):
        assert must in seen, must
    for model, model_admin in covered_admins():
        if model._meta.model_name in ("journalentry", "account", "donation", "receipt", "recurringgift", "auditevent"):
            assert classify(model_admin, None, request) == "read-only", model


def test_an_unknown_admin_that_saves_directly_fails_the_check():
    class PlainAdmin(admin.ModelAdmin):
        pass

    class StillPlainAdmin(admin.ModelAdmin):
        admin_writes_through = ("payroll.services.people.pay_rate_set",)  # declared, but save_model is Django's

    request = superuser_request()
    assert classify(PlainAdmin(TrainingSession, admin.site), None, request) == "unclassified"
    assert classify(StillPlainAdmin(TrainingSession, admin.site), None, request) == "unclassified"


def test_history_rows_are_only_added_never_changed_or_deleted_in_the_admin():
    request = superuser_request()
    employee_admin = admin.site._registry[EmployeeFactory._meta.model]
    for inline in employee_admin.inlines:
        rows = inline(EmployeeFactory._meta.model, admin.site)
        assert rows.model in (PayRate, WithholdingCertificate, Consent)
        # Consents are recorded on program staff's consent page (payroll.services.consent): shown here only.
        adds = rows.model is not Consent
        assert permissions(rows, request) == {"add": adds, "change": False, "delete": False}, inline


# -- the admin's saves, end to end ---------------------------------------------------------


def employee_form(employee, **changes):
    """The admin's employee form as posted. The SSN and bank numbers are write-only fields
    (``ssn_new``…): blank on a change keeps the number on file; a new record types them."""
    adding = employee.pk is None
    data = {
        "legal_name": employee.legal_name, "preferred_name": employee.preferred_name, "date_of_birth": "",
        "address": "", "email": "", "phone": "", "bank_account_type": employee.bank_account_type,
        "status": employee.status, "hire_date": employee.hire_date.isoformat(), "end_date": "", "user": "",
    }
    for field in ("ssn", "bank_routing", "bank_account"):
        data[f"{field}_new"] = getattr(employee, field) if adding else ""
        if field in changes:
            data[f"{field}_new"] = changes.pop(field)
    for prefix in ("rates", "w4s", "consents"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update(changes)
    return data


@pytest.fixture
def payroll_staff(client):
    staff = UserFactory(roles=[roles.PAYROLL_STAFF])
    client.force_login(staff)
    return staff


def test_new_bank_details_in_the_admin_need_a_new_prenote_and_are_audited(client, payroll_staff):
    employee = EmployeeFactory(bank_prenote_sent=True)
    url = reverse("admin:payroll_employee_change", args=[employee.pk])
    response = client.post(url, employee_form(employee, bank_account="555666777", bank_prenote_sent="on"))
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.bank_account == "555666777"
    assert employee.bank_prenote_sent is False  # a zero-dollar test entry is due before money goes there
    event = AuditEvent.objects.get(action="bank.changed", employee_id=employee.pk)
    assert event.actor == payroll_staff and event.detail["fields"] == ["bank_account"]

    # Changing something else leaves the prenote state alone, and the form cannot set it.
    type(employee).objects.filter(pk=employee.pk).update(bank_prenote_sent=True)
    employee.refresh_from_db()
    assert client.post(url, employee_form(employee, status="alumni")).status_code == 302
    employee.refresh_from_db()
    assert employee.status == "alumni" and employee.bank_prenote_sent is True
    assert AuditEvent.objects.filter(action="bank.changed", employee_id=employee.pk).count() == 1


def test_saved_rates_w4s_and_consents_cannot_be_edited_or_deleted_in_the_admin(client, payroll_staff):
    employee = EmployeeFactory()
    rate = PayRateFactory(employee=employee, rate=Decimal("17.00"))
    url = reverse("admin:payroll_employee_change", args=[employee.pk])
    page = client.get(url).content.decode()
    assert 'name="rates-0-rate"' not in page  # shown, not editable
    response = client.post(url, employee_form(employee, **{
        "rates-TOTAL_FORMS": "1", "rates-INITIAL_FORMS": "1", "rates-0-id": rate.pk, "rates-0-employee": employee.pk,
        "rates-0-kind": "production", "rates-0-rate": "99.00", "rates-0-effective_from": "2026-01-01",
        "rates-0-DELETE": "on",
    }))
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.rate == Decimal("17.00")


def test_a_rate_added_in_the_admin_goes_through_the_service(client, payroll_staff):
    employee = EmployeeFactory()
    url = reverse("admin:payroll_employee_change", args=[employee.pk])
    response = client.post(url, employee_form(employee, **{
        "rates-TOTAL_FORMS": "1", "rates-0-employee": employee.pk, "rates-0-kind": "production", "rates-0-rate": "17.25",
        "rates-0-effective_from": "2026-11-02",
    }))
    assert response.status_code == 302
    rate = employee.rates.get()
    assert (rate.rate, rate.created_by) == (Decimal("17.25"), payroll_staff)
    event = AuditEvent.objects.get(action="pay_rate.set", employee_id=employee.pk)
    assert (event.object_type, event.object_id) == ("payroll.payrate", str(rate.pk))


# -- pay rates far above the others ---------------------------------------------------------


def colleagues(*rates):
    for rate in rates:
        PayRateFactory(rate=Decimal(rate), effective_from=date(2026, 1, 1))


def test_a_rate_far_above_the_others_needs_a_confirmation():
    colleagues("15.50", "16.00", "17.00", "17.50")
    employee = EmployeeFactory()
    with pytest.raises(PayRateNeedsConfirmation, match=r"\$155.00 an hour is more than \$60.00"):
        pay_rate_set(employee, "production", Decimal("155.00"), date(2026, 11, 2), actor=None)
    with pytest.raises(PayRateNeedsConfirmation, match=r"more than three times the usual production rate \(\$16.50\)"):
        pay_rate_set(employee, "production", Decimal("52.00"), date(2026, 11, 2), actor=None)
    assert not employee.rates.exists()
    pay_rate_set(employee, "production", Decimal("49.50"), date(2026, 11, 2), actor=None)  # exactly 3 × $16.50: fine
    pay_rate_set(employee, "production", Decimal("52.00"), date(2026, 11, 9), actor=None, confirmed=True)
    assert AuditEvent.objects.filter(action="pay_rate.set", detail__confirmed_unusual=True).count() == 1
    with pytest.raises(EmployeeError, match="below the minimum wage"):  # a confirmation never allows this
        pay_rate_set(employee, "production", Decimal("14.00"), date(2026, 11, 2), actor=None, confirmed=True)


def test_the_admin_warns_about_an_unusual_rate_and_keeps_it_once_confirmed(client, payroll_staff):
    colleagues("15.50", "16.00", "17.00")
    employee = EmployeeFactory()
    url = reverse("admin:payroll_employee_change", args=[employee.pk])
    row = {"rates-TOTAL_FORMS": "1", "rates-0-employee": employee.pk, "rates-0-kind": "production", "rates-0-rate": "155.00",
           "rates-0-effective_from": "2026-11-02"}
    response = client.post(url, employee_form(employee, **row))
    html = response.content.decode()
    assert response.status_code == 200
    assert "$155.00 an hour is more than $60.00" in html and "Yes, this rate is right" in html
    assert not employee.rates.exists()
    assert client.post(url, employee_form(employee, **row, **{"rates-0-confirm_unusual": "on"})).status_code == 302
    assert employee.rates.get().rate == Decimal("155.00")


# -- training sessions -------------------------------------------------------------------


def test_a_paid_sessions_day_and_times_cannot_change_in_the_admin(client):
    from datetime import time

    from payroll.models import Program
    from payroll.services.training.records import TrainingError, session_save

    program = Program.objects.create(name="Sewing", required_hours=Decimal("10"))
    session = TrainingSession.objects.create(program=program, date=date(2026, 10, 6), start_time=time(9), end_time=time(12),
                                             topic="Seams")
    TrainingSession.objects.filter(pk=session.pk).update(attendance_approved_at="2026-10-07T10:00:00Z")
    session.refresh_from_db()
    session.date = date(2026, 10, 8)
    with pytest.raises(TrainingError, match="can no longer change"):
        session_save(session, None, ["date"])
    client.force_login(UserFactory(roles=[roles.PROGRAM_STAFF]))
    page = client.get(reverse("admin:payroll_trainingsession_change", args=[session.pk])).content.decode()
    assert 'name="date"' not in page and 'name="topic"' in page


def test_an_employee_added_in_the_admin_is_created_by_the_service(client, payroll_staff):
    from payroll.models import Employee

    blank = Employee(legal_name="Ana Example", preferred_name="", ssn="123-45-6799", hire_date=date(2026, 3, 2),
                     bank_routing="011000015", bank_account="44556677", bank_account_type="checking", status="trainee")
    response = client.post(reverse("admin:payroll_employee_add"), employee_form(blank, bank_prenote_sent="on"))
    assert response.status_code == 302
    employee = Employee.objects.get()
    assert employee.bank_account == "44556677" and employee.bank_prenote_sent is False
    assert AuditEvent.objects.filter(action="employee.created", employee_id=employee.pk, actor_id=payroll_staff.pk).exists()
