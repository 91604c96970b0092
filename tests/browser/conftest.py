"""Browser tests: Debian's chromium driven by Playwright (never a downloaded browser).

Screenshots go to ``test-output/browser/`` in the project folder.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop; Django must not refuse ORM calls because of it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _watched_page(browser, viewport):
    """A page of a new context at this size. Chromium reports whatever the
    Content-Security-Policy blocked as a console error: a page whose script, style or frame
    the policy refused fails its test when the context closes."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(browser):
    """A 1280 px desktop page (no Content-Security-Policy violation allowed)."""
    yield from _watched_page(browser, DESKTOP)


@pytest.fixture
def phone(browser):
    """A 390 px phone page (no Content-Security-Policy violation allowed)."""
    yield from _watched_page(browser, PHONE)


@pytest.fixture(scope="session")
def screenshots():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
