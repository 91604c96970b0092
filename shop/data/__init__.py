"""Tables shipped with the code as CSV files (each with a ``#`` header saying its source and
date): ``fl_zip_counties.csv`` and ``fl_county_surtax.csv``, Florida's county surtax."""
from pathlib import Path

from shop.platform.csv_export import read_rows

DATA = Path(__file__).resolve().parent


def data_rows(name: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of the file ``name`` here, less its ``#`` header of source and date."""
    text = "".join(line for line in (DATA / name).read_text(encoding="utf-8").splitlines(keepends=True)
                   if not line.startswith("#"))
    return [row for _, row in read_rows(text, required)]
