"""Issue 24 in a browser: program staff give a participant's service plan a goal, a step and a
progress note and set its review date, which then shows on their staff home beside a past
roster still to mark; a restricted case note is written and corrected (both versions shown).
Screenshots at 1280 and 390 px go to /work/shots/plans24/ (outside the repository); at both,
nothing sticks out of the page sideways."""
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from payroll.models import CaseNoteVersion, Goal, GoalDomain, Program, ProgressNote, TrainingSession
from payroll.services.training.records import enrollment_create
from shop.platform import roles
from tests.browser.test_payroll_journey import log_in
from tests.payroll.factories import EmployeeFactory
from tests.support.factories import UserFactory, add_totp

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots/plans24")


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_plan_gets_a_goal_and_progress_and_a_note_is_corrected(browser, live_server):
    for position, slug in enumerate(("employment", "housing", "education", "financial", "health"), start=1):
        GoalDomain.objects.get_or_create(slug=slug, defaults={"name": slug.title(), "position": position})
    staff = UserFactory(roles=[roles.PROGRAM_STAFF], mfa=False)
    secret = add_totp(staff)
    prog = Program.objects.create(name="Sewing foundations", required_hours=Decimal("120"), lead=staff)
    rosa = EmployeeFactory(legal_name="Rosa Martinez", preferred_name="")
    enrollment_create(employee=rosa, program=prog, start_date=date(2026, 9, 1), actor=staff)
    today = timezone.localdate()
    past = TrainingSession.objects.create(program=prog, date=today - timedelta(days=2), start_time=time(9),
                                          end_time=time(12), topic="Seams")

    context, page = log_in(browser, live_server, staff, secret)
    page.goto(live_server.url + f"/staff/training/participants/{rosa.pk}/")
    page.locator("#main").get_by_role("link", name="Service plan").click()
    page.select_option("#id_goal-domain", label="Housing")
    page.fill("#id_goal-title", "Sign a lease in her own name")
    page.fill("#id_goal-target_date", "2027-03-01")
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_selector("text=Sign a lease in her own name")
    goal = Goal.objects.get()
    page.select_option("#id_step-goal", str(goal.pk))
    page.fill("#id_step-text", "Gather two pay stubs")
    page.locator("form[action$='/plan/step/'] button").click()
    page.wait_for_selector("text=Gather two pay stubs")
    page.select_option("#id_progress-goal", str(goal.pk))
    page.fill("#id_progress-date", "")  # missing: a field error, nothing saved
    page.fill("#id_progress-text", "Viewed two flats with her support worker.")
    page.locator("form[action$='/plan/progress/'] button").click()
    assert page.locator("form[action$='/plan/progress/'] .field-error").count() == 1
    shoot(page, "plan-error")
    page.fill("#id_progress-date", today.isoformat())
    page.locator("form[action$='/plan/progress/'] button").click()
    page.wait_for_selector("text=Viewed two flats with her support worker.")
    page.fill("#id_review-review_date", (today + timedelta(days=10)).isoformat())
    page.locator("form[action$='/plan/review/'] button").click()
    page.wait_for_selector("#review >> text=due soon")
    assert "Rosa Martinez" not in page.content()
    assert ProgressNote.objects.count() == 1
    shoot(page, "plan")

    page.goto(live_server.url + "/staff/")
    assert page.get_by_role("link", name=f"Review the service plan of participant no. {rosa.pk}").count() == 1
    assert page.get_by_role("link", name="Mark the roster: Sewing foundations, Seams").get_attribute("href") == (
        f"/staff/training/sessions/{past.pk}/")
    shoot(page, "staff-home")

    page.goto(live_server.url + f"/staff/training/casework/{rosa.pk}/notes/")
    page.check("input[name=confidentiality][value=restricted]")
    page.fill("#id_body", "Met on Tuesday.\n\nShe asked to keep her new address private.")
    page.get_by_role("button", name="Save the note").click()
    page.wait_for_selector("text=Note saved")
    page.fill("#id_body", "Met on Wednesday.\n\nShe asked to keep her new address private.")
    page.fill("#id_reason", "Wrong day")
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_selector("text=Correction saved")
    assert page.locator("#version-2").inner_text().count("Met on Wednesday.") == 1
    assert "Met on Tuesday." in page.locator("#version-1").inner_text()
    assert CaseNoteVersion.objects.count() == 2
    shoot(page, "note")
    page.goto(live_server.url + f"/staff/training/casework/{rosa.pk}/notes/")
    shoot(page, "notes")
    context.close()
