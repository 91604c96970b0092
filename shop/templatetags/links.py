"""``{% link 'shop:catalog' %}``: ``{% url %}`` for a URL without arguments, reversed once per
process (per script prefix and URL conf) instead of on every render. The header and footer of
every page link to about ten such URLs; reversing them each time was a fifth of a cached page's
time."""
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@lru_cache(maxsize=512)
def _reversed(prefix: str, urlconf, name: str) -> str:
    return reverse(name, urlconf=urlconf)  # under `prefix`, the script prefix in force


@register.simple_tag
def link(name: str) -> str:
    """The path of the named URL (escaped like any tag output)."""
    return _reversed(get_script_prefix(), get_urlconf(), name)
