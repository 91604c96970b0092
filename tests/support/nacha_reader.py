"""An independent NACHA file reader for the tests, written from the NACHA Operating Rules
(Appendix Three, ACH Record Format Specifications), not from payroll.nacha.

It must not import the writer: a reader that shares the writer's layout would agree with
any mistake the writer makes. Positions below are 1-based and inclusive, as the rules
print them; kinds are "N" (numeric: digits, right-justified, zero-filled, read as int),
"A" (alphanumeric: kept exactly, padding included) and "B" (must be blank).

``read_nacha(text)`` returns a ``NachaFile`` or raises ``NachaReadError`` naming the line
and the rule broken. It reads files with entry records only (no addenda type 7).
"""
from __future__ import annotations

from dataclasses import dataclass, field

RECORD_SIZE = 94

FILE_HEADER = [  # record type 1
    ("record_type_code", 1, 1, "A"),
    ("priority_code", 2, 3, "N"),
    ("immediate_destination", 4, 13, "A"),
    ("immediate_origin", 14, 23, "A"),
    ("file_creation_date", 24, 29, "A"),
    ("file_creation_time", 30, 33, "A"),
    ("file_id_modifier", 34, 34, "A"),
    ("record_size", 35, 37, "A"),
    ("blocking_factor", 38, 39, "A"),
    ("format_code", 40, 40, "A"),
    ("immediate_destination_name", 41, 63, "A"),
    ("immediate_origin_name", 64, 86, "A"),
    ("reference_code", 87, 94, "A"),
]
BATCH_HEADER = [  # record type 5
    ("record_type_code", 1, 1, "A"),
    ("service_class_code", 2, 4, "A"),
    ("company_name", 5, 20, "A"),
    ("company_discretionary_data", 21, 40, "A"),
    ("company_identification", 41, 50, "A"),
    ("standard_entry_class_code", 51, 53, "A"),
    ("company_entry_description", 54, 63, "A"),
    ("company_descriptive_date", 64, 69, "A"),
    ("effective_entry_date", 70, 75, "A"),
    ("settlement_date", 76, 78, "A"),
    ("originator_status_code", 79, 79, "A"),
    ("originating_dfi_identification", 80, 87, "A"),
    ("batch_number", 88, 94, "N"),
]
ENTRY_DETAIL = [  # record type 6, PPD
    ("record_type_code", 1, 1, "A"),
    ("transaction_code", 2, 3, "A"),
    ("receiving_dfi_identification", 4, 11, "A"),
    ("check_digit", 12, 12, "A"),
    ("dfi_account_number", 13, 29, "A"),
    ("amount", 30, 39, "N"),
    ("individual_identification_number", 40, 54, "A"),
    ("individual_name", 55, 76, "A"),
    ("discretionary_data", 77, 78, "A"),
    ("addenda_record_indicator", 79, 79, "A"),
    ("trace_number", 80, 94, "A"),
]
BATCH_CONTROL = [  # record type 8
    ("record_type_code", 1, 1, "A"),
    ("service_class_code", 2, 4, "A"),
    ("entry_addenda_count", 5, 10, "N"),
    ("entry_hash", 11, 20, "N"),
    ("total_debit_entry_dollar_amount", 21, 32, "N"),
    ("total_credit_entry_dollar_amount", 33, 44, "N"),
    ("company_identification", 45, 54, "A"),
    ("message_authentication_code", 55, 73, "B"),
    ("reserved", 74, 79, "B"),
    ("originating_dfi_identification", 80, 87, "A"),
    ("batch_number", 88, 94, "N"),
]
FILE_CONTROL = [  # record type 9
    ("record_type_code", 1, 1, "A"),
    ("batch_count", 2, 7, "N"),
    ("block_count", 8, 13, "N"),
    ("entry_addenda_count", 14, 21, "N"),
    ("entry_hash", 22, 31, "N"),
    ("total_debit_entry_dollar_amount", 32, 43, "N"),
    ("total_credit_entry_dollar_amount", 44, 55, "N"),
    ("reserved", 56, 94, "B"),
]

CREDIT_CODES = {"22": "checking", "23": "checking prenote", "32": "savings", "33": "savings prenote"}
DEBIT_CODES = {"27": "checking", "28": "checking prenote", "37": "savings", "38": "savings prenote"}
PRENOTE_CODES = {"23", "28", "33", "38"}


class NachaReadError(ValueError):
    pass


@dataclass
class Batch:
    header: dict
    entries: list[dict] = field(default_factory=list)
    control: dict | None = None


@dataclass
class NachaFile:
    header: dict
    batches: list[Batch]
    control: dict
    lines: list[str]
    filler_records: int


def routing_check_digit(first_eight: str) -> int:
    """The ABA check digit for eight digits: the digit that makes the 3-7-1 weighted sum end in 0."""
    weights = [3, 7, 1, 3, 7, 1, 3, 7]
    total = 0
    for position in range(8):
        total += weights[position] * "0123456789".index(first_eight[position])
    return (10 - total % 10) % 10


def _layout_is_contiguous(layout):
    expected = 1
    for name, start, end, _kind in layout:
        assert start == expected and end >= start, name
        expected = end + 1
    assert expected == RECORD_SIZE + 1


for _layout in (FILE_HEADER, BATCH_HEADER, ENTRY_DETAIL, BATCH_CONTROL, FILE_CONTROL):
    _layout_is_contiguous(_layout)


def _is_digits(text: str) -> bool:
    return text != "" and all(c in "0123456789" for c in text)


def parse_record(line: str, layout, lineno: int) -> dict:
    record = {}
    for name, start, end, kind in layout:
        raw = line[start - 1:end]
        if kind == "N":
            if not _is_digits(raw):
                raise NachaReadError(f"line {lineno}: {name} {raw!r} (positions {start}-{end}) is not numeric")
            record[name] = int(raw)
        elif kind == "B":
            if raw.strip(" "):
                raise NachaReadError(f"line {lineno}: {name} (positions {start}-{end}) must be blank, is {raw!r}")
            record[name] = raw
        else:
            if any(not (" " <= c <= "~") for c in raw):
                raise NachaReadError(f"line {lineno}: {name} {raw!r} has characters outside printable ASCII")
            record[name] = raw
    return record


def _fail(lineno, message):
    raise NachaReadError(f"line {lineno}: {message}")


def _check_routing(dfi: str, check: str, lineno: int, what: str):
    if len(dfi) != 8 or not _is_digits(dfi) or not _is_digits(check):
        _fail(lineno, f"{what} {dfi!r}+{check!r} is not 8 digits and a check digit")
    if routing_check_digit(dfi) != int(check):
        _fail(lineno, f"{what} {dfi}{check}: check digit should be {routing_check_digit(dfi)}")


def read_nacha(text: str) -> NachaFile:
    if not text.endswith("\n"):
        raise NachaReadError("the file must end with a newline")
    lines = text[:-1].split("\n")
    for lineno, line in enumerate(lines, start=1):
        if len(line) != RECORD_SIZE:
            _fail(lineno, f"record is {len(line)} characters, not {RECORD_SIZE}")
        if "\r" in line:
            _fail(lineno, "carriage return inside a record")

    # File header.
    header = parse_record(lines[0], FILE_HEADER, 1)
    if header["record_type_code"] != "1":
        _fail(1, "the first record must be a File Header (1)")
    if header["priority_code"] != 1:
        _fail(1, f"priority code must be 01, is {header['priority_code']:02d}")
    dest = header["immediate_destination"]
    if dest[0] != " ":
        _fail(1, f"immediate destination {dest!r} must be a blank and a routing number")
    _check_routing(dest[1:9], dest[9], 1, "immediate destination")
    for name in ("file_creation_date", "file_creation_time"):
        if not _is_digits(header[name]):
            _fail(1, f"{name} {header[name]!r} is not numeric")
    if not (1 <= int(header["file_creation_date"][2:4]) <= 12 and 1 <= int(header["file_creation_date"][4:6]) <= 31):
        _fail(1, f"file creation date {header['file_creation_date']} is not YYMMDD")
    if not (int(header["file_creation_time"][:2]) < 24 and int(header["file_creation_time"][2:]) < 60):
        _fail(1, f"file creation time {header['file_creation_time']} is not HHMM")
    if not (header["file_id_modifier"].isascii() and header["file_id_modifier"].isalnum()
            and header["file_id_modifier"] == header["file_id_modifier"].upper()):
        _fail(1, f"file id modifier {header['file_id_modifier']!r} must be A-Z or 0-9")
    if header["record_size"] != "094":
        _fail(1, f"record size must be 094, is {header['record_size']!r}")
    if header["blocking_factor"] != "10":
        _fail(1, f"blocking factor must be 10, is {header['blocking_factor']!r}")
    if header["format_code"] != "1":
        _fail(1, f"format code must be 1, is {header['format_code']!r}")

    # Batches, then the file control record.
    batches: list[Batch] = []
    index = 1
    while index < len(lines) and lines[index][0] == "5":
        lineno = index + 1
        bh = parse_record(lines[index], BATCH_HEADER, lineno)
        if bh["service_class_code"] not in ("200", "220", "225"):
            _fail(lineno, f"service class code {bh['service_class_code']!r} is not 200, 220 or 225")
        if bh["batch_number"] != len(batches) + 1:
            _fail(lineno, f"batch number {bh['batch_number']} out of sequence (expected {len(batches) + 1})")
        if not _is_digits(bh["effective_entry_date"]):
            _fail(lineno, f"effective entry date {bh['effective_entry_date']!r} is not YYMMDD")
        if bh["originator_status_code"] not in ("0", "1", "2"):
            _fail(lineno, f"originator status code {bh['originator_status_code']!r}")
        if not _is_digits(bh["originating_dfi_identification"]):
            _fail(lineno, "originating DFI identification is not 8 digits")
        if not bh["company_identification"].strip():
            _fail(lineno, "company identification is blank")
        batch = Batch(header=bh)
        index += 1
        last_trace = 0
        while index < len(lines) and lines[index][0] == "6":
            lineno = index + 1
            entry = parse_record(lines[index], ENTRY_DETAIL, lineno)
            code = entry["transaction_code"]
            allowed = {"200": {**CREDIT_CODES, **DEBIT_CODES}, "220": CREDIT_CODES, "225": DEBIT_CODES}
            if code not in allowed[bh["service_class_code"]]:
                _fail(lineno, f"transaction code {code!r} not allowed in service class {bh['service_class_code']}")
            _check_routing(entry["receiving_dfi_identification"], entry["check_digit"], lineno, "receiving DFI")
            account = entry["dfi_account_number"]
            if account[0] == " " or not account.strip():
                _fail(lineno, "DFI account number must be left-justified and not blank")
            if code in PRENOTE_CODES and entry["amount"] != 0:
                _fail(lineno, f"prenote (transaction code {code}) with a non-zero amount {entry['amount']}")
            if entry["individual_name"][0] == " " or not entry["individual_name"].strip():
                _fail(lineno, "individual name must be left-justified and not blank")
            if entry["addenda_record_indicator"] != "0":
                _fail(lineno, "addenda records are not supported by this reader")
            trace = entry["trace_number"]
            if not _is_digits(trace):
                _fail(lineno, f"trace number {trace!r} is not numeric")
            if trace[:8] != bh["originating_dfi_identification"]:
                _fail(lineno, f"trace number {trace} does not start with the ODFI {bh['originating_dfi_identification']}")
            if int(trace[8:]) <= last_trace:
                _fail(lineno, f"trace number {trace} is not in ascending order")
            last_trace = int(trace[8:])
            batch.entries.append(entry)
            index += 1
        lineno = index + 1
        if index >= len(lines) or lines[index][0] != "8":
            _fail(lineno, "expected a Batch Control (8) record after the entries")
        bc = parse_record(lines[index], BATCH_CONTROL, lineno)
        for name in ("service_class_code", "company_identification", "originating_dfi_identification", "batch_number"):
            if bc[name] != bh[name]:
                _fail(lineno, f"batch control {name} {bc[name]!r} does not match the batch header {bh[name]!r}")
        if bc["entry_addenda_count"] != len(batch.entries):
            _fail(lineno, f"entry/addenda count {bc['entry_addenda_count']} but the batch has {len(batch.entries)} entries")
        hash_ = sum(int(e["receiving_dfi_identification"]) for e in batch.entries) % 10**10
        if bc["entry_hash"] != hash_:
            _fail(lineno, f"entry hash {bc['entry_hash']} but the receiving DFI ids sum to {hash_}")
        credits = sum(e["amount"] for e in batch.entries if e["transaction_code"] in CREDIT_CODES)
        debits = sum(e["amount"] for e in batch.entries if e["transaction_code"] in DEBIT_CODES)
        if bc["total_credit_entry_dollar_amount"] != credits:
            _fail(lineno, f"total credit {bc['total_credit_entry_dollar_amount']} but the entries sum to {credits}")
        if bc["total_debit_entry_dollar_amount"] != debits:
            _fail(lineno, f"total debit {bc['total_debit_entry_dollar_amount']} but the entries sum to {debits}")
        batch.control = bc
        batches.append(batch)
        index += 1

    lineno = index + 1
    if index >= len(lines) or lines[index][0] != "9" or lines[index] == "9" * RECORD_SIZE:
        found = lines[index][0] if index < len(lines) else "end of file"
        _fail(lineno, f"expected a Batch Header (5) or the File Control (9) record, found {found!r}")
    if not batches:
        _fail(lineno, "the file has no batches")
    fc = parse_record(lines[index], FILE_CONTROL, lineno)
    records = index + 1
    filler = lines[index + 1:]
    for offset, line in enumerate(filler, start=records + 1):
        if line != "9" * RECORD_SIZE:
            _fail(offset, "after the File Control record only filler records of 94 '9's may follow")
    if len(lines) % 10 != 0:
        _fail(len(lines), f"{len(lines)} records is not a whole number of 10-record blocks")
    if len(filler) >= 10:
        _fail(len(lines), f"{len(filler)} filler records: a whole block of filler is not allowed")
    if fc["batch_count"] != len(batches):
        _fail(lineno, f"batch count {fc['batch_count']} but the file has {len(batches)} batches")
    if fc["block_count"] != len(lines) // 10:
        _fail(lineno, f"block count {fc['block_count']} but the file has {len(lines) // 10} blocks")
    entry_count = sum(b.control["entry_addenda_count"] for b in batches)
    if fc["entry_addenda_count"] != entry_count:
        _fail(lineno, f"entry/addenda count {fc['entry_addenda_count']} but the batches count {entry_count}")
    file_hash = sum(b.control["entry_hash"] for b in batches) % 10**10
    if fc["entry_hash"] != file_hash:
        _fail(lineno, f"entry hash {fc['entry_hash']} but the batch hashes sum to {file_hash}")
    for name in ("total_debit_entry_dollar_amount", "total_credit_entry_dollar_amount"):
        total = sum(b.control[name] for b in batches)
        if fc[name] != total:
            _fail(lineno, f"{name} {fc[name]} but the batches sum to {total}")
    return NachaFile(header=header, batches=batches, control=fc, lines=lines, filler_records=len(filler))
