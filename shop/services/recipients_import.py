"""Parse and check a corporate gift-box recipient list uploaded as CSV.

Pure: no database, no I/O beyond the bytes handed in. All-or-nothing: ``parse_recipients``
returns the recipients only when every row is valid; otherwise it raises
``RecipientImportError`` with one ``RowError`` per problem, for every bad row at once.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is
row 2, and blank lines still take up a row number (they are skipped, not renumbered).

Headers are matched through ``ALIAS_NAMES`` without case, spaces or punctuation, so a file
exported from an HR or CRM system (``Address 1``, ``Street``, ``Zip Code``, ``State/Province``,
``E-mail``...) is read as it is; ``First Name`` and ``Last Name`` together make the name. A
column we do not use is ignored, and ``read_recipients`` returns a note naming it (with its
spreadsheet letter) for the member to see.

A file that misses a required column but has columns we do not know raises
``ColumnsNeedMapping`` instead of refusing it: the member says what each unknown column
is, or to ignore it, and the file is read again with that ``mapping`` ({header key: column,
or "" to ignore}); the organisation's earlier choices are passed the same way.

File-level problems (unreadable encoding, empty file, no recipients, a missing required
column, two columns that mean the same thing, too many rows) raise ``RecipientImportError``
with ``errors == []`` and a message saying what is wrong; a missing column's message lists
the names it accepts.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

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
OPTIONAL_COLUMNS = ("email", "first_name", "last_name")  # read when present; not in the template
REQUIRED_COLUMNS = ("name", "address_line1", "city", "state", "zip")
# What each column is called in files exported from HR and CRM systems (Workday, BambooHR,
# Salesforce, HubSpot, Excel's address lists...), matched on header_key(): case, spaces and
# punctuation do not count. The first spelling of each is the one the template uses.
ALIAS_NAMES = {
    "name": ("name", "Full Name", "Recipient", "Recipient Name", "Contact Name", "Employee Name", "Ship To Name"),
    "first_name": ("First Name", "Given Name", "First", "FName", "Preferred Name"),
    "last_name": ("Last Name", "Surname", "Family Name", "Last", "LName"),
    "company": ("company", "Company Name", "Organization", "Organisation", "Business", "Account Name", "Employer"),
    "address_line1": ("address_line1", "Address", "Address 1", "Street", "Street Address",
                      "Street 1", "Street Address 1", "Mailing Street", "Shipping Address", "Home Address",
                      "Address Street"),
    "address_line2": ("address_line2", "Address 2", "Street 2", "Street Address 2",
                      "Apartment", "Apt", "Suite", "Unit", "Apt Suite"),
    "city": ("city", "Town", "Town City", "City Town", "Locality", "Mailing City", "Shipping City", "Home City"),
    "state": ("state", "State Province", "Province", "Region", "State Code", "ST", "Mailing State",
              "Shipping State", "Home State", "State Region"),
    "zip": ("zip", "Zip Code", "Postal Code", "Postcode", "ZIP+4", "Mailing Zip",
            "Mailing Postal Code", "Shipping Zip", "Shipping Postal Code", "Home Zip"),
    "country": ("country", "Country Code", "Country Region", "Mailing Country", "Shipping Country", "Nation"),
    "message": ("message", "Card Message", "Gift Message", "Note", "Notes", "Personal Message", "Greeting"),
    "email": ("email", "Email Address", "Work Email", "Business Email",
              "Personal Email", "Mail"),
}
LABELS = {
    "name": "name", "first_name": "first name", "last_name": "last name", "company": "company",
    "address_line1": "address line 1", "address_line2": "address line 2", "city": "city", "state": "state",
    "zip": "ZIP code", "country": "country", "message": "card message", "email": "e-mail",
}
EXPECTED = ", ".join(COLUMNS) + ", email (other common names for each are understood)"
MAX_LENGTHS = {"name": 120, "company": 120, "address_line1": 200, "address_line2": 200, "city": 100, "email": 254}
MAX_ROWS = 2000
MAX_MESSAGE_LENGTH = 300
PROGRESS_EVERY = 100

STATE_CODES = frozenset(code for code, _name in US_STATES)
ACCEPTED_COUNTRIES = {"us": "US", "usa": "US", "united states": "US"}
US_ONLY = "we ship gift boxes within the United States only"



def _accepted(column: str) -> str:
    names = ", ".join(ALIAS_NAMES[column])
    return names + (", or First Name and Last Name" if column == "name" else "")


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
    email: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    field: str  # a column name, or "" when the problem is the row as a whole
    message: str


@dataclass(frozen=True)
class RecipientFile:
    """What a valid file holds: its recipients, and notes on the columns that were not used."""

    recipients: list[Recipient]
    notes: list[str]


class RecipientImportError(DomainError):
    def __init__(self, message: str, errors: list[RowError] | None = None):
        super().__init__(message)
        self.errors: list[RowError] = list(errors or [])


@dataclass(frozen=True)
class UnknownColumn:
    letter: str  # as the spreadsheet labels it
    header: str
    key: str  # header_key(header): what a remembered choice is stored under


class ColumnsNeedMapping(RecipientImportError):
    """The file lacks a required column and has columns we do not know: ask what they are.
    ``columns`` are the unknown ones; ``missing`` the required columns still to find;
    ``choices`` the columns an unknown one may be (those the file has not got yet)."""

    def __init__(self, columns: list[UnknownColumn], missing: list[str], choices: list[str]):
        described = ", ".join(LABELS[column] for column in missing)
        super().__init__(f"We could not find {described} in the file; tell us which column holds it.")
        self.columns, self.missing, self.choices = columns, missing, choices


MAPPABLE = ("name", "first_name", "last_name", "company", "address_line1", "address_line2", "city", "state", "zip",
            "country", "message", "email")


def _is_blank(cells: list[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _key_part(value: str) -> str:
    return " ".join(value.split()).casefold()


def header_key(cell: str) -> str:
    """A header cell as the alias table knows it: lower case, letters and digits only, so
    "Address Line 1", "address_line1" and "ADDRESS-LINE-1" are one key."""
    return "".join(character for character in cell.casefold() if character.isalnum())


def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for column, names in ALIAS_NAMES.items():
        for alias in names:
            if table.setdefault(header_key(alias), column) != column:
                raise AssertionError(f"the header {alias!r} would name two columns")
    return table


ALIASES = _aliases()


def _column_letter(index: int) -> str:
    """Column A, B, ..., Z, AA, ... as a spreadsheet labels it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _check_header(header: list[str], mapping: dict[str, str] | None = None) -> tuple[dict[str, int], int, list[str]]:
    """({column: cell index}, width of the header, notes on the columns not used).

    ``mapping`` ({header key: column, or "" to ignore}) is what the member chose; it comes
    before the alias table."""
    mapping = mapping or {}
    cells = [cell.strip() for cell in header]
    if len(cells) == 1 and ";" in cells[0]:
        raise RecipientImportError(
            "The columns are separated by semicolons; please save the file as CSV (comma delimited). "
            f"Expected columns: {EXPECTED}."
        )
    # Trailing empty header cells (a spreadsheet habit) are ignored.
    while cells and not cells[-1]:
        cells.pop()
    found: dict[str, list[int]] = {}
    ignored: list[int] = []
    chosen_ignore: list[int] = []
    for index, cell in enumerate(cells):
        key = header_key(cell)
        column = mapping[key] if key in mapping and cell else ALIASES.get(key)
        if column is None:
            ignored.append(index)
        elif column == "":
            chosen_ignore.append(index)
        else:
            found.setdefault(column, []).append(index)
    repeated = [column for column, indexes in found.items() if len(indexes) > 1]
    if repeated:
        described = "; ".join(
            f"{' and '.join(repr(cells[i]) for i in found[column])} both mean {LABELS[column]}" for column in repeated
        )
        raise RecipientImportError(f"Two columns mean the same thing: {described}. Please keep one of them.")
    columns = {column: indexes[0] for column, indexes in found.items()}
    notes = []
    if "name" in columns:
        for part in ("first_name", "last_name"):
            if part in columns:
                index = columns.pop(part)
                notes.append(
                    f"Column {_column_letter(index)} ({cells[index]!r}) was not used: the file has a name column."
                )
    missing = [
        column for column in REQUIRED_COLUMNS
        if column not in columns and not (column == "name" and ("first_name" in columns or "last_name" in columns))
    ]
    named = [index for index in ignored if cells[index]]
    if missing and named:
        raise ColumnsNeedMapping(
            [UnknownColumn(_column_letter(i), cells[i], header_key(cells[i])) for i in named], missing,
            [column for column in MAPPABLE if column not in columns
             and not (column in ("first_name", "last_name") and "name" in columns)])
    if missing:
        described = "; ".join(f"{LABELS[column]} (a column named {_accepted(column)})" for column in missing)
        raise RecipientImportError(
            f"Missing required column{'s' if len(missing) > 1 else ''}: {described}. "
            f"Expected columns: {EXPECTED}."
        )
    for index in chosen_ignore:
        notes.append(f"Column {_column_letter(index)} ({cells[index]!r}) was ignored, as you chose.")
    for index in ignored:
        notes.append(f"Column {_column_letter(index)} ({cells[index]!r}) was ignored: it is not one we use."
                     if cells[index] else f"Column {_column_letter(index)} has no name and was ignored.")
    return columns, len(cells), notes


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

    values = {column: cell(column) for column in COLUMNS + OPTIONAL_COLUMNS}
    if "name" not in columns:
        values["name"] = " ".join(part for part in (values["first_name"], values["last_name"]) if part)
    for column in COLUMNS + ("email",):
        if control_characters(values[column], multiline=column == "message"):
            errors.append(RowError(row_number, column, f"{column} has invisible control characters; retype it"))
    for column in REQUIRED_COLUMNS:
        if not values[column]:
            errors.append(RowError(row_number, column, f"{column} is required"))
    for column, longest in MAX_LENGTHS.items():
        if len(values[column]) > longest:
            errors.append(RowError(row_number, column,
                                   f"{column} is {len(values[column])} characters; the most it takes is {longest}"))

    email = values["email"]
    if email and len(email) <= MAX_LENGTHS["email"]:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(row_number, "email", f"{email!r} is not an e-mail address"))

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
        email=email,
    )
    return recipient, errors


def parse_recipients(
    data: bytes | str,
    max_rows: int = MAX_ROWS,
    progress: Callable[[int, int], None] | None = None,
    mapping: dict[str, str] | None = None,
) -> list[Recipient]:
    """Every recipient in the file, or ``RecipientImportError`` listing every problem."""
    return read_recipients(data, max_rows, progress, mapping).recipients


def read_recipients(
    data: bytes | str,
    max_rows: int = MAX_ROWS,
    progress: Callable[[int, int], None] | None = None,
    mapping: dict[str, str] | None = None,
) -> RecipientFile:
    """Every recipient in the file and notes on the columns not used, or
    ``RecipientImportError`` listing every problem.

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
    columns, width, notes = _check_header(header, mapping)
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
    return RecipientFile(recipients, notes)


def column_samples(data: bytes | str, letters: list[str], count: int = 3) -> dict[str, list[str]]:
    """The first few non-empty values of the columns ``letters``, to show beside the question
    of what they are (read only for the organisation's own members)."""
    try:
        numbered = csv_export.read_records(data)
    except (csv_export.CsvDecodeError, csv_export.CsvReadError):
        return {letter: [] for letter in letters}
    indexes = {letter: _letter_index(letter) for letter in letters}
    samples: dict[str, list[str]] = {letter: [] for letter in letters}
    for _row, cells in numbered[1:]:
        for letter, index in indexes.items():
            value = cells[index].strip() if index < len(cells) else ""
            if value and len(samples[letter]) < count:
                samples[letter].append(value[:60])
        if all(len(values) >= count for values in samples.values()):
            break
    return samples


def _letter_index(letter: str) -> int:
    index = 0
    for character in letter:
        index = index * 26 + ord(character) - ord("A") + 1
    return index - 1
