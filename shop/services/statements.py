"""Year-end giving statements: one per donor and year, every gift of the year with its
deductible amount, PDF + e-mail. A run sends in batches through Celery and can be run
again: a statement already sent (one row per donor and year) is never sent twice."""
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Spacer, Table, TableStyle

from shop.platform import mail
from shop.platform.audit import audit_record
from shop.platform.documents import paragraph, pdf, text
from shop.platform.errors import DomainError
from shop.models import Donation, Donor, StatementRun, YearEndStatement
from shop.platform.money import ZERO, cents_sum, from_cents
from shop.services.receipts import FL_DISCLOSURE, NO_GOODS
from shop.templatetags.money import usd

BATCH_SIZE = 50


def _year_gifts(donor_id: int, year: int):
    return list(
        Donation.objects.filter(donor_id=donor_id, status=Donation.Status.PAID, paid_at__year=year)
        .prefetch_related("receipts").order_by("paid_at", "id")
    )


def donors_for_year(year: int) -> list[int]:
    return sorted(set(Donation.objects.filter(status=Donation.Status.PAID, paid_at__year=year).values_list("donor_id", flat=True)))


class StatementError(DomainError):
    pass


SAMPLE_SIZE = 5


def year_check(year: int, today=None) -> None:
    """Statements go out only for a year that has ended: until December 31 more gifts can arrive,
    and a statement already sent is never sent again, so they would never reach the donor."""
    today = today or timezone.localdate()
    if year >= today.year:
        raise StatementError(f"{year} has not ended yet. Gifts can still arrive until December 31, and they would be "
                             f"missing from statements sent now. Statements for {year} can be sent from January 1, {year + 1}.")


@dataclass(frozen=True)
class StatementPreview:
    year: int
    donors: int  # donors with a paid gift that year
    to_send: int  # of them, those whose statement has not been sent yet
    sample: list  # up to SAMPLE_SIZE (name, e-mail, gifts, total) of the statements about to go


def statements_preview(year: int) -> StatementPreview:
    """What a run for ``year`` would send, for the staff to check before confirming. Writes nothing."""
    year_check(year)
    donor_ids = donors_for_year(year)
    sent = set(YearEndStatement.objects.filter(year=year, sent_at__isnull=False).values_list("donor_id", flat=True))
    unsent = [d for d in donor_ids if d not in sent]
    sample_ids = unsent[:SAMPLE_SIZE]
    rows = (Donation.objects.filter(donor_id__in=sample_ids, status=Donation.Status.PAID, paid_at__year=year)
            .values("donor_id").annotate(n=Count("id"), cents=cents_sum("total")))
    by_donor = {r["donor_id"]: (r["n"], from_cents(int(r["cents"] or 0))) for r in rows}
    donors = Donor.objects.in_bulk(sample_ids)
    sample = [(donors[d].name, donors[d].email, *by_donor.get(d, (0, ZERO))) for d in sample_ids]
    return StatementPreview(year, len(donor_ids), len(unsent), sample)


def statements_start(year: int, actor=None) -> StatementRun:
    """Start a run for ``year`` (an ended year only): every donor with a paid gift that year, in
    batches of ``BATCH_SIZE``. Recorded in the audit trail with who started it."""
    from shop.tasks import send_year_end_statement_batch

    year_check(year)
    donor_ids = donors_for_year(year)
    with transaction.atomic():
        run = StatementRun.objects.create(year=year, total=len(donor_ids), started_by=actor)
        audit_record("statements.run_started", actor=actor, target=run, year=year, donors=len(donor_ids))
        if not donor_ids:
            StatementRun.objects.filter(pk=run.pk).update(status=StatementRun.Status.DONE, finished_at=timezone.now())
            run.refresh_from_db()
            return run
        batches = [donor_ids[i:i + BATCH_SIZE] for i in range(0, len(donor_ids), BATCH_SIZE)]
        transaction.on_commit(lambda: [send_year_end_statement_batch.delay(run.pk, batch) for batch in batches])
    return run


def statements_batch(run_id: int, donor_ids: list[int]) -> int:
    """Send each donor's statement (unless sent already); count progress. Returns how many were sent now."""
    run = StatementRun.objects.get(pk=run_id)
    already = set(YearEndStatement.objects.filter(donor_id__in=donor_ids, year=run.year, sent_at__isnull=False)
                  .values_list("donor_id", flat=True))
    sent = sum(statement_send(donor_id, run.year) for donor_id in donor_ids if donor_id not in already)
    StatementRun.objects.filter(pk=run.pk).update(sent=F("sent") + sent, done=F("done") + len(donor_ids))
    StatementRun.objects.filter(pk=run.pk, done__gte=F("total"), status=StatementRun.Status.RUNNING).update(
        status=StatementRun.Status.DONE, finished_at=timezone.now()
    )
    return sent


def statement_send(donor_id: int, year: int) -> bool:
    """One donor's statement for the year, e-mailed once: the row (unique per donor and year) is locked while sending."""
    YearEndStatement.objects.get_or_create(donor_id=donor_id, year=year)
    with transaction.atomic():
        statement = YearEndStatement.objects.select_for_update().select_related("donor").get(donor_id=donor_id, year=year)
        if statement.sent_at is not None:
            return False
        gifts = _year_gifts(donor_id, year)
        if not gifts:
            return False
        statement.gifts = len(gifts)
        statement.total = sum((g.total for g in gifts), ZERO)
        statement.deductible = sum((g.deductible for g in gifts), ZERO)
        mail.send(
            to=[statement.donor.email], subject=f"Your {year} giving statement from {settings.MENDED_ORG['NAME']}",
            template="shop/email/giving_statement",
            context={"statement": statement, "donor": statement.donor, "year": year, "count": len(gifts)},
            attachments=[(f"giving-statement-{year}.pdf", statement_pdf(statement.donor, year, gifts), "application/pdf")],
        )
        statement.sent_at = timezone.now()
        statement.save(update_fields=["gifts", "total", "deductible", "sent_at"])
    return True


def statement_pdf(donor: Donor, year: int, gifts: list[Donation]) -> bytes:
    org = settings.MENDED_ORG
    rows = [["Date", "Receipt", "Designation", "Amount", "Deductible"]]
    for gift in gifts:
        receipt = next((r for r in gift.receipts.all() if r.voided_at is None), None)
        rows.append([f"{timezone.localdate(gift.paid_at):%b %-d, %Y}", receipt.number if receipt else "–",
                     gift.get_fund_display(), usd(gift.total), usd(gift.deductible)])
    rows.append(["", "", "Total", usd(sum((g.total for g in gifts), ZERO)), usd(sum((g.deductible for g in gifts), ZERO))])
    goods = [g for g in gifts if g.goods_value > 0]
    story = [
        paragraph("<b>{org}</b>", "Title", org=org["LEGAL_NAME"]),
        paragraph("{address} · EIN {ein}", address=org["ADDRESS"], ein=org["EIN"]),
        Spacer(1, 10),
        paragraph("Giving statement for {year}: <b>{name}</b><br/>{address}", "Heading2", year=year, name=donor.name,
                  address=donor.address),
        Spacer(1, 8),
        Table(rows, colWidths=[1.1 * inch, 1.2 * inch, 2.2 * inch, 0.9 * inch, 0.9 * inch], style=TableStyle([
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.grey), ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.grey),
            ("ALIGN", (3, 0), (-1, -1), "RIGHT")])),
        Spacer(1, 10),
    ]
    if goods:
        for gift in goods:
            story.append(text(
                f"Gift {gift.number}: you received {gift.goods_description or 'goods or services'}, "
                f"good-faith estimated value {usd(gift.goods_value)}; the deductible amount is limited to the excess "
                "of your payment over that value."))
        story.append(text("For the other gifts: " + NO_GOODS))
    else:
        story.append(text(NO_GOODS))
    story += [Spacer(1, 14), text(f"FLORIDA REGISTRATION NO. {settings.FL_SOLICITATION_REGISTRATION}. {FL_DISCLOSURE}")]
    return pdf(story, title=f"{year} giving statement", author=org["LEGAL_NAME"])
