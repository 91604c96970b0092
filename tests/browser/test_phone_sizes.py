"""A shopper on a 390 px phone: the header folds into a menu, the cart, checkout, donate and
product pages fit the screen (no sideways scrolling), and every button, field and link of the
page's content is a tap target of at least 44 × 44 px (WCAG 2.5.5). A link inside a sentence
is exempt (WCAG 2.5.8's inline exception); a radio button or checkbox is measured by its label,
which is what a thumb taps. The staff and member pages with tables, walked as the demo's own
users, fit the screen too. Screenshots go to test-output/browser/."""
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from payroll.models import PayRun, Shift, TrainingSession
from shop.demo.catalog import DEMO_PASSWORD
from shop.models import GiftOrder, RestockRequest, User
from shop.platform import roles
from shop.services.addresses import AddressDetails, address_add
from tests.browser.test_payroll_journey import type_login
from tests.support.factories import (
    ProductFactory,
    ShippingMethodFactory,
    TaxRateFactory,
    UserFactory,
    VariantFactory,
    add_totp,
)

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


@pytest.mark.django_db(transaction=True)
def test_the_staff_and_member_pages_with_tables_fit_a_phone(phone, live_server, screenshots,
                                                            django_capture_on_commit_callbacks):
    """Pay runs, the training participants and a session's roster, the volunteer week and a
    shift's roster, the gift orders staff page and a staff order, the client's claims page.
    (The gift orders page scrolled sideways, 433 px wide and more: a hidden label in a table that
    scrolls inside the page was placed out where its row ran on, until table.cart became
    the box such labels are placed in.)"""
    for role in roles.STAFF_ROLES:  # a migration makes them; an earlier transactional test flushed them
        Group.objects.get_or_create(name=role)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    secrets = {email: add_totp(User.objects.get(email=email)) for email in ("payroll@mended.example", "program@mended.example")}
    run = PayRun.objects.order_by("pk").first()
    session = TrainingSession.objects.order_by("pk").first()
    shift = Shift.objects.order_by("pk").first()
    order = GiftOrder.objects.get()  # the demo's claim-link order
    walks = {
        "payroll@mended.example": ["/staff/payroll/runs/", f"/staff/payroll/runs/{run.pk}/"],
        "program@mended.example": ["/staff/training/participants/", f"/staff/training/sessions/{session.pk}/"],
        "volunteers@mended.example": ["/staff/volunteers/", f"/staff/volunteers/shifts/{shift.pk}/"],
        "shop@mended.example": ["/staff/gifts/", f"/staff/gifts/orders/{order.number}/"],
        "gifts@acme-demo.example": [f"/gifts/orders/{order.number}/claims/"],
    }
    too_wide = []
    for email, paths in walks.items():
        phone.context.clear_cookies()
        type_login(phone, live_server, email, DEMO_PASSWORD, secrets.get(email))
        phone.wait_for_url(lambda url: "/accounts/" not in url)
        for path in paths:
            response = phone.goto(live_server.url + path)
            assert response.status == 200 and phone.url == live_server.url + path, (email, path, phone.url)
            name = path.strip("/").replace("/", "-")
            phone.screenshot(path=str(screenshots / f"phone-{name}.png"), full_page=True)
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{path} is {width} px wide")
    assert too_wide == []
