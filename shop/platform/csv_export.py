"""The one CSV writer: every export in both apps writes its rows through here.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run
as a formula by a spreadsheet (CSV injection), so it gets a leading apostrophe. Numbers, dates
and other non-text cells are written as they are. Reading CSV imports stays with the importers
(``shop/services/recipients_import.py``, ``shop/services/gifts/fulfilment.py``).
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
