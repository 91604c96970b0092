"""The corporate-gifting journey in a real browser, end to end (issue 22): a visitor gets a
quote without an account, opens the organisation's account, builds a box from a classic one,
orders 25 gifts by claim link with a choice of box, a recipient claims one on a 390 px phone,
and the client sees the claim (the box picked, never the address).

Only the catalogue is made by code, and what a real client waits for: shop staff approving
the invoice terms it asked for (``organisation_terms_approve``, as the admin action does)."""
import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from shop.models import (
    BoxSize,
    ClassicBox,
    ClassicBoxItem,
    GiftClaim,
    GiftOrder,
    Organisation,
    PaletteColour,
    ProductImage,
    User,
    VolumeTier,
)
from shop.platform.roles import SHOP_STAFF
from shop.services.organisations import organisation_terms_approve
from tests.browser.test_gift_claims import picture
from tests.support.factories import ProductFactory, TaxRateFactory, UserFactory, VariantFactory

PASSWORD = "a long enough passphrase"


def catalogue():
    medium = BoxSize.objects.create(name="Medium", slots=6, base_price=Decimal("12.00"))
    small = BoxSize.objects.create(name="Small", slots=3, base_price=Decimal("8.00"))
    PaletteColour.objects.create(name="Berry", hex="#7a2e3a")
    PaletteColour.objects.create(name="Sage", hex="#7d9a7a")
    VolumeTier.objects.create(min_quantity=25, discount_percent=Decimal("5"))
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    variants = {}
    for name, colour, price in (("Cedar Candle", "#7a2e3a", "20.00"), ("Honey Jar", "#d9a441", "10.00")):
        product = ProductFactory(name=name, gift_slots=1)
        image = ProductImage(product=product, alt_text=f"{name}, photographed on linen")
        image.image.save(f"{product.slug}.png", ContentFile(picture(colour)), save=True)
        variants[name] = VariantFactory(product=product, price=Decimal(price), stock=500)
    thank_you = ClassicBox.objects.create(name="The Thank-You", slug="thank-you", size=medium,
                                          description="Two cedar candles and a jar of honey.")
    ClassicBoxItem.objects.create(box=thank_you, variant=variants["Cedar Candle"], quantity=2)
    ClassicBoxItem.objects.create(box=thank_you, variant=variants["Honey Jar"], quantity=1)
    sweet = ClassicBox.objects.create(name="Something Sweet", slug="something-sweet", size=small,
                                      description="Two jars of honey.")
    ClassicBoxItem.objects.create(box=sweet, variant=variants["Honey Jar"], quantity=2)


def no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.django_db(transaction=True)
def test_a_visitor_quotes_signs_up_orders_by_link_and_sees_a_phone_claim(page, browser, live_server, screenshots,
                                                                          settings):
    settings.MENDED_RATE_LIMITS = {}
    catalogue()
    shots = []

    def shot(target, name):
        path = screenshots / f"journey-{name}.png"
        target.screenshot(path=str(path), full_page=True)
        shots.append(path)

    # 1. A visitor, no account, asks for a quote on the public catalogue.
    page.goto(live_server.url + "/gifts/boxes/")
    page.get_by_label("Box", exact=True).select_option(label="The Thank-You")
    page.get_by_label("Quantity").fill("25")
    page.get_by_label("Ship to state").select_option("FL")
    page.get_by_role("button", name="Get a quote").click()
    page.wait_for_selector(".totals")
    # Per box 12.00 + 2 × 20.00 + 10.00 = 62.00; 25 boxes 1,550.00, 5% off (77.50) = 1,472.50;
    # shipping 25 × 12.00 = 300.00; FL tax 6% of 1,472.50 = 88.35; total 1,472.50 + 300.00 + 88.35 = 1,860.85.
    totals = page.inner_text(".totals")
    for figure in ("$62.00", "$77.50", "$1,472.50", "$300.00", "$88.35", "$1,860.85"):
        assert figure in totals, figure
    no_sideways_scroll(page, 1280)
    shot(page, "1-quote-1280")

    # 2. "Start an order": the account, the organisation (asking for invoices) and the first box.
    page.get_by_role("link", name=re.compile("Start an order")).click()
    page.get_by_label("Your name").fill("Dana Reyes")
    page.locator("#id_email").fill("dana@acme.example")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("Organisation name").fill("Acme Widgets")
    page.get_by_label("We would like to pay by invoice (net 30)").check()
    assert page.get_by_label("Boxes", exact=True).input_value() == "25"
    shot(page, "2-start-1280")
    page.get_by_role("button", name="Open our account").click()
    page.wait_for_selector("text=Confirm your address")
    shot(page, "3-check-email-1280")

    # 3. The confirmation e-mail, then signing in.
    confirmation = next(m for m in mail.outbox if m.to == ["dana@acme.example"])
    link = re.search(r"https?://\S+/confirm-email/\S+", confirmation.body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))
    shot(page, "4-confirm-1280")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    shot(page, "5-confirmed-1280")
    if page.locator("#id_login").count():
        page.locator("#id_login").fill("dana@acme.example")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    shot(page, "6-signed-in-1280")

    # Shop staff grant the invoice terms asked for (the admin action).
    organisation = Organisation.objects.get(name="Acme Widgets")
    staff = UserFactory(roles=[SHOP_STAFF], is_staff=True)
    organisation_terms_approve(organisation.pk, staff)

    # 4. The builder, opened from the classic box: a card message and a ribbon colour.
    page.goto(live_server.url + "/gifts/")
    shot(page, "7-gifts-home-1280")
    page.get_by_role("link", name=re.compile("The Thank-You, 25 boxes")).click()
    page.wait_for_selector("text=The Thank-You")
    assert page.locator("#id_tissue option:checked").inner_text() == "Our standard tissue (natural)"
    page.get_by_label("Ribbon").select_option(label="Sage")
    page.get_by_label("Message").fill("Thank you for a wonderful year, from all of us at Acme.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("text=Saved.")
    no_sideways_scroll(page, 1280)
    shot(page, "8-builder-1280")

    # A second box, the recipients' alternative, started from the other classic one.
    page.goto(live_server.url + "/gifts/")
    page.get_by_label("Name").fill("Something Sweet")
    page.get_by_label("Size").select_option(label="Small (3 slots)")
    page.get_by_label("Start from").select_option(label="Something Sweet")
    page.get_by_role("button", name="Open the builder").click()
    page.wait_for_selector("text=2 × Honey Jar")

    # 5. 25 gifts by claim link, recipients may choose the sweet box instead.
    page.goto(live_server.url + "/gifts/")
    page.get_by_role("link", name="The Thank-You", exact=True).click()
    page.get_by_role("link", name="send the boxes by claim link").click()
    # Only the fields of the choices made show: no e-mail list for links, no fallback address for credit.
    page.wait_for_load_state()  # the script runs once the page has loaded
    page.wait_for_selector("#id_recipients", state="hidden", timeout=5000)
    page.wait_for_selector("#id_fallback_name", state="hidden", timeout=5000)
    page.get_by_label("Ship them to a fallback address").check()
    page.wait_for_selector("#id_fallback_name", state="visible", timeout=5000)
    page.get_by_label("Cancel them: their value back as account credit").check()
    page.wait_for_selector("#id_fallback_name", state="hidden", timeout=5000)
    page.get_by_label("Gifts (when you send the links)").fill("25")
    page.get_by_label("From", exact=True).fill("Acme People Team")
    page.get_by_label("A note for the recipients (optional)").fill("Thank you for a wonderful year!")
    page.get_by_label("Something Sweet").check()
    today = timezone.localdate()
    page.get_by_label("Links expire after").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Boxes ready by").fill((today + timedelta(days=40)).isoformat())
    no_sideways_scroll(page, 1280)
    shot(page, "9-claim-order-1280")
    page.get_by_role("button", name="Place the order").click()
    page.wait_for_selector("text=25 gifts by claim link")
    shot(page, "10-claims-empty-1280")
    # Not "Paid for 25 gifts" before anything is paid: 25 × 62.00 = 1,550.00, 5% off = 1,472.50,
    # shipping 25 × 12.00 = 300.00; by link the tax is the highest any address can owe, here the
    # table's one state, FL 6% of 1,472.50 = 88.35 (no county surtax rows, shipping untaxed):
    # 1,860.85, invoiced on proof approval.
    counts = page.inner_text(".claim-counts")
    assert "$1,860.85" in counts and "By invoice, net 30: issued when you approve the proof" in counts
    assert "Paid" not in counts
    order = GiftOrder.objects.get()
    assert (order.quantity, order.shipping_mode) == (25, "claim_link")

    # 6. The links CSV, downloaded; its first link goes to a recipient.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the links (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) == 25
    link_column = next(k for k in rows[0] if "link" in k.lower())
    link = re.sub(r"^https?://[^/]+", live_server.url, rows[0][link_column])

    # 7. The recipient, on a 390 px phone, picks the sweet box and claims it.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True)
    recipient = phone.new_page()
    recipient.goto(link)
    recipient.wait_for_selector("text=A gift from Acme People Team")
    no_sideways_scroll(recipient, 390)
    shot(recipient, "11-claim-390")
    recipient.get_by_label("Something Sweet").check()
    recipient.get_by_label("Your name").fill("Robin Recipient")
    recipient.get_by_label("Street address").fill("77 Private Lane")
    recipient.get_by_label("City").fill("Orlando")
    recipient.get_by_label("State").select_option("FL")
    recipient.get_by_label("ZIP code").fill("32801")
    recipient.get_by_role("button", name="Send me my gift").click()
    recipient.wait_for_selector("text=Thank you: your gift is claimed")
    no_sideways_scroll(recipient, 390)
    shot(recipient, "12-claimed-390")
    phone.close()
    claim = GiftClaim.objects.get(status="claimed")
    assert claim.chosen_name == "Something Sweet"

    # 8. The client sees the claim: claimed, the box picked, no address (no consent given).
    page.reload()
    counts = page.inner_text(".claim-counts")
    assert "1 of 25" in counts and "24" in counts
    row = page.locator(".claims-table tbody tr.claim-claimed")
    assert row.count() == 1
    assert "Robin Recipient" in row.inner_text() and "Something Sweet" in row.inner_text()
    assert "Not shared" in row.inner_text()
    assert "77 Private Lane" not in page.content() and "32801" not in page.content()
    no_sideways_scroll(page, 1280)
    shot(page, "13-claims-1280")
    assert User.objects.filter(email="dana@acme.example").count() == 1
