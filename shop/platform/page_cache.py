"""The public pages' shared parts, cached under the versions of what they show.

A *fragment* is the part of a page that is the same for every visitor (a listing, a product,
an event): rendered by ``render`` from a template and the page's data only, never from the
request, so nobody's name, cart, messages or CSRF token can be cached in it. The page around
it (``shop/base.html``: the header's cart count, the signed-in links, messages) is rendered
for each visitor; ``for_visitor`` puts the visitor's own CSRF token into the fragment's forms.

A fragment is named by its page and the parameters actually served (``Fragment``), normalised
by the view (a page past the end is the last page; unknown parameters are not parameters), and
depends on *areas*: ``catalog``, ``events``, ``circles``, ``pledge``, ``gifts``. Each area has a
version in the cache; ``changed(area)`` bumps it once the change is committed. The cache key
holds no version: the entry holds the versions it was made under and its parameters, so

- a hit is ONE cache round trip: one ``get_many`` of the fragment's key and its areas' version
  keys (an entry made under other versions, or for other parameters, is a miss);
- a miss renders and writes the entry in place with one ``set_many``; a change never leaves a
  trail of dead entries under retired keys;
- a ``bounded`` fragment (a search) takes one of ``BOUNDED_SLOTS`` slots of its page, by a hash
  of its parameters: however many different searches come in, a page keeps at most that many
  entries (a newer search takes the slot of an older one).

A version missing from the cache (never set, or evicted) is set to a new value never used
before (the clock in nanoseconds), so no entry made under an older value can come back to life.
Entries also expire after ``settings.PAGE_CACHE_SECONDS`` (or sooner, when the page says when
it changes by itself: an event's sale closing, a hold running out). With several web processes
the cache must be shared (``CACHE_URL=redis://...``); with a per-process cache another
process's change shows there within ``PAGE_CACHE_SECONDS``.
"""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

CATALOG, EVENTS, CIRCLES, PLEDGE, GIFTS = "catalog", "events", "circles", "pledge", "gifts"
AREAS = (CATALOG, EVENTS, CIRCLES, PLEDGE, GIFTS)
BOUNDED_SLOTS = 256  # entries a bounded (search) page keeps at most
PREFIX = "pages"

# What ``{% csrf_token %}`` renders in a fragment; ``for_visitor`` puts the visitor's token there.
# Only the whole attribute pair is replaced, which escaped text (quotes become &quot;) cannot spell.
CSRF_PLACEHOLDER = "csrf-token-of-the-visitor"
_CSRF_FIELD = 'name="csrfmiddlewaretoken" value="{}"'
_CSRF_IN_FRAGMENT = _CSRF_FIELD.format(CSRF_PLACEHOLDER)


def version_key(area: str) -> str:
    if area not in AREAS:
        raise ValueError(f"unknown page area {area!r}")
    return f"{PREFIX}:version:{area}"


def _new_version() -> int:
    return time.time_ns()


@dataclass(frozen=True)
class Fragment:
    """One page's shared part: ``page`` names it, ``params`` are the normalised parameters it
    serves (strings, numbers, None), ``areas`` what changes it."""

    page: str
    params: tuple = ()
    areas: tuple[str, ...] = ()
    bounded: bool = False

    def __post_init__(self):
        for area in self.areas:
            version_key(area)  # refuses an unknown area at once

    @property
    def key(self) -> str:
        digest = hashlib.sha256(repr(self.params).encode()).hexdigest()
        if self.bounded:
            return f"{PREFIX}:{self.page}:slot:{int(digest[:8], 16) % BOUNDED_SLOTS}"
        return f"{PREFIX}:{self.page}:{digest[:32]}"

    def at(self, *params) -> Fragment:
        """The same page with other parameters (the page actually served)."""
        return Fragment(self.page, params, self.areas, self.bounded)


class Lookup:
    """What one round trip found: the fragments' values (None: a miss) and the versions read."""

    def __init__(self, fragments: tuple[Fragment, ...]):
        areas = sorted({area for fragment in fragments for area in fragment.areas})
        found = cache.get_many([version_key(a) for a in areas] + [f.key for f in fragments])
        self.versions = {area: found.get(version_key(area)) for area in areas}
        self._entries = {f.key: found.get(f.key) for f in fragments}

    def _tag(self, fragment: Fragment) -> tuple:
        return tuple(self.versions.get(area) for area in fragment.areas)

    def __getitem__(self, fragment: Fragment) -> Any:
        entry = self._entries.get(fragment.key)
        if entry is None or entry[0] != fragment.params or None in self._tag(fragment) or entry[1] != self._tag(fragment):
            return None
        return entry[2]

    def also(self, fragment: Fragment) -> Any:
        """A fragment of the same areas read afterwards (a second round trip): the last page
        when the one asked for is past the end. Its entry must match the versions read first."""
        if fragment.key not in self._entries:
            self._entries[fragment.key] = cache.get(fragment.key)
        return self[fragment]

    def store(self, values: dict[Fragment, Any], timeout: int | None = None) -> None:
        """Keep what was rendered under the versions read before rendering it (a change made
        meanwhile retires it at once). A missing version is set first; when another process
        set it in between, nothing is kept (the next request renders under the new one)."""
        for area, version in self.versions.items():
            if version is None:
                fresh = _new_version()
                self.versions[area] = fresh if cache.add(version_key(area), fresh, timeout=None) else False
        if False in self.versions.values():
            return
        seconds = settings.PAGE_CACHE_SECONDS if timeout is None else max(min(int(timeout), settings.PAGE_CACHE_SECONDS), 1)
        cache.set_many({f.key: (f.params, self._tag(f), value) for f, value in values.items()}, seconds)


def lookup(*fragments: Fragment) -> Lookup:
    return Lookup(fragments)


def cached(fragment: Fragment, make: Callable[[], Any], until: Callable[[Any], datetime | None] | None = None) -> Any:
    """The fragment's value from the cache, or ``make()`` kept for the next visitor.
    ``make`` returning None (no such page) keeps nothing; ``until(value)``, the moment the page
    changes by itself (an event's sale closes), shortens the entry's life to then."""
    found = lookup(fragment)
    value = found[fragment]
    if value is None:
        value = make()
        if value is not None:
            found.store({fragment: value}, seconds_until(until(value)) if until else None)
    return value


def seconds_until(moment) -> int | None:
    """An entry's life when its page changes by itself at ``moment`` (None: not by itself)."""
    if moment is None:
        return None
    return max(math.ceil((moment - timezone.now()).total_seconds()), 1)


def render(template_name: str, context: dict) -> str:
    """A fragment's HTML: the template with the page's data and the site's constants only (no
    request, user, session or messages), its forms' CSRF token left as a placeholder."""
    return render_to_string(template_name, {"org": settings.MENDED_ORG, **context, "csrf_token": CSRF_PLACEHOLDER})


def for_visitor(request, html: str) -> SafeString:
    """The fragment's HTML with the visitor's own CSRF token in its forms (only when it has a
    form: a page without one sets no CSRF cookie)."""
    if _CSRF_IN_FRAGMENT in html:
        html = html.replace(_CSRF_IN_FRAGMENT, _CSRF_FIELD.format(get_token(request)))
    return mark_safe(html)  # noqa: S308 - rendered by our own templates, escaped there


def changed(*areas: str) -> None:
    """Retire every fragment that shows these areas: at once (the rest of this transaction, and
    its request, see the change) and again once the change is committed (a page another process
    rendered meanwhile from what was committed before is retired too). Outside a transaction
    both happen at once."""
    keys = [version_key(area) for area in areas]

    def bump():
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:  # not set yet (or evicted): any value never used retires the old entries
                cache.set(key, _new_version(), timeout=None)

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def everything_changed() -> None:
    """Retire every cached public page (an erasure: a name may be on any of them)."""
    changed(*AREAS)
