"""The URL conf's order (config/urls.py: the shop first, then payroll, the admin, accounts):
every named URL, reversed with sample arguments, resolves back to itself, so no pattern
earlier in the list takes another's URLs."""
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

SAMPLES = {"IntConverter": 7, "SlugConverter": "a-slug", "StringConverter": "token1", "PathConverter": "a/b.txt"}


def _routes(patterns, namespace=""):
    """(name, sample keyword arguments) of each named ``path()`` (``re_path`` ones have no converters to sample)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name and isinstance(entry.pattern, RoutePattern):
            converters = entry.pattern.converters
            if all(type(c).__name__ in SAMPLES for c in converters.values()):
                yield namespace + entry.name, {key: SAMPLES[type(c).__name__] for key, c in converters.items()}


def test_every_named_url_resolves_back_to_itself():
    routes = list(_routes(get_resolver().url_patterns))
    names = {name for name, _ in routes}
    assert {"shop:catalog", "shop:cart", "payroll:staff_home", "admin:index", "account_login", "healthz"} <= names
    checked = 0
    for name, kwargs in routes:
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:  # a name given to two patterns (the admin's): reverse finds the other
            continue
        assert resolve(url).view_name == name, (name, url, resolve(url).view_name)
        checked += 1
    assert checked > 200
