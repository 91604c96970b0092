"""Year-end giving statements for N donors (default 5,000), next to building their PDFs alone.

    python3 dev.py bench statements                 # or: .venv/bin/python -m tests.bench statements
    python -m tests.bench statements --donors 500

Set-up (not measured): the donor, donation, receipt and statement tables are emptied
(TRUNCATE ... CASCADE on PostgreSQL), then N donors with two paid gifts each in 2025
(one with a $40 benefit) are bulk-created. Measured: ``statements_batch`` over the
donors in batches of ``BATCH_SIZE``, in this process, as each Celery task runs it (lock the
statement row, gather the year's gifts, build the PDF, send the e-mail through Django's
in-memory backend, mark it sent). Checked: N e-mails, each donor's statement totals equal
the sum of their gifts; then a second run sends nothing. The baseline is
``statement_pdf`` alone for the same donors (the PDF is most of the work); the ratio is
the whole run's time over the PDFs' time.
"""
from __future__ import annotations

import sys
import time
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

from tests.bench.common import Row, main_for

NAME = "statements"
YEAR = 2025
TABLES = ("shop_yearendstatement", "shop_statementrun", "shop_receipt", "shop_donation", "shop_recurringgift", "shop_donor")


def clear() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        else:
            for table in TABLES:
                cursor.execute(f"DELETE FROM {table}")


def populate(donors: int) -> None:
    from shop.models import Donation, Donor

    made = Donor.objects.bulk_create(
        Donor(email=f"donor{i}@bench.example", name=f"Donor {i}", address_line1=f"{i} Bench St", city="Tampa",
              state="FL", postal_code="33602") for i in range(donors)
    )
    paid = Donation.Status.PAID
    gifts = []
    for n, donor in enumerate(made):
        gifts.append(Donation(donor=donor, donor_name=donor.name, amount=Decimal("25.00"), total=Decimal("25.00"),
                              status=paid, paid_at=datetime(YEAR, 3, 1 + n % 28, 12, tzinfo=dt_timezone.utc)))
        gifts.append(Donation(donor=donor, donor_name=donor.name, amount=Decimal("100.00"), total=Decimal("100.00"),
                              goods_value=Decimal("40.00"), goods_description="Gala ticket: dinner",
                              status=paid, paid_at=datetime(YEAR, 10, 1 + n % 28, 19, tzinfo=dt_timezone.utc)))
    Donation.objects.bulk_create(gifts, batch_size=1000)


def send_all(donor_ids: list[int]) -> tuple[float, int]:
    from shop.models import StatementRun
    from shop.services.statements import BATCH_SIZE, statements_batch

    run = StatementRun.objects.create(year=YEAR, total=len(donor_ids))
    began, sent = time.perf_counter(), 0
    for i in range(0, len(donor_ids), BATCH_SIZE):
        sent += statements_batch(run.pk, donor_ids[i:i + BATCH_SIZE])
    return time.perf_counter() - began, sent


def run(args, where: str) -> Row:
    from django.core import mail
    from django.db.models import Sum
    from django.test.utils import override_settings

    from shop.models import Donation, Donor, YearEndStatement
    from shop.services.statements import _year_gifts, donors_for_year, statement_pdf

    clear()
    populate(args.donors)
    donor_ids = donors_for_year(YEAR)
    assert len(donor_ids) == args.donors, f"{len(donor_ids)} donors with gifts, expected {args.donors}"
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        seconds, sent = send_all(donor_ids)
        assert sent == args.donors == len(mail.outbox), f"sent {sent}, {len(mail.outbox)} e-mails, expected {args.donors}"
        expected = Donation.objects.aggregate(s=Sum("total"))["s"]
        got = YearEndStatement.objects.filter(year=YEAR).aggregate(s=Sum("total"))["s"]
        assert got == expected, f"statements total {got}, gifts {expected}"
        assert YearEndStatement.objects.filter(year=YEAR, deductible=Decimal("85.00")).count() == args.donors
        again, resent = send_all(donor_ids)
        assert resent == 0 and len(mail.outbox) == args.donors, f"the second run sent {resent}"
    print(f"{args.donors} statements in {seconds:.1f} s ({args.donors / seconds:.0f}/s); a second run sent none in {again:.1f} s")
    began = time.perf_counter()
    for donor in Donor.objects.filter(pk__in=donor_ids).iterator():
        statement_pdf(donor, YEAR, _year_gifts(donor.pk, YEAR))
    pdf_seconds = time.perf_counter() - began
    print(f"the same {args.donors} PDFs alone: {pdf_seconds:.1f} s")
    return Row(
        NAME,
        figure=f"{args.donors:,} statements in {seconds:.1f} s ({args.donors / seconds:.0f}/s)",
        baseline=f"their PDFs alone: {pdf_seconds:.1f} s",
        ratio=f"{seconds / pdf_seconds:.2f}",
        note=f"whole run / PDFs; re-run sent 0 in {again:.1f} s; {where}",
    )


def options(parser) -> None:
    parser.add_argument("--donors", type=int, default=5000, help="donors with gifts in the year (default 5,000)")


if __name__ == "__main__":
    sys.exit(main_for(NAME, __doc__.split("\n")[0], options, run))
