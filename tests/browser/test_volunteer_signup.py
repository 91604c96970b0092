"""A volunteer signs the waiver, finds the shift full, joins the waitlist in one click, moves
up when someone cancels (after the cancel confirmation), and the coordinator checks them in
at the kiosk."""
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from payroll.models import SignUp
from payroll.services.volunteers.signups import signup_create
from shop.platform import roles
from tests.support.factories import UserFactory
from tests.payroll.volunteers.factories import VolunteerFactory, make_shift, publish_waiver, signed_volunteer

pytestmark = pytest.mark.browser


def logged_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context, context.new_page()


@pytest.mark.django_db(transaction=True)
def test_waiver_waitlist_promotion_and_kiosk_check_in(browser, live_server, screenshots):
    publish_waiver(text="I volunteer at my own risk and follow the safety instructions.")
    shift = make_shift(starts_in=timedelta(hours=1), roles=(("Pop-up shop", 1),), title="Holiday pop-up",
                       signup_cutoff_hours=0, cancel_deadline_hours=0)
    holder = signed_volunteer(full_name="Hana Holder")
    signup_create(holder.pk, shift.roles.get().pk)
    robin = VolunteerFactory(full_name="Robin Ortiz")
    coordinator = UserFactory(roles=[roles.VOLUNTEER_COORDINATOR])

    robin_context, page = logged_in_page(browser, live_server, robin.user)
    page.goto(live_server.url + "/volunteer/waiver/")
    page.get_by_label("Type your full name to sign").fill("Robin Ortiz")
    page.get_by_label("I have read the waiver and agree to it").check()
    page.get_by_role("button", name="Sign the waiver").click()
    page.wait_for_selector("text=your waiver is signed")

    page.goto(live_server.url + f"/volunteer/shifts/{shift.pk}/")
    page.screenshot(path=str(screenshots / "volunteer-full-offers-waitlist.png"), full_page=True)
    page.get_by_role("button", name="Join the waitlist").click()  # the full role's own button: one click
    page.wait_for_selector("text=You are on the waitlist for Pop-up shop")
    assert page.locator(".status-waitlisted").inner_text() == "Waitlisted"
    page.screenshot(path=str(screenshots / "volunteer-waitlisted.png"), full_page=True)

    mail.outbox.clear()
    holder_context, holder_page = logged_in_page(browser, live_server, holder.user)
    holder_page.goto(live_server.url + "/volunteer/")
    holder_page.get_by_role("link", name="Cancel…").click()
    holder_page.wait_for_selector("text=Cancel your place on Holiday pop-up?")
    holder_page.screenshot(path=str(screenshots / "volunteer-cancel-confirm.png"), full_page=True)
    holder_page.get_by_role("button", name="Yes, cancel my place").click()
    holder_page.wait_for_selector("text=Cancelled. Thank you")
    holder_context.close()

    page.reload()
    assert page.locator(".status-confirmed").inner_text() == "Confirmed"
    page.screenshot(path=str(screenshots / "volunteer-promoted.png"), full_page=True)
    promoted = [m for m in mail.outbox if m.to == [robin.email]]
    assert len(promoted) == 1 and "A place opened" in promoted[0].subject
    robin_context.close()

    kiosk_context, kiosk = logged_in_page(browser, live_server, coordinator)
    kiosk.goto(live_server.url + f"/staff/volunteers/shifts/{shift.pk}/kiosk/")
    kiosk.get_by_label("PIN to leave kiosk mode").fill("1357")
    kiosk.get_by_label("The PIN again").fill("1357")
    kiosk.get_by_role("button", name="Start the kiosk on this device").click()  # tests/browser/test_kiosk.py: the rest
    kiosk.get_by_placeholder("Find your name").fill("rob")  # filters as you type (kiosk.js)
    kiosk.get_by_role("button", name="Check in Robin O.").click()
    kiosk.wait_for_selector("text=Welcome, Robin O.: you are checked in.")
    assert "Here since" in kiosk.locator(".kiosk-row:not([hidden])").first.inner_text()
    kiosk.screenshot(path=str(screenshots / "volunteer-kiosk-checked-in.png"), full_page=True)
    kiosk_context.close()
    signup = SignUp.objects.get(volunteer=robin)
    assert signup.status == SignUp.Status.CONFIRMED and signup.checked_in_at is not None
