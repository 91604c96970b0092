"""Receipts: gap-free yearly numbers, the goods/services disclosure, void + reissue, copies, immutability."""
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from pypdf import PdfReader

from shop.models import Receipt, ReceiptSequence
from shop.models.giving import RECEIPT_CONTENT_FIELDS, ReceiptImmutable
from shop.services.receipts import receipt_correct, receipt_issue, receipt_pdf, receipt_send, receipt_void
from tests.shop.giving.factories import make_paid_donation

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


# -- what the issue asks the receipt to say, case by case ---------------------------------

ORG_SETTINGS = {"NAME": "Mended", "LEGAL_NAME": "Harbor Test Collective, Inc.", "EIN": "98-7654321",
                "ADDRESS": "7 Quay Lane, Tampa, FL 33606"}


@pytest.fixture
def org(settings):
    settings.MENDED_ORG = {**settings.MENDED_ORG, **ORG_SETTINGS}
    settings.FL_SOLICITATION_REGISTRATION = "CH98765"
    return settings.MENDED_ORG


def flat(body: str) -> str:
    """PDF text with its line breaks folded, so a sentence wrapped across lines still matches."""
    return " ".join(body.split())


def test_a_plain_gift_receipt_says_everything_the_irs_and_florida_ask(org, django_capture_on_commit_callbacks):
    from tests.shop.giving.factories import make_donor

    donor = make_donor(email="ruth@example.org", name="Ruth Giver")
    donation = make_paid_donation(donor, "120.00", paid_at=(2026, 3, 14, 12), fund="counselling", receipt=False)
    receipt = receipt_issue(donation.pk)
    assert receipt_send(receipt.pk) is True
    message = mail.outbox[-1]
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == (f"receipt-{receipt.number}.pdf", "application/pdf")
    body = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    for expected in (
        "Harbor Test Collective, Inc.", "7 Quay Lane, Tampa, FL 33606", "EIN 98-7654321",  # from settings
        f"Official donation receipt {receipt.number}", "Donor: Ruth Giver", "1 Main St",
        "Date received March 14, 2026", "Amount received $120.00", "Designation Counselling and mental health",
        "Deductible amount $120.00",
        "No goods or services were provided in exchange for this contribution.",
        "FLORIDA REGISTRATION NO. CH98765.",
        "A COPY OF THE OFFICIAL REGISTRATION AND FINANCIAL INFORMATION MAY BE OBTAINED FROM THE DIVISION OF CONSUMER "
        "SERVICES BY CALLING TOLL-FREE (800-435-7352) WITHIN THE STATE. REGISTRATION DOES NOT IMPLY ENDORSEMENT, "
        "APPROVAL, OR RECOMMENDATION BY THE STATE.",
    ):
        assert expected in body, expected
    assert "limited to the excess" not in body and "Good-faith estimate" not in body
    # The e-mail that carries it.
    assert message.to == ["ruth@example.org"] and receipt.number in message.subject
    for expected in ("Dear Ruth Giver", "$120.00", "counselling and mental health", receipt.number,
                     "Harbor Test Collective, Inc.", "EIN 98-7654321"):
        assert expected in message.body, expected


def test_100_with_a_40_benefit_deducts_60_with_the_quid_pro_quo_statement(org):
    donation = make_paid_donation(amount="100.00", goods_description="One gala ticket (dinner)",
                                  goods_value=Decimal("40.00"))
    receipt = donation.receipts.get()
    assert (receipt.amount, receipt.goods_value, receipt.deductible) == (Decimal("100.00"), Decimal("40.00"), Decimal("60.00"))
    body = flat(text(receipt))
    for expected in ("Amount received $100.00", "Goods or services provided One gala ticket (dinner)",
                     "Good-faith estimate of their value $40.00", "Deductible amount $60.00",
                     "The amount of the contribution that is deductible for federal income tax purposes is limited to "
                     "the excess of the amount contributed over the value of the goods or services provided by "
                     "Harbor Test Collective, Inc."):
        assert expected in body, expected
    assert "No goods or services were provided" not in body


def test_50_with_a_40_benefit_shows_the_deductible_10_but_needs_no_quid_pro_quo_statement(org):
    donation = make_paid_donation(amount="50.00", goods_description="Pop-up shop entry and a tote",
                                  goods_value=Decimal("40.00"))
    receipt = donation.receipts.get()
    assert receipt.deductible == Decimal("10.00")
    body = flat(text(receipt))
    for expected in ("Amount received $50.00", "Goods or services provided Pop-up shop entry and a tote",
                     "Good-faith estimate of their value $40.00", "Deductible amount $10.00",
                     "The deductible amount is $10.00."):
        assert expected in body, expected
    assert "limited to the excess" not in body  # a payment of $75 or less needs no IRC 6115 statement
    assert "No goods or services were provided" not in body  # which would be untrue


@pytest.mark.parametrize("payment, statement", [("75.00", False), ("75.01", True), ("76.00", True)])
def test_the_statement_starts_above_75_dollars_of_payment(org, payment, statement):
    """The rule is about the payment, not the deductible part ($75.01 - $70 = $5.01 still needs it)."""
    receipt = make_paid_donation(amount=payment, goods_description="Dinner", goods_value=Decimal("70.00")).receipts.get()
    assert ("limited to the excess" in flat(text(receipt))) is statement


def test_a_voided_and_reissued_receipt_keeps_the_old_one_as_it_was(org, django_capture_on_commit_callbacks):
    donation = make_paid_donation(amount="80.00", paid_at=(2026, 2, 2, 10))
    old = donation.receipts.get()
    content_before = Receipt.objects.filter(pk=old.pk).values(*RECEIPT_CONTENT_FIELDS).get()
    pdf_before = flat(text(old))
    with django_capture_on_commit_callbacks(execute=True):
        new = receipt_correct(old.pk, donor_name="Dana R. Donor", donor_address="2 Bay St\nTampa FL 33602",
                              reason="Middle initial")
    old.refresh_from_db()
    # The old: void, pointing at its replacement, every printed field unchanged.
    assert old.is_void and old.void_reason == "Corrected: Middle initial" and old.replaced_by == new
    assert Receipt.objects.filter(pk=old.pk).values(*RECEIPT_CONTENT_FIELDS).get() == content_before
    old_pdf = flat(text(old))
    assert old_pdf.startswith("VOID — Corrected: Middle initial")
    assert old_pdf.replace("VOID — Corrected: Middle initial ", "", 1) == pdf_before
    assert "Dana R. Donor" not in old_pdf
    # The new: the next number of the year, the corrected name, the same gift and amount.
    assert new.number == f"2026-{old.sequence + 1:06d}" and not new.is_void
    assert (new.donation_id, new.amount, new.received_on) == (old.donation_id, old.amount, old.received_on)
    new_pdf = flat(text(new))
    assert "Donor: Dana R. Donor" in new_pdf and "VOID" not in new_pdf and new.number in new_pdf
    assert [m.subject for m in mail.outbox] == [f"Your receipt {new.number} from Mended"]
    assert list(donation.receipts.filter(voided_at__isnull=True)) == [new]


def test_a_tribute_gift_shows_the_tribute_on_its_receipt_and_in_the_email():
    gift = make_paid_donation(tribute="memory", tribute_name="Rose Diaz", receipt=False)
    receipt = receipt_issue(gift.pk)
    assert receipt.tribute == "In memory of Rose Diaz"
    assert "Tribute In memory of Rose Diaz" in " ".join(text(receipt).split())
    receipt_send(receipt.pk)
    assert "to general operating, in memory of Rose Diaz." in " ".join(mail.outbox[-1].body.split())
