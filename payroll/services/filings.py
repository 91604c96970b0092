"""Filings' state changes: the organisation's payroll tax settings and the federal tax
deposits staff record as made (through EFTPS, outside the product). Each is audited."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Spacer, Table, TableStyle

from payroll.models import Employee, PayrollSetting, TaxDeposit
from payroll.selectors.filings import RT6, Form940, deposits, form_940_rows, form_941_rows, quarter_span, rt6_rows
from shop.platform.audit import audit_record
from shop.platform.documents import paragraph, pdf, text
from shop.platform.errors import DomainError
from shop.templatetags.money import usd

MAX_REEMPLOYMENT_RATE = Decimal("0.054")  # Florida Statutes 443.131(3)(h): the maximum rate is 5.4%


class FilingError(DomainError):
    pass


@transaction.atomic
def deposit_record(actor, *, liability_start: date, liability_end: date, paid_on: date, confirmation: str) -> TaxDeposit:
    """Record that the deposit for one liability period (as the deposit schedule lists it) was
    made on ``paid_on`` with EFTPS acknowledgement number ``confirmation``."""
    confirmation = re.sub(r"[\s-]", "", confirmation or "")
    if not re.fullmatch(r"[0-9]{15}", confirmation):  # ASCII digits: \d takes "٣" too
        raise FilingError("The EFTPS confirmation (acknowledgement) number is 15 digits.")
    if paid_on > timezone.localdate():
        raise FilingError("The date paid cannot be in the future.")
    due = next((d for d in deposits(liability_start.year)
                if (d.liability.start, d.liability.end) == (liability_start, liability_end)), None)
    if due is None:
        raise FilingError("There is no deposit due for those pay dates; reload the deposits list.")
    if due.paid:
        raise FilingError(f"This deposit was already recorded as paid on {due.deposit.paid_on:%b %-d, %Y}.")
    if paid_on < liability_start:
        raise FilingError("A deposit cannot be paid before the wages it is for.")
    try:
        with transaction.atomic():
            deposit = TaxDeposit.objects.create(
                liability_start=liability_start, liability_end=liability_end, due=due.liability.due,
                amount=due.liability.amount, paid_on=paid_on, confirmation=confirmation, recorded_by=actor,
            )
    except IntegrityError:
        raise FilingError("This deposit was already recorded as paid.") from None
    audit_record("tax_deposit.recorded", actor=actor, target=deposit, amount=deposit.amount, due=deposit.due,
                 paid_on=paid_on, late=paid_on > deposit.due)
    return deposit


@transaction.atomic
def payroll_setting_add(actor, *, effective_from: date, section_501c3: bool, reemployment_tax_rate,
                        reimbursing_employer: bool, note: str = "") -> PayrollSetting:
    """Add the organisation's payroll tax settings from ``effective_from`` (a row per change)."""
    try:
        rate = Decimal(str(reemployment_tax_rate))
    except (InvalidOperation, ValueError):
        raise FilingError("The reemployment tax rate is a fraction, like 0.027 for 2.7%.") from None
    if isinstance(reemployment_tax_rate, float) or not rate.is_finite() or not (0 <= rate <= MAX_REEMPLOYMENT_RATE):
        raise FilingError("The reemployment tax rate is a fraction between 0 and 0.054 (5.4%), like 0.027.")
    if rate != rate.quantize(Decimal("0.00001")):
        raise FilingError("The reemployment tax rate has at most five decimal places.")
    if PayrollSetting.objects.filter(effective_from=effective_from).exists():
        raise FilingError(f"There are already settings from {effective_from:%b %-d, %Y}; add a row with another date.")
    row = PayrollSetting.objects.create(
        effective_from=effective_from, section_501c3=bool(section_501c3), reemployment_tax_rate=rate,
        reimbursing_employer=bool(reimbursing_employer), note=(note or "")[:200], created_by=actor,
    )
    audit_record("payroll_setting.added", actor=actor, target=row, effective_from=effective_from,
                 section_501c3=row.section_501c3, reemployment_tax_rate=rate, reimbursing_employer=row.reimbursing_employer)
    return row


_WORKSHEET_STYLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
    ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.lightgrey),
    ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])


def _cells(value):
    return usd(value) if isinstance(value, Decimal) else value


def _worksheet(title: str, heading: str, lines: list[str], rows, notes: list[str], *, extra: list | None = None) -> list:
    """A worksheet's story: the organisation, what it covers, the form's (line, description,
    amount) rows as a table, then notes (and ``extra`` flowables, e.g. a wage listing)."""
    org = settings.MENDED_ORG
    story = [
        paragraph("<b>{title}</b> · {heading}", "Title", title=title, heading=heading),
        paragraph("{org} · EIN {ein}", org=org["LEGAL_NAME"], ein=org["EIN"]),
        *[text(line) for line in lines],
        Spacer(1, 10),
    ]
    table = [["Line", "Description", "Amount"]]
    table += [[line, paragraph("{d}", d=description), _cells(value)] for line, description, value in rows]
    story.append(Table(table, colWidths=[1.1 * inch, 4.3 * inch, 1.4 * inch], style=_WORKSHEET_STYLE, repeatRows=1))
    story.append(Spacer(1, 8))
    story += [text(note) for note in notes]
    story += extra or []
    return story


def form_941_pdf(form) -> bytes:
    """A worksheet that mirrors Form 941's lines for the quarter (and Part 2 line 16 or
    Schedule B), to copy into the filing software or onto the IRS form; not the IRS form itself."""
    notes = []
    if form.may_pay_with_return:
        notes.append("Line 12 is under $2,500: the tax may be paid with the return (Pub 15, section 11).")
    notes.append("Total liability for the quarter equals line 12.")
    story = _worksheet("Form 941 worksheet", f"quarter {form.quarter} of {form.year}",
                       [f"Pay dates {form.start:%b %-d} to {form.end:%b %-d, %Y}, from approved and paid pay runs."],
                       form_941_rows(form), notes)
    return pdf(story, title=f"Form 941 {form.year} Q{form.quarter}", author=settings.MENDED_ORG["LEGAL_NAME"])


def rt6_wage_listing(report: RT6) -> list[tuple[str, str, Decimal, Decimal]]:
    """The RT-6 employee wage listing (the form's page 2): (legal name, SSN as last four,
    gross wages, taxable wages) for each employee paid in the quarter, by name (one query).
    It names people: payroll staff only. The SSN is truncated as on the W-2s; the full number
    is revealed on the employee's page (audited) when the state's return is keyed in."""
    from payroll.services.yearend import truncated_ssn

    people = Employee.objects.in_bulk([pk for pk, _, _ in report.employees])
    rows = [(people[pk].legal_name, truncated_ssn(people[pk].ssn), gross, taxable)
            for pk, gross, taxable in report.employees if pk in people]
    return sorted(rows, key=lambda row: row[0].casefold())


def rt6_pdf(report: RT6, tax_name: str) -> bytes:
    """Florida RT-6 (Employer's Quarterly Report) worksheet: the summary lines and the employee
    wage listing, to key into the Florida Department of Revenue's reemployment tax file and
    pay site; not the state's form itself."""
    listing = [["Employee", "SSN", "Gross wages", "Taxable wages"]]
    listing += [[name, ssn, usd(gross), usd(taxable)] for name, ssn, gross, taxable in rt6_wage_listing(report)]
    style = TableStyle([*_WORKSHEET_STYLE.getCommands(), ("ALIGN", (2, 0), (-1, -1), "RIGHT")])
    extra = [Spacer(1, 12), paragraph("<b>Employee wage listing</b>"), Spacer(1, 4),
             Table(listing, colWidths=[2.8 * inch, 1.2 * inch, 1.4 * inch, 1.4 * inch], style=style, repeatRows=1)]
    notes = ["The full SSNs the state's return needs are on each employee's page (Reveal, recorded in the audit trail)."]
    if report.reimbursing:
        notes.insert(0, "The organisation elected to reimburse benefits paid: this is the wage report, with no tax.")
    start, end = quarter_span(report.year, report.quarter)
    story = _worksheet(f"{tax_name}: RT-6 worksheet", f"quarter {report.quarter} of {report.year}",
                       [f"Wages paid {start:%b %-d} to {end:%b %-d, %Y}, from approved and paid pay runs."],
                       rt6_rows(report), notes, extra=extra)
    return pdf(story, title=f"RT-6 {report.year} Q{report.quarter}", author=settings.MENDED_ORG["LEGAL_NAME"])


def form_940_pdf(form: Form940) -> bytes:
    """Form 940 (FUTA) worksheet for the year, Parts 2 and 5; only for an organisation that is
    not a 501(c)(3) (a 501(c)(3) files no Form 940)."""
    story = _worksheet("Form 940 worksheet", f"{form.year}",
                       [f"Wages paid Jan 1 to Dec 31, {form.year}, from approved and paid pay runs; FUTA on the "
                        "first $7,000 paid to each employee (Form 940 instructions, Part 2)."],
                       form_940_rows(form),
                       ["Line 17 (the quarters' liabilities) equals line 8. Deposit FUTA tax once a quarter's "
                        "liability, with any carried over, is more than $500 (Form 940 instructions, Part 5)."])
    return pdf(story, title=f"Form 940 {form.year}", author=settings.MENDED_ORG["LEGAL_NAME"])
