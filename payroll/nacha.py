"""NACHA PPD credit files: direct deposit of net pay.

One file, one batch (service class 220, credits only, SEC code PPD), one Entry Detail
record per employee, no addenda. Record layouts follow the NACHA Operating Rules,
Appendix Three; every record is 94 characters, records are blocked in tens and the last
block is filled with records of 94 "9"s.

Pure functions: nothing here touches the database. Money is Decimal dollars; the file
holds integer cents (``shop.platform.money.to_cents``, which refuses fractions of a cent).

    text = build_ppd_file(
        immediate_destination="021000021", immediate_destination_name="JPMorgan Chase",
        immediate_origin="1123456789", immediate_origin_name="Mended",
        company_name="Mended", company_id="1123456789", company_entry_description="PAYROLL",
        effective_date=date(2025, 3, 14), created_at=timezone.localtime(),
        entries=[NachaEntry(name=..., routing=..., account=..., account_type="checking",
                            amount=Decimal("812.40"), individual_id="EMP0042")],
    )
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from payroll.bank import aba_routing_valid, account_number_valid, mask
from shop.platform.money import to_cents

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10
SERVICE_CLASS_CREDITS_ONLY = "220"
SEC_PPD = "PPD"
# Transaction codes: (account type, prenote) -> code.
TRANSACTION_CODES = {
    ("checking", False): "22",  # automated deposit, checking
    ("checking", True): "23",  # prenotification of a checking credit
    ("savings", False): "32",  # automated deposit, savings
    ("savings", True): "33",  # prenotification of a savings credit
}
MAX_ENTRY_CENTS = 10**10 - 1  # Amount field: 10 digits, $99,999,999.99
MAX_TOTAL_CENTS = 10**12 - 1  # Total Credit Entry Dollar Amount: 12 digits
MAX_ENTRIES = 999_999  # Batch Control Entry/Addenda Count: 6 digits

# Letters that Unicode does not decompose into a base letter plus accents.
_FOLD = str.maketrans({
    "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o",
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "ı": "i",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
})


class NachaError(ValueError):
    """The input cannot be written as a valid NACHA file. The message says why."""


@dataclass(frozen=True)
class NachaEntry:
    """One employee's deposit. ``account`` is kept out of the repr so it never reaches a log."""

    name: str
    routing: str
    account: str = field(repr=False)
    account_type: Literal["checking", "savings"]
    amount: Decimal
    individual_id: str  # an employee number, never an SSN
    prenote: bool = False


def ascii_fold(text: str) -> str:
    """Upper-case printable ASCII: accents removed, whitespace collapsed, the rest dropped.

    "José Núñez" -> "JOSE NUNEZ". Line breaks and control characters never survive, so a
    name cannot break the fixed-width file.
    """
    text = unicodedata.normalize("NFKD", str(text).translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\s+", " ", text)
    text = "".join(c for c in text if " " <= c <= "~")
    return text.strip().upper()


def _alpha(value: str, width: int, *, what: str, truncate: bool) -> str:
    """An alphanumeric field: folded, upper-case, left-justified, space-filled."""
    text = ascii_fold(value)
    if len(text) > width:
        if not truncate:
            raise NachaError(f"{what} {value!r} is longer than the {width} characters its field holds.")
        text = text[:width].rstrip()
    return text.ljust(width)


def _num(value: int, width: int, *, what: str) -> str:
    """A numeric field: right-justified, zero-filled."""
    if value < 0 or value >= 10**width:
        raise NachaError(f"{what} {value} does not fit in {width} digits.")
    return str(value).zfill(width)


def _code(value: str, width: int, *, what: str) -> str:
    """An identifier that must already be exactly ``width`` upper-case letters, digits or spaces."""
    if not isinstance(value, str) or not re.fullmatch(rf"[0-9A-Z ]{{{width}}}", value):
        raise NachaError(f"{what} must be exactly {width} characters (digits, capital letters or spaces); got {value!r}.")
    return value


def _record(*fields: str) -> str:
    line = "".join(fields)
    assert len(line) == RECORD_LENGTH, (len(line), line)
    return line


def _routing(value, *, what: str) -> str:
    if not isinstance(value, str) or not aba_routing_valid(value):
        # The number itself stays out of the message (it may reach a page or a log): masked.
        shown = mask(value) if isinstance(value, str) and value else repr(value)
        raise NachaError(f"{what} {shown} is not a valid 9-digit ABA routing number (check digit).")
    return value


def _entry_cents(entry: NachaEntry, who: str) -> int:
    amount = entry.amount
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError(f"{who}: amount must be a Decimal, got {type(amount).__name__}.")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise NachaError(f"{who}: amount {amount} is not a number.")
    if amount < 0:
        raise NachaError(f"{who}: amount {amount} is negative; a PPD credit file only pays money in.")
    try:
        cents = to_cents(amount)
    except ValueError:
        raise NachaError(f"{who}: amount {amount} is not a whole number of cents.") from None
    if cents > MAX_ENTRY_CENTS:
        raise NachaError(f"{who}: amount {amount} is too large for the entry amount field (at most $99,999,999.99).")
    if entry.prenote and cents != 0:
        raise NachaError(f"{who}: a prenote carries no money; its amount must be 0, not {amount}.")
    if not entry.prenote and cents == 0:
        raise NachaError(f"{who}: amount is 0; send prenote=True for a zero-dollar test entry, or leave the employee out.")
    return cents


def build_ppd_file(
    *,
    immediate_destination: str,
    immediate_destination_name: str,
    immediate_origin: str,
    immediate_origin_name: str,
    company_name: str,
    company_id: str,
    company_entry_description: str,
    effective_date: date,
    created_at: datetime,
    entries: list[NachaEntry],
    file_id_modifier: str = "A",
    company_discretionary_data: str = "",
    company_descriptive_date: str = "",
    reference_code: str = "",
) -> str:
    """The text of a one-batch PPD credit file: 94-character records joined by "\\n", ending in "\\n".

    ``immediate_destination`` is the ODFI's 9-digit routing number; its first 8 digits are
    the Originating DFI Identification and the prefix of every trace number.
    ``immediate_origin`` and ``company_id`` are 10 characters, usually "1" + the EIN digits
    (a 9-digit origin is taken as a routing number and given its leading space).
    Names are ASCII-folded, upper-cased and cut to their fields. Raises ``NachaError`` (a
    ``ValueError``) for anything the bank would reject, ``TypeError`` for a float amount.
    """
    destination = _routing(immediate_destination, what="Immediate destination")
    odfi = destination[:8]
    if isinstance(immediate_origin, str) and re.fullmatch(r"[0-9]{9}", immediate_origin):
        immediate_origin = " " + immediate_origin
    origin = _code(immediate_origin, 10, what="Immediate origin")
    company = _code(company_id, 10, what="Company identification")
    if not isinstance(file_id_modifier, str) or not re.fullmatch(r"[0-9A-Z]", file_id_modifier):
        raise NachaError(f"File ID modifier must be one capital letter or digit; got {file_id_modifier!r}.")
    if not isinstance(created_at, datetime):
        raise NachaError("created_at must be a datetime.")
    if isinstance(effective_date, datetime) or not isinstance(effective_date, date):
        raise NachaError("effective_date must be a date.")
    if effective_date < created_at.date():
        raise NachaError(f"Effective entry date {effective_date} is before the file's creation date {created_at.date()}.")
    description = _alpha(company_entry_description, 10, what="Company entry description", truncate=False)
    if not description.strip():
        raise NachaError("Company entry description is required (e.g. PAYROLL).")
    if not ascii_fold(company_name):
        raise NachaError("Company name is required.")
    if not entries:
        raise NachaError("A NACHA file needs at least one entry; there is nobody to pay.")
    if len(entries) > MAX_ENTRIES:
        raise NachaError(f"{len(entries)} entries do not fit in one batch (at most {MAX_ENTRIES}).")

    lines = [
        _record(
            "1",
            "01",  # priority code
            " " + destination,
            origin,
            created_at.strftime("%y%m%d"),
            created_at.strftime("%H%M"),
            file_id_modifier,
            "094",  # record size
            "10",  # blocking factor
            "1",  # format code
            _alpha(immediate_destination_name, 23, what="Immediate destination name", truncate=True),
            _alpha(immediate_origin_name, 23, what="Immediate origin name", truncate=True),
            _alpha(reference_code, 8, what="Reference code", truncate=False),
        ),
        _record(
            "5",
            SERVICE_CLASS_CREDITS_ONLY,
            _alpha(company_name, 16, what="Company name", truncate=True),
            _alpha(company_discretionary_data, 20, what="Company discretionary data", truncate=False),
            company,
            SEC_PPD,
            description,
            _alpha(company_descriptive_date, 6, what="Company descriptive date", truncate=False),
            effective_date.strftime("%y%m%d"),
            "   ",  # settlement date: the ACH operator fills it in
            "1",  # originator status code: a depository financial institution
            odfi,
            "0000001",  # batch number
        ),
    ]

    entry_hash = 0
    total_cents = 0
    for sequence, entry in enumerate(entries, start=1):
        who = f"Entry {sequence} ({entry.individual_id or ascii_fold(entry.name)})"
        routing = _routing(entry.routing, what=f"{who}: routing number")
        if not account_number_valid(entry.account):
            raise NachaError(
                f"{who}: account number {mask(entry.account) or repr(entry.account)} must be 4 to 17 digits, nothing else."
            )
        code = TRANSACTION_CODES.get((entry.account_type, bool(entry.prenote)))
        if code is None:
            raise NachaError(f"{who}: account type must be 'checking' or 'savings', not {entry.account_type!r}.")
        cents = _entry_cents(entry, who)
        name = _alpha(entry.name, 22, what="Individual name", truncate=True)
        if not name.strip():
            raise NachaError(f"{who}: the name has no letters that can be written in a NACHA file.")
        entry_hash += int(routing[:8])
        total_cents += cents
        lines.append(
            _record(
                "6",
                code,
                routing[:8],  # receiving DFI identification
                routing[8],  # check digit
                entry.account.ljust(17),
                _num(cents, 10, what=f"{who}: amount in cents"),
                _alpha(entry.individual_id, 15, what=f"{who}: individual identification", truncate=False),
                name,
                "  ",  # discretionary data
                "0",  # addenda record indicator
                odfi + _num(sequence, 7, what="Trace sequence number"),
            )
        )
    if total_cents > MAX_TOTAL_CENTS:
        raise NachaError(f"The total of {total_cents} cents is too large for the 12-digit total credit field.")
    entry_hash %= 10**10
    count = len(entries)

    lines.append(
        _record(
            "8",
            SERVICE_CLASS_CREDITS_ONLY,
            _num(count, 6, what="Entry/addenda count"),
            _num(entry_hash, 10, what="Entry hash"),
            _num(0, 12, what="Total debit"),
            _num(total_cents, 12, what="Total credit"),
            company,
            " " * 19,  # message authentication code
            " " * 6,  # reserved
            odfi,
            "0000001",
        )
    )
    records = len(lines) + 1  # and the file control record
    blocks = -(-records // BLOCKING_FACTOR)
    lines.append(
        _record(
            "9",
            _num(1, 6, what="Batch count"),
            _num(blocks, 6, what="Block count"),
            _num(count, 8, what="Entry/addenda count"),
            _num(entry_hash, 10, what="Entry hash"),
            _num(0, 12, what="Total debit"),
            _num(total_cents, 12, what="Total credit"),
            " " * 39,  # reserved
        )
    )
    lines += ["9" * RECORD_LENGTH] * (blocks * BLOCKING_FACTOR - records)
    return "\n".join(lines) + "\n"
