"""A shopper on a 390 px phone: the header folds into a menu, the cart, checkout, donate and
product pages fit the screen (no sideways scrolling), and every button, field and link of the
page's content is a tap target of at least 44 × 44 px (WCAG 2.5.5). A link inside a sentence
is exempt (WCAG 2.5.8's inline exception); a radio button or checkbox is measured by its label,
which is what a thumb taps. Screenshots go to test-output/browser/."""
from decimal import Decimal

import pytest
from django.test import Client

from shop.models import RestockRequest
from shop.services.addresses import AddressDetails, address_add
from tests.support.factories import ProductFactory, ShippingMethodFactory, TaxRateFactory, UserFactory, VariantFactory

from tests.browser.conftest import PHONE
SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll(
      'main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary')) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
    let target = el;
    if (el.type === 'radio' || el.type === 'checkbox') {
      target = el.closest('label') || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el;
    }
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline'
        && (el.parentElement.innerText || '').trim() !== (el.innerText || '').trim()) continue;  // in a sentence
    const box = target.getBoundingClientRect();
    if (box.height < 44 || box.width < 44) {
      small.push(`${el.tagName.toLowerCase()} ${el.name || (el.innerText || '').trim().slice(0, 30)}: `
                 + `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


@pytest.fixture
def shop_data(db):
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    ShippingMethodFactory(price=Decimal("6.95"), free_over=Decimal("75.00"))
    product = ProductFactory(name="Market Tote with an Extra-Long Name for Small Screens", slug="market-tote",
                             description="A roomy canvas tote with leather handles.")
    VariantFactory(product=product, options={"colour": "Indigo"}, price=Decimal("48.00"), stock=4)
    VariantFactory(product=product, options={"colour": "Rust"}, price=Decimal("48.00"), stock=0)
    towels = VariantFactory(product=ProductFactory(name="Tea Towels", slug="tea-towels"), options={},
                            price=Decimal("22.00"), stock=0)
    return {"product": product, "towels": towels}


def fits(page, name, screenshots):
    """The page at 390 px: no sideways scrolling, no small targets; its screenshot kept."""
    page.screenshot(path=str(screenshots / f"phone-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide"
    assert page.evaluate(SMALL_TARGETS) == [], f"{name} has tap targets under 44 px"


@pytest.mark.django_db(transaction=True)
def test_a_guest_on_a_phone_shops_without_scrolling_sideways(phone, live_server, shop_data, screenshots):
    page = phone
    page.goto(live_server.url + "/shop/product/market-tote/")
    fits(page, "product", screenshots)
    # The header is one short row with the cart in sight; the menu opens the navigation.
    header = page.locator(".site-header").bounding_box()["height"]
    assert header <= 180, f"the header is {header} px tall"  # 220 before the menu
    donate = page.get_by_role("link", name="Donate", exact=True)
    assert not donate.is_visible()
    menu = page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true" and donate.is_visible()
    assert donate.bounding_box()["height"] >= 44
    page.screenshot(path=str(screenshots / "phone-menu-open.png"))
    menu.click()
    assert not donate.is_visible()

    page.get_by_label("Option").select_option(label="Indigo")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    fits(page, "cart", screenshots)
    assert page.get_by_role("button", name="Remove Market Tote").is_visible()  # no longer off-screen
    assert page.get_by_text("$48.00").first.is_visible()
    page.get_by_role("link", name="Proceed to checkout").click()
    page.wait_for_url("**/checkout/")
    fits(page, "checkout", screenshots)
    assert page.locator("input[name=phone]").get_attribute("type") == "tel"

    page.goto(live_server.url + "/donate/")
    fits(page, "donate", screenshots)


@pytest.mark.django_db(transaction=True)
def test_a_sold_out_product_on_a_phone_takes_an_address_for_when_it_is_back(phone, live_server, shop_data, screenshots):
    page = phone
    page.goto(live_server.url + "/shop/product/tea-towels/")
    fits(page, "sold-out", screenshots)
    sold_out = page.get_by_role("button", name="Sold out")
    assert sold_out.is_disabled()
    page.get_by_label("Your e-mail").fill("rae@example.org")
    page.get_by_role("button", name="E-mail me when it's back").click()
    page.wait_for_selector("text=we will e-mail rae@example.org once")
    assert list(RestockRequest.objects.values_list("variant_id", "email")) == [(shop_data["towels"].pk, "rae@example.org")]


@pytest.mark.django_db(transaction=True)
def test_a_customer_on_a_phone_picks_a_saved_address(phone, live_server, shop_data, screenshots):
    user = UserFactory(email="casey@example.org")
    office = address_add(user, AddressDetails(name="Casey Customer", line1="400 North Ashley Drive", line2="Suite 1900",
                                              city="Tampa", state="FL", postal_code="33602"))
    address_add(user, AddressDetails(name="Casey Customer", line1="9 Oak Lane", city="Atlanta", state="GA",
                                     postal_code="30303"))
    client = Client()
    client.force_login(user)
    phone.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = phone
    page.goto(live_server.url + "/shop/product/market-tote/")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    page.goto(live_server.url + "/checkout/")
    fits(page, "checkout-saved-addresses", screenshots)
    assert page.get_by_label(str(office)).is_checked()  # the default, never used yet
    assert not page.get_by_label("Address", exact=True).is_visible()  # a saved one chosen: no fields to fill
    page.get_by_label("A new address (below)").check()
    assert page.get_by_label("Address", exact=True).is_visible()
    page.goto(live_server.url + "/account/addresses/")
    fits(page, "addresses", screenshots)


@pytest.mark.django_db(transaction=True)
def test_at_desktop_width_the_navigation_shows_and_the_menu_button_does_not(page, live_server, shop_data):
    page.goto(live_server.url + "/cart/")
    assert page.get_by_role("link", name="Donate", exact=True).is_visible()
    assert not page.locator("#menu-toggle").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
