"""The product gallery in Chromium, on a laptop and a 390 px phone: the browser picks a WebP
rendition, a thumbnail switches the picture, the keyboard opens the zoom dialog, zooms (the
frame then scrolls) and closes it, focus comes back, nothing scrolls sideways, and the page's
script runs under the Content-Security-Policy (the ``page`` fixtures fail on a violation).
Screenshots go to test-output/browser/."""
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from shop.services.images import product_image_create
from tests.support.factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def picture(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 1000), colour).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="p.jpg")


@pytest.fixture
def tote(db):
    product = ProductFactory(name="Market Tote", slug="market-tote")
    VariantFactory(product=product, options={"colour": "Indigo"})
    for colour, alt in (("#3f4a8a", "Market Tote in Indigo"), ("#7a4a2b", "Close-up of the handles"),
                        ("#b5542c", "Market Tote in Rust on a table")):
        product_image_create(product, picture(colour), alt_text=alt)  # renditions: eagerly, at its commit
    return product


@pytest.mark.parametrize("width", [1280, 390])
def test_a_shopper_switches_zooms_and_closes_the_gallery_with_the_keyboard(browser, live_server, tote, screenshots,
                                                                          width):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/shop/product/market-tote/")
    page.wait_for_load_state("networkidle")
    main = ".gallery-main img"
    assert page.eval_on_selector(main, "img => img.complete && img.naturalWidth > 0")  # served from /media/
    assert page.eval_on_selector(main, "img => img.currentSrc").endswith("-640.webp")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.locator(".gallery-thumb").nth(2).focus()
    page.keyboard.press("Enter")
    assert page.eval_on_selector(main, "img => img.alt") == "Market Tote in Rust on a table"
    assert page.locator(".gallery-thumb").nth(2).get_attribute("aria-current") == "true"
    assert page.locator(".gallery-thumb").nth(0).get_attribute("aria-current") is None
    page.screenshot(path=str(screenshots / f"gallery-{width}.png"), full_page=True)

    page.focus(".gallery-main")
    page.keyboard.press("Enter")
    assert page.eval_on_selector(".zoom-dialog", "d => d.open")
    assert page.evaluate("document.activeElement.textContent") == "Zoom in"
    page.keyboard.press("Enter")
    # Polled from here: wait_for_function builds its test from a string in the page, which the
    # page's Content-Security-Policy (no 'unsafe-eval') refuses whenever it must poll.
    for _ in range(100):
        if page.evaluate("document.querySelector('.zoom-img').complete"):
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError("the zoomed picture never finished loading")
    assert page.get_attribute("[data-zoom-toggle]", "aria-pressed") == "true"
    assert page.eval_on_selector(".zoom-frame", "f => f.scrollWidth > f.clientWidth")  # larger than its frame
    page.screenshot(path=str(screenshots / f"gallery-zoomed-{width}.png"))
    page.keyboard.press("Enter")  # zoom out: the arrow keys step through the pictures again
    page.keyboard.press("ArrowRight")
    assert page.text_content(".zoom-caption") == "Market Tote in Indigo"  # after the last, the first
    page.keyboard.press("Escape")
    assert not page.eval_on_selector(".zoom-dialog", "d => d.open")
    assert page.evaluate("document.activeElement.className") == "gallery-main"
    assert page.eval_on_selector(main, "img => img.alt") == "Market Tote in Indigo"
    context.close()
    assert violations == []
