"""The one CSV writer: every export in both apps writes its rows through here.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run
as a formula by a spreadsheet (CSV injection), so it gets a leading apostrophe. Numbers, dates
and other non-text cells are written as they are. ``read_rows`` is the reader for new imports (the hours import): header-keyed rows with
their line numbers (older importers, ``shop/services/recipients_import.py`` and
``shop/services/gifts/fulfilment.py``, still read their own).
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
    """The file is not a CSV that can be read (its message says why, for the person uploading)."""


def read_rows(text: str, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, {header: cell}) for each non-blank row of ``text`` after its header.

    Headers are matched without case or surrounding spaces; a byte-order mark is dropped;
    every ``required`` header must be there. Line numbers count the header as line 1, as a
    spreadsheet shows them.
    """
    text = text.lstrip("\ufeff")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise CsvReadError(f"This file cannot be read as CSV: {error}.") from error
    if not records:
        raise CsvReadError("The file is empty.")
    header = [cell.strip().lower() for cell in records[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvReadError(f"The first line must name the columns; missing: {', '.join(missing)}.")
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        rows.append((number, {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)}))
    return rows
