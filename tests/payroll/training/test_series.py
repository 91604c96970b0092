"""Recurring sessions created as a weekly series (all or none) and a cohort's calendar of
sessions (issue 24)."""
from datetime import date, time

import pytest
from django.urls import reverse

from payroll.models import Cohort, Program, TrainingSession
from payroll.services.training.records import TrainingError
from payroll.services.training.roster import MAX_SERIES, session_series_create
from shop.platform import roles
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(roles=[roles.PROGRAM_STAFF])


@pytest.fixture
def prog():
    return Program.objects.create(name="Sewing foundations")


def add(client, prog, **fields):
    data = {"cohort": "", "first": "2026-10-06", "until": "", "start_time": "09:00", "end_time": "12:00",
            "topic": "Seams", "trainer": "Jo", **fields}
    return client.post(reverse("payroll:training_program_sessions_add", args=[prog.pk]), data)


def test_a_weekly_series_is_every_week_on_the_same_day_through_its_end(client, staff, prog):
    fall = Cohort.objects.create(program=prog, name="Fall", start_date=date(2026, 9, 1))
    client.force_login(staff)
    response = add(client, prog, cohort=fall.pk, until="2026-10-27")  # Tuesdays Oct 6, 13, 20, 27
    assert response.status_code == 302
    made = list(TrainingSession.objects.order_by("date"))
    assert [s.date for s in made] == [date(2026, 10, 6), date(2026, 10, 13), date(2026, 10, 20), date(2026, 10, 27)]
    assert {(s.start_time, s.end_time, s.topic, s.cohort_id) for s in made} == {(time(9), time(12), "Seams", fall.pk)}
    assert len({s.series for s in made}) == 1 and made[0].series is not None


def test_one_session_has_no_series(client, staff, prog):
    client.force_login(staff)
    assert add(client, prog).status_code == 302
    assert TrainingSession.objects.get().series is None


@pytest.mark.parametrize("fields, message", [
    ({"until": "2026-10-01"}, "cannot end before its first session"),
    ({"end_time": "08:00"}, "A session ends after it starts."),
    ({"until": "2028-10-06"}, f"at most {MAX_SERIES} sessions"),
    ({"first": "2026-13-01"}, "Enter a valid date"),
    ({"topic": ""}, "This field is required"),
])
def test_a_refused_series_adds_nothing_and_says_why(client, staff, prog, fields, message):
    client.force_login(staff)
    response = add(client, prog, **fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_a_cohort_of_another_program_is_refused(staff, prog):
    other = Cohort.objects.create(program=Program.objects.create(name="Bookkeeping"), name="X", start_date=date(2026, 1, 1))
    with pytest.raises(TrainingError, match="belongs to another program"):
        session_series_create(program=prog, cohort=other, first=date(2026, 10, 6), until=None, start_time=time(9),
                              end_time=time(10), topic="Seams", trainer="", actor=staff)


def test_the_cohorts_calendar_lists_its_and_the_whole_programs_sessions_by_month(client, staff, prog,
                                                                               django_assert_num_queries):
    fall = Cohort.objects.create(program=prog, name="Fall", start_date=date(2026, 9, 1), end_date=date(2026, 12, 31))
    spring = Cohort.objects.create(program=prog, name="Spring", start_date=date(2026, 3, 1))
    session_series_create(program=prog, cohort=fall, first=date(2026, 10, 27), until=date(2026, 11, 10),
                          start_time=time(9), end_time=time(12), topic="Seams", trainer="", actor=staff)
    session_series_create(program=prog, cohort=None, first=date(2026, 11, 4), until=None, start_time=time(14),
                          end_time=time(15), topic="Safety", trainer="", actor=staff)
    session_series_create(program=prog, cohort=spring, first=date(2026, 10, 28), until=None, start_time=time(9),
                          end_time=time(10), topic="Spring only", trainer="", actor=staff)
    session_series_create(program=prog, cohort=fall, first=date(2027, 1, 5), until=None, start_time=time(9),
                          end_time=time(10), topic="After the cohort", trainer="", actor=staff)
    client.force_login(staff)
    page = client.get(reverse("payroll:training_cohort", args=[fall.pk]))
    assert page.status_code == 200
    months = [(m, [(s.date.day, s.topic) for s in sessions]) for m, sessions in page.context["months"]]
    assert months == [(date(2026, 10, 1), [(27, "Seams")]),
                      (date(2026, 11, 1), [(3, "Seams"), (4, "Safety"), (10, "Seams")])]
    html = page.content.decode()
    assert "October 2026" in html and "November 2026" in html and "Spring only" not in html
    from payroll.selectors.training import cohort_calendar

    with django_assert_num_queries(2):
        cohort_calendar(fall.pk)
    assert client.get(reverse("payroll:training_cohort", args=[10 ** 6])).status_code == 404
