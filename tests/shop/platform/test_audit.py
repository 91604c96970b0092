"""The audit trail: every change to money, pay, W-4s, bank details, consents and roles, and
every staff view of a survivor's record, is one event with who, what, when and from where;
events can be neither changed nor deleted; superusers search them at /staff/audit/.

(The PostgreSQL trigger that refuses UPDATE and DELETE on the table itself is tested in
tests/integration/test_audit_postgres.py, which runs against PostgreSQL.)
"""
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from payroll.services.paystubs import pay_stubs_generate
from shop.platform import roles
from shop.platform.audit import AuditContextMiddleware, audit_record
from shop.models import (
    AuditEvent,
    AuditLogIsAppendOnly,
    GiftDesign,
    GiftOrder,
    Invoice,
    Order,
    Organisation,
    Payment,
    BoxSize,
)
from shop.services.donations import donation_mark_paid, donation_mark_refunded
from shop.services.orders import order_mark_paid
from tests.support.factories import OrderFactory, UserFactory, VariantFactory
from tests.shop.giving.factories import make_pending_donation
from tests.payroll.factories import EmployeeFactory, PayRunFactory, PayStubFactory

pytestmark = pytest.mark.django_db

IP = "203.0.113.9"


class NewEvents:
    """The events written after this point (factories write role events of their own)."""

    def __init__(self):
        self.after = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def __call__(self):
        return list(AuditEvent.objects.filter(id__gt=self.after).order_by("id"))

    def actions(self):
        return [event.action for event in self()]


def make_superuser(**fields):
    user = UserFactory(mfa=True, **fields)  # superusers must use two-factor authentication
    user.is_superuser = user.is_staff = True
    user.save()
    return user


def by(user, ip=IP):
    return {"actor": user, "ip": ip}


def who(event):
    return {"actor": event.actor, "ip": event.ip_address}


# -- money --------------------------------------------------------------------------------


def test_a_refund_by_shop_staff_is_recorded_when_asked_and_when_confirmed(client, monkeypatch):
    from shop.platform import stripe_gateway

    monkeypatch.setattr(stripe_gateway, "create_refund", lambda intent, amount, key: {"id": "re_audit", "status": "succeeded"})
    order = OrderFactory(state=Order.State.PAID, paid_at=timezone.now())
    Payment.objects.create(order=order, stripe_payment_intent_id="pi_audit", amount=order.total, status="succeeded")
    staff = UserFactory(roles=[roles.SHOP_STAFF])
    client.force_login(staff)
    new = NewEvents()
    response = client.post(reverse("admin:shop_order_refund", args=[order.pk]), {"amount": "10.00", "reason": "Torn"},
                            REMOTE_ADDR=IP)
    assert response.status_code == 302
    events = new()
    refund = order.refunds.get()
    assert [e.action for e in events] == ["refund.requested", "refund.confirmed"]
    for event in events:
        assert who(event) == by(staff)
        assert (event.object_type, event.object_id) == ("shop.refund", str(refund.pk))
        assert event.actor_email == staff.email
        assert event.detail["amount"] == "10.00" and event.detail["order"] == order.number


def test_marking_a_gift_invoice_paid_is_recorded(client):
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=Decimal("12.00"))
    organisation = Organisation.objects.create(name="Acme", slug="acme")
    design = GiftDesign.objects.create(organisation=organisation, name="Sample", size=size)
    gift_order = GiftOrder.objects.create(
        organisation=organisation, design=design, design_name="Sample", size_name="Medium", quantity=25,
        shipping_mode="bulk", in_hand_date=date(2026, 12, 1), box_price=Decimal("12.00"), discount=Decimal("0"),
        boxes_subtotal=Decimal("300.00"), shipping=Decimal("77.50"), tax=Decimal("0"), total=Decimal("377.50"),
        assembly_wage=Decimal("4.00"), payment="invoice",
    )
    invoice = Invoice.objects.create(number=41, order=gift_order, organisation=organisation, amount=Decimal("377.50"),
                                     issued_on=date(2026, 11, 1), due_on=date(2026, 12, 1))
    staff = UserFactory(roles=[roles.SHOP_STAFF])
    client.force_login(staff)
    new = NewEvents()
    assert client.post(reverse("shop:gift_invoice_paid", args=[invoice.pk]), REMOTE_ADDR=IP).status_code == 302
    assert client.post(reverse("shop:gift_invoice_paid", args=[invoice.pk]), REMOTE_ADDR=IP).status_code == 302  # again: no change
    [event] = new()
    assert (event.action, event.object_type, event.object_id) == ("gift_invoice.paid", "shop.invoice", str(invoice.pk))
    assert who(event) == by(staff) and event.detail == {"number": 41, "amount": "377.50"}


def test_payments_gifts_and_receipts_confirmed_by_stripe_are_recorded_as_the_system(django_capture_on_commit_callbacks):
    order = OrderFactory()
    new = NewEvents()
    assert order_mark_paid(order.pk) and not order_mark_paid(order.pk)  # the second changes nothing
    [paid] = new()
    assert (paid.action, paid.object_id, paid.actor, paid.ip_address) == ("order.paid", str(order.pk), None, None)
    assert paid.detail == {"total": "28.15"}

    donation = make_pending_donation(amount="50.00")
    new = NewEvents()
    with django_capture_on_commit_callbacks(execute=True):  # the receipt is issued once the gift commits
        donation_mark_paid(donation.pk)
    receipt = donation.receipts.get()
    assert [(e.action, e.object_type, e.object_id) for e in new()] == [
        ("donation.paid", "shop.donation", str(donation.pk)), ("receipt.issued", "shop.receipt", str(receipt.pk)),
    ]
    new = NewEvents()
    with django_capture_on_commit_callbacks(execute=True):
        donation_mark_refunded(donation.pk, "Refunded")
    assert [(e.action, e.object_id) for e in new()] == [("donation.refunded", str(donation.pk)),
                                                         ("receipt.voided", str(receipt.pk))]


def test_a_price_change_is_recorded_with_the_old_and_new_price(client):
    variant = VariantFactory(price=Decimal("20.00"))
    new = NewEvents()
    variant.price = Decimal("24.00")
    variant.save()
    variant.stock = 3
    variant.save(update_fields=["stock"])  # not a price change
    [event] = new()
    assert (event.action, event.detail) == ("price.changed", {"sku": variant.sku, "old": "20.00", "new": "24.00"})


# -- pay ----------------------------------------------------------------------------------


def test_approving_a_pay_run_and_downloading_its_bank_file_are_recorded(client):
    calculator, approver = UserFactory(roles=[roles.PAYROLL_STAFF]), UserFactory(roles=[roles.PAYROLL_STAFF])
    run = PayRunFactory(status="calculated", calculated_by=calculator, calculated_at=timezone.now())
    stub = PayStubFactory(pay_run=run)
    from payroll.services.ledger import Leg, entry_post

    entry_post(key="seed-fund", on=run.pay_date, memo="seed", source_type="test", source_id=None,  # the funds cover it
               legs=[Leg("shop_revenue_clearing", Decimal("5000.00")), Leg("wage_fund", Decimal("-5000.00"))])
    client.force_login(approver)
    new = NewEvents()
    assert client.post(reverse("payroll:payrun_action", args=[run.pk, "approve"]), REMOTE_ADDR=IP).status_code == 302
    [approved] = new()
    assert (approved.action, approved.object_type, approved.object_id) == ("payrun.approved", "payroll.payrun", str(run.pk))
    assert who(approved) == by(approver)
    assert approved.detail == {"gross": "2000.00", "net": "1690.85", "cost": "2207.00"}  # 2000 + 124 + 29 + 54

    new = NewEvents()
    response = client.get(reverse("payroll:payrun_nacha", args=[run.pk]), REMOTE_ADDR=IP)
    assert response.status_code == 200 and stub.employee.bank_account in response.content.decode()
    [downloaded] = new()
    assert (downloaded.action, downloaded.object_id, downloaded.detail) == ("nacha.downloaded", str(run.pk), {})
    assert who(downloaded) == by(approver)
    assert stub.employee.bank_account not in str(downloaded.detail)


# -- W-4, bank details and consent, as payroll staff change them in the admin -------------------


def employee_form(employee, **changes):
    """The admin's employee form as the browser posts it, with no inline rows unless given. The
    SSN and bank numbers are write-only fields (``ssn_new``…): blank keeps the number on file."""
    data = {
        "legal_name": employee.legal_name, "preferred_name": employee.preferred_name, "date_of_birth": "",
        "address": "", "email": "", "phone": "", "ssn_new": "", "bank_routing_new": "", "bank_account_new": "",
        "bank_account_type": employee.bank_account_type,
        "bank_prenote_sent": "on", "status": employee.status, "hire_date": employee.hire_date.isoformat(), "end_date": "",
        "user": "",
    }
    for field in ("ssn", "bank_routing", "bank_account"):
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


def post_employee(client, employee, **changes):
    response = client.post(reverse("admin:payroll_employee_change", args=[employee.pk]), employee_form(employee, **changes),
                           REMOTE_ADDR=IP)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def test_a_w4_entered_in_the_admin_is_one_event(client, payroll_staff):
    employee = EmployeeFactory()
    new = NewEvents()
    post_employee(client, employee, **{
        "w4s-TOTAL_FORMS": "1", "w4s-0-effective_from": "2026-01-01", "w4s-0-filing_status": "married_jointly",
        "w4s-0-step3_credits": "0", "w4s-0-step4a_other_income": "0", "w4s-0-step4b_deductions": "0",
        "w4s-0-step4c_extra_withholding": "25.00",
    })
    [event] = new()
    w4 = employee.w4s.get()
    assert (event.action, event.employee_id, event.object_type, event.object_id) == (
        "w4.recorded", employee.pk, "payroll.withholdingcertificate", str(w4.pk))
    assert who(event) == by(payroll_staff)


def test_new_bank_details_in_the_admin_are_one_event_without_the_numbers(client, payroll_staff):
    employee = EmployeeFactory(bank_account="100200399")
    new = NewEvents()
    post_employee(client, employee, bank_account="555666777", bank_account_type="savings")
    [event] = new()
    assert (event.action, event.employee_id) == ("bank.changed", employee.pk)
    assert event.detail == {"fields": ["bank_account", "bank_account_type"], "account_type": "savings"}
    assert who(event) == by(payroll_staff)
    assert "555666777" not in str(event.detail) and "100200399" not in str(event.detail)


def test_the_admin_shows_consents_but_records_none(client, payroll_staff):
    """Consents are recorded by program staff on the consent page (tests/payroll/consent/); the
    employee admin lists them read-only, so a posted row adds nothing."""
    employee = EmployeeFactory()
    new = NewEvents()
    post_employee(client, employee, **{"consents-TOTAL_FORMS": "1", "consents-0-kind": "photo"})
    assert [e.action for e in new() if e.action.startswith("consent.")] == []
    assert not employee.consents.exists()


def test_services_called_during_a_request_know_who_and_where_without_being_told():
    from payroll.services.consent import consent_revoke
    from payroll.services.people import w4_record
    from tests.payroll.consent.factories import grant

    story = grant(EmployeeFactory(), "story")

    employee, staff = EmployeeFactory(), UserFactory(roles=[roles.PAYROLL_STAFF])
    request = RequestFactory().post("/anywhere/", REMOTE_ADDR=IP)
    request.user = staff

    def view(request):
        w4_record(employee, date(2026, 2, 1), staff)  # the address comes from the request
        consent_revoke(story.pk, None)  # so do the actor and the address
        return None

    new = NewEvents()
    AuditContextMiddleware(view)(request)
    assert [(e.action, e.employee_id, e.actor, e.ip_address) for e in new()] == [
        ("w4.recorded", employee.pk, staff, IP), ("consent.revoked", story.employee_id, staff, IP),
    ]
    new = NewEvents()
    w4_record(employee, date(2026, 3, 1), staff)  # outside a request: no address
    grant(employee, "story")  # nor an actor unless told
    assert [(e.actor, e.ip_address) for e in new()] == [(staff, None), (None, None)]


# -- roles ----------------------------------------------------------------------------------


def test_a_superuser_granting_a_role_in_the_admin_is_recorded(client):
    admin = make_superuser()
    person = UserFactory()
    group, _ = Group.objects.get_or_create(name=roles.PAYROLL_STAFF)
    client.force_login(admin)
    new = NewEvents()
    data = {"username": person.username, "email": person.email, "first_name": "", "last_name": "", "is_active": "on",
            "is_staff": "on", "groups": [group.pk], "date_joined_0": "2026-01-05", "date_joined_1": "09:00:00",
            "last_login_0": "", "last_login_1": ""}
    response = client.post(reverse("admin:shop_user_change", args=[person.pk]), data, REMOTE_ADDR=IP)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    events = new()
    assert sorted(e.action for e in events) == ["role.flags_changed", "role.group_added"]
    flags = next(e for e in events if e.action == "role.flags_changed")
    added = next(e for e in events if e.action == "role.group_added")
    assert flags.detail == {"changes": {"is_staff": [False, True]}}
    assert added.detail == {"groups": [roles.PAYROLL_STAFF]}
    for event in events:
        assert (event.object_type, event.object_id) == ("shop.user", str(person.pk))
        assert who(event) == by(admin)


def test_group_and_permission_changes_from_either_side_are_recorded():
    person = UserFactory()
    group, _ = Group.objects.get_or_create(name=roles.SHOP_STAFF)
    permission = Permission.objects.get(content_type__app_label="shop", codename="change_user")
    assert not group.permissions.filter(pk=permission.pk).exists()
    new = NewEvents()
    group.user_set.add(person)  # from the group's side
    person.groups.clear()
    group.permissions.add(permission)
    person.user_permissions.add(permission)
    person.is_superuser = True
    person.save()
    person.save(update_fields=["last_login"])  # not a role change
    assert [(e.action, e.object_type, e.object_id, e.detail) for e in new()] == [
        ("role.group_added", "shop.user", str(person.pk), {"groups": [roles.SHOP_STAFF]}),
        ("role.group_removed", "shop.user", str(person.pk), {"groups": [roles.SHOP_STAFF]}),
        ("role.group_permission_added", "auth.group", str(group.pk), {"permissions": ["shop.change_user"]}),
        ("role.user_permission_added", "shop.user", str(person.pk), {"permissions": ["shop.change_user"]}),
        ("role.flags_changed", "shop.user", str(person.pk), {"changes": {"is_superuser": [False, True]}}),
    ]


# -- views of a survivor's record -----------------------------------------------------------


def test_each_staff_view_of_a_survivors_record_is_one_event(client):
    employee = EmployeeFactory()
    payroll_staff, program_staff = UserFactory(roles=[roles.PAYROLL_STAFF]), UserFactory(roles=[roles.PROGRAM_STAFF])
    run = PayRunFactory(status="approved")
    stub = PayStubFactory(pay_run=run, employee=employee)
    pay_stubs_generate(run.pk)
    client.force_login(payroll_staff)
    pages = [
        (reverse("admin:payroll_employee_change", args=[employee.pk]), "employee.viewed", "payroll.employee", employee.pk),
        (reverse("payroll:pay_stub_pdf", args=[stub.pk]), "paystub.viewed", "payroll.paystub", stub.pk),
        (reverse("payroll:payrun", args=[run.pk]), "payrun.viewed", "payroll.payrun", run.pk),
    ]
    for url, action, object_type, object_id in pages:
        new = NewEvents()
        assert client.get(url, REMOTE_ADDR=IP).status_code == 200, url
        [event] = new()
        assert (event.action, event.object_type, event.object_id) == (action, object_type, str(object_id))
        assert who(event) == by(payroll_staff)
    assert AuditEvent.objects.get(action="payrun.viewed").detail == {"employees": [employee.pk]}
    assert AuditEvent.objects.get(action="paystub.viewed").employee_id == employee.pk

    client.force_login(program_staff)
    new = NewEvents()
    assert client.get(reverse("payroll:training_participant", args=[employee.pk]), REMOTE_ADDR=IP).status_code == 200
    [event] = new()
    assert (event.action, event.employee_id) == ("training.viewed", employee.pk) and who(event) == by(program_staff)


def test_the_employees_own_pay_stub_is_not_a_staff_view(client):
    employee = EmployeeFactory(user=UserFactory())
    run = PayRunFactory(status="approved")
    stub = PayStubFactory(pay_run=run, employee=employee)
    client.force_login(employee.user)
    new = NewEvents()
    assert client.get(reverse("payroll:pay_stub_pdf", args=[stub.pk])).status_code == 200
    assert new() == []


# -- append-only ----------------------------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted_through_the_model_or_a_queryset():
    event = audit_record("test.event", target=("shop.order", 7), amount=Decimal("1.00"))
    event.action = "test.tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    events = AuditEvent.objects.filter(pk=event.pk)
    with pytest.raises(AuditLogIsAppendOnly):
        events.update(action="test.tampered")
    with pytest.raises(AuditLogIsAppendOnly):
        events.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["action"])
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.update_or_create(pk=event.pk, defaults={"action": "test.tampered"})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.object_type, stored.object_id, stored.detail) == ("test.event", "shop.order", "7", {"amount": "1.00"})


def test_deleting_a_login_keeps_its_events_and_their_address():
    person = UserFactory(email="leaver@example.org", roles=[roles.SHOP_STAFF])
    event, person_id = audit_record("test.event", actor=person), person.pk
    person.delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_email) == (person_id, "leaver@example.org")


def test_nobody_can_add_change_or_delete_an_event_in_the_admin(client):
    event = audit_record("test.event")
    superuser = make_superuser()
    payroll_staff = UserFactory(roles=[roles.PAYROLL_STAFF])
    change = reverse("admin:shop_auditevent_change", args=[event.pk])
    for user in (superuser, payroll_staff):
        client.force_login(user)
        assert client.post(change, {"action": "test.tampered"}).status_code == 403
        assert client.post(reverse("admin:shop_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
        assert client.post(reverse("admin:shop_auditevent_add"), {"action": "test.forged"}).status_code == 403
    client.force_login(payroll_staff)
    assert client.get(reverse("admin:shop_auditevent_changelist")).status_code == 403  # staff do not read it either
    client.force_login(superuser)
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # read-only for superusers
    listing = client.post(reverse("admin:shop_auditevent_changelist"), {"action": "delete_selected", "_selected_action": [event.pk]})
    assert listing.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=event.pk, action="test.event").exists()
    assert not AuditEvent.objects.filter(action__in=("test.tampered", "test.forged")).exists()


# -- what an event may hold --------------------------------------------------------------------


def test_only_staff_are_kept_by_address():
    customer, staff = UserFactory(email="buyer@example.org"), UserFactory(email="clerk@example.org", roles=[roles.SHOP_STAFF])
    assert (audit_record("test.event", actor=customer).actor_email, audit_record("test.event", actor=staff).actor_email) == (
        "", "clerk@example.org")


def test_personal_data_in_a_detail_is_redacted_or_masked():
    event = audit_record("test.event", ssn="123-45-6789", bank_account="100200300", legal_name="Rosa Martinez",
                         note="wrote to rosa.martinez@example.org about 100200300", count=3)
    assert event.detail == {"ssn": "[redacted]", "bank_account": "[redacted]", "legal_name": "[redacted]",
                            "note": "wrote to r••••@example.org about ••••0300", "count": 3}


def test_behind_a_trusted_proxy_the_address_the_proxy_saw_is_recorded(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert audit_record("test.event", request=request).ip_address == "198.51.100.7"  # not the client's own claim
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert audit_record("test.event", request=request).ip_address == "10.0.0.2"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert audit_record("test.event", request=request).ip_address == "10.0.0.2"


# -- the superuser's search page ------------------------------------------------------------------


def make_event(action, at, actor=None, **fields):
    return AuditEvent.objects.create(action=action, at=at, actor=actor, actor_email=actor.email if actor else "", **fields)


@pytest.fixture
def superuser(client):
    user = make_superuser(email="root@mended.example", username="root@mended.example")
    client.force_login(user)
    return user


def listed(response):
    assert response.status_code == 200
    return response.context["page"].object_list


def test_the_search_page_filters_by_actor_action_object_employee_and_dates(client, superuser):
    # (The factories wrote role events of their own, now: the filters below leave them out.)
    alice = UserFactory(email="alice@mended.example")
    day = datetime(2026, 3, 10, 15, 0, tzinfo=dt_timezone.utc)
    viewed = make_event("employee.viewed", day, alice, employee_id=7, object_type="payroll.employee", object_id="7")
    bank = make_event("bank.changed", day + timedelta(days=1), alice, employee_id=7, object_type="payroll.employee",
                      object_id="7")
    refund = make_event("refund.requested", day + timedelta(days=5), superuser, object_type="shop.refund", object_id="12")
    url = reverse("shop:audit_log")
    assert list(listed(client.get(url, {"actor": "alice@"}))) == [bank, viewed]
    assert list(listed(client.get(url, {"action": "bank."}))) == [bank]
    assert list(listed(client.get(url, {"object_type": "shop.refund", "object_id": "12"}))) == [refund]
    assert list(listed(client.get(url, {"employee": "7"}))) == [bank, viewed]
    assert list(listed(client.get(url, {"since": "2026-03-11", "until": "2026-03-15"}))) == [refund, bank]
    assert list(listed(client.get(url, {"employee": "7", "until": "2026-03-10"}))) == [viewed]
    bad = client.get(url, {"since": "2026-03-15", "until": "2026-03-11"})
    assert bad.status_code == 400 and "ends before it starts" in bad.content.decode()
    assert b"alice@mended.example" in client.get(url, {"action": "bank."}).content


def test_the_search_page_is_paginated_and_exports_csv(client, superuser):
    start = datetime(2025, 1, 1, tzinfo=dt_timezone.utc)
    for n in range(55):
        make_event("test.bulk", start + timedelta(minutes=n), object_id=str(n))
    url = reverse("shop:audit_log")
    first = listed(client.get(url, {"action": "test.bulk"}))
    assert len(first) == 50 and first[0].object_id == "54"  # newest first
    second = listed(client.get(url, {"action": "test.bulk", "page": 2}))
    assert [e.object_id for e in second] == ["4", "3", "2", "1", "0"]
    new = NewEvents()
    export = client.get(url, {"action": "test.bulk", "format": "csv"}, REMOTE_ADDR=IP)
    assert export["Content-Type"] == "text/csv" and export["Cache-Control"] == "no-store"
    lines = export.content.decode().splitlines()
    assert len(lines) == 56 and lines[0].startswith("at,actor_id,actor_email,action")
    [exported] = new()  # exporting the trail is itself on the trail
    assert exported.action == "audit.exported" and exported.detail["rows"] == 55 and who(exported) == by(superuser)


@pytest.mark.parametrize("role", [roles.SHOP_STAFF, roles.PAYROLL_STAFF, roles.PROGRAM_STAFF, roles.VOLUNTEER_COORDINATOR, None])
def test_only_superusers_reach_the_search_page(client, role):
    client.force_login(UserFactory(roles=[role] if role else []))
    assert client.get(reverse("shop:audit_log")).status_code == 403
    assert client.get(reverse("shop:audit_log"), {"format": "csv"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("shop:audit_log"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_security_log_reads_the_audit_address_with_a_dash_for_none(settings):
    from django.test import RequestFactory

    from shop.platform.audit import client_ip as audited_ip
    from shop.platform.security import client_ip as logged_ip

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    behind = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.2", REMOTE_ADDR="10.0.0.1")
    assert audited_ip(behind) == logged_ip(behind) == "10.0.0.2"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    bad = RequestFactory().get("/", REMOTE_ADDR="not-an-address")
    assert audited_ip(bad) is None and logged_ip(bad) == "-"
    assert audited_ip(None) is None and logged_ip(None) == "-"
