"""The gift order's price broken down, at 1280 px and on a 390 px phone: the order page and the
order-placed e-mail's HTML fit the screen (no sideways scrolling), every line of the price in
view. Screenshots go to test-output/browser/ (gift-price-*.png)."""
import pytest
from django.core import mail as outbox
from django.test import Client

from shop.services.gifts.orders import gift_order_place
from tests.browser.conftest import PHONE
from tests.shop.test_gift_price_lines import EXPECTED, IN_HAND, TODAY, acme  # noqa: F401 - the fixture
from tests.support.factories import bulk_address

WIDTHS = {"desktop": 1280, "phone": PHONE["width"]}


@pytest.mark.django_db(transaction=True)
def test_the_order_page_and_the_email_show_the_price_without_sideways_scrolling(browser, live_server, acme,
                                                                                screenshots):
    org, admin, design = acme
    order = gift_order_place(design, 30, shipping_mode="bulk", ship_to=bulk_address("FL"), in_hand_date=IN_HAND,
                             actor=admin, today=TODAY)
    [message] = [m for m in outbox.outbox if order.number in m.subject]
    html = message.alternatives[0][0]
    client = Client()
    client.force_login(admin)
    for name, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/gifts/orders/{order.number}/")
        lines = page.locator("dl.quote-lines")
        assert lines.count() == 1
        text = lines.inner_text()
        for label, amount in EXPECTED:
            assert label in text and amount in text, (name, label, amount)
        # Each amount sits on its label's row, at the right: the label's box and the amount's share a line.
        label_box = page.locator("dl.quote-lines dt", has_text="Volume discount").bounding_box()
        amount_box = page.locator("dl.quote-lines dd", has_text="−$77.10").bounding_box()
        assert abs(label_box["y"] - amount_box["y"]) < label_box["height"] and amount_box["x"] > label_box["x"]
        page.screenshot(path=str(screenshots / f"gift-price-order-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"the order page is too wide at {width}"
        page = context.new_page()  # about:blank: the site's Content-Security-Policy would refuse the inline styles
        page.set_content(html)
        page.screenshot(path=str(screenshots / f"gift-price-email-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"the e-mail is too wide at {width}"
        assert "To pay" in page.inner_text("body") and "$1,946.42" in page.inner_text("body")
        context.close()
