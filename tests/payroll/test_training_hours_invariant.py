"""Invariant: whatever sessions and attendance are recorded (present with or without
minutes, absent, excused, corrected before or after approval), a participant's training
hours are the same on their record, in the dashboard total and in the pay run's training
time entries and stubs. The expected hours are this test's own arithmetic."""
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payroll.models import Attendance, PayRate, Program, TimeEntry, TrainingSession
from payroll.selectors.training import participant_record, training_dashboard
from payroll.services.payruns import payrun_calculate
from payroll.services.training.records import attendance_record, attendance_update, session_attendance_approve
from shop.platform import roles
from tests.support.factories import UserFactory
from tests.payroll.factories import EmployeeFactory, PayRateFactory, PayRunFactory

pytestmark = pytest.mark.django_db

PERIOD = (date(2026, 10, 5), date(2026, 10, 18))  # a past two-week period after Florida's $15.00 minimum
PEOPLE = 3
FILLERS = 5  # five more people with one known hour each, so the dashboard total is never suppressed

marks = st.one_of(
    st.none(),  # no attendance recorded
    st.tuples(st.just("absent"), st.just(0)),
    st.tuples(st.just("present"), st.one_of(st.just(0), st.integers(15, 240))),  # 0: minutes left blank
    st.tuples(st.just("excused"), st.one_of(st.just(0), st.integers(15, 240))),
)
sessions = st.lists(
    st.fixed_dictionaries({
        "day": st.integers(0, 13),
        "start": st.integers(8 * 4, 14 * 4),  # quarter hours from 8:00 to 14:00
        "quarters": st.integers(1, 16),  # 15 minutes to 4 hours
        "approved": st.booleans(),
        "marks": st.lists(marks, min_size=PEOPLE, max_size=PEOPLE),
        # corrections: (person, status, minutes, made after approval?)
        "corrections": st.lists(st.tuples(st.integers(0, PEOPLE - 1), st.sampled_from(["present", "absent", "excused"]),
                                           st.one_of(st.just(0), st.integers(15, 240)), st.booleans()), max_size=3),
    }),
    min_size=1, max_size=4,
)


def hours_of(status: str, minutes: int, scheduled: int) -> Decimal:
    """What the organisation pays, worked out here: absent nothing; present with no minutes
    the whole session; otherwise the minutes recorded, in hours to the cent."""
    if status == "absent":
        return Decimal("0.00")
    if minutes == 0:
        minutes = scheduled if status == "present" else 0
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def trainee():
    person = EmployeeFactory()
    PayRateFactory(employee=person, kind=PayRate.Kind.TRAINING, rate=Decimal("15.00"), effective_from=date(2026, 1, 1))
    return person


def at(quarters: int) -> time:
    return time(quarters // 4, 15 * (quarters % 4))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=sessions)
def test_training_hours_agree_on_the_record_the_dashboard_and_the_pay_run(plan):
    with transaction.atomic():  # each example starts from an empty database
        staff = UserFactory(roles=[roles.PROGRAM_STAFF])
        people = [trainee() for _ in range(PEOPLE)]
        expected = {p.pk: Decimal("0.00") for p in people}
        program = Program.objects.create(name="Sewing foundations", required_hours=Decimal("120"))
        for n, spec in enumerate(plan):
            start = spec["start"]
            session = TrainingSession.objects.create(program=program, date=PERIOD[0] + timedelta(days=spec["day"]),
                                                     start_time=at(start), end_time=at(start + spec["quarters"]),
                                                     topic=f"Session {n}")
            scheduled = 15 * spec["quarters"]
            final = {}
            for person, mark in zip(people, spec["marks"]):
                if mark is not None:
                    attendance_record(session, person, mark[0], mark[1], staff)
                    final[person.pk] = mark
            later = [c for c in spec["corrections"] if c[3]]
            for who, status, minutes, _after in [c for c in spec["corrections"] if not c[3]]:
                _correct(session, people[who], status, minutes, staff, final)
            if spec["approved"]:
                session_attendance_approve(session.pk, staff)
                for who, status, minutes, _after in later:
                    _correct(session, people[who], status, minutes, staff, final)
                for pk, (status, minutes) in final.items():
                    expected[pk] += hours_of(status, minutes, scheduled)

        fillers = [trainee() for _ in range(FILLERS)]
        known = TrainingSession.objects.create(program=program, date=PERIOD[0], start_time=time(16), end_time=time(17),
                                               topic="Known hour")
        for person in fillers:
            attendance_record(known, person, "present", 60, staff)
        session_attendance_approve(known.pk, staff)

        for person in people:
            assert participant_record(person.pk)["total_hours"] == expected[person.pk]
        total = sum(expected.values(), Decimal("0.00")) + FILLERS
        assert training_dashboard(2026)["total"].hours_this_year == f"{total:.2f}"

        run = PayRunFactory(kind="regular", period_start=PERIOD[0], period_end=PERIOD[1], pay_date=date(2026, 10, 23))
        payrun_calculate(run.pk, staff)
        stubs = {stub.employee_id: stub.training_hours for stub in run.stubs.all()}
        for person in people:
            paid = TimeEntry.objects.filter(pay_run=run, employee=person, kind="training")
            assert sum((e.hours for e in paid), Decimal("0.00")) == expected[person.pk]
            assert stubs.get(person.pk, Decimal("0.00")) == expected[person.pk]
        transaction.set_rollback(True)


def _correct(session, person, status, minutes, staff, final):
    """Correct a recorded attendance (one that was never recorded is left alone)."""
    attendance = Attendance.objects.filter(session=session, employee=person).first()
    if attendance is None:
        return
    attendance_update(attendance.pk, status, minutes, staff)
    final[person.pk] = (status, minutes)
