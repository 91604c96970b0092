"""A logged-in donor gives monthly, in memory of someone and covering the card fees, pays with
the card form served by localstripe's Stripe.js stand-in, then finds the monthly gift and
the first month's receipt in their account and downloads it."""
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from shop.models import Donation, RecurringGift
from tests.support.factories import UserFactory
from tests.support.stripe_helpers import deliver_webhooks_to
from tests.support.processes import wait_for

CENT = Decimal("0.01")


def covering_extra(gift: Decimal, percent: Decimal, fixed: Decimal) -> Decimal:
    """The settings' formula, worked from scratch: the least extra, cent by cent, that leaves
    the whole gift once the processor keeps percent% + fixed (rounded half up) of the charge."""
    extra = Decimal("0.00")
    while True:
        charged = gift + extra
        fee = (charged * percent / 100 + fixed).quantize(CENT, rounding=ROUND_HALF_UP)
        if charged - fee >= gift:
            return extra
        extra += CENT


@pytest.mark.django_db(transaction=True)
def test_a_donor_gives_monthly_in_memory_covering_fees_and_finds_the_receipt(page, live_server, localstripe_server,
                                                                           settings, screenshots):
    # Only the invoice events: the stand-in fires a burst of events (customer, plan, product,
    # subscription...) at once, and the test database (SQLite, in memory) takes one writer at a time.
    # (The same endpoint as the other browser tests', so this replaces their all-events registration.)
    deliver_webhooks_to(localstripe_server, live_server.url + "/stripe/webhook/",
                        events=["invoice.payment_succeeded", "invoice.payment_failed"])
    user = UserFactory(email="mara@example.org", first_name="Mara", last_name="Lind")
    EmailAddress.objects.create(user=user, email="mara@example.org", verified=True, primary=True)
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    extra = covering_extra(Decimal("50.00"), settings.DONATION_FEE_PERCENT, settings.DONATION_FEE_FIXED)
    monthly_total = Decimal("50.00") + extra

    page.goto(live_server.url + "/donate/")
    page.get_by_label("$50").check()
    page.get_by_label("Monthly").check()
    page.get_by_label("Where your gift goes").select_option("wages")
    page.get_by_label("Add the card fee so the whole gift reaches the work").check()
    page.get_by_label("Tribute").select_option("memory")
    page.get_by_label("Their name").fill("Grace Lind")
    page.get_by_label("Tell someone about this gift (their e-mail, optional)").fill("tomas@example.org")
    assert page.get_by_label("Your e-mail").input_value() == "mara@example.org"  # from the account
    page.get_by_label("Your full name").fill("Mara Lind")
    page.get_by_label("Address", exact=True).fill("4 Palm Row")
    page.get_by_label("City").fill("Tampa")
    page.get_by_label("State").select_option("FL")
    page.get_by_label("ZIP code").fill("33602")
    page.get_by_role("button", name="Continue to payment").click()

    # The pay page shows the extra and the monthly total before the card is entered.
    page.wait_for_selector("#card-element input")
    summary = page.locator(".summary-lines").inner_text()
    assert re.search(rf"Card fees you cover\s+\${extra}", summary), summary
    assert re.search(rf"Total each month\s+\${monthly_total}", summary), summary
    assert "In memory of Grace Lind" in page.content()
    page.fill("#card-element input[placeholder=number]", "4242424242424242")
    page.fill("#card-element input[placeholder=exp_month]", "12")
    page.fill("#card-element input[placeholder=exp_year]", "34")
    page.fill("#card-element input[placeholder=cvc]", "123")
    page.fill("#card-element input[placeholder=postal_code]", "33602")
    page.screenshot(path=str(screenshots / "giving-monthly.png"), full_page=True)
    page.get_by_role("button", name=f"Give ${monthly_total} a month").click()
    page.wait_for_selector("text=is set up", timeout=30_000)

    # localstripe's signed invoice webhook records the first month and its receipt.
    gift = wait_for(lambda: Donation.objects.filter(status="paid", receipts__isnull=False).first(),
                    message="the first month's gift and its receipt")
    recurring = RecurringGift.objects.get()
    assert recurring.status == "active" and recurring.tribute == "memory" and recurring.fee_covered == extra
    assert (gift.amount, gift.fee_covered, gift.total, gift.fund) == (Decimal("50.00"), extra, monthly_total, "wages")
    receipt = gift.receipts.get()

    page.goto(live_server.url + "/giving/")
    page.wait_for_selector(f"text={receipt.number}")
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    for expected in (recurring.number, f"${monthly_total}", "Survivor wages and job training", "Active",
                     gift.number, receipt.number):
        assert expected in body, expected
    page.screenshot(path=str(screenshots / "giving-account.png"), full_page=True)

    link = page.get_by_role("link", name=re.compile(re.escape(receipt.number)))
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for expected in (receipt.number, "Mara Lind", f"Amount received ${monthly_total}", "Survivor wages and job training",
                     "No goods or services were provided in exchange for this contribution."):
        assert expected in text, expected
    # The tribute note went to the person named for it, without the amount; the receipt to the donor.
    notes = [m for m in mail.outbox if m.to == ["tomas@example.org"]]
    assert len(notes) == 1 and "in memory of Grace Lind" in notes[0].subject and str(monthly_total) not in notes[0].body
    assert any(receipt.number in m.subject and m.to == ["mara@example.org"] for m in mail.outbox)
