"""Security headers on every page: a strict Content-Security-Policy (no inline script but
with the page's nonce, no eval, no inline handlers), the other browser headers, and
``Cache-Control: no-store`` wherever personal data is answered.

The walk reuses the access table's URL patterns, roles and sample objects
(``tests/test_access.py``): every URL, for every role, and every response that answers 200.
"""
from html.parser import HTMLParser

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.support.factories import UserFactory
from tests.test_access import ACCESS, concrete_path, objects  # noqa: F401  (objects: the fixture)

SITE_DIRECTIVES = {
    "default-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def script_sources(directives) -> list[str]:
    """What may run as script: script-src, or default-src where there is none."""
    return directives.get("script-src", directives.get("default-src", []))


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block (or is script in disguise)."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce, self.problems = nonce, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (an inline event handler)")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> (a javascript: URL)")
            if name == "style":
                self.problems.append(f"<{tag} style=...> (an inline style attribute)")
        if tag == "script" and "src" not in attributes:
            kind = (attributes.get("type") or "text/javascript").lower()
            if kind not in ("application/json", "application/ld+json") and attributes.get("nonce") != self.nonce:
                self.problems.append(f"<script> without src and without the page's nonce (type {kind})")
        if tag == "style" and attributes.get("nonce") != self.nonce:
            self.problems.append("<style> without the page's nonce")


def page_nonce(directives) -> str | None:
    for source in script_sources(directives):
        if source.startswith("'nonce-"):
            return source[len("'nonce-"):-1]
    return None


def inline_code(response, directives) -> list[str]:
    parser = InlineCode(page_nonce(directives))
    parser.feed(response.content.decode())
    return parser.problems


def walk(client, objects):  # noqa: F811
    """Every URL pattern of the access table, for every role: (role, path, response)."""
    roles = list(next(iter(ACCESS.values()))[0])
    for role in roles:
        client.logout()
        if role != "anonymous":
            client.force_login(objects["people"][role])
        for route, (_expected, probe) in ACCESS.items():
            path = concrete_path(route, probe, objects)
            yield role, path, client.get(path)


@pytest.mark.django_db
def test_every_page_has_a_strict_csp_no_inline_script_and_no_store_when_logged_in(client, objects):  # noqa: F811
    problems, pages = [], 0
    for role, path, response in walk(client, objects):
        where = f"{role:<22} GET {path}"
        if role != "anonymous" and "no-store" not in response.get("Cache-Control", ""):
            problems.append(f"{where}: answered a logged-in person without Cache-Control: no-store")
        if response.status_code != 200:
            continue
        pages += 1
        if not response.get("Content-Security-Policy"):
            problems.append(f"{where}: no Content-Security-Policy")
            continue
        directives = policy(response)
        unsafe = {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(script_sources(directives))
        if unsafe:
            problems.append(f"{where}: script-src allows {sorted(unsafe)}")
        if response.get("Content-Type", "").startswith("text/html"):
            for name, sources in SITE_DIRECTIVES.items():
                if set(directives.get(name, [])) != sources:
                    problems.append(f"{where}: {name} is {directives.get(name)}, expected {sorted(sources)}")
            problems += [f"{where}: {problem}" for problem in inline_code(response, directives)]
    assert not problems, "\n".join(problems)
    assert pages > 300, f"the walk reached only {pages} pages that answered 200"


def test_the_html_check_finds_inline_script_handlers_and_javascript_urls():
    """The parser above itself: what it must catch, and what it must let through."""
    nonce = "abc123"
    parser = InlineCode(nonce)
    parser.feed(
        '<script>alert(1)</script><script nonce="wrong">x()</script><button onclick="x()">b</button>'
        '<a href=" JavaScript:x()">a</a><p style="color:red">p</p><style>p{}</style>'
    )
    assert len(parser.problems) == 6, parser.problems
    fine = InlineCode(nonce)
    fine.feed(
        '<script src="/static/a.js"></script><script nonce="abc123">ok()</script>'
        '<script type="application/json" id="d">{"a": 1}</script><style nonce="abc123">p{}</style>'
        '<a href="/x" data-on="1">ok</a>'
    )
    assert fine.problems == []


@pytest.mark.django_db
def test_browser_headers_on_a_page(client):
    response = client.get(reverse("shop:weather"))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=(self)"
    directives = policy(response)
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    # The weather page's inline <style> carries the nonce the header allows.
    nonce = page_nonce(directives)
    assert nonce and f"'nonce-{nonce}'" in directives["style-src"]
    assert f'<style nonce="{nonce}">' in response.content.decode()


@pytest.mark.django_db
def test_each_response_gets_its_own_nonce(client):
    first, second = (policy(client.get(reverse("shop:weather"))) for _ in range(2))
    assert page_nonce(first) and page_nonce(second) and page_nonce(first) != page_nonce(second)


@pytest.mark.django_db
@pytest.mark.parametrize("js_url, api_base, script, connect, frame", [
    # localstripe, on whatever port a test or developer runs it
    ("http://127.0.0.1:8765/js.stripe.com/v3/", "http://127.0.0.1:8765",
     ["http://127.0.0.1:8765"], ["http://127.0.0.1:8765"], ["http://127.0.0.1:8765"]),
    # Stripe itself (production)
    ("https://js.stripe.com/v3/", "https://api.stripe.com",
     ["https://js.stripe.com", "https://*.js.stripe.com"], ["https://js.stripe.com", "https://api.stripe.com"],
     ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"]),
])
def test_stripe_js_origins_come_from_the_settings(client, js_url, api_base, script, connect, frame):
    with override_settings(STRIPE_JS_URL=js_url, STRIPE_API_BASE=api_base):
        directives = policy(client.get(reverse("shop:donate")))
    assert [s for s in directives["script-src"] if not s.startswith("'nonce-")] == ["'self'", *script]
    assert directives["connect-src"] == ["'self'", *connect]
    assert directives["frame-src"] == ["'self'", *frame]


# -- Cache-Control: no-store -------------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_for_visitors_may_be_cached(client):
    for name in ("shop:home", "shop:catalog", "shop:donate"):
        assert "no-store" not in client.get(reverse(name)).get("Cache-Control", ""), name


@pytest.mark.django_db
def test_every_response_to_a_logged_in_person_is_no_store(client):
    client.force_login(UserFactory())
    for name in ("shop:home", "shop:catalog", "shop:donate", "shop:my_giving"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store, private", name


@pytest.mark.django_db
def test_secret_link_pages_are_no_store_for_anyone(client, objects):  # noqa: F811
    """Views marked ``@private_page``: the link is the key, so even a visitor's copy is not kept."""
    paths = [
        f"/donate/pay/{objects['format']['donation_token']}/",
        f"/donate/thanks/{objects['format']['paid_token']}/",
        f"/giving/card/{objects['format']['monthly_token']}/",
        f"/order-link/{objects['token']}/",
        f"/volunteer/calendar/{objects['format']['calendar_token']}.ics",
        "/cart/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_the_private_page_mark_survives_other_decorators():
    from django.contrib.auth.decorators import login_required
    from django.views.decorators.http import require_POST

    from shop.platform.security import private_page

    view = login_required(require_POST(private_page(lambda request: None)))
    assert view.private_page is True


@pytest.mark.django_db
def test_the_policy_kept_per_process_is_django_csps_own(client, rf):
    """The header is built once per policy (issue 18): it is exactly what django-csp builds for
    the same parts, and a page with a nonce still gets a fresh one each time."""
    from dataclasses import asdict

    from csp.utils import build_policy
    from django.http import HttpResponse

    from shop.platform.security import ContentSecurityPolicyMiddleware

    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("x"))
    request = rf.get("/")
    expected = build_policy(**asdict(middleware.get_policy_parts(request, HttpResponse("x"))))
    assert "'nonce-" not in expected and "default-src 'self'" in expected
    for _ in range(2):
        assert middleware(rf.get("/"))["Content-Security-Policy"] == expected
    assert client.get(reverse("shop:home"))["Content-Security-Policy"] == expected
