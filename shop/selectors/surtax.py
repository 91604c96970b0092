"""Florida's county surtax: which county a ZIP code is in, and that county's rate.

The ZIP-to-county table is a file shipped with the code, ``shop/data/fl_zip_counties.csv``
(its source and coverage in its header), read once per process; the rates are the
``CountySurtax`` table staff keep in the admin (first loaded from ``shop/data/fl_county_surtax.csv``,
the Department of Revenue's Form DR-15DSS). Only reads.
"""
from functools import lru_cache

from shop.data import data_rows
from shop.models import CountySurtax

SURTAX_STATE = "FL"  # the one state whose local surtax is charged by county
ZIP_TABLE = "fl_zip_counties.csv"  # in shop/data/


@lru_cache(maxsize=1)
def _zip_table() -> dict[str, tuple[str, ...]]:
    return {row["zip"]: tuple(row["counties"].split(";")) for row in data_rows(ZIP_TABLE, ("zip", "counties"))}


def zip5(postal_code: str | None) -> str:
    """The five-digit ZIP of ``12345`` or ``12345-6789``, else ""."""
    head = (postal_code or "").strip()[:5]
    return head if len(head) == 5 and head.isascii() and head.isdigit() else ""


def counties_for_zip(postal_code: str | None) -> tuple[str, ...]:
    """The Florida counties a ZIP code lies in (several when it crosses a county line;
    none when the table does not have it)."""
    return _zip_table().get(zip5(postal_code), ())


def florida_counties() -> list[str]:
    """Every Florida county, for the checkout's county choice."""
    return sorted({county for counties in _zip_table().values() for county in counties})


def county_surtax(county: str | None) -> CountySurtax | None:
    """The county's surtax row, or None (a county without a row is charged no surtax)."""
    if not county:
        return None
    return CountySurtax.objects.filter(county=county).first()


def highest_county_surtax(counties=None) -> CountySurtax | None:
    """The surtax row with the highest rate among ``counties`` (None: every county in the
    table), the larger cap on a tie, then the county's name; None when none has a row."""
    rows = CountySurtax.objects.filter(rate__gt=0)
    if counties is not None:
        rows = rows.filter(county__in=list(counties))
    return rows.order_by("-rate", "-cap", "county").first()


def claim_county(postal_code: str | None) -> str:
    """The Florida county of a gift recipient's ZIP code, for the surtax on a gift sent by claim
    link (the recipient's page asks no county): the ZIP's one county; for a ZIP in several
    counties, or one the table does not have, the one of them (or of Florida) with the highest
    surtax, so no gift is taxed less than it may owe. "" when no candidate has a surtax row."""
    counties = counties_for_zip(postal_code)
    if len(counties) == 1:
        return counties[0]
    row = highest_county_surtax(counties or None)
    return row.county if row else ""


SPANNING = "This ZIP code is in more than one county: choose yours."
UNKNOWN = "We could not find the county of this ZIP code: choose yours."
NOT_THERE = "That county is not one this ZIP code is in: choose again."


def county_choice(state: str | None, postal_code: str | None, chosen: str | None = "") -> tuple[str, str]:
    """The destination's county for the surtax, as (county, problem).

    Outside Florida: no county. A ZIP in one county: that county. A ZIP that crosses a county
    line, or one the table does not have: the customer's ``chosen`` county (one of the ZIP's,
    or any Florida county), and without it ``problem`` says to choose."""
    if state != SURTAX_STATE:
        return "", ""
    counties = counties_for_zip(postal_code)
    if len(counties) == 1:
        return counties[0], ""
    allowed = counties or florida_counties()
    if chosen and chosen in allowed:
        return chosen, ""
    if chosen:
        return "", NOT_THERE
    return "", SPANNING if counties else UNKNOWN
