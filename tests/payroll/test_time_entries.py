"""Time entries are checked in one service, whatever the door (the employee's page, the
admin, training attendance): no future dates, a confirmation past 12 hours in a day,
never more than 24, and hours dated in a period already paid go to the next run, visibly."""
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from payroll.models import Attendance, PayRate, Program, TimeEntry, TrainingSession
from payroll.services import payruns
from payroll.services.time import TimeEntryError, TimeEntryNeedsConfirmation, time_entries_approve, time_entry_add
from payroll.services.training.records import attendance_record, session_attendance_approve
from shop.platform import roles
from tests.support.factories import UserFactory
from tests.payroll.factories import EmployeeFactory, PayRateFactory
from tests.payroll.test_payruns import fund

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 6)  # in the Oct 5–18 period used below, after the $15.00 minimum of Sep 30


@pytest.fixture
def self_service(client):
    user = UserFactory()
    employee = EmployeeFactory(user=user, employee_can_enter_time=True)
    PayRateFactory(employee=employee)
    client.force_login(user)
    return employee


def post_hours(client, day, hours, **extra):
    return client.post(reverse("payroll:my_time"), {"date": day.isoformat(), "hours": str(hours), "kind": "production", **extra})


def paid_regular_run(start=date(2026, 10, 5), end=date(2026, 10, 18), pay_date=date(2026, 10, 23)):
    fund()  # approval needs the funds to cover the run
    run = payruns.payrun_create(None, start, end, pay_date)
    payruns.payrun_calculate(run.pk, UserFactory())
    payruns.payrun_approve(run.pk, UserFactory())
    return run


def test_a_future_date_is_refused_on_the_employees_page(client, self_service):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = post_hours(client, tomorrow, 8)
    assert response.status_code == 400
    assert "is in the future" in response.content.decode()
    assert not self_service.time_entries.exists()


def test_more_than_12_hours_in_a_day_asks_for_confirmation(client, self_service):
    response = post_hours(client, DAY, "21.5")
    html = response.content.decode()
    assert response.status_code == 400
    assert "That makes 21.5 hours on Oct 6, 2026, more than 12" in html
    assert 'name="confirm_long_day"' in html and "Yes, I worked these hours that day" in html
    assert not self_service.time_entries.exists()

    assert post_hours(client, DAY, "21.5", confirm_long_day="on").status_code == 302
    assert self_service.time_entries.get().hours == Decimal("21.50")


def test_the_day_total_never_passes_24_hours(client, self_service):
    assert post_hours(client, DAY, 10).status_code == 302
    response = post_hours(client, DAY, 15, confirm_long_day="on")
    assert response.status_code == 400
    assert "That makes 25 hours on Oct 6, 2026; a day has only 24" in response.content.decode()
    assert self_service.time_entries.count() == 1
    # A day's total is the rule, not one entry: 10 + 3 passes 12 and needs the confirmation.
    with pytest.raises(TimeEntryNeedsConfirmation):
        time_entry_add(self_service, DAY, Decimal("3"), "production", actor=None)


def test_hours_in_a_paid_period_are_paid_in_the_next_run_and_say_so(client, self_service):
    worked = time_entry_add(self_service, DAY, Decimal("8"), "production", actor=None)
    time_entries_approve([worked.pk], actor=None)
    first = paid_regular_run()
    assert worked.__class__.objects.get(pk=worked.pk).pay_run == first

    response = post_hours(client, DAY + timedelta(days=1), 4)  # Oct 7: its period is paid
    assert response.status_code == 302
    late = self_service.time_entries.get(date=DAY + timedelta(days=1))
    assert late.after_period_paid and late.pay_run is None
    page = client.get(reverse("payroll:my_time")).content.decode()
    assert "paid in the next pay run" in page  # the message after saving
    assert "paid in the next run (that period was already paid)" in page  # the entry's status

    time_entries_approve([late.pk], actor=None)
    following = payruns.payrun_create(None, date(2026, 10, 19), date(2026, 11, 1), date(2026, 11, 6))
    payruns.payrun_calculate(following.pk, UserFactory())
    late.refresh_from_db()
    assert late.pay_run == following
    stub = following.stubs.get(employee=self_service)
    assert (stub.production_hours, stub.production_pay) == (Decimal("4.00"), Decimal("100.00"))  # 4 h × $25.00
    first_stub = first.stubs.get(employee=self_service)
    assert first_stub.production_hours == Decimal("8.00")  # the approved run is unchanged


def test_training_attendance_in_an_approved_runs_period_goes_to_the_next_run(self_service):
    PayRateFactory(employee=self_service, kind=PayRate.Kind.TRAINING, rate=Decimal("16.00"))
    worked = time_entry_add(self_service, DAY - timedelta(days=1), Decimal("8"), "production", actor=None)
    time_entries_approve([worked.pk], actor=None)  # an empty run cannot be approved
    paid_regular_run()
    program = Program.objects.create(name="Sewing foundations", required_hours=Decimal("120"))
    session = TrainingSession.objects.create(program=program, date=DAY, start_time=time(9), end_time=time(12), topic="Seams")
    staff = UserFactory(roles=[roles.PROGRAM_STAFF])
    attendance_record(session, self_service, Attendance.Status.PRESENT, 120, staff)
    [entry] = session_attendance_approve(session.pk, staff)
    assert entry.after_period_paid

    following = payruns.payrun_create(None, date(2026, 10, 19), date(2026, 11, 1), date(2026, 11, 6))
    payruns.payrun_calculate(following.pk, UserFactory())
    stub = following.stubs.get(employee=self_service)
    assert (stub.training_hours, stub.training_pay) == (Decimal("2.00"), Decimal("32.00"))


def test_training_attendance_keeps_the_24_hour_limit(self_service):
    PayRateFactory(employee=self_service, kind=PayRate.Kind.TRAINING, rate=Decimal("16.00"))
    time_entry_add(self_service, DAY, Decimal("23"), "production", actor=None, confirmed_long_day=True)
    program = Program.objects.create(name="Sewing foundations", required_hours=Decimal("120"))
    session = TrainingSession.objects.create(program=program, date=DAY, start_time=time(9), end_time=time(12), topic="Seams")
    staff = UserFactory(roles=[roles.PROGRAM_STAFF])
    attendance_record(session, self_service, Attendance.Status.PRESENT, 120, staff)
    with pytest.raises(TimeEntryError, match="a day has only 24"):
        session_attendance_approve(session.pk, staff)
    assert not TimeEntry.objects.filter(kind="training").exists()


def test_the_admin_applies_the_same_time_rules(client):
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    employee = EmployeeFactory()
    PayRateFactory(employee=employee)
    url = reverse("admin:payroll_timeentry_add")
    data = {"employee": employee.pk, "date": DAY.isoformat(), "hours": "13", "kind": "production", "note": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and "That makes 13 hours on Oct 6, 2026, more than 12" in response.content.decode()
    future = {**data, "hours": "8", "date": (timezone.localdate() + timedelta(days=3)).isoformat()}
    assert "is in the future" in client.post(url, future).content.decode()
    assert not employee.time_entries.exists()
    assert client.post(url, {**data, "confirm_long_day": "on"}).status_code == 302
    entry = employee.time_entries.get()
    assert entry.hours == Decimal("13.00")
    # Changing it goes through the same rules: 25 hours in the day is refused.
    change = reverse("admin:payroll_timeentry_change", args=[entry.pk])
    response = client.post(change, {**data, "hours": "25", "confirm_long_day": "on"})
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.hours == Decimal("13.00")
