"""A shopper on a 390 px phone, from a misspelt search to a paid order: "scarff" is corrected,
a colour filter narrows the results, the product's gallery zoom opens and closes, the cart goes
to checkout, a discount code and a gift card are applied, and the rest is paid by card through
localstripe. At every step the page does not scroll sideways, and a screenshot is kept in
test-output/browser/ (``shopper-phone-*.png``).

The figures, written down by hand from the prices set up below:
  Rust Wool Scarf 50.00, SAVE10 (10% off) −5.00, shipping 6.95 (free only over 75.00),
  Georgia tax 4% of the 45.00 after the discount 1.80: total 53.75;
  gift card (balance 20.00) pays 20.00, the card pays 33.75.
"""
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from shop.models import DiscountCode, GiftCard, Order
from shop.selectors.giftcards import balance
from shop.services.giftcards import gift_card_create, gift_card_issue
from shop.services.images import product_image_create
from tests.support.factories import ProductFactory, ShippingMethodFactory, TaxRateFactory, VariantFactory
from tests.support.stripe_helpers import deliver_webhooks_to

from tests.browser.conftest import PHONE
GIFT_CARD = "MEND-PHNE-TEST-2345"


def picture(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 1000), colour).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="p.jpg")


@pytest.fixture
def shop(db):
    TaxRateFactory(state="GA", rate=Decimal("0.0400"))
    ShippingMethodFactory(price=Decimal("6.95"), free_over=Decimal("75.00"))
    rust = ProductFactory(name="Rust Wool Scarf", slug="rust-wool-scarf",
                          description="A warm hand-woven scarf in rust wool, long enough to wrap twice.")
    VariantFactory(product=rust, options={"colour": "Rust"}, price=Decimal("50.00"), stock=5)
    for colour, alt in (("#b5542c", "Rust Wool Scarf folded on a chair"), ("#7a3a1b", "Close-up of the weave")):
        product_image_create(rust, picture(colour), alt_text=alt)
    blue = ProductFactory(name="Blue Cotton Scarf", slug="blue-cotton-scarf", description="A light cotton scarf.")
    VariantFactory(product=blue, options={"colour": "Blue"}, price=Decimal("30.00"), stock=5)
    VariantFactory(product=ProductFactory(name="Market Tote", slug="market-tote"), options={"colour": "Rust"},
                   price=Decimal("48.00"), stock=5)
    DiscountCode.objects.create(code="SAVE10", description="10% off", kind=DiscountCode.Kind.PERCENT,
                                value=Decimal("10"))
    card = gift_card_create(Decimal("20.00"), buyer_email="aunt@example.org", deliver_on=timezone.localdate(),
                            code=GIFT_CARD)
    GiftCard.objects.filter(pk=card.pk).update(emailed_at=timezone.now())
    gift_card_issue(card.pk)
    return rust


def step(page, name, screenshots, full_page=True):
    page.screenshot(path=str(screenshots / f"shopper-phone-{name}.png"), full_page=full_page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide"


@pytest.mark.django_db(transaction=True)
def test_a_shopper_on_a_phone_searches_filters_zooms_and_pays_with_a_code_a_gift_card_and_a_card(
        phone, live_server, localstripe_server, shop, screenshots):
    deliver_webhooks_to(localstripe_server, live_server.url + "/stripe/webhook/")
    page = phone

    # A typo: the shop suggests the word it knows.
    page.goto(live_server.url + "/shop/")
    page.get_by_label("Search").fill("scarff")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    step(page, "1-search-typo", screenshots)
    suggestion = page.locator(".did-you-mean a")
    assert suggestion.inner_text() == "scarf"
    assert suggestion.bounding_box()["height"] >= 44  # a thumb's target, not a word's underline
    suggestion.click()
    page.wait_for_load_state("networkidle")
    results = page.locator(".grid .card-title")
    assert sorted(results.all_inner_texts()) == ["Blue Cotton Scarf", "Rust Wool Scarf"]
    step(page, "2-search-scarf", screenshots)

    # A colour filter: only the rust scarf is left (the rust tote is no scarf).
    page.locator("#filters").get_by_role("link", name="Rust").click()
    page.wait_for_load_state("networkidle")
    assert "colour=rust" in page.url and "q=scarf" in page.url
    assert results.all_inner_texts() == ["Rust Wool Scarf"]
    step(page, "3-filtered", screenshots)

    # The product and its gallery zoom, opened and closed.
    page.get_by_role("link", name="Rust Wool Scarf").first.click()
    page.wait_for_url("**/shop/product/rust-wool-scarf/")
    page.wait_for_load_state("networkidle")
    step(page, "4-product", screenshots)
    page.click(".gallery-main")
    assert page.eval_on_selector(".zoom-dialog", "d => d.open")
    step(page, "5-zoom", screenshots, full_page=False)  # the dialog fills the screen
    page.keyboard.press("Escape")
    assert not page.eval_on_selector(".zoom-dialog", "d => d.open")

    page.get_by_role("button", name="Add to cart").click()
    step(page, "6-cart", screenshots)
    assert page.get_by_text("Discount codes and gift cards are entered at checkout.").is_visible()
    page.get_by_role("link", name="Proceed to checkout").click()

    # On a phone the codes sit below the form, with the summary: a line says so before the button.
    page.get_by_role("link", name="Enter it with the order summary").click()
    assert page.url.endswith("#summary-heading")
    page.get_by_label("E-mail").fill("sam@example.org")
    page.get_by_label("Full name").fill("Sam Shopper")
    page.get_by_label("Address", exact=True).fill("40 Peachtree Street")
    page.get_by_label("City").fill("Atlanta")
    page.get_by_label("State").select_option("GA")
    page.get_by_label("ZIP code").fill("30303")
    page.get_by_label("Discount code").fill("save10")
    page.get_by_label("Gift card codes").fill(GIFT_CARD.lower())
    page.locator(".gift-card-codes").get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    summary = page.locator("aside[aria-labelledby=summary-heading]")
    assert "−$5.00" in summary.inner_text()
    assert "$53.75" in summary.inner_text()
    tenders = page.locator(".gift-card-tenders").inner_text()
    assert "2345" in tenders and "−$20.00" in tenders and "$33.75" in tenders
    step(page, "7-checkout-applied", screenshots)

    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_selector("#card-element input")
    step(page, "8-pay", screenshots)
    page.fill("#card-element input[placeholder=number]", "4242424242424242")
    page.fill("#card-element input[placeholder=exp_month]", "12")
    page.fill("#card-element input[placeholder=exp_year]", "34")
    page.fill("#card-element input[placeholder=cvc]", "123")
    page.fill("#card-element input[placeholder=postal_code]", "30303")
    page.get_by_role("button", name="Pay $33.75").click()

    page.wait_for_selector("text=Paid: thank you", timeout=30_000)
    step(page, "9-paid", screenshots)
    totals = page.locator(".totals").inner_text()
    for figure in ("$50.00", "−$5.00", "$6.95", "$1.80", "$53.75", "−$20.00", "$33.75"):
        assert figure in totals, f"{figure} is not on the order page:\n{totals}"
    assert "Paid with gift cards" in totals and "Paid by card" in totals and "To pay" not in totals
    order = Order.objects.get()
    assert order.state == Order.State.PAID
    assert (order.subtotal, order.discount_total, order.tax, order.total) == (
        Decimal("50.00"), Decimal("5.00"), Decimal("1.80"), Decimal("53.75"))
    assert (order.gift_card_total, order.amount_due) == (Decimal("20.00"), Decimal("33.75"))
    assert balance(GiftCard.objects.get(last4="2345")) == Decimal("0.00")


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_a_cart_line_updates_with_enter_and_its_remove_button_removes_it(phone, live_server, shop,
                                                                                      screenshots):
    """Each line is one form (one CSRF token): Enter in the quantity presses the line's Update;
    Remove, in its own cell, submits the same form to the removal, even with a wrong quantity."""
    page = phone
    for slug in ("rust-wool-scarf", "market-tote"):
        page.goto(live_server.url + f"/shop/product/{slug}/")
        page.get_by_role("button", name="Add to cart").click()
        page.wait_for_url("**/cart/")
    assert page.locator("input[name=csrfmiddlewaretoken]").count() == 3  # two lines, the estimate
    page.get_by_label("Quantity of Market Tote (Rust)").fill("3")
    page.get_by_label("Quantity of Market Tote (Rust)").press("Enter")
    page.wait_for_selector("text=Your cart was updated.")
    assert page.get_by_label("Quantity of Market Tote (Rust)").input_value() == "3"
    assert page.get_by_label("Quantity of Rust Wool Scarf (Rust)").input_value() == "1"
    assert "$194.00" in page.locator(".totals").inner_text()  # 50.00 + 3 × 48.00
    page.get_by_label("Quantity of Rust Wool Scarf (Rust)").fill("5000")  # past the field's max: Remove still works
    page.get_by_role("button", name="Remove Rust Wool Scarf (Rust)").click()
    page.wait_for_selector("text=The item was removed from your cart.")
    step(page, "10-cart-line-removed", screenshots)
    assert page.get_by_label("Quantity of Rust Wool Scarf (Rust)").count() == 0
    assert page.get_by_label("Quantity of Market Tote (Rust)").input_value() == "3"
