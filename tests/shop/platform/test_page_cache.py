"""shop/platform/page_cache.py on its own: keys, versions, bounded slots, the fragment's
template context and the CSRF placeholder."""
import pytest
from django.core.cache import cache
from django.test import RequestFactory

from shop.platform import page_cache
from shop.platform.page_cache import CATALOG, EVENTS, Fragment

pytestmark = pytest.mark.django_db


def test_an_unknown_area_is_refused_at_once():
    with pytest.raises(ValueError):
        Fragment("catalog-page", ("x",), ("catalogue",))
    with pytest.raises(ValueError):
        page_cache.changed("catalogue")


def test_the_key_holds_no_version_and_depends_only_on_the_page_and_its_parameters():
    a = Fragment("product", ("market-tote",), (CATALOG,))
    assert a.key == Fragment("product", ("market-tote",), (CATALOG, EVENTS)).key
    assert a.key != Fragment("product", ("zip-pouch",), (CATALOG,)).key
    assert a.key != Fragment("event", ("market-tote",), (CATALOG,)).key
    page_cache.changed(CATALOG)
    assert a.key == Fragment("product", ("market-tote",), (CATALOG,)).key


def test_a_value_is_served_only_under_the_versions_it_was_made_under():
    made = []
    fragment = Fragment("product", ("market-tote",), (CATALOG,))

    def make():
        made.append(1)
        return f"rendered {len(made)}"

    assert page_cache.cached(fragment, make) == "rendered 1"
    assert page_cache.cached(fragment, make) == "rendered 1"
    page_cache.changed(EVENTS)  # another area: still good
    assert page_cache.cached(fragment, make) == "rendered 1"
    page_cache.changed(CATALOG)
    assert page_cache.cached(fragment, make) == "rendered 2"
    assert len(made) == 2


def test_nothing_is_kept_for_a_page_that_does_not_exist():
    fragment = Fragment("product", ("nope",), (CATALOG,))
    assert page_cache.cached(fragment, lambda: None) is None
    assert cache.get(fragment.key) is None


def test_a_bounded_page_keeps_at_most_its_slots_and_never_serves_another_parameters_entry(monkeypatch):
    monkeypatch.setattr(page_cache, "BOUNDED_SLOTS", 2)
    fragments = [Fragment("catalog-page", (None, f"q{n}", 1), (CATALOG,), bounded=True) for n in range(10)]
    assert len({f.key for f in fragments}) == 2
    for n, fragment in enumerate(fragments):
        page_cache.cached(fragment, lambda n=n: f"results for q{n}")
    for n, fragment in enumerate(fragments):  # each slot holds the last search put in it, or nothing matching
        found = page_cache.lookup(fragment)[fragment]
        assert found in (None, f"results for q{n}")
    assert page_cache.lookup(fragments[-1])[fragments[-1]] == "results for q9"


def test_a_version_evicted_between_read_and_write_keeps_nothing(monkeypatch):
    fragment = Fragment("product", ("market-tote",), (CATALOG,))
    found = page_cache.lookup(fragment)  # no version yet
    cache.set(page_cache.version_key(CATALOG), 7)  # another process set it meanwhile
    found.store({fragment: "made under no known version"})
    assert page_cache.lookup(fragment)[fragment] is None


def test_a_fragment_is_rendered_without_the_request(tmp_path, settings):
    (tmp_path / "frag.html").write_text("[{{ user.email }}][{{ request.path }}][{{ messages }}][{{ org.NAME }}]"
                                        "{% csrf_token %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    html = page_cache.render("frag.html", {})
    assert html.startswith(f"[][][][{settings.MENDED_ORG['NAME']}]")
    assert f'value="{page_cache.CSRF_PLACEHOLDER}"' in html


def test_the_visitors_token_replaces_only_the_csrf_field():
    request = RequestFactory().get("/")
    html = (f'<input type="hidden" name="csrfmiddlewaretoken" value="{page_cache.CSRF_PLACEHOLDER}">'
            f"<p>{page_cache.CSRF_PLACEHOLDER}</p>")  # the bare word, in text, stays as written
    filled = page_cache.for_visitor(request, html)
    token = filled.split('value="')[1].split('"')[0]
    assert token and token != page_cache.CSRF_PLACEHOLDER and len(token) == 64
    assert filled.endswith(f"<p>{page_cache.CSRF_PLACEHOLDER}</p>")
    assert request.META.get("CSRF_COOKIE_NEEDS_UPDATE") is True


def test_a_page_without_a_form_sets_no_csrf_cookie():
    request = RequestFactory().get("/")
    assert page_cache.for_visitor(request, "<p>No form here</p>") == "<p>No form here</p>"
    assert "CSRF_COOKIE_NEEDS_UPDATE" not in request.META
