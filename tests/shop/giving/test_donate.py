"""One-time gifts end to end: the donate page, localstripe, a signed webhook, the receipt."""
import io
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from payroll.models import JournalEntry, Posting
from payroll.services.reconcile import wage_fund_reconcile
from shop.models import Donation, Receipt, StripeEvent
from shop.platform.money import to_cents
from shop.services.donations import donation_confirm, donation_refund, donation_start, gift_token
from tests.shop.giving.conftest import details
from tests.shop.giving.factories import make_paid_donation
from tests.support.stripe_helpers import card, event

pytestmark = pytest.mark.django_db

FORM = {"preset": "other", "other_amount": "40.00", "frequency": "once", "fund": "general", "name": "Dana Donor",
        "email": "Dana@Example.org", "address_line1": "1 Main St", "city": "Tampa", "state": "FL", "postal_code": "33602"}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_donate_page_shows_presets_funds_fees_and_the_florida_disclosure(client):
    html = client.get(reverse("shop:donate")).content.decode()
    for text in ("$25", "$250", "Other amount", "Monthly", "Survivor wages and job training", "Care management",
                 "Counselling and mental health", "General operating", "In memory of", "Keep my name off public pages",
                 "1.06 on $25.00", "DIVISION OF CONSUMER SERVICES", "CH00000"):
        assert text in html, text


@pytest.mark.parametrize("change, field", [
    ({"preset": "other", "other_amount": ""}, "other_amount"),
    ({"preset": "other", "other_amount": "0.50"}, "other_amount"),
    ({"preset": "other", "other_amount": "abc"}, "other_amount"),
    ({"preset": "13"}, "preset"),
    ({"fund": "survivor:Maria"}, "fund"),  # no way to give to a named survivor
    ({"email": "not-an-email"}, "email"),
    ({"tribute": "memory", "tribute_name": ""}, "tribute_name"),
    ({"postal_code": "ABCDE"}, "postal_code"),
])
def test_bad_input_gets_form_errors_and_400(client, change, field):
    response = client.post(reverse("shop:donate"), {**FORM, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Donation.objects.exists()


def test_one_time_gift_end_to_end(client, localstripe_server, deliver):
    earlier = make_paid_donation()  # takes this year's first receipt number
    response = client.post(reverse("shop:donate"), {**FORM, "cover_fees": "on", "tribute": "honour", "tribute_name": "Grandma Rose",
                                                    "tribute_notify_email": "rose@example.org"})
    assert response.status_code == 302
    donation = Donation.objects.exclude(pk=earlier.pk).get()
    assert (donation.amount, donation.fee_covered, donation.total) == (Decimal("40.00"), Decimal("1.50"), Decimal("41.50"))  # 41.50 - (1.2035 + 0.30 -> 1.50)
    assert donation.donor.email == "dana@example.org"
    pay_page = client.get(response.url)
    assert pay_page.status_code == 200
    html = pay_page.content.decode()
    assert "$41.50" in html and "$1.50" in html and "shop/js/pay.js" in html and 'data-setup-url="/donate/pay/' in html
    assert client.post(response.url + "setup/").json()["client_secret"].startswith("seti_")
    confirm = client.post(response.url + "confirm/", {"payment_method": card()}, content_type="application/json")
    assert confirm.status_code == 200 and confirm.json()["status"] == "succeeded"
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PENDING  # the browser's word marks nothing paid
    intent = stripe.PaymentIntent.retrieve(donation.stripe_payment_intent_id)
    assert intent.status == "succeeded" and intent.amount == to_cents(donation.total)

    body = event("payment_intent.succeeded", {"id": donation.stripe_payment_intent_id, "object": "payment_intent"})
    deliver(body)
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PAID and donation.paid_at is not None
    receipt = donation.receipts.get()
    first = earlier.receipts.get()
    assert receipt.year == first.year and receipt.sequence == first.sequence + 1
    assert receipt.number == f"{receipt.year}-{first.sequence + 1:06d}"
    receipt_mail = [m for m in mail.outbox if receipt.number in m.subject]
    assert len(receipt_mail) == 1 and receipt_mail[0].to == ["dana@example.org"]
    name, content, mimetype = receipt_mail[0].attachments[0]
    assert mimetype == "application/pdf" and name == f"receipt-{receipt.number}.pdf"
    text = pdf_text(content)
    for expected in ("Mended Threads Collective, Inc.", "EIN 12-3456789", "100 Harbor Street", "Dana Donor", "$41.50",
                     "General operating", "No goods or services were provided in exchange for this contribution.",
                     "CH00000", "800-435-7352", "REGISTRATION DOES NOT IMPLY"):
        assert expected in text, expected
    tribute = [m for m in mail.outbox if m.to == ["rose@example.org"]]
    assert len(tribute) == 1 and "in honour of Grandma Rose" in tribute[0].subject and "41.50" not in tribute[0].body

    # A replayed webhook, and the same fact in a new event, change nothing.
    sent, paid_at = len(mail.outbox), donation.paid_at
    deliver(body)
    deliver(event("payment_intent.succeeded", {"id": donation.stripe_payment_intent_id}))
    donation.refresh_from_db()
    assert donation.paid_at == paid_at and Receipt.objects.filter(donation=donation).count() == 1
    assert len(mail.outbox) == sent and StripeEvent.objects.filter(stripe_id=body["id"]).count() == 1
    assert "has been received" in client.get(reverse("shop:donate_thanks", args=[gift_token(donation)])).content.decode()


def test_a_declined_card_is_a_clear_402_and_nothing_is_paid(client, localstripe_server):
    donation = donation_start(details())
    response = client.post(reverse("shop:donate_pay_confirm", args=[gift_token(donation)]), {"payment_method": "tok_x"},
                           content_type="application/json")
    assert response.status_code == 402
    assert client.post(reverse("shop:donate_pay_confirm", args=[gift_token(donation)]), b"nonsense",
                       content_type="application/json").status_code == 400
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PENDING


def test_the_thanks_page_asks_stripe_itself(client, localstripe_server):
    """Without the webhook, the thanks page's server-side retrieval of the PaymentIntent confirms the gift."""
    donation = donation_start(details(amount="12.00"))
    donation_confirm(donation, card())
    page = client.get(reverse("shop:donate_thanks", args=[gift_token(donation)]))
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PAID and "has been received" in page.content.decode()


def test_designated_gift_credits_the_wage_fund_once_and_a_refund_reverses(client, localstripe_server, deliver,
                                                                          django_capture_on_commit_callbacks):
    donation = donation_start(details(amount="75.00", fund="wages", cover_fees=True))
    donation_confirm(donation, card())
    for _ in range(2):
        deliver(event("payment_intent.succeeded", {"id": donation.stripe_payment_intent_id}))
    entries = JournalEntry.objects.filter(source_type="donation")
    assert entries.count() == 1 and entries.get().idempotency_key == f"donation:{donation.pk}:credit"
    fund = Posting.objects.get(entry=entries.get(), account__code="wage_fund")
    assert fund.amount == Decimal("-75.00")  # the gift the organisation nets, not the covered fee
    # payroll's sweeper and a re-announcement post nothing more
    from payroll.services.wage_fund import donations_unposted, wage_fund_credit_donation

    assert wage_fund_credit_donation(donation.pk) is False and donations_unposted() == ([], [])
    assert wage_fund_reconcile().ok

    with django_capture_on_commit_callbacks(execute=True):
        donation_refund(donation.pk, "Donor asked")
    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    assert donation.receipts.get().voided_at is not None
    reversal = JournalEntry.objects.get(source_type="donation_refund")
    assert reversal.idempotency_key == f"donation:{donation.pk}:reversal"
    assert sum(p.amount for p in Posting.objects.filter(account__code="wage_fund", entry__source_type__startswith="donation")) == 0
    assert wage_fund_reconcile().ok


def test_undesignated_gifts_are_not_posted_to_the_wage_fund(localstripe_server, deliver):
    donation = donation_start(details(fund="counselling"))
    donation_confirm(donation, card())
    deliver(event("payment_intent.succeeded", {"id": donation.stripe_payment_intent_id}))
    donation.refresh_from_db()
    assert donation.is_paid and not JournalEntry.objects.filter(source_type="donation").exists()
