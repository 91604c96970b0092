"""Rate limits on what costs money or sends e-mail to an address a visitor types.

One function, ``hit(request, action, ...)``, counts a request against every limit the
setting ``MENDED_RATE_LIMITS`` gives ``action`` and raises ``RateLimited`` (a message a
person can read) when one is over. Limits are written as allauth writes its own
(``ACCOUNT_RATE_LIMITS``): ``"5/10m/session,10/h/ip"`` is five in ten minutes per session
and ten an hour per IP address. The part after the second slash names what is counted:

- ``ip``: the client IP (``TRUSTED_PROXY_COUNT`` decides which hop, as for logins);
- ``session``: the visitor's session (one is started if the visitor has none);
- ``user``: the logged-in person;
- any other word: a value the caller passes by that name (``card=<fingerprint>``,
  ``email=<address>``, lower-cased by the caller). A limit whose value is missing (no one
  logged in, no card) is skipped: the other limits of the action still count.

Counts are fixed windows in Django's cache (Redis in production, ``CACHE_URL``), so every
web host shares them; a window starts at a multiple of its length. Keys hold a keyed hash
of the value, never the address or IP itself. Each refusal is logged to the ``security``
logger the same way. ``hit(..., cost=0)`` only asks (refused once the count has reached
the limit) and counts nothing: the way to limit failures (count them after they happen,
ask before the next try). The view side (429 pages and JSON) is ``shop/views/limits.py``.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from shop.platform.errors import DomainError

security_log = logging.getLogger("security")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# What each action is called in the message a person reads.
WHAT = {
    "payment_confirm": "payment attempts",
    "card_failure": "declined payments with this card",
    "payment_setup": "payment attempts",
    "hosting_request": "hosting requests",
    "pledge": "pledges",
    "invitation": "invitations",
    "gift_claim": "gift claims",
    "gift_card_code": "gift card codes tried",
    "restock_request": "back-in-stock requests",
    "discount_code": "discount codes tried",
    "kiosk_pin": "wrong PINs",
}


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    per: str

    def __str__(self) -> str:
        return f"{self.amount}/{self.seconds}s/{self.per}"


def parse_rates(text: str | None) -> list[Rate]:
    """``"5/10m/session,10/h/ip"`` -> two rates. A bad rate is a settings mistake: it raises."""
    rates = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        amount, duration, per = part.split("/")
        number, unit = duration[:-1], duration[-1]
        rates.append(Rate(int(amount), int(Decimal(number or 1) * _UNITS[unit]), per))
    return rates


class RateLimited(DomainError):
    """Over a limit: ``message`` says so in plain words, ``retry_after`` in seconds."""

    def __init__(self, action: str, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        super().__init__(f"Too many {WHAT.get(action, 'requests')} in a short time. "
                         f"Please try again in {wait}.")
        self.action = action
        self.retry_after = retry_after


@dataclass
class Usage:
    """What one ``hit`` counted, so that it can be given back (a form that did not go through)."""

    counted: list[tuple[str, int]] = field(default_factory=list)

    def give_back(self) -> None:
        for key, cost in self.counted:
            try:
                cache.decr(key, cost)
            except ValueError:  # the window has ended meanwhile: nothing left to give back
                pass
        self.counted = []


def _hash(value: str) -> str:
    return salted_hmac("mended.ratelimit", value).hexdigest()[:32]


def _ip(request) -> str:
    from shop.platform.security import client_ip

    return client_ip(request)


def _limited_ip(request) -> str:
    """The IP as allauth's limits count it: an IPv6 address by its /64 network."""
    from allauth.core.internal.ratelimit import truncate_ip

    return truncate_ip(_ip(request))


def session_key(request) -> str | None:
    """The visitor's session key, starting a session for a visitor who has none."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    if not session.session_key:
        session.save()  # a browser that keeps its cookie is counted as one visitor from now on
    return session.session_key


def _value(request, per: str, keys: dict) -> str | None:
    if per in keys:
        value = keys[per]
        return None if value in (None, "") else str(value).strip()
    if per == "ip":
        return _limited_ip(request)
    if per == "session":
        return session_key(request)
    if per == "user":
        user = getattr(request, "user", None)
        return str(user.pk) if user is not None and user.is_authenticated else None
    raise ValueError(f"rate limit per {per!r} needs a value passed as {per}=...")


def _add(key: str, cost: int, timeout: int) -> int:
    """Add ``cost`` to the count under ``key`` (atomic in Redis and in the local cache)."""
    cache.add(key, 0, timeout)
    if not cost:
        return cache.get(key, 0)
    try:
        return cache.incr(key, cost)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout)
        return cache.incr(key, cost)


def hit(request, action: str, *, cost: int = 1, **keys) -> Usage:
    """Count ``cost`` against every limit of ``action``; raise ``RateLimited`` if one is over.

    A refused request counts nowhere (what it had counted is given back), so a person who
    waits is let in again when the window ends. ``cost=0`` asks without counting.
    """
    usage = Usage()
    now = time.time()
    for rate in parse_rates(settings.MENDED_RATE_LIMITS.get(action)):
        value = _value(request, rate.per, keys)
        if value is None:
            continue
        digest = _hash(f"{rate.per}:{value}")
        window = int(now // rate.seconds)
        key = f"mended:rl:{action}:{rate}:{digest}:{window}"
        count = _add(key, cost, rate.seconds)
        if cost:
            usage.counted.append((key, cost))
        if (count > rate.amount) if cost else (count >= rate.amount):
            usage.give_back()
            retry_after = max(1, int((window + 1) * rate.seconds - now))
            security_log.warning("rate limit hit: action=%s limit=%s key=%s ip=%s path=%s",
                                 action, rate, digest[:16], _ip(request), getattr(request, "path", "-"))
            raise RateLimited(action, retry_after)
    return usage
