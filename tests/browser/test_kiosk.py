"""Kiosk mode on a 1024 px tablet: the coordinator starts the kiosk from the roster (and is
logged out on the tablet); three volunteers check in: one by name, one by the QR code of
their check-in pass (read by the page's BarcodeDetector code path, with a stand-in detector
and camera since headless Chromium has neither), one while the network is down (queued,
then synced once); the kiosk cannot reach the staff pages; the coordinator leaves with the
PIN after a wrong one."""
from datetime import timedelta

import pytest

from payroll.models import Kiosk, SignUp
from payroll.services.volunteers.signups import signup_create
from shop.platform import roles
from tests.browser.test_volunteer_signup import logged_in_page
from tests.payroll.volunteers.factories import make_shift, publish_waiver, signed_volunteer
from tests.support.factories import UserFactory

pytestmark = pytest.mark.browser

# A stand-in camera (a canvas stream) and a BarcodeDetector that "sees" window.__kioskCode.
FAKE_SCANNER = """
(() => {
  window.BarcodeDetector = class {
    constructor() {}
    detect() { return Promise.resolve(window.__kioskCode ? [{ rawValue: window.__kioskCode }] : []); }
  };
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 48;
  navigator.mediaDevices.getUserMedia = () => Promise.resolve(canvas.captureStream(5));
})();
"""


@pytest.mark.django_db(transaction=True)
def test_kiosk_mode_on_a_tablet(browser, live_server, screenshots):
    publish_waiver()
    shift = make_shift(starts_in=timedelta(minutes=40), roles=(("Sorting", 10),), title="Saturday sorting",
                       signup_cutoff_hours=0)
    people = {name: signed_volunteer(full_name=name, phone="727-555-0142", emergency_contact_name="Ed Emergency")
              for name in ("Robin Ortiz", "Sam Lee", "Ana Lucia Diaz")}
    signups = {name: signup_create(v.pk, shift.roles.get().pk) for name, v in people.items()}
    coordinator = UserFactory(roles=[roles.VOLUNTEER_COORDINATOR])

    # Sam's check-in pass, as Sam sees it at home.
    sam_context, sam = logged_in_page(browser, live_server, people["Sam Lee"].user)
    sam.goto(live_server.url + "/volunteer/")
    sam.get_by_role("link", name="Check-in pass (QR)").click()
    sam.wait_for_selector("svg.qr-svg")
    sam.screenshot(path=str(screenshots / "kiosk-pass.png"), full_page=True)
    code = sam.locator(".checkin-code").inner_text()
    sam_context.close()

    context, page = logged_in_page(browser, live_server, coordinator)
    page.add_init_script(FAKE_SCANNER)
    page.goto(live_server.url + f"/staff/volunteers/shifts/{shift.pk}/")
    page.get_by_role("link", name="Open check-in kiosk").click()
    page.get_by_label("PIN to leave kiosk mode").fill("2580")
    page.get_by_label("The PIN again").fill("2580")
    page.screenshot(path=str(screenshots / "kiosk-open.png"), full_page=True)
    page.get_by_role("button", name="Start the kiosk on this device").click()
    page.wait_for_selector("text=Check in · Saturday sorting")
    assert page.url == live_server.url + "/kiosk/"
    html = page.content()
    assert "Robin O." in html and "Robin Ortiz" not in html and "727-555-0142" not in html and "Ed Emergency" not in html
    assert page.locator("nav").count() == 0 and page.get_by_role("link", name="Staff").count() == 0
    page.screenshot(path=str(screenshots / "kiosk-start.png"), full_page=True)

    # 1. By name.
    page.get_by_placeholder("Find your name").fill("rob")
    page.get_by_role("button", name="Check in Robin O.").click()
    page.wait_for_selector("text=Welcome, Robin O.: you are checked in.")
    page.screenshot(path=str(screenshots / "kiosk-by-name.png"), full_page=True)
    page.get_by_placeholder("Find your name").fill("")

    # 2. By the QR code of the pass.
    page.get_by_role("button", name="Scan with the camera").click()
    page.wait_for_selector("#kiosk-camera:not([hidden])")
    page.evaluate("code => { window.__kioskCode = code; }", code)
    page.wait_for_selector("text=Welcome, Sam L.: you are checked in.")
    assert page.locator("#kiosk-camera").is_hidden()  # the camera stops after a read
    page.screenshot(path=str(screenshots / "kiosk-by-qr.png"), full_page=True)

    # 3. While the network is down: queued on the tablet, sent once it is back.
    context.set_offline(True)
    page.get_by_role("button", name="Check in Ana D.").click()
    page.wait_for_selector("#kiosk-offline:not([hidden])")
    assert page.locator("#kiosk-queued").inner_text() == "1"
    page.screenshot(path=str(screenshots / "kiosk-offline.png"), full_page=True)
    assert SignUp.objects.get(pk=signups["Ana Lucia Diaz"].pk).checked_in_at is None
    context.set_offline(False)
    page.wait_for_selector("#kiosk-offline", state="hidden")
    assert page.evaluate("localStorage.getItem('mended-kiosk-queue-%d')" % Kiosk.objects.get().pk) == "[]"
    assert all(s.checked_in_at is not None for s in SignUp.objects.filter(shift=shift))
    assert SignUp.objects.filter(shift=shift, checked_in_by=coordinator).count() == 3

    # The staff pages are out of reach on the kiosk.
    for path in ("/staff/volunteers/", f"/staff/volunteers/shifts/{shift.pk}/", "/staff/data-rights/", "/admin/", "/volunteer/"):
        page.goto(live_server.url + path)
        assert page.url == live_server.url + "/kiosk/", path
    assert "727-555-0142" not in page.content()
    page.screenshot(path=str(screenshots / "kiosk-after-staff-pages.png"), full_page=True)

    # The coordinator leaves with the PIN (a wrong one first).
    page.get_by_role("link", name="Coordinator: leave kiosk mode").click()
    page.get_by_label("Coordinator's PIN").fill("1111")
    page.get_by_role("button", name="Leave kiosk mode").click()
    page.wait_for_selector("text=That is not the PIN.")
    page.screenshot(path=str(screenshots / "kiosk-wrong-pin.png"), full_page=True)
    page.get_by_label("Coordinator's PIN").fill("2580")
    page.get_by_role("button", name="Leave kiosk mode").click()
    page.wait_for_selector("text=Kiosk mode ended on this device.")
    assert "/accounts/login/" in page.url
    page.screenshot(path=str(screenshots / "kiosk-left.png"), full_page=True)
    assert Kiosk.objects.get().closed_at is not None
    page.goto(live_server.url + "/kiosk/")
    assert "check-in kiosk" in page.content()  # a 403: this browser is no kiosk any more
    context.close()
