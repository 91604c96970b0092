"""The one CSV writer and the one CSV reader: every export and import in both apps goes through here.

Writing: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
would be run as a formula by a spreadsheet (CSV injection), so it gets a leading apostrophe.
Numbers, dates and other non-text cells are written as they are.

Reading: ``decode`` takes the uploaded bytes as UTF-8 (with or without a byte-order mark) or,
failing that, Windows-1252 (Excel's "CSV" on Windows); ``read_records`` gives every non-blank
record with its row number as a spreadsheet shows it (the header is row 1; a blank row keeps its
number); ``read_rows`` keys them by a header with required columns (the hours import).
Importers check every row and write all or nothing (``recipients_import``, the gift tracking
file in ``services/gifts/fulfilment.py``, ``payroll/services/time.py``).
"""
import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value``, with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose rows are neutralised cell by cell (``writerow([])`` writes an empty line)."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(header: Iterable[str] | None, rows: Iterable[Iterable]) -> str:
    """The whole file as text: the header (if any), then the rows."""
    out = io.StringIO()
    writer = SafeWriter(out)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def csv_response(filename: str, header: Iterable[str] | None, rows: Iterable[Iterable], *,
                 private: bool = True) -> HttpResponse:
    """A CSV download. ``private`` (the default): never cached, since exports hold people's data."""
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response["Cache-Control"] = "no-store"
    writer = SafeWriter(response)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return response


class CsvReadError(ValueError):
    """The file is not a CSV that can be read (its message says why, for the person uploading;
    ``reason`` is the CSV parser's own words, when it was the parser that failed)."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason


class CsvDecodeError(CsvReadError):
    """The bytes are neither UTF-8 nor Windows-1252 text."""


def decode(data: bytes | str) -> str:
    """The text of an uploaded CSV: UTF-8 (a byte-order mark dropped), else Windows-1252."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise CsvDecodeError("This file is not text a spreadsheet saved as CSV; "
                             "save it as CSV UTF-8 and upload it again.") from None


def read_records(data: bytes | str) -> list[tuple[int, list[str]]]:
    """(row number, cells) for each record of ``data`` (bytes as ``decode`` reads them) that has a
    non-blank cell. Row numbers are a spreadsheet's: the first record is row 1, and a blank
    record is skipped but keeps its number."""
    text = decode(data)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise CsvReadError(f"This file cannot be read as CSV: {error}.", reason=str(error)) from error
    return [(number, cells) for number, cells in enumerate(records, start=1) if any(cell.strip() for cell in cells)]


def read_rows(data: bytes | str, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """(row number, {header: cell}) for each non-blank row of ``data`` after its header.

    Headers are matched without case or surrounding spaces; every ``required`` header must be
    there. Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    records = read_records(data)
    if not records:
        raise CsvReadError("The file is empty.")
    (_, first), records = records[0], records[1:]
    header = [cell.strip().lower() for cell in first]
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvReadError(f"The first line must name the columns; missing: {', '.join(missing)}.")
    return [(number, {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)})
            for number, record in records]
