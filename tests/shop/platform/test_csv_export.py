"""The one CSV writer and reader (shop/platform/csv_export.py): formula cells neutralised, everything
else as it is; uploads read as UTF-8 (with or without a BOM) or Windows-1252, with spreadsheet row numbers."""
import csv
import io
from decimal import Decimal

import pytest

from shop.platform.csv_export import (CsvDecodeError, CsvReadError, csv_response, csv_text, decode, read_records,
                                      read_rows, safe_cell)


def test_text_a_spreadsheet_would_run_gets_an_apostrophe():
    for danger in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(danger) == "'" + danger
    assert safe_cell("Rosa") == "Rosa" and safe_cell("") == "" and safe_cell("a=b") == "a=b"
    assert safe_cell(Decimal("-5.00")) == Decimal("-5.00") and safe_cell(-3) == -3 and safe_cell(None) is None


def test_csv_text_and_response_write_the_header_the_rows_and_empty_lines():
    text = csv_text(["name", "amount"], [["=cmd", Decimal("1.50")], [], ["Ana", 2]])
    assert list(csv.reader(io.StringIO(text))) == [["name", "amount"], ["'=cmd", "1.50"], [], ["Ana", "2"]]
    response = csv_response("x.csv", ["name"], [["@me"]])
    assert response["Content-Type"] == "text/csv" and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content.decode().splitlines() == ["name", "'@me"]
    assert "Cache-Control" not in csv_response("y.csv", None, [], private=False)


# -- the one reader ------------------------------------------------------------------------------

def test_the_reader_takes_utf8_with_or_without_a_bom_and_windows_1252():
    text = "name,city\r\nJosé Núñez,Tampa – Bay\r\n"
    expected = [(1, ["name", "city"]), (2, ["José Núñez", "Tampa – Bay"])]
    assert read_records(text.encode("utf-8")) == expected
    assert read_records(b"\xef\xbb\xbf" + text.encode("utf-8")) == expected
    assert read_records(text.encode("cp1252")) == expected  # the en dash is 0x96 there
    assert decode("\ufeffa,b") == "a,b"


def test_bytes_that_are_no_text_are_refused_with_a_message():
    with pytest.raises(CsvDecodeError, match="save it as CSV UTF-8"):
        read_records(b"name\r\n\x81\x8d\x8f\x90\x9d\r\n")  # undefined in Windows-1252 and not UTF-8


def test_row_numbers_are_a_spreadsheets_and_blank_rows_keep_theirs():
    rows = read_rows(b"Employee , Date\r\n\r\n7,2026-01-05\r\n,\r\n\"8\",\"2026-01-06\"\r\n", ["employee", "date"])
    assert rows == [(3, {"employee": "7", "date": "2026-01-05"}), (5, {"employee": "8", "date": "2026-01-06"})]


def test_a_missing_column_an_empty_file_and_a_broken_file_are_read_errors():
    with pytest.raises(CsvReadError, match="missing: hours"):
        read_rows("employee,date\n1,2026-01-05\n", ["employee", "hours"])
    with pytest.raises(CsvReadError, match="empty"):
        read_rows(b"\r\n , \r\n", ["employee"])
    with pytest.raises(CsvReadError) as caught:
        read_records("a\n" + "x" * 200_000 + "\n")  # past the csv module's field limit
    assert "field larger than field limit" in caught.value.reason
