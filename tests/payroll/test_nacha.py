"""NACHA PPD direct-deposit files, read back by an independent reader; bank number checks.

No database: the writer and the reader are pure functions.
"""
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from payroll.bank import (
    aba_routing_valid,
    mask,
    validate_account_number,
    validate_routing_number,
)
from payroll.nacha import NachaEntry, NachaError, build_ppd_file
from tests.support.nacha_reader import NachaReadError, read_nacha, routing_check_digit

D = Decimal
NINES = "9" * 94
HUNDRED = D("100.00")

EMPLOYEES = [
    NachaEntry(name="José Núñez", routing="011000015", account="123456789", account_type="checking",
               amount=D("1234.56"), individual_id="EMP0001"),
    NachaEntry(name="Bartholomew Alexander Featherstonehaugh-Smythe", routing="021000021",
               account="98765432101234567", account_type="savings", amount=D("987.65"), individual_id="EMP0002"),
    NachaEntry(name="Zoë Łukasiewicz-Ångström", routing="122105278", account="5550001", account_type="checking",
               amount=D("0"), individual_id="EMP0003", prenote=True),
    NachaEntry(name="Ana O'Brien", routing="011000015", account="0001234", account_type="savings",
               amount=D("50"), individual_id="emp0004"),
]

HEADER = {
    "immediate_destination": "021000021",
    "immediate_destination_name": "JPMorgan Chase Bank, N.A.",  # 25 characters: cut to 23
    "immediate_origin": "1123456789",
    "immediate_origin_name": "Mended",
    "company_name": "Mended Goods Cooperative",  # cut to 16
    "company_id": "1123456789",
    "company_entry_description": "payroll",
    "effective_date": date(2025, 3, 14),
    "created_at": datetime(2025, 3, 12, 9, 5),
}


def build(entries=EMPLOYEES, **overrides):
    return build_ppd_file(**{**HEADER, **overrides, "entries": entries})


def entry(i, amount=HUNDRED, routing="011000015", **kw):
    return NachaEntry(name=f"Employee {i}", routing=routing, account=f"{1000 + i}", account_type="checking",
                      amount=amount, individual_id=f"E{i}", **kw)


# --- The file, field by field --------------------------------------------------------


def test_every_line_is_94_characters_joined_by_newlines():
    text = build()
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\r" not in text
    lines = text.split("\n")[:-1]
    assert len(lines) == 10
    assert all(len(line) == 94 for line in lines)
    assert [line[0] for line in lines] == ["1", "5", "6", "6", "6", "6", "8", "9", "9", "9"]
    assert text.isascii()


def test_file_header_fields():
    header = read_nacha(build()).header
    assert header == {
        "record_type_code": "1",
        "priority_code": 1,
        "immediate_destination": " 021000021",
        "immediate_origin": "1123456789",
        "file_creation_date": "250312",
        "file_creation_time": "0905",
        "file_id_modifier": "A",
        "record_size": "094",
        "blocking_factor": "10",
        "format_code": "1",
        "immediate_destination_name": "JPMORGAN CHASE BANK, N.",
        "immediate_origin_name": "MENDED".ljust(23),
        "reference_code": " " * 8,
    }


def test_batch_header_fields():
    (batch,) = read_nacha(build(company_descriptive_date="MAR 14")).batches
    assert batch.header == {
        "record_type_code": "5",
        "service_class_code": "220",
        "company_name": "MENDED GOODS COO",
        "company_discretionary_data": " " * 20,
        "company_identification": "1123456789",
        "standard_entry_class_code": "PPD",
        "company_entry_description": "PAYROLL   ",
        "company_descriptive_date": "MAR 14",
        "effective_entry_date": "250314",
        "settlement_date": "   ",
        "originator_status_code": "1",
        "originating_dfi_identification": "02100002",
        "batch_number": 1,
    }


def test_entry_detail_fields():
    (batch,) = read_nacha(build()).batches
    assert batch.entries == [
        {
            "record_type_code": "6",
            "transaction_code": "22",  # checking credit
            "receiving_dfi_identification": "01100001",
            "check_digit": "5",
            "dfi_account_number": "123456789        ",
            "amount": 123456,
            "individual_identification_number": "EMP0001        ",
            "individual_name": "JOSE NUNEZ            ",
            "discretionary_data": "  ",
            "addenda_record_indicator": "0",
            "trace_number": "021000020000001",
        },
        {
            "record_type_code": "6",
            "transaction_code": "32",  # savings credit
            "receiving_dfi_identification": "02100002",
            "check_digit": "1",
            "dfi_account_number": "98765432101234567",
            "amount": 98765,
            "individual_identification_number": "EMP0002        ",
            "individual_name": "BARTHOLOMEW ALEXANDER ",  # 22 characters, cut
            "discretionary_data": "  ",
            "addenda_record_indicator": "0",
            "trace_number": "021000020000002",
        },
        {
            "record_type_code": "6",
            "transaction_code": "23",  # checking prenote
            "receiving_dfi_identification": "12210527",
            "check_digit": "8",
            "dfi_account_number": "5550001          ",
            "amount": 0,
            "individual_identification_number": "EMP0003        ",
            "individual_name": "ZOE LUKASIEWICZ-ANGSTR",
            "discretionary_data": "  ",
            "addenda_record_indicator": "0",
            "trace_number": "021000020000003",
        },
        {
            "record_type_code": "6",
            "transaction_code": "32",
            "receiving_dfi_identification": "01100001",
            "check_digit": "5",
            "dfi_account_number": "0001234          ",  # leading zeros kept: an account is not a number
            "amount": 5000,
            "individual_identification_number": "EMP0004        ",
            "individual_name": "ANA O'BRIEN           ",
            "discretionary_data": "  ",
            "addenda_record_indicator": "0",
            "trace_number": "021000020000004",
        },
    ]


def test_batch_and_file_control_fields():
    parsed = read_nacha(build())
    # Entry hash by hand: the receiving DFI ids (routing without its check digit)
    #   01100001 (Núñez) + 02100002 (Featherstonehaugh) + 12210527 (Łukasiewicz) + 01100001 (O'Brien)
    #   = 1100001 + 2100002 = 3200003; + 12210527 = 15410530; + 1100001 = 16510531
    # Total credit: 123456 + 98765 + 0 + 5000 = 227221 cents ($2,272.21).
    (batch,) = parsed.batches
    assert batch.control == {
        "record_type_code": "8",
        "service_class_code": "220",
        "entry_addenda_count": 4,
        "entry_hash": 16510531,
        "total_debit_entry_dollar_amount": 0,
        "total_credit_entry_dollar_amount": 227221,
        "company_identification": "1123456789",
        "message_authentication_code": " " * 19,
        "reserved": " " * 6,
        "originating_dfi_identification": "02100002",
        "batch_number": 1,
    }
    assert parsed.control == {
        "record_type_code": "9",
        "batch_count": 1,
        "block_count": 1,  # 8 records + 2 filler = one block of 10
        "entry_addenda_count": 4,
        "entry_hash": 16510531,
        "total_debit_entry_dollar_amount": 0,
        "total_credit_entry_dollar_amount": 227221,
        "reserved": " " * 39,
    }
    assert parsed.filler_records == 2
    assert parsed.lines[-2:] == [NINES, NINES]
    # The raw text of the two control records, zero-filled on the right.
    assert parsed.lines[6][4:20] == "0000040016510531"
    assert parsed.lines[6][20:44] == "000000000000000000227221"
    assert parsed.lines[7][:31] == "9000001000001000000040016510531"


def test_savings_prenote_is_33():
    prenote = replace(EMPLOYEES[2], account_type="savings")
    (batch,) = read_nacha(build([prenote])).batches
    assert batch.entries[0]["transaction_code"] == "33"
    assert batch.entries[0]["amount"] == 0


def test_nine_digit_origin_gets_its_leading_space():
    header = read_nacha(build(immediate_origin="021000021")).header
    assert header["immediate_origin"] == " 021000021"


@pytest.mark.parametrize(
    ("count", "lines", "blocks", "filler"),
    [(1, 10, 1, 5), (6, 10, 1, 0), (7, 20, 2, 9), (10, 20, 2, 6), (16, 20, 2, 0), (25, 30, 3, 1)],
)
def test_blocking_and_nine_padding(count, lines, blocks, filler):
    # Records: file header + batch header + entries + batch control + file control = count + 4.
    text = build([entry(i) for i in range(count)])
    parsed = read_nacha(text)
    assert len(parsed.lines) == lines
    assert parsed.control["block_count"] == blocks
    assert parsed.filler_records == filler
    assert parsed.lines[count + 4:] == [NINES] * filler
    assert all(len(line) == 94 for line in parsed.lines)
    assert [e["trace_number"][-7:] for e in parsed.batches[0].entries] == [str(i + 1).zfill(7) for i in range(count)]
    assert parsed.control["total_credit_entry_dollar_amount"] == 10000 * count


def test_entry_hash_keeps_the_last_ten_digits():
    # 999999992 passes the check digit: 3*27 + 7*27 + (9+9+2) = 290. Its DFI id is 99999999.
    # 101 * 99999999 = 10099999899, eleven digits; the hash keeps the rightmost ten: 0099999899.
    parsed = read_nacha(build([entry(i, routing="999999992", amount=D("1")) for i in range(101)]))
    assert parsed.batches[0].control["entry_hash"] == 99999899
    assert parsed.lines[-1 - parsed.filler_records][21:31] == "0099999899"


def test_largest_amount_fits():
    parsed = read_nacha(build([entry(1, amount=D("99999999.99"))]))
    assert parsed.batches[0].entries[0]["amount"] == 9999999999


def test_control_characters_in_a_name_cannot_break_the_file():
    text = build([replace(EMPLOYEES[0], name="Ana\nMaría\t\u200bStraße")])
    parsed = read_nacha(text)
    assert parsed.batches[0].entries[0]["individual_name"] == "ANA MARIA STRASSE".ljust(22)


def test_account_number_stays_out_of_the_repr():
    assert "123456789" not in repr(EMPLOYEES[0])


# --- Bad input is refused -------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"routing": "011000016"}, "not a valid 9-digit ABA routing number"),
        ({"routing": "11000015"}, "not a valid 9-digit ABA routing number"),
        ({"account": "12-3456"}, "must be 4 to 17 digits"),
        ({"account": "ABC12345"}, "must be 4 to 17 digits"),
        ({"account": "123456789012345678"}, "must be 4 to 17 digits"),
        ({"amount": D("-0.01")}, "negative"),
        ({"amount": D("100000000.00")}, "too large"),
        ({"amount": D("1.005")}, "whole number of cents"),
        ({"amount": D("NaN")}, "not a number"),
        ({"amount": D("0")}, "prenote=True"),
        ({"amount": D("5"), "prenote": True}, "prenote carries no money"),
        ({"account_type": "money market"}, "'checking' or 'savings'"),
        ({"name": "李明"}, "no letters"),
        ({"individual_id": "EMPLOYEE-00000001"}, "longer than the 15 characters"),
    ],
)
def test_bad_entries_are_refused(change, message):
    with pytest.raises(ValueError, match=message) as raised:
        build([EMPLOYEES[0], replace(EMPLOYEES[0], **change)])
    assert isinstance(raised.value, NachaError)
    assert "Entry 2" in str(raised.value)


def test_account_number_never_appears_in_an_error():
    with pytest.raises(NachaError) as raised:
        build([replace(EMPLOYEES[0], account="1234567890123456789")])
    assert "1234567890123456789" not in str(raised.value)
    assert "6789" in str(raised.value)


def test_float_amount_is_a_type_error():
    with pytest.raises(TypeError, match="Decimal"):
        build([replace(EMPLOYEES[0], amount=12.5)])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"entries": []}, "at least one entry"),
        ({"immediate_destination": "021000022"}, "Immediate destination"),
        ({"immediate_origin": "12345"}, "Immediate origin must be exactly 10"),
        ({"company_id": "112345678"}, "Company identification must be exactly 10"),
        ({"company_id": "1123456789 "}, "Company identification must be exactly 10"),
        ({"file_id_modifier": "a"}, "File ID modifier"),
        ({"file_id_modifier": "AB"}, "File ID modifier"),
        ({"company_entry_description": "PAYROLL ADVANCE"}, "longer than the 10 characters"),
        ({"company_entry_description": ""}, "description is required"),
        ({"company_name": "  "}, "Company name is required"),
        ({"effective_date": date(2025, 3, 11)}, "before the file's creation date"),
    ],
)
def test_bad_file_settings_are_refused(change, message):
    with pytest.raises(NachaError, match=message):
        build(**change)


def test_total_too_large_for_the_file():
    # 101 entries of $99,999,999.99 = 1,009,999,999,899 cents: thirteen digits.
    with pytest.raises(NachaError, match="12-digit total"):
        build([entry(i, amount=D("99999999.99")) for i in range(101)])


# --- The reader is not a stub: it catches corrupted files -----------------------------


def corrupt(text, lineno, start, value):
    """Overwrite 1-based positions from ``start`` on line ``lineno`` (1-based)."""
    lines = text.split("\n")
    line = lines[lineno - 1]
    lines[lineno - 1] = line[: start - 1] + value + line[start - 1 + len(value):]
    return "\n".join(lines)


def test_reader_accepts_the_good_file():
    read_nacha(build())


@pytest.mark.parametrize(
    ("lineno", "start", "value", "message"),
    [
        (7, 11, "0016510532", "entry hash 16510532 but the receiving DFI ids sum to 16510531"),
        (8, 22, "0016510532", "entry hash 16510532 but the batch hashes sum to 16510531"),
        (7, 5, "000005", "entry/addenda count 5 but the batch has 4"),
        (8, 14, "00000005", "entry/addenda count 5 but the batches count 4"),
        (8, 2, "000002", "batch count 2"),
        (8, 8, "000002", "block count 2 but the file has 1"),
        (7, 33, "000000227222", "total credit 227222 but the entries sum to 227221"),
        (8, 44, "000000227222", "total_credit_entry_dollar_amount 227222"),
        (3, 30, "0000123457", "total credit 227221 but the entries sum to 227222"),
        (3, 12, "6", "check digit should be 5"),
        (3, 2, "27", "transaction code '27' not allowed in service class 220"),
        (5, 30, "0000000001", "prenote"),
        (4, 80, "021000020000001", "not in ascending order"),
        (7, 88, "0000002", "batch_number"),
        (1, 35, "095", "record size"),
        (1, 4, "0", "immediate destination"),
        (9, 1, "8", "filler records"),
        (7, 60, "X", "message_authentication_code"),
        (3, 30, "00001234.6", "not numeric"),
    ],
)
def test_reader_catches_corruption(lineno, start, value, message):
    text = corrupt(build(), lineno, start, value)
    with pytest.raises(NachaReadError, match=message):
        read_nacha(text)


def test_reader_catches_wrong_line_length():
    text = corrupt(build(), 3, 94, "  ")  # 95 characters
    with pytest.raises(NachaReadError, match="line 3: record is 95 characters"):
        read_nacha(text)
    with pytest.raises(NachaReadError, match="line 6: record is 93 characters"):
        read_nacha(build().replace("ANA O'BRIEN ", "ANA O'BRIEN", 1))


def test_reader_catches_bad_padding_and_order():
    lines = build().split("\n")[:-1]
    with pytest.raises(NachaReadError, match="not a whole number of 10-record blocks"):
        read_nacha("\n".join(lines[:-1]) + "\n")
    with pytest.raises(NachaReadError, match="a whole block of filler"):
        read_nacha("\n".join(lines + [NINES] * 10) + "\n")
    with pytest.raises(NachaReadError, match="expected a Batch Control"):
        read_nacha("\n".join(lines[:6] + lines[7:] + [NINES]) + "\n")  # batch control left out
    swapped = lines[:2] + [lines[6]] + lines[2:6] + lines[7:]  # batch control before the entries
    with pytest.raises(NachaReadError, match="line 3: entry/addenda count 4 but the batch has 0 entries"):
        read_nacha("\n".join(swapped) + "\n")
    with pytest.raises(NachaReadError, match="first record must be a File Header"):
        read_nacha("\n".join(lines[1:] + [NINES]) + "\n")
    with pytest.raises(NachaReadError, match="end with a newline"):
        read_nacha("\n".join(lines))


def test_reader_check_digit_matches_known_routing_numbers():
    for routing in ("011000015", "021000021", "122105278", "999999992"):
        assert routing_check_digit(routing[:8]) == int(routing[8])


# --- Property: for any valid entries, the file's totals and hash are the entries' -----

ROUTINGS = st.text("0123456789", min_size=8, max_size=8).map(lambda r: r + str(routing_check_digit(r))).filter(
    lambda r: r != "000000000"
)
ENTRIES = st.lists(
    st.builds(
        NachaEntry,
        name=st.text(min_size=1, max_size=40).filter(lambda s: any(c.isascii() and c.isalnum() for c in s)),
        routing=ROUTINGS,
        account=st.text("0123456789", min_size=4, max_size=17),
        account_type=st.sampled_from(["checking", "savings"]),
        amount=st.integers(1, 10**10 - 1).map(lambda c: (D(c) / 100).quantize(D("0.01"))),
        individual_id=st.text("ABC0123456789", max_size=15),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(entries=ENTRIES)
def test_totals_and_hash_match_the_entries(entries):
    parsed = read_nacha(build(entries))
    cents = sum(int(e.amount * 100) for e in entries)
    dfi_hash = sum(int(e.routing[:8]) for e in entries) % 10**10
    assert parsed.control["total_credit_entry_dollar_amount"] == cents
    assert parsed.control["entry_hash"] == dfi_hash
    assert parsed.control["entry_addenda_count"] == len(entries)
    assert len(parsed.lines) % 10 == 0 and parsed.filler_records < 10
    assert [e["amount"] for e in parsed.batches[0].entries] == [int(e.amount * 100) for e in entries]


# --- payroll.bank ---------------------------------------------------------------------


@pytest.mark.parametrize("routing", ["011000015", "021000021", "122105278", "011401533", "091000019"])
def test_known_routing_numbers_are_valid(routing):
    assert aba_routing_valid(routing)
    validate_routing_number(routing)


@pytest.mark.parametrize(
    "routing",
    ["011000016", "021000022", "122105279", "12210527", "1221052780", "12210527X", " 21000021", "",
     "000000000", "０２１００００２１", "٠٢١٠٠٠٠٢١", None, 21000021],
)
def test_invalid_routing_numbers(routing):
    assert not aba_routing_valid(routing)
    with pytest.raises(ValidationError):
        validate_routing_number(routing)


def test_routing_messages_say_what_is_wrong():
    with pytest.raises(ValidationError, match="exactly 9 digits") as raised:
        validate_routing_number("0210-0002")
    assert raised.value.code == "routing_format"
    with pytest.raises(ValidationError, match="check digit") as raised:
        validate_routing_number("021000022")
    assert raised.value.code == "routing_check_digit"


@pytest.mark.parametrize("account", ["1234", "0001234", "12345678901234567"])
def test_valid_account_numbers(account):
    validate_account_number(account)


@pytest.mark.parametrize("account", ["123", "123456789012345678", "1234-5678", "12 345", "ABCD1234", "", None, 12345])
def test_invalid_account_numbers(account):
    with pytest.raises(ValidationError) as raised:
        validate_account_number(account)
    assert raised.value.messages == ["An account number is 4 to 17 digits, with no spaces, dashes or letters."]


@pytest.mark.parametrize(
    ("value", "keep", "shown"),
    [
        ("123456789", 4, "•••• 6789"),
        ("123-45-6789", 4, "•••• 6789"),  # an SSN
        ("98765432101234567", 4, "•••• 4567"),
        ("12345", 2, "•••• 45"),
        ("1234", 4, "••••"),  # never the whole number
        ("12", 4, "••••"),
        ("123456789", 0, "••••"),
        ("", 4, ""),
        (None, 4, ""),
    ],
)
def test_mask(value, keep, shown):
    assert mask(value, keep) == shown
