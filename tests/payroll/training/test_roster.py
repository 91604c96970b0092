"""A session's roster (issue 24): program staff mark everyone enrolled in one submit (all or
nothing, an error on the refused row), minutes starting at the session's length; the program
lead approves, which pays the training time once; participants appear masked, as on every
training list; the page takes the same queries for 2 or 12 people."""
from datetime import date, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payroll.models import Attendance, Cohort, Enrollment, PayRate, Program, TimeEntry, TrainingSession
from payroll.selectors.training import session_roster
from payroll.services.training.records import TrainingError, enrollment_create, enrollment_exit
from payroll.services.training.roster import Mark, RosterError, roster_approve, roster_save
from shop.platform import roles
from tests.payroll.factories import EmployeeFactory, PayRateFactory
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 6)  # 9:00 to 12:00: 180 minutes


@pytest.fixture
def staff():
    return UserFactory(roles=[roles.PROGRAM_STAFF])


@pytest.fixture
def lead():
    return UserFactory(roles=[roles.PROGRAM_STAFF])


@pytest.fixture
def prog(lead):
    return Program.objects.create(name="Sewing foundations", required_hours=Decimal("120"), lead=lead)


def trainee(prog, actor, start=date(2026, 9, 1), cohort=None, name=None):
    employee = EmployeeFactory(**({"legal_name": name} if name else {}))
    PayRateFactory(employee=employee, kind=PayRate.Kind.TRAINING, rate=Decimal("15.00"), effective_from=date(2026, 1, 1))
    enrollment_create(employee=employee, program=prog, cohort=cohort, start_date=start, actor=actor)
    return employee


def a_session(prog, cohort=None):
    return TrainingSession.objects.create(program=prog, cohort=cohort, date=DAY, start_time=time(9), end_time=time(12),
                                          topic="Seams")


def url(s):
    return reverse("payroll:training_session", args=[s.pk])


def roster_post(people_marks):
    """The form data of a roster submit: {employee: (status, minutes)}."""
    data = {}
    for person, (status, minutes) in people_marks.items():
        data[f"p{person.pk}-status"] = status
        data[f"p{person.pk}-minutes"] = minutes
    return data


def test_the_roster_lists_who_is_enrolled_masked_with_the_sessions_length(client, staff, prog):
    rosa = trainee(prog, staff, name="Rosa Martinez")
    ana = trainee(prog, staff, name="Ana Lopez")
    later = trainee(prog, staff, start=date(2026, 11, 1), name="Late Starter")  # enrolled after the session
    gone = trainee(prog, staff, start=date(2026, 1, 5), name="Gone Before")
    enrollment_exit(gone.enrollments.get().pk, status="withdrawn", exit_date=date(2026, 9, 30), reason="", outcome="",
                    actor=staff)
    other = trainee(Program.objects.create(name="Bookkeeping"), staff, name="Other Program")
    s = a_session(prog)
    client.force_login(staff)
    response = client.get(url(s))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert [r["line"].employee.pk for r in response.context["rows"]] == sorted([rosa.pk, ana.pk])
    assert "Ro••• M." in page and "An••• L." in page
    for name in ("Rosa Martinez", "Martinez", "Ana Lopez", "Late Starter", "Gone Before", "Other Program"):
        assert name not in page  # no legal name on the roster; no one who was not enrolled that day
    assert f'name="p{later.pk}-status"' not in page and f'name="p{other.pk}-status"' not in page
    assert f'name="p{rosa.pk}-minutes" value="180"' in page  # starts at the session's length
    assert f'name="p{rosa.pk}-status" value="present"' in page and "checked" in page


def test_a_cohorts_session_lists_only_that_cohort(client, staff, prog):
    spring = Cohort.objects.create(program=prog, name="Spring", start_date=date(2026, 3, 1))
    fall = Cohort.objects.create(program=prog, name="Fall", start_date=date(2026, 9, 1))
    mine, theirs = trainee(prog, staff, cohort=fall), trainee(prog, staff, cohort=spring)
    client.force_login(staff)
    rows = client.get(url(a_session(prog, cohort=fall))).context["rows"]
    assert [r["line"].employee.pk for r in rows] == [mine.pk] and theirs.pk != mine.pk


def test_one_submit_saves_every_row(client, staff, prog):
    present, late, left, absent = (trainee(prog, staff) for _ in range(4))
    s = a_session(prog)
    client.force_login(staff)
    response = client.post(url(s), roster_post({present: ("present", "180"), late: ("late", "150"),
                                                left: ("left_early", "90"), absent: ("absent", "180")}))
    assert response.status_code == 302
    saved = {a.employee_id: (a.status, a.minutes_attended) for a in Attendance.objects.filter(session=s)}
    assert saved == {present.pk: ("present", 0),  # the whole session
                     late.pk: ("late", 150), left.pk: ("left_early", 90), absent.pk: ("absent", 0)}
    assert not TimeEntry.objects.exists()  # nothing is paid before the lead approves


@pytest.mark.parametrize("bad_status, bad_minutes, message", [
    ("late", "180", "record the minutes attended (fewer than the session&#x27;s 180)"),
    ("present", "200", "At most 180 minutes: the session is 180 minutes long."),
    ("left_early", "", "record the minutes attended"),
    ("present", "٣٠", "Enter a whole number"),
    ("sleeping", "30", "Select a valid choice"),
])
def test_one_refused_row_saves_nothing_and_says_why_on_that_row(client, staff, prog, bad_status, bad_minutes, message):
    good, bad = trainee(prog, staff), trainee(prog, staff)
    s = a_session(prog)
    client.force_login(staff)
    response = client.post(url(s), roster_post({good: ("present", "180"), bad: (bad_status, bad_minutes)}))
    assert response.status_code == 400
    assert not Attendance.objects.exists()  # the good row was not saved either
    rows = {r["line"].employee.pk: r["form"] for r in response.context["rows"]}
    assert not rows[good.pk].errors
    assert rows[bad.pk].errors
    page = response.content.decode()
    bad_row = page[page.index(f'id="row-{bad.pk}"'):]
    assert message in bad_row[:bad_row.index("</tr>")] or message.replace("&#x27;", "'") in bad_row[:bad_row.index("</tr>")]
    assert "Nothing was saved" in page


def test_a_row_the_pay_rules_refuse_after_approval_rolls_back_the_others(staff, lead, prog):
    ok, unpaid = trainee(prog, staff), trainee(prog, staff)
    s = a_session(prog)
    roster_save(s.pk, [Mark(ok.pk, "present", None), Mark(unpaid.pk, "absent", None)], staff)
    roster_approve(s.pk, lead)
    with pytest.raises(RosterError) as refused:  # 10 minutes late-arrival is under the 15 a time entry needs
        roster_save(s.pk, [Mark(ok.pk, "late", 120), Mark(unpaid.pk, "late", 10)], lead)
    assert set(refused.value.rows) == {unpaid.pk} and "too short to pay" in refused.value.rows[unpaid.pk]
    assert Attendance.objects.get(employee=ok).status == "present"  # ok's change rolled back with it
    assert TimeEntry.objects.get(employee=ok).hours == Decimal("3.00")


def test_someone_not_on_the_roster_cannot_be_marked(staff, prog):
    s = a_session(prog)
    stranger = EmployeeFactory()
    with pytest.raises(RosterError) as refused:
        roster_save(s.pk, [Mark(stranger.pk, "present", None)], staff)
    assert refused.value.rows == {stranger.pk: "This person is not on the session's roster."}
    assert not Attendance.objects.exists()


def test_the_lead_approves_and_payroll_sees_the_hours_once(client, staff, lead, prog):
    present, late, absent = trainee(prog, staff), trainee(prog, staff), trainee(prog, staff)
    s = a_session(prog)
    client.force_login(staff)
    client.post(url(s), roster_post({present: ("present", "180"), late: ("late", "135"), absent: ("absent", "")}))

    approve = reverse("payroll:training_session_approve", args=[s.pk])
    response = client.post(approve)  # program staff who are not the lead
    assert response.status_code == 400 and "Only the program&#x27;s lead" in response.content.decode()
    assert not TimeEntry.objects.exists()

    client.force_login(lead)
    assert client.post(approve).status_code == 302
    assert client.post(approve).status_code == 302  # approving twice pays nothing more
    paid = {e.employee_id: (e.kind, e.hours, e.approved_at is not None)
            for e in TimeEntry.objects.filter(kind=TimeEntry.Kind.TRAINING)}
    assert paid == {present.pk: ("training", Decimal("3.00"), True), late.pk: ("training", Decimal("2.25"), True)}
    s.refresh_from_db()
    assert s.approved_by == lead and s.attendance_approved_at is not None
    page = client.get(url(s)).content.decode()
    assert "3.00 h" in page and "2.25 h" in page and "Approve the attendance" not in page


def test_after_approval_only_the_lead_changes_the_roster_and_the_change_is_paid_at_once(client, staff, lead, prog):
    person = trainee(prog, staff)
    s = a_session(prog)
    roster_save(s.pk, [Mark(person.pk, "present", None)], staff)
    assert roster_approve(s.pk, lead) == 1
    with pytest.raises(TrainingError, match="only the program lead can change it now"):
        roster_save(s.pk, [Mark(person.pk, "left_early", 60)], staff)
    client.force_login(lead)
    assert client.post(url(s), roster_post({person: ("left_early", "60")})).status_code == 302
    assert TimeEntry.objects.get(employee=person).hours == Decimal("1.00")  # changed, still one entry
    assert roster_approve(s.pk, lead) == 0


def test_approval_needs_a_marked_roster(staff, lead, prog):
    trainee(prog, staff)
    with pytest.raises(TrainingError, match="Mark the roster before approving it"):
        roster_approve(a_session(prog).pk, lead)


def test_the_roster_page_takes_the_same_queries_for_2_or_12_people(client, staff, prog, django_assert_num_queries):
    s = a_session(prog)
    people = [trainee(prog, staff) for _ in range(2)]
    roster_save(s.pk, [Mark(people[0].pk, "present", None)], staff)
    client.force_login(staff)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(s)).status_code == 200
        return len(captured)

    small = count()
    more = [trainee(prog, staff) for _ in range(10)]
    roster_save(s.pk, [Mark(p.pk, "late", 100) for p in more], staff)
    assert count() == small
    with django_assert_num_queries(3):  # the session (with program, lead, cohort), its attendance, the enrolled
        roster = session_roster(s.pk)
    assert len(roster["lines"]) == 12


def test_the_program_pages_list_sessions_and_link_their_rosters(client, staff, prog):
    s = a_session(prog)
    client.force_login(staff)
    listing = client.get(reverse("payroll:training_programs")).content.decode()
    assert reverse("payroll:training_program", args=[prog.pk]) in listing and prog.lead.email in listing
    page = client.get(reverse("payroll:training_program", args=[prog.pk])).content.decode()
    assert url(s) in page and "Seams" in page
    # The title is the program's name alone; the one add form is in the page's body.
    head, body = page.split("</head>")
    assert "<title>Sewing foundations · " in head and "<form" not in head
    assert body.count(reverse("payroll:training_program_sessions_add", args=[prog.pk])) == 1
    assert client.get(reverse("payroll:training_program", args=[10 ** 6])).status_code == 404
    assert client.get(reverse("payroll:training_session", args=[10 ** 6])).status_code == 404
    assert Enrollment.objects.count() == 0  # listing wrote nothing
