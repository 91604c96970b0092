"""The one CSV writer (shop/platform/csv_export.py): formula cells neutralised, everything else as it is."""
import csv
import io
from decimal import Decimal

from shop.platform.csv_export import csv_response, csv_text, safe_cell


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
