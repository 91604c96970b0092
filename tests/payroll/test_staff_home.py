"""The staff home (/staff/): each role's to-dos as links, bounded queries, the landing after
login, and the one staff navigation on the staff pages and in the admin."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payroll.models import SignUp, TimeEntry
from payroll.services import payruns
from payroll.services.ledger import Leg, entry_post
from payroll.services.time import time_entries_approve, time_entry_add
from shop.models import BoxSize, GiftDesign, GiftOrder, Invoice, Organisation
from shop.platform import roles
from tests.payroll.factories import EmployeeFactory, PayRateFactory
from tests.payroll.volunteers.factories import make_shift
from tests.support.factories import ProductFactory, UserFactory, VariantFactory, bulk_address

pytestmark = pytest.mark.django_db
D = Decimal
START, END, PAY_DATE = date(2026, 11, 9), date(2026, 11, 22), date(2026, 11, 27)


def weekdays(start, end):
    return [start + timedelta(days=n) for n in range((end - start).days + 1) if (start + timedelta(days=n)).weekday() < 5]


def calculated_run(by, start=START, end=END, pay_date=PAY_DATE, employees=1):
    for _ in range(employees):
        rosa = EmployeeFactory()
        PayRateFactory(employee=rosa, rate=D("20.00"))
        ids = [time_entry_add(rosa, day, D("8"), "production", actor=None).pk for day in weekdays(start, end)]
        time_entries_approve(ids, actor=None)
    run = payruns.payrun_create(None, start, end, pay_date)
    payruns.payrun_calculate(run.pk, by)
    return run


def page(user):
    from tests.conftest import Client

    client = Client()
    client.force_login(user)
    response = client.get("/staff/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_second_approver_sees_waiting_for_you_and_the_calculator_does_not():
    calculator = UserFactory(roles=[roles.PAYROLL_STAFF], first_name="Ana", last_name="Calc")
    second = UserFactory(roles=[roles.PAYROLL_STAFF])
    run = calculated_run(calculator)
    link = f'href="/staff/payroll/runs/{run.pk}/"'

    theirs = page(second)
    assert link in theirs
    assert "Approve the regular run, pay date Nov 27, 2026" in theirs
    assert "calculated by Ana Calc: waiting for you to approve" in theirs
    mine = page(calculator)
    assert link in mine and "calculated by you: a second person approves" in mine
    assert "waiting for you" not in mine


def test_a_draft_run_and_unapproved_time_are_to_dos_with_links():
    staff = UserFactory(roles=[roles.PAYROLL_STAFF])
    run = payruns.payrun_create(None, START, END, PAY_DATE)
    rosa = EmployeeFactory()
    PayRateFactory(employee=rosa)
    time_entry_add(rosa, date(2026, 11, 30), D("6"), "production", actor=None)
    time_entry_add(rosa, date(2026, 12, 1), D("6"), "production", actor=None)
    html = page(staff)
    assert f'href="/staff/payroll/runs/{run.pk}/"' in html and "Calculate the regular run" in html
    assert "2 time entries waiting for approval" in html
    assert 'href="/admin/payroll/timeentry/?approved_at__isempty=1"' in html


def test_a_fund_below_the_next_draw_is_on_the_home():
    entry_post(key="opening", on=timezone.localdate() - timedelta(days=60), memo="Opening balance", source_type="opening",
               source_id=None, legs=[Leg("wage_fund", D("-100.00")), Leg("opening_balance", D("100.00"))])
    calculated_run(UserFactory())
    html = page(UserFactory(roles=[roles.PAYROLL_STAFF]))
    assert "The wage fund ($100.00) does not cover the next payroll on Nov 27, 2026" in html
    assert 'href="/staff/wage-fund/"' in html


@dataclass(frozen=True)
class FakeFiling:
    label: str
    due: date
    url: str
    overdue: bool


def test_filings_due_come_from_the_filings_selector(monkeypatch):
    from payroll.selectors import filings as module

    monkeypatch.setattr(module, "filings_due", lambda on: [
        FakeFiling("Form 941 for Q4 2026", date(2027, 2, 1), "/staff/payroll/filings/941/", False),
        FakeFiling("New-hire report: Rosa", date(2026, 11, 30), "/staff/new-hires/", True),
    ])
    html = page(UserFactory(roles=[roles.PAYROLL_STAFF]))
    assert '<a href="/staff/payroll/filings/941/">Form 941 for Q4 2026</a>' in html and "due Feb 1, 2027" in html
    assert "due Nov 30, 2026 (overdue)" in html
    assert html.index("New-hire report") < html.index("Form 941")  # soonest first


def test_volunteer_sign_outs_to_review_and_unmarked_past_sign_ups_for_the_coordinator():
    from payroll.models import Volunteer

    past = make_shift(starts_in=timedelta(days=-3))
    role = past.roles.get()
    for n in range(3):
        volunteer = Volunteer.objects.create(user=UserFactory(), full_name=f"V{n}", email=f"v{n}@example.org", phone="555",
                                             emergency_contact_name="E", emergency_contact_phone="556",
                                             date_of_birth=date(1990, 1, 1))
        SignUp.objects.create(volunteer=volunteer, shift=past, role=role, status=SignUp.Status.CONFIRMED,
                              needs_review=(n == 0), attendance="present" if n == 0 else "")
    html = page(UserFactory(roles=[roles.VOLUNTEER_COORDINATOR]))
    assert "1 sign-out to review (signed out automatically)" in html
    assert "2 past sign-ups with attendance not marked (present or no-show)" in html
    assert 'href="/staff/volunteers/reports/"' in html
    assert "Payroll staff: to do" not in html


def test_overdue_proofs_and_invoices_for_shop_staff(settings):
    from shop.services.gifts.orders import gift_order_place
    from shop.services.gifts.quote import design_set_item

    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    org = Organisation.objects.create(name="Acme", slug="acme", payment_terms=Organisation.Terms.NET30)
    design = GiftDesign.objects.create(organisation=org, name="Thanks",
                                       size=BoxSize.objects.create(name="Small", slots=4, base_price=D("10.00")))
    design_set_item(design, VariantFactory(product=ProductFactory(gift_slots=1, wage_content=D("3.50")),
                                           price=D("20.00"), stock=1000).pk, 1)
    today = timezone.localdate()
    owed = gift_order_place(design, 5, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=today + timedelta(days=60),
                            actor=None, today=today)
    GiftOrder.objects.filter(pk=owed.pk).update(created_at=owed.created_at - timedelta(days=7))
    invoice = Invoice.objects.create(number=41, order=owed, organisation=org, amount=D("150.00"), issued_on=today - timedelta(days=33), due_on=today - timedelta(days=3))
    html = page(UserFactory(roles=[roles.SHOP_STAFF]))
    assert f'href="/staff/gifts/orders/{owed.number}/"' in html
    assert f"Proof overdue: gift order {owed.number}" in html
    assert "Invoice 000041 overdue" in html
    assert invoice.due_on.strftime("%b") in html
    assert "Payroll staff" not in html.split("<main", 1)[1]


def test_the_home_takes_the_same_queries_for_one_or_many_runs_and_entries():
    staff = UserFactory(roles=[roles.PAYROLL_STAFF, roles.VOLUNTEER_COORDINATOR, roles.SHOP_STAFF])
    calculated_run(UserFactory())

    def count():
        from tests.conftest import Client

        client = Client()
        client.force_login(staff)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/staff/").status_code == 200
        return len(queries)

    one = count()
    calculated_run(UserFactory(), date(2026, 11, 23), date(2026, 12, 6), date(2026, 12, 11), employees=3)
    payruns.payrun_create(None, date(2026, 12, 7), date(2026, 12, 20), date(2026, 12, 24))
    for day in (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)):
        time_entry_add(PayRateFactory().employee, day, D("4"), "production", actor=None)
    assert TimeEntry.objects.filter(approved_at__isnull=True).count() == 3
    assert count() == one


def test_customers_are_refused_and_anonymous_people_sent_to_log_in(client):
    assert client.get("/staff/").status_code == 302
    client.force_login(UserFactory())
    assert client.get("/staff/").status_code == 403


def test_staff_land_on_the_staff_home_after_login_and_customers_keep_theirs(client):
    UserFactory(username="shop@example.org", email="shop@example.org", roles=[roles.SHOP_STAFF])
    UserFactory(username="buyer@example.org", email="buyer@example.org")
    response = client.post(reverse("account_login"), {"login": "shop@example.org", "password": "correct horse battery"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": "buyer@example.org", "password": "correct horse battery"})
    assert response.status_code == 302 and response["Location"] == reverse("shop:home")


def test_the_staff_navigation_shows_only_what_the_role_opens_and_the_reports_page_is_linked(client):
    payroll = UserFactory(roles=[roles.PAYROLL_STAFF])
    html = page(payroll)
    nav = html.split('<nav class="staff-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/staff/payroll/reports/"' in nav and 'href="/staff/payroll/runs/"' in nav
    assert 'href="/staff/gifts/"' not in nav and 'href="/staff/training/participants/"' not in nav

    shop = UserFactory(roles=[roles.SHOP_STAFF])
    client.force_login(shop)
    gifts = client.get("/staff/gifts/").content.decode()
    nav = gifts.split('<nav class="staff-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/staff/gifts/"' in nav and 'href="/staff/"' in nav
    assert "/staff/payroll/" not in nav and "/staff/wage-fund/" not in nav


def test_the_admin_shares_the_staff_navigation_and_links_back(client):
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    html = client.get("/admin/").content.decode()
    assert '<nav class="staff-nav"' in html
    nav = html.split('<nav class="staff-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/staff/"' in nav and 'href="/staff/payroll/reports/"' in nav and 'href="/admin/"' in nav
    assert "shop/css/admin.css" in html
