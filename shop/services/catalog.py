"""The catalog's cache version: pages cached under an old version are never served again.

Any change to categories, products, variants, images or stock bumps it. With several
web processes the cache must be shared (``CACHE_URL=redis://...``); with a per-process
cache a stale page lives at most ``CATALOG_CACHE_SECONDS``.
"""
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "catalog:version"


def catalog_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def catalog_changed() -> None:
    """Retire every cached catalog page, once the change is committed."""

    def bump():
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not set yet (or evicted): any new value retires the old pages
            cache.set(VERSION_KEY, 2, timeout=None)

    transaction.on_commit(bump)
