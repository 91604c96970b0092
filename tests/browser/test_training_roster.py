"""Issue 24 in a browser: program staff mark a session's roster (one late, one absent) in one
submit, the program lead approves it, and payroll's timesheet shows the training hours once;
the outcomes dashboard fits 1280 px and, at 390 px, scrolls inside its own box. Screenshots at
1280 and 390 px go to /work/shots/h24training/ (outside the repository)."""
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest

from payroll.models import PayRate, Program, TimeEntry, TrainingSession
from payroll.services.training.records import enrollment_create, enrollment_exit
from shop.platform import roles
from tests.browser.test_payroll_journey import log_in
from tests.payroll.factories import EmployeeFactory, PayRateFactory
from tests.support.factories import UserFactory, add_totp

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots/h24training")
DAY = date(2026, 11, 10)  # a Tuesday in the pay period from Nov 9


def shoot(page, name: str) -> None:
    """The page at 1280 and 390 px (full length); at both, nothing sticks out of the page sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
    page.set_viewport_size({"width": 1280, "height": 900})


def trainee(prog, name, actor):
    employee = EmployeeFactory(legal_name=name, preferred_name="")
    PayRateFactory(employee=employee, kind=PayRate.Kind.TRAINING, rate=Decimal("15.00"), effective_from=date(2026, 1, 1))
    enrollment_create(employee=employee, program=prog, start_date=date(2026, 9, 1), actor=actor)
    return employee


def test_a_roster_marked_approved_and_paid_once(browser, live_server):
    staff = UserFactory(roles=[roles.PROGRAM_STAFF], mfa=False)
    lead = UserFactory(roles=[roles.PROGRAM_STAFF], mfa=False)
    clerk = UserFactory(roles=[roles.PAYROLL_STAFF], mfa=False)
    secrets = {user.pk: add_totp(user) for user in (staff, lead, clerk)}
    prog = Program.objects.create(name="Sewing foundations", required_hours=Decimal("120"), lead=lead)
    ana, mei, rosa = (trainee(prog, name, staff) for name in ("Ana Lucia Ortiz", "Mei Chen", "Rosa Martinez"))
    session = TrainingSession.objects.create(program=prog, date=DAY, start_time=time(9), end_time=time(12), topic="Seams")

    context, page = log_in(browser, live_server, staff, secrets[staff.pk])
    page.goto(live_server.url + "/staff/training/programs/")
    page.locator("#main").get_by_role("link", name="Sessions and rosters").click()
    page.locator("#main").get_by_role("link", name="Roster", exact=True).click()
    assert page.locator(f"input[name=p{ana.pk}-minutes]").input_value() == "180"
    for name in ("Ana Lucia Ortiz", "Mei Chen", "Rosa Martinez"):
        assert name not in page.content()
    page.locator(f"#row-{mei.pk} input[value=late]").check()
    page.fill(f"input[name=p{mei.pk}-minutes]", "200")  # more than the session: refused, nothing saved
    page.locator(f"#row-{rosa.pk} input[value=absent]").check()
    page.get_by_role("button", name="Save the roster").click()
    assert "At most 180 minutes" in page.locator(f"#row-{mei.pk}").inner_text()
    assert not session.attendances.exists()
    shoot(page, "roster-refused")
    page.fill(f"input[name=p{mei.pk}-minutes]", "135")
    page.get_by_role("button", name="Save the roster").click()
    page.wait_for_selector("text=Roster saved")
    assert "Approve the attendance" not in page.content()  # not the lead
    shoot(page, "roster-saved")
    context.close()

    context, page = log_in(browser, live_server, lead, secrets[lead.pk])
    page.goto(live_server.url + f"/staff/training/sessions/{session.pk}/")
    stale = context.new_page()  # the same page open in a second tab, approved again from there
    stale.goto(live_server.url + f"/staff/training/sessions/{session.pk}/")
    page.get_by_role("button", name="Approve the attendance").click()
    page.wait_for_selector("text=2 training time entries made")
    assert "3.00 h" in page.content() and "2.25 h" in page.content()
    shoot(page, "roster-approved")
    stale.get_by_role("button", name="Approve the attendance").click()
    stale.wait_for_selector("text=everyone on it was already paid")
    context.close()
    assert sorted(TimeEntry.objects.filter(kind="training").values_list("employee_id", "hours")) == sorted(
        [(ana.pk, Decimal("3.00")), (mei.pk, Decimal("2.25"))])

    context, page = log_in(browser, live_server, clerk, secrets[clerk.pk])
    page.goto(live_server.url + "/staff/payroll/time/?start=2026-11-09")
    totals = {}
    for body in page.locator("tbody[data-row]").all():
        name = body.locator("th[scope=rowgroup]").inner_text()
        totals[name] = body.locator("tr[data-kind=training] td[data-total]").inner_text().strip()
    assert {k: v for k, v in totals.items() if v not in ("", "0", "0.00")} == {
        next(k for k in totals if "Ana" in k): "3.00", next(k for k in totals if "Mei" in k): "2.25"}
    shoot(page, "payroll-timesheet")
    context.close()


def test_the_outcomes_dashboard_fits_1280_and_scrolls_in_its_box_at_390(browser, live_server):
    staff = UserFactory(roles=[roles.PROGRAM_STAFF], mfa=False)
    secret = add_totp(staff)
    for name, people in (("Sewing and production", 12), ("Financial literacy", 5), ("Bookkeeping", 3)):
        prog = Program.objects.create(name=name, required_hours=Decimal("40"))
        for i in range(people):
            employee = EmployeeFactory()
            enrollment = enrollment_create(employee=employee, program=prog, start_date=date(2026, 1, 5), actor=staff)
            if i % 2:
                enrollment_exit(enrollment.pk, status="completed", exit_date=date(2026, 6, 1), reason="",
                                outcome="other", actor=staff)
    context, page = log_in(browser, live_server, staff, secret)
    page.goto(live_server.url + "/staff/training/dashboard/?year=2026")
    box = page.get_by_role("region", name="Outcomes by program")
    widths = page.evaluate("e => [e.scrollWidth, e.clientWidth]", box.element_handle())
    assert widths[0] <= widths[1], f"the table does not fit at 1280 px: {widths}"
    assert "not shown" in page.content()
    shoot(page, "dashboard")
    page.set_viewport_size({"width": 390, "height": 900})
    scrolls = page.evaluate("e => e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'auto'",
                            box.element_handle())
    assert scrolls, "at 390 px the table should scroll inside its own box"
    context.close()
