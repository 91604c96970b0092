"""The invoice a finance team can pay (issue 22): the client's PO number from the order form,
remit-to and ACH details from settings, terms and due date, and a "pay by card" link that
works without an account."""
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail as outbox
from django.urls import reverse
from pypdf import PdfReader

from shop.models import BoxSize, GiftDesign, GiftOrder, Invoice, Organisation, Payment
from shop.services.gifts.documents import invoice_pdf
from shop.services.gifts.orders import (
    GiftOrderError,
    gift_order_payment_sync,
    gift_order_place,
    invoice_pay_link,
    invoice_send,
    invoice_token,
    proof_review,
    proof_upload,
)
from shop.services.gifts.quote import design_set_item
from tests.shop.test_gift_pages import BULK_FORM, member_of
from tests.support.factories import ProductFactory, VariantFactory, bulk_address, proof_file, proof_image

pytestmark = pytest.mark.django_db
PAY = {"REMIT_TO": "Mended Demo Inc., Lockbox 4471, Tampa, FL 33602", "BANK_NAME": "Demo Bank of Nowhere",
       "ACH_ROUTING": "000000000", "ACCOUNT_LAST4": "4321", "ACCOUNT_NAME": "Mended Demo Inc.",
       "PHONE": "(555) 010-0199", "TERMS_DAYS": 45}


@pytest.fixture
def setup():
    a = Organisation.objects.create(name="Acme", slug="acme")
    b = Organisation.objects.create(name="Beta", slug="beta")
    size = BoxSize.objects.create(name="Small", slots=3, base_price=Decimal("8.00"))
    design = GiftDesign.objects.create(organisation=a, name="Speakers", size=size)
    variant = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=Decimal("20.00"), stock=100)
    return a, b, design, variant


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def invoiced(design, variant, po_number="", captured=None):
    """A net-30 organisation's order of 25, its proof approved: the invoice is issued."""
    organisation = design.organisation
    Organisation.objects.filter(pk=organisation.pk).update(payment_terms="net30", billing_email="ap@acme.example")
    design.refresh_from_db()
    design_set_item(design, variant.pk, 1)
    order = gift_order_place(design, 25, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=date(2027, 6, 1),
                             actor=None, po_number=po_number)
    proof_upload(order.pk, proof_file("p.png", proof_image()), None)
    proof_review(order.pk, approve=True, comment="", actor=None)
    return Invoice.objects.get(order=order)


def test_the_po_number_typed_at_ordering_is_kept_and_shown_on_the_order(client, setup):
    a, _b, design, variant = setup
    Organisation.objects.filter(pk=a.pk).update(payment_terms="net30")
    client.force_login(member_of(a))
    design_set_item(design, variant.pk, 1)
    too_long = client.post(reverse("shop:gift_design_order", args=[design.pk]),
                           dict(BULK_FORM, in_hand_date="2027-06-01", po_number="P" * 41))
    assert too_long.status_code == 400 and "po_number" in too_long.context["order_form"].errors
    assert not GiftOrder.objects.exists()
    placed = client.post(reverse("shop:gift_design_order", args=[design.pk]),
                         dict(BULK_FORM, in_hand_date="2027-06-01", po_number="  PO 4500 & <12>  "))
    order = GiftOrder.objects.get()
    assert placed.status_code == 302 and order.po_number == "PO 4500 & <12>"
    page = client.get(reverse("shop:gift_order", args=[order.number])).content.decode()
    assert "Your PO number: PO 4500 &amp; &lt;12&gt;" in page


def test_the_service_refuses_a_po_number_longer_than_the_field(setup):
    _a, _b, design, variant = setup
    design_set_item(design, variant.pk, 1)
    with pytest.raises(GiftOrderError, match="at most 40 characters"):
        gift_order_place(design, 10, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=date(2027, 6, 1),
                         actor=None, po_number="P" * 41)
    assert not GiftOrder.objects.exists()


def test_the_invoice_pdf_reads_back_with_po_remit_to_ach_terms_due_date_and_card_link(setup, settings):
    settings.GIFT_INVOICE = PAY
    settings.SITE_URL = "https://shop.example.org"
    a, _b, design, variant = setup
    invoice = invoiced(design, variant, po_number="4500012345")
    assert invoice.due_on == invoice.issued_on + timedelta(days=45)  # the terms from settings
    text = " ".join(pdf_text(invoice_pdf(invoice)).split())
    number = f"{invoice.number:06d}"
    assert f"Invoice {number}" in text
    assert "Your PO number: 4500012345" in text
    assert "(please quote invoice " + number + " and PO 4500012345)" in text
    assert "Remit to: Mended Demo Inc., Lockbox 4471, Tampa, FL 33602" in text
    assert "Demo Bank of Nowhere, routing number 000000000, account ending 4321, account name Mended Demo Inc." in text
    assert "account name Mended Demo Inc. (call us on (555) 010-0199 for the full account number" in text
    assert "Inc.." not in text  # the account name ends with its own full stop
    assert f"terms: net 45 days · due {invoice.due_on:%b %-d, %Y}" in text
    assert f"Total due (US dollars) ${invoice.amount:,}" in text
    link = re.search(r"By card, on the invoice's own page: (\S+)", text).group(1)
    assert link.startswith("https://shop.example.org/gifts/invoices/") and link.endswith("/pay/")
    assert link == invoice_pay_link(invoice)
    assert "&amp;" not in text and "<b>" not in text


def test_without_a_po_number_the_invoice_says_nothing_of_one(setup):
    _a, _b, design, variant = setup
    text = pdf_text(invoice_pdf(invoiced(design, variant)))
    assert "PO" not in text


def test_the_invoice_email_carries_the_po_pay_link_and_bank_details(setup, settings, django_capture_on_commit_callbacks):
    settings.GIFT_INVOICE = PAY
    _a, _b, design, variant = setup
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoiced(design, variant, po_number="4500012345")
    [message] = [m for m in outbox.outbox if "Invoice" in m.subject]
    assert message.subject == f"Invoice {invoice.number:06d} for your gift boxes (PO 4500012345)"
    assert message.to == ["ap@acme.example"]
    assert invoice_pay_link(invoice) in message.body
    assert "(your PO 4500012345)" in message.body and "Terms: net 45 days" in message.body
    assert "account ending 4321" in message.body and "Remit to: Mended Demo Inc., Lockbox 4471" in message.body
    html = message.alternatives[0][0]
    assert f'href="{invoice_pay_link(invoice)}"' in html
    outbox.outbox.clear()
    assert invoice_send(invoice.pk, reminder=True)
    assert outbox.outbox[0].subject.endswith("(PO 4500012345)") and "Reminder" in outbox.outbox[0].subject


def test_the_pay_page_needs_no_account_writes_nothing_on_get_and_a_guessed_link_is_404(client, setup):
    _a, _b, design, variant = setup
    invoice = invoiced(design, variant, po_number="PO-77")
    url = reverse("shop:gift_invoice_pay", args=[invoice_token(invoice)])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Pay ${invoice.amount:,}" in body and "PO-77" in body and "net 30 days" in body
    assert not Payment.objects.exists()
    guessed = f"{invoice.number:06d}:" + "x" * 27
    for token in (guessed, "000001", invoice_token(invoice)[:-1] + "A"):
        assert client.get(reverse("shop:gift_invoice_pay", args=[token])).status_code == 404
        confirm = client.post(reverse("shop:gift_invoice_pay_confirm", args=[token]), {"payment_method": "pm_x"},
                              content_type="application/json")
        assert confirm.status_code == 404


def test_paying_by_card_from_the_link_marks_the_invoice_paid_once(client, setup, localstripe_server,
                                                                   django_capture_on_commit_callbacks):
    import stripe

    from payroll.models import Posting
    from tests.support.stripe_helpers import card

    _a, _b, design, variant = setup
    invoice = invoiced(design, variant)
    token = invoice_token(invoice)
    confirm_url = reverse("shop:gift_invoice_pay_confirm", args=[token])
    declined = client.post(confirm_url, {"payment_method": card("4000000000000341")}, content_type="application/json")
    assert declined.status_code == 402 and "declined" in declined.json()["error"]
    invoice.refresh_from_db()
    assert invoice.paid_at is None
    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(confirm_url, {"payment_method": card()}, content_type="application/json")
    assert paid.status_code == 200, paid.json()
    assert paid.json()["status"] == "succeeded"
    invoice.refresh_from_db()
    assert invoice.paid_at is not None and invoice.order.paid_at is not None
    declined_payment, payment = Payment.objects.order_by("id")  # the declined intent is left, never charged
    assert stripe.PaymentIntent.retrieve(declined_payment.stripe_payment_intent_id).status == "requires_payment_method"
    intent = stripe.PaymentIntent.retrieve(payment.stripe_payment_intent_id)
    assert intent.status == "succeeded" and intent.amount == int(invoice.amount * 100)
    assert (payment.status, payment.amount) == ("succeeded", invoice.amount)
    assert Posting.objects.filter(account__code="wage_fund", entry__source_type="gift_assembly").exists()
    again = client.post(confirm_url, {"payment_method": card()}, content_type="application/json")
    assert again.status_code == 402 and "already paid" in again.json()["error"]
    setup_again = client.post(reverse("shop:gift_invoice_pay_setup", args=[token]))
    assert setup_again.status_code == 409
    assert "was paid on" in client.get(reverse("shop:gift_invoice_pay", args=[token])).content.decode()


def test_a_card_payment_finished_after_3d_secure_is_marked_paid_by_the_webhook_sync(setup, localstripe_server):
    """The page moves on before the webhook; the webhook's sync is what marks the invoice paid."""
    from shop.platform import stripe_gateway as gateway
    from shop.services.payments import payment_open
    from tests.support.stripe_helpers import card

    _a, _b, design, variant = setup
    invoice = invoiced(design, variant)
    order = invoice.order
    intent = gateway.create_payment_intent(invoice.amount, order.number, f"test-invoice-{invoice.number}")
    payment_open(Payment.Kind.GIFT_ORDER, order, intent, invoice.amount)
    assert gateway.confirm_payment_intent(intent["id"], card())["status"] == "succeeded"
    invoice.refresh_from_db()
    assert invoice.paid_at is None  # nothing marked it yet
    gift_order_payment_sync(intent["id"])
    invoice.refresh_from_db()
    assert invoice.paid_at is not None
    assert Payment.objects.get().status == "succeeded"


def test_a_card_order_has_no_invoice_to_pay_by_link(setup, localstripe_server):
    from shop.services.gifts.orders import invoice_card_pay, invoice_issue

    _a, _b, design, variant = setup
    design_set_item(design, variant.pk, 1)
    order = gift_order_place(design, 10, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=date(2027, 6, 1),
                             actor=None)
    assert order.payment == "card"
    invoice = invoice_issue(order)
    with pytest.raises(GiftOrderError, match="paid by card on its own page"):
        invoice_card_pay(invoice.pk, "pm_card_visa")
    assert Decimal(invoice.amount) == order.total


# -- the order-placed e-mail ------------------------------------------------------------------


def test_placing_an_order_emails_the_placer_and_the_administrators_once_each(setup, settings,
                                                                            django_capture_on_commit_callbacks):
    from shop.models import OrganisationMember
    from tests.support.factories import UserFactory

    settings.SITE_URL = "https://shop.example.org"
    a, b, design, variant = setup
    Organisation.objects.filter(pk=a.pk).update(payment_terms="net30")
    design.refresh_from_db()
    design_set_item(design, variant.pk, 2)
    placer = UserFactory(email="Buyer@acme.example")
    OrganisationMember.objects.create(organisation=a, user=placer, role="admin")
    OrganisationMember.objects.create(organisation=a, user=UserFactory(email="boss@acme.example"), role="admin")
    OrganisationMember.objects.create(organisation=a, user=UserFactory(email="intern@acme.example"), role="member")
    OrganisationMember.objects.create(organisation=b, user=UserFactory(email="other@beta.example"), role="admin")
    with django_capture_on_commit_callbacks(execute=True):
        order = gift_order_place(design, 25, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=date(2027, 6, 1),
                                 actor=placer, po_number="PO-9", today=date(2027, 4, 1))
    [message] = outbox.outbox
    assert message.to == ["buyer@acme.example", "boss@acme.example"]
    assert message.subject == f"Gift order {order.number} placed: 25 × Speakers"
    body = message.body
    link = f"https://shop.example.org/gifts/orders/{order.number}/"
    assert link in body and f'href="{link}"' in message.alternatives[0][0]
    assert "25 × “Speakers” (Small box), in one shipment to Pat Receiver, Tampa, FL." in body
    assert "In each box: 2 × Candle" in body
    assert "Your PO number: PO-9" in body
    assert f"Total: ${order.total:,}" in body and "Per box: $" in body
    assert f"We will send an invoice for ${order.amount_due:,}, due net 30 days, when you approve the proof." in body
    assert "for the boxes to be in hand by Jun 1, 2027" in body


def test_the_latest_approval_day_leaves_exactly_the_production_days(settings):
    from shop.services.gifts.orders import latest_proof_approval

    settings.GIFT_PRODUCTION_DAYS, settings.GIFT_EXTRA_DAYS_PER_100 = 5, 1
    # Mon Jun 7 2027 in hand; 25 boxes take 5 working days: approve by Mon May 31 (Jun 1-4, 7).
    assert latest_proof_approval(25, date(2027, 6, 7)) == date(2027, 5, 31)
    # 250 boxes take 7: approve by Thu May 27 (May 28, 31, Jun 1-4, 7).
    assert latest_proof_approval(250, date(2027, 6, 7)) == date(2027, 5, 27)
    # In hand on Sunday Jun 6: the fifth working day must be Fri Jun 4 at the latest (May 31, Jun 1-4),
    # so an approval as late as Sunday May 30 (approving is online) still makes it.
    assert latest_proof_approval(25, date(2027, 6, 6)) == date(2027, 5, 30)


def test_no_buyer_with_an_address_means_no_email(setup):
    from shop.services.gifts.orders import gift_order_send_placed

    a, _b, design, variant = setup
    Organisation.objects.filter(pk=a.pk).update(payment_terms="net30")
    design.refresh_from_db()
    design_set_item(design, variant.pk, 1)
    order = gift_order_place(design, 10, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=date(2027, 6, 1),
                             actor=None)
    assert gift_order_send_placed(order.pk) is False and outbox.outbox == []
