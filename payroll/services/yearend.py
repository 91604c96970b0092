"""Year end: Forms W-2 (Copies B, C, 2 and D), the W-3 transmittal and W-2c corrections, drawn
with the one documents module from the ledger of what was paid (``payroll.selectors.reports.w2_rows``,
the same figures as the W-2 CSV), and the record of the W-2s as issued.

Box titles and copy legends follow Form W-2 and the General Instructions for Forms W-2 and W-3
(IRS). Only boxes a-f, 1-6 and 15-17 are used: no pre-tax deductions or fringe benefits are
offered, so box 12 and box 14 stay empty; Florida has no state income tax, so box 15 carries
the state abbreviation only and boxes 16-17 stay blank.

The SSN (box a): the General Instructions for Forms W-2 and W-3 ("Truncating employee's
identifying number on employee copies") let an employer truncate the SSN on the employee's
copies (B, C and 2) to the last four digits as XXX-XX-1234, never on Copy A (filed with SSA:
that goes through the CSV). We truncate it on every copy we draw, Copy D included: Copy D is
the employer's own record, the full number is in the employee's encrypted record and in the
audited CSV for filing, so no PDF we make carries a full SSN.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle

from payroll.models import Employee, IssuedW2
from payroll.selectors.people import mailing_address_lines
from payroll.selectors.reports import W2Row, w2_rows
from payroll.services.people import audit
from payroll.tax_lines import W2_COLUMNS, W2_LINES
from shop.platform.documents import paragraph, pdf, text
from shop.platform.errors import DomainError
from shop.platform.money import ZERO, quantize
from shop.templatetags.money import usd

# Box titles as printed on Form W-2 (IRS), by box number.
BOX_TITLES = {
    1: "Wages, tips, other compensation", 2: "Federal income tax withheld",
    3: "Social security wages", 4: "Social security tax withheld",
    5: "Medicare wages and tips", 6: "Medicare tax withheld",
}
# column -> box number, from the one list of tax lines
COLUMN_BOX = {c: b for line in W2_LINES for c, b in ((line.w2.wages_column, line.w2.wages_box),
                                                        (line.w2.tax_column, line.w2.tax_box))}
# Copy legends as on Form W-2 (IRS).
COPIES = {
    "B": "Copy B—To Be Filed With Employee's FEDERAL Tax Return.",
    "C": "Copy C—For EMPLOYEE'S RECORDS.",
    "2": "Copy 2—To Be Filed With Employee's State, City, or Local Income Tax Return.",
    "D": "Copy D—For Employer.",
}
EMPLOYEE_COPIES = ("B", "C", "2")


class YearEndError(DomainError):
    pass


def truncated_ssn(ssn: str) -> str:
    digits = "".join(ch for ch in ssn if ch in "0123456789")
    return f"XXX-XX-{digits[-4:]}" if len(digits) >= 4 else "XXX-XX-XXXX"


def _money(value: Decimal) -> str:
    return usd(quantize(value))  # the house's one way to print an amount (with its currency)


def _org_lines() -> list[str]:
    org = settings.MENDED_ORG
    return [org["LEGAL_NAME"], *[part.strip() for part in org["ADDRESS"].split("\n") if part.strip()]]


_BOX_STYLE = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("FONTSIZE", (0, 0), (-1, -1), 8),
])


def _cell(title: str, value: str = ""):
    return paragraph("<font size=6>{title}</font><br/>{value}", title=title, value=value)


def _w2_copy(row: W2Row, year: int, copy: str) -> list:
    employee, boxes = row.employee, row.boxes
    org = settings.MENDED_ORG
    box = {n: _cell(f"{n} {BOX_TITLES[n]}") for n in BOX_TITLES}
    for column, amount in boxes.items():
        n = COLUMN_BOX[column]
        box[n] = _cell(f"{n} {BOX_TITLES[n]}", _money(amount))
    employer = "\n".join(_org_lines())
    address = "\n".join(mailing_address_lines(employee))
    table = Table([
        [_cell("a Employee's social security number", truncated_ssn(employee.ssn)), box[1], box[2]],
        [_cell("b Employer identification number (EIN)", org["EIN"]), box[3], box[4]],
        [_cell("c Employer's name, address, and ZIP code", employer), box[5], box[6]],
        [_cell("d Control number", f"{year}-{employee.pk}"), _cell("12 See instructions for box 12"),
         _cell("14 Other")],
        [_cell("e Employee's name", employee.legal_name), _cell("15 State / Employer's state ID number",
                                                                org.get("STATE", "")),
         _cell("16 State wages, tips, etc.")],
        [_cell("f Employee's address and ZIP code", address), _cell("17 State income tax"), ""],
    ], colWidths=[3.2 * inch, 2 * inch, 2 * inch], style=_BOX_STYLE)
    return [
        paragraph("<b>Form W-2 Wage and Tax Statement {year}</b>", "Heading3", year=year),
        text("Department of the Treasury—Internal Revenue Service"),
        Spacer(1, 6), table, Spacer(1, 6), text(COPIES[copy], "Italic"),
    ]


def _w3(rows: list[W2Row], year: int) -> list:
    totals = w3_totals(rows)
    org = settings.MENDED_ORG
    box = {n: _cell(f"{n} {BOX_TITLES[n]}") for n in BOX_TITLES}
    for column, amount in totals.items():
        n = COLUMN_BOX[column]
        box[n] = _cell(f"{n} {BOX_TITLES[n]}", _money(amount))
    table = Table([
        [_cell("a Control number", f"{year}-W3"), _cell("b Kind of payer / Kind of employer", "941 / 501c non-govt."),
         box[1]],
        [_cell("c Total number of Forms W-2", str(len(rows))), _cell("d Establishment number"), box[2]],
        [_cell("e Employer identification number (EIN)", org["EIN"]), box[3], box[4]],
        [_cell("f Employer's name", org["LEGAL_NAME"]), box[5], box[6]],
        [_cell("g Employer's address and ZIP code", "\n".join(_org_lines()[1:])),
         _cell("15 State / Employer's state ID number", org.get("STATE", "")), _cell("16 State wages, tips, etc.")],
    ], colWidths=[3.2 * inch, 2 * inch, 2 * inch], style=_BOX_STYLE)
    return [paragraph("<b>Form W-3 Transmittal of Wage and Tax Statements {year}</b>", "Heading3", year=year),
            text("Department of the Treasury—Internal Revenue Service"), Spacer(1, 6), table]


def w3_totals(rows: list[W2Row]) -> dict[str, Decimal]:
    """Each box's total over the W-2s: the W-3's boxes, to the cent."""
    return {column: sum((row.boxes[column] for row in rows), ZERO) for column in W2_COLUMNS}


def _w2_pages(rows: list[W2Row], year: int, copies) -> list:
    story = []
    for row in rows:
        for copy in copies:
            if story:
                story.append(PageBreak())
            story += _w2_copy(row, year, copy)
    return story


def employee_w2_pdf(employee: Employee, year: int) -> bytes:
    """The employee's Copies B, C and 2 for the year; an error when nothing was paid to them."""
    rows = [row for row in w2_rows(year) if row.employee.pk == employee.pk]
    if not rows:
        raise YearEndError(f"There is no W-2 for {year}: nothing was paid to you that year.")
    return pdf(_w2_pages(rows, year, EMPLOYEE_COPIES), title=f"Form W-2 {year}", author=settings.MENDED_ORG["LEGAL_NAME"],
               left=0.6 * inch, right=0.6 * inch, top=0.6 * inch)


def all_w2s_pdf(year: int) -> bytes:
    """Every employee's Copies B, C and 2, then the employer's Copy D of each, then the W-3."""
    rows = w2_rows(year)
    if not rows:
        raise YearEndError(f"There are no W-2s for {year}: nobody was paid that year.")
    story = _w2_pages(rows, year, EMPLOYEE_COPIES) + [PageBreak()] + _w2_pages(rows, year, ("D",))
    story += [PageBreak(), *_w3(rows, year)]
    return pdf(story, title=f"Forms W-2 and W-3 {year}", author=settings.MENDED_ORG["LEGAL_NAME"],
               left=0.6 * inch, right=0.6 * inch, top=0.6 * inch)


# -- issued W-2s and corrections -------------------------------------------------------------


def _as_strings(boxes: dict[str, Decimal]) -> dict[str, str]:
    return {column: str(quantize(boxes[column])) for column in W2_COLUMNS}


@dataclass(frozen=True)
class Correction:
    employee: Employee
    previous: dict[str, Decimal]
    correct: dict[str, Decimal]

    @property
    def changed(self) -> list[str]:
        return [c for c in W2_COLUMNS if self.previous.get(c, ZERO) != self.correct.get(c, ZERO)]


def w2_corrections(year: int) -> list[Correction]:
    """W-2s issued for the year whose figures in the ledger differ now (a W-2c is due for each),
    and employees paid in the year whose W-2 was never issued are not corrections (issue them)."""
    issued = {w.employee_id: w for w in IssuedW2.objects.filter(year=year).select_related("employee")}
    current = {row.employee.pk: row for row in w2_rows(year)}
    result = []
    for employee_id, record in issued.items():
        previous = {c: Decimal(record.boxes.get(c, "0")) for c in W2_COLUMNS}
        row = current.get(employee_id)
        correct = row.boxes if row else {c: ZERO for c in W2_COLUMNS}
        correction = Correction(record.employee, previous, {c: quantize(correct[c]) for c in W2_COLUMNS})
        if correction.changed:
            result.append(correction)
    return result


def w2_issue(year: int, actor) -> dict[str, int]:
    """Mark the year's W-2s issued: record each employee's figures as issued. A W-2 already
    issued whose figures changed is recorded with its corrected figures (its W-2c is issued
    with it); one unchanged is left alone. Returns counts; audited."""
    with transaction.atomic():
        rows = w2_rows(year)
        if not rows:
            raise YearEndError(f"There are no W-2s for {year}: nobody was paid that year.")
        corrected = {c.employee.pk for c in w2_corrections(year)}
        issued = set(IssuedW2.objects.filter(year=year).values_list("employee_id", flat=True))
        new = 0
        for row in rows:
            if row.employee.pk not in issued:
                IssuedW2.objects.create(year=year, employee=row.employee, boxes=_as_strings(row.boxes),
                                        issued_by=actor)
                new += 1
            elif row.employee.pk in corrected:
                IssuedW2.objects.filter(year=year, employee=row.employee).update(boxes=_as_strings(row.boxes),
                                                                                 issued_by=actor)
        audit(actor, "w2.issued", None, year=year, issued=new, corrected=len(corrected))
    return {"issued": new, "corrected": len(corrected)}


def w2c_pdf(year: int) -> bytes:
    """Form W-2c for each issued W-2 whose figures changed: previously reported against correct
    information, for the boxes that changed (General Instructions for Forms W-2 and W-3, Form W-2c)."""
    corrections = w2_corrections(year)
    if not corrections:
        raise YearEndError(f"No W-2 for {year} needs a correction: the issued figures match what was paid.")
    org = settings.MENDED_ORG
    story = []
    for correction in corrections:
        employee = correction.employee
        for copy in (*EMPLOYEE_COPIES, "D"):
            if story:
                story.append(PageBreak())
            rows = [[_cell("Box"), _cell("Previously reported"), _cell("Correct information")]]
            for column in correction.changed:
                n = COLUMN_BOX[column]
                rows.append([_cell(f"{n} {BOX_TITLES[n]}"), _cell("", _money(correction.previous[column])),
                             _cell("", _money(correction.correct[column]))])
            head = Table([
                [_cell("a Tax year / Form corrected", f"{year} / W-2"),
                 _cell("b Employer's name, address, and ZIP code", "\n".join(_org_lines()))],
                [_cell("c Employer's Federal EIN", org["EIN"]),
                 _cell("d Employee's correct SSN", truncated_ssn(employee.ssn))],
                [_cell("f Employee's name", employee.legal_name),
                 _cell("i Employee's address and ZIP code", "\n".join(mailing_address_lines(employee)))],
            ], colWidths=[3.1 * inch, 4.1 * inch], style=_BOX_STYLE)
            story += [paragraph("<b>Form W-2c Corrected Wage and Tax Statement</b>", "Heading3"),
                      text("Department of the Treasury—Internal Revenue Service"), Spacer(1, 6), head, Spacer(1, 6),
                      Table(rows, colWidths=[3.1 * inch, 2.05 * inch, 2.05 * inch], style=_BOX_STYLE), Spacer(1, 6),
                      text(COPIES[copy].replace("Copy", "Copy", 1), "Italic")]
    return pdf(story, title=f"Forms W-2c {year}", author=org["LEGAL_NAME"], left=0.6 * inch, right=0.6 * inch,
               top=0.6 * inch)
