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

from payroll.models import PayrollSetting, TaxDeposit
from payroll.selectors.filings import deposits, form_941_rows
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


def form_941_pdf(form) -> bytes:
    """A worksheet that mirrors Form 941's lines for the quarter (and Part 2 line 16 or
    Schedule B), to copy into the filing software or onto the IRS form; not the IRS form itself."""
    org = settings.MENDED_ORG
    story = [
        paragraph("<b>Form 941 worksheet</b> · quarter {q} of {year}", "Title", q=form.quarter, year=form.year),
        paragraph("{org} · EIN {ein}", org=org["LEGAL_NAME"], ein=org["EIN"]),
        text(f"Pay dates {form.start:%b %-d} to {form.end:%b %-d, %Y}, from approved and paid pay runs."),
        Spacer(1, 10),
    ]
    rows = [["Line", "Description", "Amount"]]
    for line, description, value in form_941_rows(form):
        if isinstance(value, Decimal):
            value = usd(value)
        rows.append([line, paragraph("{d}", d=description), value])
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.lightgrey),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ])
    story.append(Table(rows, colWidths=[1.1 * inch, 4.3 * inch, 1.4 * inch], style=style, repeatRows=1))
    story.append(Spacer(1, 8))
    if form.may_pay_with_return:
        story.append(text("Line 12 is under $2,500: the tax may be paid with the return (Pub 15, section 11)."))
    story.append(text("Total liability for the quarter equals line 12."))
    return pdf(story, title=f"Form 941 {form.year} Q{form.quarter}", author=org["LEGAL_NAME"])
