"""The recipient-list CSV parser: pure, all-or-nothing, row numbers as a spreadsheet shows them."""
import csv
import io

import pytest

from shop.platform.errors import DomainError
from shop.services.recipients_import import (
    TEMPLATE_CSV,
    Recipient,
    RecipientImportError,
    RowError,
    parse_recipients,
    read_recipients,
)

HEADER = ["name", "company", "address_line1", "address_line2", "city", "state", "zip", "country", "message"]
STATES = ["NY", "CA", "TX", "IL", "WA", "DC", "FL", "MA"]


def recipient_rows(count):
    return [
        {
            "name": f"Person {i}",
            "company": "Acme Corp" if i % 2 else "",
            "address_line1": f"{100 + i} Main Street",
            "address_line2": f"Apt {i}" if i % 3 == 0 else "",
            "city": "Springfield",
            "state": STATES[i % len(STATES)],
            "zip": f"{10000 + i:05d}",
            "country": "US" if i % 4 else "",
            "message": "Happy holidays!" if i % 5 == 0 else "",
        }
        for i in range(count)
    ]


def to_csv(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def errors_of(data, **kwargs):
    with pytest.raises(RecipientImportError) as caught:
        parse_recipients(data, **kwargs)
    return caught.value


def test_a_valid_500_row_file_imports_500_recipients():
    recipients = parse_recipients(to_csv(recipient_rows(500)).encode("utf-8"))
    assert len(recipients) == 500
    assert all(isinstance(r, Recipient) for r in recipients)
    first, last = recipients[0], recipients[-1]
    assert (first.row, first.name, first.state, first.zip, first.country) == (2, "Person 0", "NY", "10000", "US")
    assert last.row == 501 and last.name == "Person 499"
    with pytest.raises(AttributeError):
        first.name = "changed"  # frozen


def test_three_bad_rows_among_500_import_nothing_and_are_all_reported():
    rows = recipient_rows(500)
    rows[48]["state"] = "ZZ"  # spreadsheet row 50
    rows[199]["zip"] = "1234X"  # spreadsheet row 201
    rows[497]["message"] = "x" * 301  # spreadsheet row 499
    error = errors_of(to_csv(rows).encode("utf-8"))
    assert isinstance(error, DomainError)
    assert [(e.row, e.field) for e in error.errors] == [(50, "state"), (201, "zip"), (499, "message")]
    assert "ZZ" in error.errors[0].message and "state" in error.errors[0].message
    assert "1234X" in error.errors[1].message
    assert "301" in error.errors[2].message and "300" in error.errors[2].message
    assert error.message == "3 rows have problems; nothing was imported."


def test_message_of_exactly_300_characters_is_accepted():
    rows = recipient_rows(1)
    rows[0]["message"] = "y" * 300
    assert parse_recipients(to_csv(rows))[0].message == "y" * 300


def test_a_repeated_address_is_flagged_naming_both_rows():
    rows = recipient_rows(20)
    twin = dict(rows[2])  # spreadsheet row 4
    twin["name"] = "  " + twin["name"].upper() + " "
    twin["address_line1"] = twin["address_line1"].lower().replace(" ", "  ")
    twin["zip"] = twin["zip"] + "-1234"
    rows.insert(15, twin)  # spreadsheet row 17
    error = errors_of(to_csv(rows))
    assert error.errors == [RowError(17, "address", "Row 17 repeats the address of row 4")]
    assert error.message == "1 row has problems; nothing was imported."


def test_missing_required_column_is_refused_by_name_with_the_names_it_accepts():
    header = [c for c in HEADER if c != "city"]
    error = errors_of(to_csv(recipient_rows(3), header=header))
    assert "Missing required column: city (a column named city, Town," in error.message
    assert error.errors == []
    error = errors_of(to_csv(recipient_rows(3), header=[c for c in HEADER if c not in ("name", "zip")]))
    assert error.message.startswith("Missing required columns: name (a column named name, Full Name,")
    assert "or First Name and Last Name); ZIP code (a column named zip, Zip Code, Postal Code," in error.message


def test_an_unknown_column_is_ignored_with_a_note_naming_it_and_its_letter():
    rows = recipient_rows(3)
    for row in rows:
        row["phone"] = "555-0100"
        row["Employee #"] = "E1"
    read = read_recipients(to_csv(rows, header=["Employee #"] + HEADER + ["phone"]))
    assert [r.name for r in read.recipients] == ["Person 0", "Person 1", "Person 2"]
    assert read.notes == ["Column A ('Employee #') was ignored: it is not one we use.",
                          "Column K ('phone') was ignored: it is not one we use."]
    assert not hasattr(read.recipients[0], "phone")


def test_a_column_with_no_name_in_the_middle_is_ignored_with_a_note():
    text = "name,,address_line1,city,state,zip\r\nAna Lima,x,1 Elm St,Boston,MA,02134\r\n"
    read = read_recipients(text)
    assert read.recipients[0].address_line1 == "1 Elm St"
    assert read.notes == ["Column B has no name and was ignored."]


def test_the_column_letters_go_past_z():
    header = [f"extra {n}" for n in range(27)] + ["name", "address_line1", "city", "state", "zip"]
    text = ",".join(header) + "\r\n" + "," * 27 + "Ana Lima,1 Elm St,Boston,MA,02134\r\n"
    notes = read_recipients(text).notes
    assert notes[0].startswith("Column A ") and notes[25].startswith("Column Z ") and notes[26].startswith("Column AA ")


# Headers as HR and CRM systems export them (Workday, BambooHR, Salesforce, HubSpot, Excel),
# each with the column it must land in.
@pytest.mark.parametrize("header, column", [
    ("address1", "address_line1"), ("Address 1", "address_line1"), ("Street", "address_line1"),
    ("Street Address", "address_line1"), ("Address Line 1", "address_line1"), ("ADDRESS-LINE-1", "address_line1"),
    ("Mailing Street", "address_line1"),
    ("address2", "address_line2"), ("Address Line 2", "address_line2"), ("Apt/Suite", "address_line2"),
    ("Zip Code", "zip"), ("ZIP", "zip"), ("Postal Code", "zip"), ("Postcode", "zip"), ("zip_code", "zip"),
    ("ZIP+4", "zip"), ("State/Province", "state"), ("Province", "state"), ("STATE ", "state"),
    ("Town/City", "city"), ("Company Name", "company"), ("Organization", "company"),
    ("Full Name", "name"), ("Recipient Name", "name"), ("Country/Region", "country"),
    ("Gift Message", "message"), ("E-mail", "email"), ("Email Address", "email"), ("e_mail", "email"),
])
def test_common_header_names_land_in_their_column(header, column):
    values = {"name": "Ana Lima", "company": "Acme", "address_line1": "1 Elm St", "address_line2": "Apt 4",
              "city": "Boston", "state": "MA", "zip": "02134", "country": "US", "message": "Thanks!",
              "email": "ana@example.com"}
    base = ["name", "address_line1", "city", "state", "zip"]
    names = [header if c == column else c for c in base] if column in base else base + [header]
    cells = [values[column] if n == header else values[n] for n in names]
    read = read_recipients(",".join(names) + "\r\n" + ",".join(cells) + "\r\n")
    assert getattr(read.recipients[0], column) == values[column]
    assert read.notes == []


def test_first_and_last_name_columns_make_the_name():
    text = ("First Name,Last Name,Street,City,State,Zip Code\r\n"
            "Ana,Lima,1 Elm St,Boston,MA,02134\r\n"
            " Bo ,,2 Elm St,Boston,MA,02134\r\n"
            ",Chen,3 Elm St,Boston,MA,02134\r\n"
            ",,4 Elm St,Boston,MA,02134\r\n")
    error = errors_of(text)
    assert [(e.row, e.field, e.message) for e in error.errors] == [(5, "name", "name is required")]
    read = read_recipients(text.rsplit(",,4 Elm", 1)[0])
    assert [r.name for r in read.recipients] == ["Ana Lima", "Bo", "Chen"]
    assert read.notes == []


def test_a_name_column_wins_over_first_and_last_name_with_a_note():
    text = "Name,First Name,Last Name,address1,city,state,zip\r\nDr Ana Lima,Ana,Lima,1 Elm St,Boston,MA,02134\r\n"
    read = read_recipients(text)
    assert read.recipients[0].name == "Dr Ana Lima"
    assert read.notes == ["Column B ('First Name') was not used: the file has a name column.",
                          "Column C ('Last Name') was not used: the file has a name column."]


def test_two_columns_that_mean_the_same_thing_are_refused_by_name():
    text = "name,Street,Address 1,city,state,Zip Code,Postal Code\r\nAna,1 Elm,1 Elm,Boston,MA,02134,02134\r\n"
    error = errors_of(text)
    assert error.message == ("Two columns mean the same thing: 'Street' and 'Address 1' both mean address line 1; "
                             "'Zip Code' and 'Postal Code' both mean ZIP code. Please keep one of them.")
    assert error.errors == []


def test_an_email_column_is_checked_per_row():
    text = ("name,address1,city,state,zip,Email Address\r\n"
            "Ana,1 Elm St,Boston,MA,02134,ana@example.com\r\n"
            "Bo,2 Elm St,Boston,MA,02134,not-an-address\r\n"
            "Cy,3 Elm St,Boston,MA,02134,\r\n")
    [problem] = errors_of(text).errors
    assert (problem.row, problem.field) == (3, "email") and "'not-an-address' is not an e-mail address" in problem.message
    read = read_recipients(text.replace("not-an-address", "bo@example.org"))
    assert [r.email for r in read.recipients] == ["ana@example.com", "bo@example.org", ""]


def test_values_longer_than_the_database_keeps_are_row_errors():
    rows = recipient_rows(2)
    rows[0]["name"] = "N" * 121
    rows[1]["city"] = "C" * 101
    error = errors_of(to_csv(rows))
    assert [(e.row, e.field) for e in error.errors] == [(2, "name"), (3, "city")]
    assert "121 characters; the most it takes is 120" in error.errors[0].message
    rows[0]["name"], rows[1]["city"] = "N" * 120, "C" * 100
    assert len(parse_recipients(to_csv(rows))) == 2


def test_header_is_case_and_space_insensitive_and_optional_columns_may_be_left_out():
    text = " Name ,ADDRESS_LINE1,City, State,ZIP\nAna Lima,1 Elm St,Boston,ma,02134\n"
    [recipient] = parse_recipients(text)
    assert (recipient.state, recipient.zip, recipient.country, recipient.company, recipient.message) == (
        "MA", "02134", "US", "", ""
    )


def test_2001_rows_are_refused_but_2000_are_accepted():
    assert len(parse_recipients(to_csv(recipient_rows(2000)))) == 2000
    error = errors_of(to_csv(recipient_rows(2001)))
    assert "2,001" in error.message and "2,000" in error.message


def test_utf8_with_bom_is_read():
    rows = recipient_rows(2)
    rows[0]["name"] = "José Núñez"
    data = b"\xef\xbb\xbf" + to_csv(rows).encode("utf-8")
    recipients = parse_recipients(data)
    assert recipients[0].name == "José Núñez"


def test_windows_1252_is_read():
    rows = recipient_rows(2)
    rows[0]["name"] = "José Núñez"
    rows[1]["message"] = "Thanks – from all of us"  # en dash is 0x96 in cp1252
    data = to_csv(rows).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    recipients = parse_recipients(data)
    assert recipients[0].name == "José Núñez"
    assert recipients[1].message == "Thanks – from all of us"


def test_zip_plus_four_is_normalised():
    rows = recipient_rows(3)
    rows[0]["zip"] = "12345-6789"
    rows[1]["zip"] = "123456789"
    rows[2]["zip"] = " 54321 1234 "
    assert [r.zip for r in parse_recipients(to_csv(rows))] == ["12345-6789", "12345-6789", "54321-1234"]


def test_zip_that_lost_its_leading_zero_gets_a_hint():
    rows = recipient_rows(1)
    rows[0]["zip"] = "2134"
    [error] = errors_of(to_csv(rows)).errors
    assert error.field == "zip" and "02134" in error.message


def test_the_template_parses_as_valid():
    [recipient] = parse_recipients(TEMPLATE_CSV)
    assert recipient.row == 2
    assert recipient.name and recipient.address_line1 and recipient.city
    assert recipient.state == "IL" and recipient.country == "US"
    assert TEMPLATE_CSV.splitlines()[0] == ",".join(HEADER)


def test_progress_is_reported_every_100_rows():
    calls = []
    parse_recipients(to_csv(recipient_rows(250)), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_foreign_country_is_refused_and_us_spellings_accepted():
    rows = recipient_rows(4)
    rows[0]["country"] = "usa"
    rows[1]["country"] = "United States"
    rows[2]["country"] = "US"
    rows[3]["country"] = "Canada"
    error = errors_of(to_csv(rows))
    assert [(e.row, e.field) for e in error.errors] == [(5, "country")]
    assert "within the United States only" in error.errors[0].message
    del rows[3]
    assert {r.country for r in parse_recipients(to_csv(rows))} == {"US"}


def test_missing_required_values_are_reported_per_field():
    rows = recipient_rows(2)
    rows[1]["name"] = "  "
    rows[1]["city"] = ""
    error = errors_of(to_csv(rows))
    assert [(e.row, e.field) for e in error.errors] == [(3, "name"), (3, "city")]
    assert error.message == "1 row has problems; nothing was imported."


def test_blank_lines_are_skipped_but_keep_spreadsheet_row_numbers():
    text = to_csv(recipient_rows(2)).replace("\r\n", "\r\n\r\n,,,,,,,,\r\n", 1) + "\r\n\r\n"
    recipients = parse_recipients(text)
    assert [r.row for r in recipients] == [4, 5]


def test_a_row_with_the_wrong_number_of_cells_is_reported():
    text = to_csv(recipient_rows(3)) + "Short Row,Acme,1 Oak St\r\n"
    [error] = errors_of(text).errors
    assert error.row == 5 and "3 cells" in error.message and "9 columns" in error.message


def test_empty_file_and_header_only_are_refused():
    assert "empty" in errors_of(b"").message
    assert "empty" in errors_of(b"\xef\xbb\xbf\r\n  \r\n").message
    assert "no recipients" in errors_of(",".join(HEADER) + "\r\n").message
