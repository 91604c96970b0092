"""``{% link 'shop:catalog' %}``: ``{% url %}`` for a URL without arguments, reversed once per
process (per script prefix and URL conf) instead of on every render. The header and footer of
every page link to about ten such URLs; reversing them each time was a fifth of a cached page's
time.

``{% link 'shop:product' slug %}``, ``{% link 'shop:cart_line_update' line.pk %}``: with one
argument, a non-negative integer or a slug (``[-a-zA-Z0-9_]``, nothing in it is quoted), the
URL is reversed once per process with a stand-in for the argument, which each render replaces
(a cart's lines link to three such URLs each). Any other argument is reversed as ``{% url %}``
does.

``{% asset 'shop/css/site.css' %}``: ``{% static %}``, the file's URL found once per process
(the manifest storage's hashed name: three in the head of every page were a twentieth of a
cached page's time). Forgotten when a test changes the static settings, as Django's own storage is."""
import re
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_STAND_INS = {int: "9081726354", str: "0-link-stand-in-0"}  # valid for the int, slug and str converters


@lru_cache(maxsize=512)
def _reversed(prefix: str, urlconf, name: str) -> str:
    return reverse(name, urlconf=urlconf)  # under `prefix`, the script prefix in force


@lru_cache(maxsize=512)
def _reversed_with(prefix: str, urlconf, name: str, kind: type) -> str | None:
    """The URL with the stand-in for its one argument, or None when the stand-in is not found in
    it exactly once (then each render reverses)."""
    stand_in = _STAND_INS[kind]
    url = reverse(name, args=[kind(stand_in)], urlconf=urlconf)
    return url if url.count(stand_in) == 1 else None


@register.simple_tag
def link(name: str, *args) -> str:
    """The path of the named URL (escaped like any tag output)."""
    if not args:
        return _reversed(get_script_prefix(), get_urlconf(), name)
    if len(args) == 1:
        arg = args[0]
        kind = int if type(arg) is int and arg >= 0 else str if type(arg) is str and _SLUG.fullmatch(arg) else None
        if kind is not None:
            url = _reversed_with(get_script_prefix(), get_urlconf(), name, kind)
            if url is not None:
                return url.replace(_STAND_INS[kind], str(arg))
    return reverse(name, args=args)


_ASSETS: dict[str, str] = {}  # static file URLs by path (a site has a few dozen)
_ASSETS_MAX = 256


@register.simple_tag
def asset(path: str) -> str:
    """The static file's URL, as ``{% static path %}`` gives it (a file missing from the manifest
    raises as it does, each time)."""
    url = _ASSETS.get(path)
    if url is None:
        url = static(path)
        if len(_ASSETS) >= _ASSETS_MAX:
            _ASSETS.clear()
        _ASSETS[path] = url
    return url


@receiver(setting_changed)
def _forget_assets(*, setting, **kwargs) -> None:
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS", "FORCE_SCRIPT_NAME"):
        _ASSETS.clear()
