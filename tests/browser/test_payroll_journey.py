"""Payroll staff run a fortnight's pay as a clerk would: log in with two-factor, land on
/staff/, type a week of hours into the timesheet for three named employees, calculate, have a
second payroll person approve, then download the direct-deposit (NACHA) file, the stubs, the
quarter's Form 941 worksheet and the W-2s, and read each download back.

Every expected amount is worked out by hand below (Pub 15-T 2026, percentage method, single,
no adjustments, biweekly: annualise, less the $8,600 of Worksheet 1A line 1g, 10% over $7,500,
divided by 26; Social Security 6.2%, Medicare 1.45%). Screenshots at 1280 and 390 px go to
/work/shots/h20/ (outside the repository).
"""
import base64
import hashlib
import hmac
import io
import struct
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from payroll.models import PayRun
from payroll.services.ledger import Leg, entry_post
from shop.platform import roles
from tests.payroll.factories import EmployeeFactory, PayRateFactory, W4Factory
from tests.support.factories import UserFactory, add_totp
from tests.support.nacha_reader import read_nacha

pytestmark = pytest.mark.browser
D = Decimal
PASSWORD = "correct horse battery"  # UserFactory's
SHOTS = Path("/work/shots/h20")
PERIOD_START, PERIOD_END, PAY_DATE = date(2026, 11, 9), date(2026, 11, 22), date(2026, 11, 27)
WEEK = [date(2026, 11, d) for d in (9, 10, 11, 12, 13)]  # Mon to Fri, 8 hours each: 40 hours, no overtime

# name, rate, gross (40 h), federal income tax, Social Security, Medicare, net
# Ana:  1,000 x 26 = 26,000 - 8,600 = 17,400; (17,400 - 7,500) x 10% = 990 / 26 = 38.0769
# Mei:    800 x 26 = 20,800 - 8,600 = 12,200; 4,700 x 10% = 470 / 26 = 18.0769
# Rosa:   660 x 26 = 17,160 - 8,600 =  8,560; 1,060 x 10% = 106 / 26 = 4.0769
PEOPLE = [
    ("Ana Lucia Ortiz", D("25.00"), D("1000.00"), D("38.08"), D("62.00"), D("14.50"), D("885.42")),
    ("Mei Chen", D("20.00"), D("800.00"), D("18.08"), D("49.60"), D("11.60"), D("720.72")),
    ("Rosa Martinez", D("16.50"), D("660.00"), D("4.08"), D("40.92"), D("9.57"), D("605.43")),
]


def totp(secret: str) -> str:
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), computed here, not with allauth's helper."""
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def shoot(page, name: str) -> None:
    """The page at 1280 and at 390 px wide (full length); the viewport goes back to 1280."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if width == 390:  # nothing may stick out sideways on a phone
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than a 390px screen"
    page.set_viewport_size({"width": 1280, "height": 900})


def type_login(page, live_server, email: str, password: str, secret: str | None = None) -> None:
    """The login as a person types it: e-mail, password and, with an authenticator app's
    ``secret``, the code it shows now."""
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form input[name=password]").press("Enter")
    if secret is None:
        return
    page.wait_for_selector("input[name=code]")
    left = 30 - time.time() % 30  # a code read in its window's last seconds can expire on the way
    if left < 5:
        time.sleep(left + 0.5)
    page.fill("input[name=code]", totp(secret))
    page.locator("input[name=code]").press("Enter")


def log_in(browser, live_server, user, secret):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    type_login(page, live_server, user.email, PASSWORD, secret)
    page.wait_for_url(live_server.url + "/staff/")
    return context, page


def download(page, click) -> bytes:
    with page.expect_download() as info:
        click()
    return Path(info.value.path()).read_bytes()


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db(transaction=True)
def test_a_fortnight_of_pay_from_the_timesheet_to_the_w2(browser, live_server):
    employees = []
    for number, (name, rate, *_rest) in enumerate(PEOPLE):
        employee = EmployeeFactory(legal_name=name, preferred_name=name.split()[0], bank_account=f"5566778{number}")
        PayRateFactory(employee=employee, rate=rate)
        W4Factory(employee=employee)
        employees.append(employee)
    entry_post(key="journey-fund", on=date(2026, 11, 1), memo="seed", source_type="test", source_id=None,
               legs=[Leg("shop_revenue_clearing", D("20000.00")), Leg("wage_fund", D("-20000.00"))])
    clerk, approver = (UserFactory(roles=[roles.PAYROLL_STAFF], is_staff=True, mfa=False) for _ in range(2))
    clerk_secret, approver_secret = add_totp(clerk), add_totp(approver)

    context, page = log_in(browser, live_server, clerk, clerk_secret)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Staff")
    shoot(page, "staff-home")

    # The timesheet, from the staff navigation, moved to the period of Nov 9-22.
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Timesheet").click()
    page.goto(live_server.url + f"/staff/payroll/time/?start={PERIOD_START.isoformat()}")
    for name, *_rest in PEOPLE:
        assert page.get_by_role("rowheader", name=name, exact=False).count() >= 1, name
        for day in WEEK:
            page.get_by_label(f"Production hours {day:%a %b} {day.day}, {name}", exact=False).fill("8")
    # The totals follow the typing: 40 hours a person, 120 in all.
    assert page.locator("[data-grand-total]").inner_text().strip() in ("120", "120.0", "120.00")
    shoot(page, "timesheet")
    # On a phone the days scroll sideways while the names stay in view.
    page.set_viewport_size({"width": 390, "height": 900})
    page.locator(".time-grid-scroll").evaluate("box => box.scrollLeft = 400")
    name_box = page.get_by_role("rowheader", name=PEOPLE[0][0]).bounding_box()
    assert name_box["x"] >= 0, "the person's name scrolled out of view"
    page.screenshot(path=str(SHOTS / "timesheet-390-scrolled.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Save the timesheet").click()
    page.wait_for_selector("text=Saved: 15 cells changed")
    if page.get_by_role("button", name="Approve the period's waiting hours").count():
        page.get_by_role("button", name="Approve the period's waiting hours").click()
        page.wait_for_selector("text=approved")

    # A regular run for the period, calculated by the clerk.
    page.goto(live_server.url + "/staff/payroll/runs/")
    page.get_by_label("Period start").fill(PERIOD_START.isoformat())
    page.get_by_label("Period end").fill(PERIOD_END.isoformat())
    page.get_by_label("Pay date").fill(PAY_DATE.isoformat())
    page.get_by_role("button", name="Create pay run").click()
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_selector("text=Calculated. Check the register below")
    run = PayRun.objects.get(period_start=PERIOD_START)
    register = page.locator("table.register").inner_text()
    for name, _rate, gross, fed, ss, medicare, net in PEOPLE:
        assert name in register and f"${gross:,}" in register and f"${net:,}" in register, name
    assert "40 h" in register and "trn" not in register
    # The one who calculated may not approve: the page says who does, instead of a button that refuses.
    assert page.get_by_role("button", name="Approve").count() == 0
    assert "a second payroll person approves it" in page.locator("[data-waiting-approval]").inner_text()
    shoot(page, "payrun-calculated")

    # The second payroll person sees the run waiting for them on the staff home and approves it.
    other_context, other = log_in(browser, live_server, approver, approver_secret)
    assert "waiting for you" in other.locator("main").inner_text()
    shoot(other, "staff-home-approver")
    other.goto(live_server.url + f"/staff/payroll/runs/{run.pk}/")
    other.get_by_role("button", name="Approve").click()
    other.wait_for_selector("text=Approved.")
    assert PayRun.objects.get(pk=run.pk).approved_by_id == approver.pk
    other_context.close()

    # Downloads, read back.
    page.goto(live_server.url + f"/staff/payroll/runs/{run.pk}/")
    shoot(page, "payrun-approved")
    ach = read_nacha(download(page, lambda: page.get_by_role("link", name="Download direct-deposit file").click()).decode())
    entries = [e for batch in ach.batches for e in batch.entries]
    assert sorted(e["amount"] for e in entries) == sorted(int(net * 100) for *_x, net in PEOPLE)
    assert sorted(e["dfi_account_number"].strip() for e in entries) == ["55667780", "55667781", "55667782"]

    stub_links = page.locator("table.register").get_by_role("link", name="PDF")
    assert stub_links.count() == 3
    stubs = "\n".join(pdf_text(download(page, lambda i=i: stub_links.nth(i).click())) for i in range(3))
    for name, _rate, gross, fed, ss, medicare, net in PEOPLE:
        assert f"${gross:,}" in stubs and f"${fed:,}" in stubs and f"${net:,}" in stubs, name

    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Filings and deposits").click()
    page.goto(live_server.url + "/staff/payroll/filings/?year=2026&quarter=4")
    shoot(page, "filings")
    form_941 = pdf_text(download(page, lambda: page.get_by_role("link", name="Download Form 941 worksheet (PDF)").click()))
    # Line 2: 1,000 + 800 + 660; line 3: 38.08 + 18.08 + 4.08; 5a: 2,460 x 0.124; 5c: 2,460 x 0.029;
    # line 12: 60.24 + 305.04 + 71.34 (the stubs' own halves add up to the same, so line 7 is zero).
    for figure in ("$2,460.00", "$60.24", "$305.04", "$71.34", "$436.62"):
        assert figure in form_941, figure

    # The deposit for the Nov 27 pay date (monthly: due Dec 15), marked paid through EFTPS's number.
    deposits = page.locator("table.stack")
    assert "Nov 27, 2026" in deposits.inner_text() and "Dec 15, 2026" in deposits.inner_text()
    deposits.get_by_label("Date paid").fill("2026-12-01")
    deposits.get_by_label("EFTPS confirmation").fill("2702 6101 2345 678")
    deposits.get_by_role("button", name="Mark paid").click()
    page.wait_for_selector("text=Deposit recorded.")
    assert "EFTPS 270261012345678" in page.locator("table.stack").inner_text()
    assert "$436.62" in page.locator("table.cart").first.inner_text()  # line 13 now holds the deposit

    page.goto(live_server.url + "/staff/payroll/reports/?year=2026")
    w2s = pdf_text(download(page, lambda: page.get_by_role("link", name="Forms W-2 (Copies B, C, 2, D) and W-3 (PDF)").click()))
    for name, _rate, gross, fed, *_rest in PEOPLE:
        assert name in w2s and f"${gross:,}" in w2s and f"${fed:,}" in w2s, name
    for employee in employees:
        assert employee.ssn not in w2s and f"XXX-XX-{employee.ssn[-4:]}" in w2s
    context.close()
