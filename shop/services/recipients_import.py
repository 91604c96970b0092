"""Parse and check a corporate gift-box recipient list uploaded as CSV.

Pure: no database, no I/O beyond the bytes handed in. All-or-nothing: ``parse_recipients``
returns the recipients only when every row is valid; otherwise it raises
``RecipientImportError`` with one ``RowError`` per problem, for every bad row at once.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is
row 2, and blank lines still take up a row number (they are skipped, not renumbered).

File-level problems (unreadable encoding, empty file, no recipients, missing or unknown
columns, too many rows) raise ``RecipientImportError`` with ``errors == []`` and a message
saying what is wrong.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from shop.platform import csv_export
from shop.platform.errors import DomainError
from shop.models.rates import US_STATES
from shop.platform.validators import control_characters

COLUMNS = (
    "name",
    "company",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
    "country",
    "message",
)
REQUIRED_COLUMNS = ("name", "address_line1", "city", "state", "zip")
MAX_ROWS = 2000
MAX_MESSAGE_LENGTH = 300
PROGRESS_EVERY = 100

STATE_CODES = frozenset(code for code, _name in US_STATES)
ACCEPTED_COUNTRIES = {"us": "US", "usa": "US", "united states": "US"}
US_ONLY = "we ship gift boxes within the United States only"

_ZIP_RE = re.compile(r"^([0-9]{5})(?:[-\s]?([0-9]{4}))?$")  # ASCII digits only

TEMPLATE_CSV = (
    "name,company,address_line1,address_line2,city,state,zip,country,message\r\n"
    "Jordan Example,Example Widgets Inc.,123 Sample Street,Suite 400,Springfield,IL,62701,US,"
    "Thank you for a wonderful year together!\r\n"
)


@dataclass(frozen=True)
class Recipient:
    row: int
    name: str
    company: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip: str
    country: str
    message: str  # "" means: use the default card message


@dataclass(frozen=True)
class RowError:
    row: int
    field: str  # a column name, or "" when the problem is the row as a whole
    message: str


class RecipientImportError(DomainError):
    def __init__(self, message: str, errors: list[RowError] | None = None):
        super().__init__(message)
        self.errors: list[RowError] = list(errors or [])


def _is_blank(cells: list[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _key_part(value: str) -> str:
    return " ".join(value.split()).casefold()


def _check_header(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    expected = ", ".join(COLUMNS)
    if len(names) == 1 and ";" in names[0]:
        raise RecipientImportError(
            "The columns are separated by semicolons; please save the file as CSV (comma delimited). "
            f"Expected columns: {expected}."
        )
    # Trailing empty header cells (a spreadsheet habit) are ignored.
    while names and not names[-1]:
        names.pop()
    unknown = [name or "(a column with no name)" for name in names if name not in COLUMNS]
    if unknown:
        raise RecipientImportError(
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Expected columns: {expected}."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RecipientImportError(f"Column repeated in the header: {', '.join(repeated)}.")
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        raise RecipientImportError(
            f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"Expected columns: {expected}."
        )
    return {name: index for index, name in enumerate(names)}


def _check_zip(value: str) -> tuple[str | None, str | None]:
    """(normalised ZIP, problem)."""
    match = _ZIP_RE.match(value)
    if match:
        five, four = match.groups()
        return (f"{five}-{four}" if four else five), None
    if re.fullmatch(r"[0-9]{3,4}", value):
        return None, (
            f"ZIP {value!r} is too short; spreadsheets often drop leading zeros "
            f"(did you mean {value.zfill(5)}?)"
        )
    return None, f"ZIP {value!r} is not a US ZIP code (12345 or 12345-6789)"


def _parse_row(row_number: int, cells: list[str], columns: dict[str, int], width: int):
    """(Recipient or None, errors)."""
    errors: list[RowError] = []
    if len(cells) < width or (len(cells) > width and not _is_blank(cells[width:])):
        errors.append(
            RowError(
                row_number,
                "",
                f"Row {row_number} has {len(cells)} cells but the header has {width} columns",
            )
        )
        return None, errors

    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index].strip() if index is not None else ""

    values = {column: cell(column) for column in COLUMNS}
    for column in COLUMNS:
        if control_characters(values[column], multiline=column == "message"):
            errors.append(RowError(row_number, column, f"{column} has invisible control characters; retype it"))
    for column in REQUIRED_COLUMNS:
        if not values[column]:
            errors.append(RowError(row_number, column, f"{column} is required"))

    state = values["state"].upper()
    if state and state not in STATE_CODES:
        errors.append(
            RowError(row_number, "state", f"{values['state']!r} is not a US state code (use two letters, e.g. NY)")
        )

    zip_code = values["zip"]
    if zip_code:
        zip_code, problem = _check_zip(zip_code)
        if problem:
            errors.append(RowError(row_number, "zip", problem))

    country = values["country"]
    if country:
        country = ACCEPTED_COUNTRIES.get(_key_part(country))
        if country is None:
            errors.append(RowError(row_number, "country", f"{values['country']!r}: {US_ONLY}"))
    else:
        country = "US"

    message = values["message"]
    if len(message) > MAX_MESSAGE_LENGTH:
        errors.append(
            RowError(
                row_number,
                "message",
                f"message is {len(message)} characters; the most a card holds is {MAX_MESSAGE_LENGTH}",
            )
        )

    if errors:
        return None, errors
    recipient = Recipient(
        row=row_number,
        name=values["name"],
        company=values["company"],
        address_line1=values["address_line1"],
        address_line2=values["address_line2"],
        city=values["city"],
        state=state,
        zip=zip_code,
        country=country,
        message=message,
    )
    return recipient, errors


def parse_recipients(
    data: bytes | str,
    max_rows: int = MAX_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> list[Recipient]:
    """Every recipient in the file, or ``RecipientImportError`` listing every problem.

    ``progress(done, total)`` is called after every ``PROGRESS_EVERY`` data rows, and once
    more at the end when the total is not a multiple of it.
    """
    try:
        numbered = csv_export.read_records(data)
    except csv_export.CsvDecodeError:
        raise RecipientImportError(
            "We couldn't read this file. Please save it as CSV (UTF-8) and upload it again."
        ) from None
    except csv_export.CsvReadError as error:
        raise RecipientImportError(f"We couldn't read this file as CSV ({error.reason}).") from None
    if not numbered:
        raise RecipientImportError("The file is empty. Please use the template and add your recipients.")
    _header_row, header = numbered[0]
    columns = _check_header(header)
    width = max(columns.values()) + 1
    rows = numbered[1:]
    if not rows:
        raise RecipientImportError("The file has a header but no recipients.")
    if len(rows) > max_rows:
        raise RecipientImportError(
            f"The file has {len(rows):,} recipients; the most we can take in one file is {max_rows:,}. "
            "Please split it into smaller files."
        )

    total = len(rows)
    recipients: list[Recipient] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, ...], int] = {}
    for done, (row_number, cells) in enumerate(rows, start=1):
        recipient, row_errors = _parse_row(row_number, cells, columns, width)
        if recipient is not None:
            key = tuple(
                _key_part(part)
                for part in (
                    recipient.name,
                    recipient.address_line1,
                    recipient.address_line2,
                    recipient.city,
                    recipient.state,
                    recipient.zip[:5],
                )
            )
            first = seen.setdefault(key, row_number)
            if first != row_number:
                row_errors.append(
                    RowError(row_number, "address", f"Row {row_number} repeats the address of row {first}")
                )
            else:
                recipients.append(recipient)
        errors.extend(row_errors)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)

    if errors:
        bad_rows = len({error.row for error in errors})
        verb = "has" if bad_rows == 1 else "have"
        raise RecipientImportError(
            f"{_plural(bad_rows, 'row')} {verb} problems; nothing was imported.", errors
        )
    return recipients
