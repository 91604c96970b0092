"""A corporate member builds a box with a logo and initials, watches the preview follow
their choices, uploads a recipient CSV and places the order."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from shop.models import BoxSize, GiftOrder, Organisation, OrganisationMember, PaletteColour, VolumeTier
from tests.support.factories import ProductFactory, TaxRateFactory, UserFactory, VariantFactory
from tests.shop.test_recipients_import import recipient_rows, to_csv


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


def png_bytes(size=400):
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "#1f2a44").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_member_builds_a_box_uploads_recipients_and_orders(page, live_server, screenshots):
    org = Organisation.objects.create(name="Acme Demo Corp", slug="acme", payment_terms=Organisation.Terms.NET30)
    member = UserFactory(email="cora@acme.example")
    OrganisationMember.objects.create(organisation=org, user=member, role="admin")
    BoxSize.objects.create(name="Medium", slots=6, base_price=Decimal("12.00"))
    PaletteColour.objects.create(name="Berry", hex="#7a2e3a")
    PaletteColour.objects.create(name="Sage", hex="#7d9a7a")
    VolumeTier.objects.create(min_quantity=25, discount_percent=Decimal("5"))
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    candle = VariantFactory(product=ProductFactory(name="Cedar Candle", gift_slots=1), price=Decimal("20.00"), stock=500)
    log_in(page, live_server, member)

    page.goto(live_server.url + "/gifts/")
    page.get_by_label("Name").fill("Speaker thank-you")
    page.get_by_role("button", name="Open the builder").click()
    # The items are picture cards; the search filters them as you type (no request per key).
    VariantFactory(product=ProductFactory(name="Olive Soap", gift_slots=1), price=Decimal("8.00"), stock=10)
    page.reload()
    assert page.is_visible("text=Only 10 left")
    page.get_by_label("Search the items").fill("cedar")
    assert page.is_hidden(".item-card:has-text('Olive Soap')") and page.is_visible(".item-card:has-text('Cedar Candle')")
    card = page.locator(".item-card", has_text="Cedar Candle")
    card.get_by_label("Quantity").fill("2")
    card.get_by_role("button", name="Put in the box").click()
    page.wait_for_selector(f"text=2 × {candle}")
    assert page.is_visible("text=2 of 6 slots used")

    # The logo shows in the preview as soon as it is chosen, then is saved.
    page.set_input_files("#id_logo", files=[{"name": "acme.png", "mimeType": "image/png", "buffer": png_bytes()}])
    assert page.get_attribute("#preview-logo", "href").startswith("blob:")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector("text=Logo saved.")
    assert "/logo/file/" in page.get_attribute("#preview-logo", "href")

    # Colours, monogram and message change the drawing before anything is saved.
    ribbon_before = page.get_attribute(".preview-ribbon", "fill")
    page.get_by_label("Ribbon").select_option(label="Sage")
    assert ribbon_before != "#7d9a7a" and page.get_attribute(".preview-ribbon", "fill") == "#7d9a7a"
    page.get_by_label("Initials").fill("acm")
    assert page.text_content("#preview-initials") == "ACM"
    page.get_by_label("Message").fill("Thank you for sharing your story with us.")
    assert page.text_content("#message-count") == "41 of 300 characters"
    assert page.text_content("#preview-message") == "Thank you for sharing your story with us."
    page.screenshot(path=str(screenshots / "gift-builder.png"), full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("text=Saved.")

    # A recipient list of 30, checked by the import task.
    page.goto(live_server.url + "/gifts/recipients/")
    page.get_by_label("Name").fill("Summit speakers")
    rows = recipient_rows(30)
    for row in rows:
        row["state"] = "FL"
    page.set_input_files("#id_file", files=[{"name": "speakers.csv", "mimeType": "text/csv",
                                             "buffer": to_csv(rows).encode()}])
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_selector("text=30 recipients, ready")

    page.goto(live_server.url + "/gifts/")
    page.get_by_role("link", name="Speaker thank-you").click()
    page.get_by_label("One box to each recipient on a list").check()
    assert page.is_hidden("#id_ship_to_name")  # the bulk address is only asked for a bulk shipment
    page.get_by_label("Recipient list").select_option(label="Summit speakers")
    in_hand = timezone.localdate() + timedelta(days=60)
    page.get_by_label("Needed in hand by").fill(in_hand.isoformat())
    page.get_by_role("button", name="Place the order").click()
    page.wait_for_selector("text=Placed: waiting for the proof")
    page.screenshot(path=str(screenshots / "gift-order-review.png"), full_page=True)

    order = GiftOrder.objects.get()
    # 12.00 box + 40.00 candles + 3.00 logo + 2.00 initials = 57.00; 30 boxes 1,710.00 less 5% = 1,624.50;
    # shipping 30 x 12.00 = 360.00; FL tax 6% of 1,624.50 = 97.47.
    assert (order.quantity, order.box_price, order.boxes_subtotal, order.tax) == (
        30, Decimal("57.00"), Decimal("1624.50"), Decimal("97.47"))
    assert order.initials == "ACM" and order.ribbon_name == "Sage" and order.has_logo
    assert "$2,081.97" in page.content()
