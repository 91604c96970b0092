"""The timesheet grid (issue 20): a pay period × employees × days that payroll staff fill in,
saved whole through the time-entry service or not at all, with refusals on the exact cell,
totals and FLSA overtime, approval of waiting hours; and the all-or-nothing CSV import."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payroll.models import TimeEntry
from payroll.selectors.time import time_grid
from payroll.services.time import grid_cell_name, time_entry_add
from shop.platform import roles
from tests.payroll.factories import EmployeeFactory, PayRateFactory
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
START = date(2026, 9, 28)  # a Monday: the Sep 28 – Oct 11 period (PAY_PERIOD_ANCHOR 2026-01-05, biweekly)
WEEK1 = [START + timedelta(days=i) for i in range(5)]  # Mon–Fri of the first workweek


@pytest.fixture
def staff(client):
    user = UserFactory(roles=[roles.PAYROLL_STAFF])
    client.force_login(user)
    return user


def person(name):
    employee = EmployeeFactory(legal_name=name, preferred_name="")
    PayRateFactory(employee=employee)
    PayRateFactory(employee=employee, kind="training", rate=D("16.00"))
    return employee


def post_grid(client, cells, **extra):
    data = {"start": START.isoformat(), **{grid_cell_name(e.pk, d, k): v for (e, d, k), v in cells.items()}, **extra}
    return client.post(reverse("payroll:time_grid"), data)


def hours_of(employee, kind="production"):
    return {e.date: e.hours for e in TimeEntry.objects.filter(employee=employee, kind=kind)}


def test_a_week_for_three_named_people_saves_through_the_service(client, staff):
    ana, bea, cleo = person("Ana Flores"), person("Bea Moreau"), person("Cleo Duarte")
    page = client.get(reverse("payroll:time_grid"), {"start": "2026-10-07"})  # any day of the period opens it
    assert page.status_code == 200
    body = page.content.decode()
    assert "Ana Flores" in body and "Bea Moreau" in body and "Cleo Duarte" in body
    assert "Timesheet Sep 28 – Oct 11, 2026" in body
    cells = {(who, day, "production"): "8" for who in (ana, bea, cleo) for day in WEEK1}
    cells[(cleo, WEEK1[0], "training")] = "1.5"
    cells[(cleo, WEEK1[1], "production")] = "10"
    response = post_grid(client, cells)
    assert response.status_code == 302
    assert hours_of(ana) == {day: D("8.00") for day in WEEK1}
    assert hours_of(cleo, "training") == {WEEK1[0]: D("1.50")}
    entry = TimeEntry.objects.filter(employee=bea).first()
    assert entry.entered_by == staff and entry.source == "timesheet grid" and entry.approved_at is None
    shown = client.get(response["Location"]).content.decode()
    assert "Saved: 16 cells changed." in shown
    assert 'data-row-total>40.00<' in shown and 'data-row-total>43.50<' in shown
    assert 'data-grand-total>123.50<' in shown
    assert f'name="{grid_cell_name(cleo.pk, WEEK1[1], "production")}"' in shown and 'value="10"' in shown
    assert 'value="1.5"' in shown and 'value="8"' in shown
    assert '<strong>3.50 OT</strong>' in shown and 'data-overtime>3.50<' in shown  # Cleo: 43.5 h worked in the week


def test_totals_and_overtime_per_workweek_not_counting_pto(staff):
    ana = person("Ana Flores")
    for day in WEEK1:
        time_entry_add(ana, day, D("9"), "production", staff)
    time_entry_add(ana, START + timedelta(days=5), D("8"), "pto", staff)  # Saturday off, paid
    time_entry_add(ana, START + timedelta(days=8), D("6"), "training", staff)  # second week
    row = time_grid(START).rows[0]
    assert row.totals == {"production": D("45"), "training": D("6"), "pto": D("8")}
    assert row.week_worked == [D("45"), D("6")]
    assert row.week_overtime == [D("5"), D("0")]  # 45 worked in the first week: 5 over 40 (FLSA)
    assert row.total == D("59") and row.overtime == D("5")


def test_the_grid_reads_in_a_fixed_number_of_queries(staff):
    def count():
        with CaptureQueriesContext(connection) as queries:
            time_grid(START)
        return len(queries)

    person("Ana Flores")
    few = count()
    for name in ("Bea Moreau", "Cleo Duarte", "Dee Park"):
        time_entry_add(person(name), START, D("8"), "production", staff)
    assert count() == few == 2


def test_a_refused_cell_saves_nothing_and_says_why_on_that_cell(client, staff):
    ana, bea = person("Ana Flores"), person("Bea Moreau")
    response = post_grid(client, {
        (ana, WEEK1[0], "production"): "8",
        (bea, WEEK1[1], "production"): "30",
        (bea, WEEK1[2], "training"): "eight",
    })
    assert response.status_code == 400
    assert not TimeEntry.objects.exists()  # Ana's good cell was not saved either
    body = response.content.decode()
    bad = grid_cell_name(bea.pk, WEEK1[2], "training")
    assert f'id="{bad}-error">Enter hours as a number' in body
    assert 'value="eight"' in body  # shown again as typed
    # The 30 is refused by the service (a day has 24 hours) once the cells parse.
    response = post_grid(client, {(ana, WEEK1[0], "production"): "8", (bea, WEEK1[1], "production"): "30"})
    assert response.status_code == 400 and not TimeEntry.objects.exists()
    over = grid_cell_name(bea.pk, WEEK1[1], "production")
    assert f'id="{over}-error">Hours must be more than 0 and at most 24 in a day.' in response.content.decode()
    assert 'value="8"' in response.content.decode()  # Ana's typed cell is kept on the page


def test_future_days_and_long_days_are_refused_per_cell(client, staff):
    ana = person("Ana Flores")
    response = post_grid(client, {(ana, WEEK1[0], "production"): "13"})
    assert response.status_code == 400 and not TimeEntry.objects.exists()
    assert "more than 12. If that is right, confirm it" in response.content.decode()
    assert 'name="confirm_long_day"' in response.content.decode()
    assert post_grid(client, {(ana, WEEK1[0], "production"): "13"}, confirm_long_day="1").status_code == 302
    assert hours_of(ana) == {WEEK1[0]: D("13.00")}


def test_correcting_clearing_and_moving_hours_between_kinds(client, staff):
    ana = person("Ana Flores")
    time_entry_add(ana, WEEK1[0], D("20"), "production", staff, confirmed_long_day=True)
    time_entry_add(ana, WEEK1[1], D("8"), "production", staff)
    response = post_grid(client, {
        (ana, WEEK1[0], "production"): "4",   # lowered first, so 4 + 16 is not refused as 36
        (ana, WEEK1[0], "training"): "16",
        (ana, WEEK1[1], "production"): "",    # cleared
    }, confirm_long_day="1")
    assert response.status_code == 302
    assert hours_of(ana) == {WEEK1[0]: D("4.00")}
    assert hours_of(ana, "training") == {WEEK1[0]: D("16.00")}


def test_approving_the_period_approves_employee_entered_time(client, staff):
    employee_user = UserFactory()
    ana = person("Ana Flores")
    ana.user, ana.employee_can_enter_time = employee_user, True
    ana.save()
    own = time_entry_add(ana, WEEK1[0], D("7.5"), "production", employee_user)  # as at /me/time/
    outside = time_entry_add(ana, START - timedelta(days=1), D("3"), "production", employee_user)  # the period before
    page = client.get(reverse("payroll:time_grid"), {"start": START.isoformat()}).content.decode()
    assert "1 cell of hours is waiting for approval" in page
    assert client.get(reverse("payroll:time_grid_approve")).status_code == 405
    response = client.post(reverse("payroll:time_grid_approve"), {"start": START.isoformat()})
    assert response.status_code == 302
    own.refresh_from_db()
    outside.refresh_from_db()
    assert own.approved_by == staff and own.approved_at is not None
    assert outside.approved_at is None


def test_other_roles_cannot_open_the_grid(client):
    client.force_login(UserFactory(roles=[roles.PROGRAM_STAFF]))
    assert client.get(reverse("payroll:time_grid")).status_code == 403


# -- the CSV import -------------------------------------------------------------------------------

def upload(client, text):
    return client.post(reverse("payroll:time_import"), {"file": SimpleUploadedFile("hours.csv", text.encode(), "text/csv")})


def test_csv_import_previews_then_saves_every_row(client, staff):
    ana, bea = person("Ana Flores"), person("Bea Moreau")
    text = f"Employee,Date,Kind,Hours\n{ana.pk},2026-10-05,regular,8\n\n{bea.pk},2026-10-06,training,6.5\n"
    preview = upload(client, text)
    assert preview.status_code == 200
    assert not TimeEntry.objects.exists()  # the preview saves nothing
    body = preview.content.decode()
    assert "2 rows ready to import" in body and "Ana Flores" in body and "Bea Moreau" in body
    response = client.post(reverse("payroll:time_import"), {"confirm": "1", "csv_text": text})
    assert response.status_code == 302
    assert hours_of(ana) == {date(2026, 10, 5): D("8.00")}
    assert hours_of(bea, "training") == {date(2026, 10, 6): D("6.50")}
    assert TimeEntry.objects.get(employee=bea).source == "hours import"


def test_csv_import_with_bad_rows_saves_nothing_and_numbers_each_row(client, staff):
    ana = person("Ana Flores")
    text = (
        "employee,date,kind,hours\n"
        f"{ana.pk},2026-10-05,regular,8\n"      # line 2: fine
        "99999,2026-10-05,regular,8\n"          # line 3: nobody
        f"{ana.pk},10/06/2026,regular,8\n"      # line 4: not an ISO date
        f"{ana.pk},2026-10-07,overtime,8\n"     # line 5: not a kind
        f"{ana.pk},2026-10-08,regular,lots\n"   # line 6: not hours
        f"{ana.pk},2026-10-05,regular,20\n"     # line 7: with line 2, 28 hours in a day
    )
    response = upload(client, text)
    assert response.status_code == 400
    assert not TimeEntry.objects.exists()
    body = response.content.decode()
    assert "Row 2:" not in body
    assert "Row 3: No employee number 99999." in body
    assert "Row 4: The date 10/06/2026 is not a date" in body
    assert "Row 5: The kind overtime is not regular, training or pto." in body
    assert "Row 6: The hours lots are not a number" in body
    assert "Row 7: That makes 28 hours on Oct 5, 2026; a day has only 24." in body
    # A confirm of the same text is checked again, not trusted.
    assert client.post(reverse("payroll:time_import"), {"confirm": "1", "csv_text": text}).status_code == 400
    assert not TimeEntry.objects.exists()


def test_csv_import_needs_its_columns(client, staff):
    response = upload(client, "name,hours\nAna,8\n")
    assert response.status_code == 400
    assert "Row 1: The first line must name the columns; missing: employee, date, kind." in response.content.decode()


def test_hours_paid_in_an_approved_run_are_shown_but_not_changed(client, staff):
    from payroll.services.time import time_entries_approve
    from tests.payroll.test_time_entries import paid_regular_run
    from tests.payroll.factories import W4Factory

    ana = person("Ana Flores")
    W4Factory(employee=ana)
    paid = time_entry_add(ana, date(2026, 10, 5), D("8"), "production", staff)
    time_entries_approve([paid.pk], staff)
    paid_regular_run()  # Oct 5–18, approved: Oct 5's hours are paid
    name = grid_cell_name(ana.pk, date(2026, 10, 5), "production")
    page = client.get(reverse("payroll:time_grid"), {"start": START.isoformat()}).content.decode()
    assert f'name="{name}"' not in page and 'title="Paid in an approved run">8.00<' in page
    # A forged post of the paid cell is ignored (it has no input), and the rest still saves.
    response = post_grid(client, {(ana, date(2026, 10, 5), "production"): "2", (ana, WEEK1[0], "production"): "6"})
    assert response.status_code == 302
    assert hours_of(ana) == {date(2026, 10, 5): D("8.00"), WEEK1[0]: D("6.00")}


def test_the_service_refuses_a_paid_cell_by_name(staff):
    from payroll.services.time import TimeGridError, time_entries_approve, time_grid_save
    from tests.payroll.test_time_entries import paid_regular_run
    from tests.payroll.factories import W4Factory

    ana = person("Ana Flores")
    W4Factory(employee=ana)
    paid = time_entry_add(ana, date(2026, 10, 5), D("8"), "production", staff)
    time_entries_approve([paid.pk], staff)
    paid_regular_run()
    with pytest.raises(TimeGridError) as refused:
        time_grid_save({(ana.pk, date(2026, 10, 5), "production"): D("2"), (ana.pk, WEEK1[0], "production"): D("6")}, staff)
    assert refused.value.cells == {grid_cell_name(ana.pk, date(2026, 10, 5), "production"):
                                   "These hours were paid in an approved pay run; correct them with an off-cycle correction run."}
    assert hours_of(ana) == {date(2026, 10, 5): D("8.00")}  # the good cell was not saved either


def test_opening_the_grid_is_recorded_in_the_audit_trail_without_names(client, staff):
    from shop.models import AuditEvent

    ana = person("Ana Flores")
    client.get(reverse("payroll:time_grid"), {"start": START.isoformat()})
    event = AuditEvent.objects.get(action="time.grid_viewed")
    assert event.actor == staff and event.detail["employees"] == [ana.pk]
    assert "Ana" not in str(event.detail)


def test_csv_import_refuses_ids_that_only_look_like_numbers(client, staff):
    """'²' passes str.isdigit() but not int(); a 30-digit id is past any database id: row errors, not a 500."""
    text = "employee,date,kind,hours\n²,2026-10-05,regular,8\n" + "9" * 30 + ",2026-10-05,regular,8\n"
    response = upload(client, text)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Row 2:" in body and "Row 3:" in body
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31", "²026-10-05"])
def test_a_start_day_outside_the_sane_window_shows_this_period(client, staff, start):
    """Year 1 overflowed working out the pay period around it (a 500 found by the fuzzer)."""
    assert client.get(reverse("payroll:time_grid"), {"start": start}).status_code == 200
    assert client.post(reverse("payroll:time_grid_approve"), {"start": start}).status_code == 302
