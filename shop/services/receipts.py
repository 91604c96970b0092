"""Tax receipts: numbered from a gap-free yearly sequence, frozen when issued, never edited.

A correction voids the receipt and issues a new one (a new number); a refund voids it;
a copy sent again is marked COPY. The PDF is drawn from the receipt's own snapshot, so
it reads the same however often it is drawn.
"""
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Spacer, Table, TableStyle

from shop.platform import mail
from shop.platform.audit import audit_record
from shop.platform.documents import paragraph, pdf, text
from shop.platform.errors import DomainError
from shop.models import Donation, Receipt, ReceiptSequence
from shop.platform.money import ZERO
from shop.templatetags.money import usd

NO_GOODS = "No goods or services were provided in exchange for this contribution."
QUID_PRO_QUO = (
    "The amount of the contribution that is deductible for federal income tax purposes is limited to the "
    "excess of the amount contributed over the value of the goods or services provided by {org}."
)
FL_DISCLOSURE = (
    "A COPY OF THE OFFICIAL REGISTRATION AND FINANCIAL INFORMATION MAY BE OBTAINED FROM THE DIVISION OF "
    "CONSUMER SERVICES BY CALLING TOLL-FREE (800-435-7352) WITHIN THE STATE. REGISTRATION DOES NOT IMPLY "
    "ENDORSEMENT, APPROVAL, OR RECOMMENDATION BY THE STATE."
)


# IRC 6115 (IRS Publication 1771): a quid pro quo contribution *in excess of $75* (the
# payment, not the deductible part) needs the written disclosure statement.
QUID_PRO_QUO_OVER = Decimal("75.00")


class ReceiptError(DomainError):
    pass


def quid_pro_quo_statement_required(amount: Decimal, goods_value: Decimal) -> bool:
    """Whether a payment that bought something must carry the IRC 6115 statement: only over $75.

    A smaller payment with goods or services still shows them, their value and the
    deductible amount (the donor needs that to deduct), just not the statement.
    """
    return goods_value > 0 and amount > QUID_PRO_QUO_OVER


def fl_disclosure() -> str:
    """The Florida solicitation disclosure (F.S. 496.411), with the registration number, in capitals."""
    return f"FLORIDA REGISTRATION NO. {settings.FL_SOLICITATION_REGISTRATION}. {FL_DISCLOSURE}".upper()


def _next_number(year: int) -> int:
    """Take the year's next number with its sequence row locked: none skipped, none twice."""
    ReceiptSequence.objects.get_or_create(year=year)
    sequence = ReceiptSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _snapshot(donation: Donation, year: int, number: int) -> Receipt:
    org = settings.MENDED_ORG
    return Receipt.objects.create(
        number=f"{year}-{number:06d}", year=year, sequence=number, donation=donation,
        donor_name=donation.donor_name, donor_address=donation.donor_address, org_legal_name=org["LEGAL_NAME"],
        org_address=org["ADDRESS"], org_ein=org["EIN"], received_on=timezone.localdate(donation.paid_at),
        amount=donation.total, designation=donation.get_fund_display(),
        goods_description=donation.goods_description if donation.goods_value > 0 else "",
        goods_value=donation.goods_value, deductible=max(donation.total - donation.goods_value, ZERO),
        tribute=tribute_line(donation)[:140], fl_registration=settings.FL_SOLICITATION_REGISTRATION, issued_at=timezone.now(),
    )


@transaction.atomic
def receipt_issue(donation_id: int) -> Receipt:
    """The paid gift's receipt, issued now if it has none that is valid. Numbered in the year the gift was received."""
    donation = Donation.objects.select_for_update().get(pk=donation_id)
    existing = donation.receipts.filter(voided_at__isnull=True).first()
    if existing is not None:
        return existing
    if donation.status != Donation.Status.PAID:
        raise ReceiptError(f"Gift {donation.number} is not paid; it gets no receipt.")
    year = timezone.localdate(donation.paid_at).year
    receipt = _snapshot(donation, year, _next_number(year))
    audit_record("receipt.issued", target=receipt, number=receipt.number, donation=donation.number, amount=receipt.amount)
    return receipt


@transaction.atomic
def receipt_void(receipt_id: int, reason: str) -> Receipt:
    receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
    if receipt.voided_at is None:
        Receipt.objects.filter(pk=receipt.pk).update(voided_at=timezone.now(), void_reason=(reason or "Void")[:200])
        receipt.refresh_from_db()
        audit_record("receipt.voided", target=receipt, number=receipt.number, amount=receipt.amount)
    return receipt


@transaction.atomic
def receipt_correct(receipt_id: int, *, donor_name: str, donor_address: str, reason: str) -> Receipt:
    """Correct the donor's name or address: the old receipt is voided, a new one issued with a new number."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
    if receipt.voided_at is not None:
        raise ReceiptError(f"Receipt {receipt.number} is void already.")
    if not donor_name.strip():
        raise ReceiptError("Give the donor's name as it should read.")
    Donation.objects.filter(pk=receipt.donation_id).update(donor_name=donor_name.strip(), donor_address=donor_address.strip())
    receipt_void(receipt.pk, f"Corrected: {reason}" if reason else "Corrected")
    new = receipt_issue(receipt.donation_id)
    Receipt.objects.filter(pk=receipt.pk).update(replaced_by=new)
    audit_record("receipt.corrected", target=receipt, number=receipt.number, replaced_by=new.number)
    from shop.tasks import send_donation_receipt

    transaction.on_commit(lambda: send_donation_receipt.delay(new.pk))
    return new


def tribute_line(donation: Donation) -> str:
    """"In memory of Rose Diaz" (or in honour of), as the receipt prints it; empty if none."""
    if not donation.tribute or not donation.tribute_name:
        return ""
    return f"{donation.get_tribute_display()} {donation.tribute_name}"


def receipt_message(receipt: Receipt, copy: bool = False) -> dict:
    """What the receipt's e-mail says, by what was paid for: a gift gets thanks for the gift; a
    ticket purchase its ticket confirmation; a sponsorship its sponsorship confirmation. The
    receipt PDF is attached to each. Returns ``mail.send`` arguments."""
    from shop.selectors.events import event_purchase

    org = settings.MENDED_ORG
    donation = receipt.donation
    purchase = event_purchase(donation)
    context = {"receipt": receipt, "copy": copy, "org": org}
    prefix = "Copy: " if copy else ""
    if purchase is None:
        tribute = receipt.tribute[:1].lower() + receipt.tribute[1:]
        template, subject = "receipt_gift", f"{'Copy of your' if copy else 'Your'} receipt {receipt.number} from {org['NAME']}"
        context["tribute"] = tribute
    else:
        event = purchase.event
        context.update(event=event, starts=timezone.localtime(event.starts_at), ends=timezone.localtime(event.ends_at))
        if hasattr(purchase, "quantity"):
            template = "receipt_tickets"
            subject = (f"{prefix}Your tickets for {event.title}, {timezone.localtime(event.starts_at):%B %-d, %Y} "
                       f"(receipt {receipt.number})")
            context["ticket"] = purchase
        else:
            template = "receipt_sponsorship"
            subject = f"{prefix}Your {purchase.tier.name} sponsorship of {event.title} (receipt {receipt.number})"
            context.update(sponsorship=purchase,
                           benefits=[line.strip() for line in purchase.tier.benefits.splitlines() if line.strip()])
    return {"to": [donation.donor.email], "subject": subject, "template": f"shop/email/{template}", "context": context,
            "attachments": [(f"receipt-{receipt.number}{'-copy' if copy else ''}.pdf", receipt_pdf(receipt, copy=copy),
                             "application/pdf")]}


def receipt_send(receipt_id: int, copy: bool = False) -> bool:
    """E-mail the receipt as a PDF. The original goes once; each copy asked for is sent, marked COPY."""
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().select_related("donation__donor").get(pk=receipt_id)
        if receipt.voided_at is not None:
            raise ReceiptError(f"Receipt {receipt.number} is void; send its replacement instead.")
        if not copy and receipt.emailed_at is not None:
            return False
        message = receipt_message(receipt, copy=copy)
        mail.send(to=message["to"], subject=message["subject"], template=message["template"],
                  context=message["context"], attachments=message["attachments"])
        if copy:
            Receipt.objects.filter(pk=receipt.pk).update(copies_sent=receipt.copies_sent + 1)
        else:
            Receipt.objects.filter(pk=receipt.pk).update(emailed_at=timezone.now())
    return True


def receipt_issue_and_send(donation_id: int) -> Receipt:
    receipt = receipt_issue(donation_id)
    receipt_send(receipt.pk)
    return receipt


def receipt_pdf(receipt: Receipt, copy: bool = False) -> bytes:
    story = []
    if copy:
        story.append(paragraph("<b>COPY</b> — a copy of the receipt issued on {day}", "Heading2",
                               day=f"{timezone.localtime(receipt.issued_at):%B %-d, %Y}"))
    if receipt.voided_at:
        story.append(paragraph("<b>VOID</b> — {reason}", "Heading2", reason=receipt.void_reason))
    story += [
        paragraph("<b>{org}</b>", "Title", org=receipt.org_legal_name),
        paragraph("{address} · EIN {ein}", address=receipt.org_address, ein=receipt.org_ein),
        text("A tax-exempt organisation under section 501(c)(3) of the Internal Revenue Code."),
        Spacer(1, 12),
        paragraph("Official donation receipt <b>{number}</b>", "Heading2", number=receipt.number),
        paragraph("Donor: <b>{name}</b><br/>{address}", name=receipt.donor_name, address=receipt.donor_address),
        Spacer(1, 10),
    ]
    rows = [
        ["Date received", f"{receipt.received_on:%B %-d, %Y}"],
        ["Amount received", usd(receipt.amount)],
        ["Designation", receipt.designation],
    ]
    if receipt.tribute:
        rows.append(["Tribute", text(receipt.tribute)])
    if receipt.goods_value > 0:
        rows += [
            # A paragraph wraps within its column (a plain string would run off the page).
            ["Goods or services provided", text(receipt.goods_description or "Goods or services")],
            ["Good-faith estimate of their value", usd(receipt.goods_value)],
            ["Deductible amount", usd(receipt.deductible)],
        ]
    else:
        rows.append(["Deductible amount", usd(receipt.deductible)])
    story.append(Table(rows, colWidths=[2.6 * inch, 3.8 * inch], style=TableStyle([
        ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("BOTTOMPADDING", (0, 0), (-1, -1), 5), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.grey)])))
    story.append(Spacer(1, 12))
    if receipt.goods_value > 0:
        statement = (QUID_PRO_QUO.format(org=receipt.org_legal_name.rstrip("."))
                     if quid_pro_quo_statement_required(receipt.amount, receipt.goods_value)
                     else f"The deductible amount is {usd(receipt.deductible)}.")
        story.append(text(f"In exchange for this contribution you received {receipt.goods_description or 'goods or services'} "
                          f"with a good-faith estimated value of {usd(receipt.goods_value)}. " + statement))
    else:
        story.append(text(NO_GOODS))
    story += [
        Spacer(1, 10),
        text("Please keep this receipt for your tax records. Thank you for your generosity.", "Italic"),
        Spacer(1, 16),
        text(f"FLORIDA REGISTRATION NO. {receipt.fl_registration}. {FL_DISCLOSURE}".upper()),
    ]
    title = f"Receipt {receipt.number}" + (" (COPY)" if copy else "") + (" VOID" if receipt.voided_at else "")
    return pdf(story, title=title, author=receipt.org_legal_name)
