"""Receipts: gap-free yearly numbers, the goods/services disclosure, void + reissue, copies, immutability."""
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from pypdf import PdfReader

from shop.models import Receipt, ReceiptSequence
from shop.models.giving import ReceiptImmutable
from shop.services.receipts import receipt_correct, receipt_issue, receipt_pdf, receipt_send, receipt_void
from tests.giving.factories import make_paid_donation

pytestmark = pytest.mark.django_db


def text(receipt, copy=False) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt_pdf(receipt, copy=copy))).pages)


def test_numbers_are_gap_free_per_year_and_restart_each_year():
    made = [make_paid_donation(paid_at=(2025, 12, 31, 12)), make_paid_donation(paid_at=(2026, 1, 1, 9)),
            make_paid_donation(paid_at=(2025, 6, 1, 9)), make_paid_donation(paid_at=(2026, 3, 1, 9)),
            make_paid_donation(paid_at=(2026, 3, 2, 9))]
    receipts = [d.receipts.get() for d in made]
    assert [r.number for r in receipts] == ["2025-000001", "2026-000001", "2025-000002", "2026-000002", "2026-000003"]
    receipt_void(receipts[4].pk, "Refunded")
    again = receipt_issue(made[4].pk)  # a reissue takes the next number; the void one keeps its own
    assert again.number == "2026-000004"
    for year in (2025, 2026):
        sequences = sorted(Receipt.objects.filter(year=year).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))
        assert ReceiptSequence.objects.get(year=year).last_number == len(sequences)


def test_issuing_twice_returns_the_same_receipt():
    donation = make_paid_donation(receipt=False)
    assert receipt_issue(donation.pk) == receipt_issue(donation.pk)
    assert Receipt.objects.count() == 1


def test_a_failed_issue_leaves_no_gap():
    donation = make_paid_donation(paid_at=(2026, 5, 1, 9), receipt=False)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            receipt_issue(donation.pk)
            raise RuntimeError("the worker died before committing")
    assert receipt_issue(donation.pk).number == "2026-000001"


def test_goods_over_75_show_their_value_the_deductible_amount_and_the_statement():
    donation = make_paid_donation(amount="150.00", goods_description="Two gala dinner tickets", goods_value=Decimal("60.00"))
    receipt = donation.receipts.get()
    assert receipt.deductible == Decimal("90.00")
    body = text(receipt)
    for expected in ("Two gala dinner tickets", "$60.00", "$90.00", "$150.00", "Deductible amount",
                     "limited to the", "excess of the amount contributed over the value of the goods or services"):
        assert expected in body, expected
    assert "No goods or services were provided" not in body
    plain = make_paid_donation(amount="150.00").receipts.get()
    assert "No goods or services were provided in exchange for this contribution." in text(plain)
    assert "Good-faith estimate" not in text(plain)


def test_florida_disclosure_in_capitals_with_the_registration_number(settings):
    settings.FL_SOLICITATION_REGISTRATION = "CH12345"
    body = text(make_paid_donation().receipts.get()).replace("\n", " ")
    assert "FLORIDA REGISTRATION NO. CH12345" in body
    assert ("A COPY OF THE OFFICIAL REGISTRATION AND FINANCIAL INFORMATION MAY BE OBTAINED FROM THE DIVISION OF "
            "CONSUMER SERVICES BY CALLING TOLL-FREE (800-435-7352) WITHIN THE STATE.") in body
    assert "REGISTRATION DOES NOT IMPLY ENDORSEMENT, APPROVAL, OR RECOMMENDATION BY THE STATE." in body


def test_an_issued_receipt_is_never_edited():
    receipt = make_paid_donation().receipts.get()
    receipt.donor_name = "Someone Else"
    with pytest.raises(ReceiptImmutable):
        receipt.save()
    with pytest.raises(ReceiptImmutable):
        Receipt.objects.filter(pk=receipt.pk).update(amount=Decimal("1.00"))
    with pytest.raises(ReceiptImmutable):
        Receipt.objects.get(pk=receipt.pk).delete()
    stored = Receipt.objects.get(pk=receipt.pk)
    assert stored.donor_name == "Dana Donor" and stored.amount == Decimal("50.00")
    stored.copies_sent = 2  # what happened afterwards may be recorded
    stored.save()


def test_a_correction_voids_and_reissues(django_capture_on_commit_callbacks):
    donation = make_paid_donation()
    old = donation.receipts.get()
    with django_capture_on_commit_callbacks(execute=True):
        new = receipt_correct(old.pk, donor_name="Dana Q. Donor", donor_address="9 Bay St\nTampa FL 33602", reason="Name")
    old.refresh_from_db()
    assert old.voided_at is not None and old.replaced_by == new and old.donor_name == "Dana Donor"
    assert new.number != old.number and new.sequence == old.sequence + 1 and new.donor_name == "Dana Q. Donor"
    assert "VOID" in text(old) and "Dana Q. Donor" in text(new)
    assert len(mail.outbox) == 1 and new.number in mail.outbox[0].subject
    with pytest.raises(Exception):
        receipt_correct(old.pk, donor_name="x", donor_address="", reason="again")


def test_a_resent_copy_is_marked_copy():
    receipt = make_paid_donation().receipts.get()
    assert receipt_send(receipt.pk) is True and receipt_send(receipt.pk) is False  # the original goes once
    assert receipt_send(receipt.pk, copy=True) is True
    assert len(mail.outbox) == 2
    name, content, _ = mail.outbox[1].attachments[0]
    copy_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert name.endswith("-copy.pdf") and "COPY — a copy of the receipt issued on" in copy_text
    assert "a copy of the receipt issued" not in text(receipt)
    receipt.refresh_from_db()
    assert receipt.copies_sent == 1
