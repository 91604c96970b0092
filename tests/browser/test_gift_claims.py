"""Gifts by claim link in the browser: a member orders boxes by link, a recipient claims
one on a 390 px phone and picks a box, and the member sees the claim (not the address)."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from shop.models import BoxSize, GiftClaim, GiftDesign, GiftOrder, Organisation, OrganisationMember, ProductImage
from shop.services.gifts import claims
from shop.services.gifts.quote import design_set_item
from tests.browser.test_gift_builder import log_in
from tests.support.factories import ProductFactory, UserFactory, VariantFactory


def picture(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (240, 240), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_recipient_claims_on_a_phone_and_the_member_sees_it(page, browser, live_server, screenshots, settings):
    from django.core.files.base import ContentFile

    settings.MENDED_RATE_LIMITS = {}
    org = Organisation.objects.create(name="Acme Demo Corp", slug="acme", payment_terms=Organisation.Terms.NET30)
    member = UserFactory(email="cora@acme.example")
    OrganisationMember.objects.create(organisation=org, user=member, role="admin")
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=Decimal("12.00"))
    items = []
    for name, colour in (("Cedar Candle", "#7a2e3a"), ("Woven Tea Towel", "#7d9a7a"), ("Honey Jar", "#d9a441")):
        product = ProductFactory(name=name, gift_slots=1)
        image = ProductImage(product=product, alt_text=f"{name}, photographed on linen")
        image.image.save(f"{product.slug}.png", ContentFile(picture(colour)), save=True)
        items.append(VariantFactory(product=product, price=Decimal("15.00"), stock=500))
    thanks = GiftDesign.objects.create(organisation=org, name="Thank you", size=size)
    cosy = GiftDesign.objects.create(organisation=org, name="Cosy evening", size=size)
    for variant in items:
        design_set_item(thanks, variant.pk, 1)
    design_set_item(cosy, items[0].pk, 2)

    # The member orders 25 gifts by link, letting recipients choose the cosy box instead.
    log_in(page, live_server, member)
    page.goto(live_server.url + f"/gifts/designs/{thanks.pk}/claim-links/")
    page.get_by_label("Gifts (when you send the links)").fill("25")
    page.get_by_label("From", exact=True).fill("Acme People Team")
    page.get_by_label("A note for the recipients (optional)").fill("Thank you for a wonderful year!")
    page.get_by_label("Cosy evening").check()
    today = timezone.localdate()
    page.get_by_label("Links expire after").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Boxes ready by").fill((today + timedelta(days=40)).isoformat())
    page.screenshot(path=str(screenshots / "claims-order-1280.png"), full_page=True)
    page.get_by_role("button", name="Place the order").click()
    page.wait_for_selector("text=25 gifts by claim link")
    order = GiftOrder.objects.get()
    assert order.quantity == 25 and order.shipping_mode == "claim_link"

    # The links CSV (a POST); the first link goes to a recipient on a phone.
    link = claims.claim_links_issue(order.pk, member)[0][3].replace(settings.SITE_URL.rstrip("/"), live_server.url)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True)
    recipient = phone.new_page()
    recipient.goto(link)
    recipient.wait_for_selector("text=A gift from Acme People Team")
    assert recipient.locator(".claim-items img").count() == 4  # three items, and the cosy box's candle
    assert recipient.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the side
    recipient.screenshot(path=str(screenshots / "claim-390.png"), full_page=True)
    recipient.get_by_label("Cosy evening").check()
    recipient.get_by_label("Your name").fill("Robin Recipient")
    recipient.get_by_label("Street address").fill("77 Private Lane")
    recipient.get_by_label("City").fill("Orlando")
    recipient.get_by_label("State").select_option("FL")
    recipient.get_by_label("ZIP code").fill("32801")
    recipient.get_by_role("button", name="Send me my gift").click()
    recipient.wait_for_selector("text=Thank you: your gift is claimed")
    recipient.screenshot(path=str(screenshots / "claim-390-claimed.png"), full_page=True)
    phone.close()
    claim = GiftClaim.objects.get(number=1, campaign__order=order)
    assert (claim.status, claim.chosen_name) == ("claimed", "Cosy evening")

    page.goto(live_server.url + f"/gifts/orders/{order.number}/claims/")
    page.wait_for_selector("text=Claimed")
    row = page.locator(".claims-table tbody tr").first
    assert "Robin Recipient" in row.inner_text() and "Cosy evening" in row.inner_text()
    assert "77 Private Lane" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(screenshots / "claims-status-1280.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_waiting_order_s_gift_says_not_ready_on_a_phone_and_its_claims_page_says_why(
        page, browser, live_server, screenshots, settings):
    from shop.models import GiftBudget

    settings.MENDED_RATE_LIMITS = {}
    org = Organisation.objects.create(name="Acme Demo Corp", slug="acme", payment_terms=Organisation.Terms.NET30)
    admin = UserFactory(email="cora@acme.example")
    OrganisationMember.objects.create(organisation=org, user=admin, role="admin")
    buyer = UserFactory(email="bo@acme.example")
    member = OrganisationMember.objects.create(organisation=org, user=buyer, role="member")
    GiftBudget.objects.create(member=member, period="month", amount=Decimal("10.00"), set_by=admin)
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=Decimal("12.00"))
    thanks = GiftDesign.objects.create(organisation=org, name="Thank you", size=size)
    design_set_item(thanks, VariantFactory(product=ProductFactory(name="Cedar Candle"), price=Decimal("15.00"),
                                           stock=500).pk, 2)
    today = timezone.localdate()
    order = claims.claim_order_place(thanks, 5, delivery="links", expires_on=today + timedelta(days=30),
                                     outcome="credit", sender_name="Acme People Team",
                                     in_hand_date=today + timedelta(days=40), actor=buyer)
    assert order.status == GiftOrder.Status.AWAITING_APPROVAL
    link = claims.link_issue(GiftClaim.objects.get(campaign__order=order, number=1))  # one that exists anyway
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True)
    recipient = phone.new_page()
    recipient.goto(link.replace(settings.SITE_URL.rstrip("/"), live_server.url))
    recipient.wait_for_selector("text=This gift is not ready yet.")
    assert recipient.get_by_role("button", name="Send me my gift").count() == 0
    assert recipient.evaluate("document.documentElement.scrollWidth") <= 390
    recipient.screenshot(path=str(screenshots / "claim-390-not-ready.png"), full_page=True)
    phone.close()

    log_in(page, live_server, buyer)
    page.goto(live_server.url + f"/gifts/orders/{order.number}/claims/")
    page.wait_for_selector("text=The links come once an administrator approves the order.")
    assert page.get_by_role("button", name="Download the links (CSV)").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(screenshots / "claims-waiting-1280.png"), full_page=True)
