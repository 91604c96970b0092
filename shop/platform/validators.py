"""Checks for what people type, shared by every form, import and endpoint.

Python's ``\\d`` and ``str.isdigit()`` accept Arabic-Indic, full-width and superscript digits
("٣٣٦٠٢", "²"), which then either fail later with a 500 or are stored as junk; the database
refuses NUL characters and integers past 64 bits with an exception rather than a message. The
helpers here turn each of those into a plain validation error at the door.
"""
import functools
import re
import unicodedata
import zoneinfo
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# US ZIP code, or ZIP+4, in ASCII digits only.
ZIP_CODE_PATTERN = r"^[0-9]{5}(-[0-9]{4})?$"
ZIP_CODE_MESSAGE = "Use a 5-digit ZIP code (or ZIP+4, like 33602-1234)."
zip_code = RegexValidator(ZIP_CODE_PATTERN, ZIP_CODE_MESSAGE)

# Dates a person means: anything outside is a slip of the keyboard (0001, 9999).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# The largest value a database integer column holds (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1

_ASCII_INT = re.compile(r"^[0-9]+$")


def ascii_int(text: str) -> int | None:
    """The integer written in ASCII digits in ``text``, or None (never a superscript or a Unicode digit)."""
    text = (text or "").strip()
    return int(text) if _ASCII_INT.match(text) else None


def report_year(text: str) -> int | None:
    """The year asked for in ``?year=`` (ASCII digits, within the date window), or None."""
    year = ascii_int(text) if len(text or "") <= 4 else None
    return year if year is not None and EARLIEST_DATE.year <= year <= LATEST_DATE.year else None


def date_param(text: str) -> date | None:
    """The day asked for in a query parameter (``?week=2026-10-05``): an ISO date in ASCII digits
    within the date window, or None (year 1 or 9999 would overflow the arithmetic around it)."""
    text = text or ""
    if not (text.isascii() and len(text) == 10):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


def sane_date(value: date) -> None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise ValidationError(
            f"Enter a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}; {value:%Y-%m-%d} looks like a typing slip."
        )


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The control characters in ``text`` (NUL and the like); line breaks and tabs only if multiline."""
    allowed = {"\n", "\r", "\t"} if multiline else set()
    return [ch for ch in text or "" if unicodedata.category(ch) == "Cc" and ch not in allowed]


def plain_text(value: str) -> None:
    """Refuse NUL and other control characters in one-line text."""
    if control_characters(value):
        raise ValidationError("Remove the invisible control characters from this text.")


@functools.lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone(value: str) -> None:
    """A name from the IANA time zone list (America/New_York), nothing else: ZoneInfo() itself
    opens files named by the value and fails on a folder name or a very long string."""
    if value not in _time_zones():
        shown = value if len(value or "") <= 60 else value[:60] + "…"
        raise ValidationError(f"“{shown}” is not a time zone name such as America/New_York.")


def born(value: date) -> None:
    """A date of birth: a real person's, in the past."""
    from django.utils import timezone

    if value is not None and not (date(1900, 1, 1) <= value <= timezone.localdate()):
        raise ValidationError("Enter your date of birth (a date in the past, after 1900).")
