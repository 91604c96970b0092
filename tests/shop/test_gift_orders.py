"""Gift orders: authorise then capture on proof approval, gapless invoices, the wage credit."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import stripe

from payroll.models import Posting
from payroll.services.reconcile import wage_fund_reconcile
from shop.models import BoxSize, GiftDesign, GiftOrder, Invoice, Organisation
from shop.services.gifts.orders import (
    GiftOrderError,
    gift_order_place,
    invoice_mark_paid,
    proof_review,
    proof_upload,
)
from shop.services.gifts.quote import GiftError, design_set_item
from tests.support.factories import (
    proof_file,
    proof_image,
    ProductFactory,
    UserFactory,
    VariantFactory,
    bulk_address,
    recipient_list_for,
)
from tests.support.stripe_helpers import card

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 23)
LATER = TODAY + timedelta(days=40)


def design_for(terms, settings):
    settings.GIFT_ASSEMBLY_WAGE = D("4.00")
    org = Organisation.objects.create(name=f"Org {terms}", slug=f"org-{terms}", payment_terms=terms)
    size = BoxSize.objects.create(name=f"Medium {terms}", slots=6, base_price=D("12.00"))
    design = GiftDesign.objects.create(organisation=org, name="Thank you", size=size)
    candle = VariantFactory(product=ProductFactory(wage_content=D("7.00")), price=D("20.00"), stock=500)
    design_set_item(design, candle.pk, 2)
    return design


def fund():
    return -sum((p.amount for p in Posting.objects.filter(account__code="wage_fund")), D("0"))


def test_card_orders_are_authorised_then_captured_on_proof_approval(settings, localstripe_server, django_capture_on_commit_callbacks):
    design = design_for("card", settings)
    member, staff = UserFactory(), UserFactory()
    order = gift_order_place(design, 30, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=LATER, actor=member, today=TODAY)
    assert order.payment == GiftOrder.Payment.CARD and order.lines.get().per_box == 2
    intent = stripe.PaymentIntent.retrieve(order.stripe_payment_intent_id)
    assert intent.capture_method == "manual" and intent.amount == int(order.total * 100)

    proof_upload(order.pk, proof_file(), staff)
    with pytest.raises(GiftOrderError, match="not authorised yet"):
        proof_review(order.pk, approve=True, comment="", actor=member)  # no card yet: nothing captured
    stripe.PaymentIntent.modify(order.stripe_payment_intent_id, payment_method=card())
    assert stripe.PaymentIntent.confirm(order.stripe_payment_intent_id).status == "requires_capture"  # authorised only

    with django_capture_on_commit_callbacks(execute=True):
        order = proof_review(order.pk, approve=True, comment="Lovely", actor=member)
    assert order.status == GiftOrder.Status.APPROVED and order.paid_at is not None
    assert stripe.PaymentIntent.retrieve(order.stripe_payment_intent_id).status == "succeeded"  # captured now
    # 30 boxes x 2 candles x 7.00 = 420.00, plus 30 x 4.00 assembly = 120.00
    assert fund() == D("540.00")
    assert wage_fund_reconcile().ok


def test_changes_requested_keep_their_history(settings, localstripe_server):
    design = design_for("card", settings)
    member, staff = UserFactory(), UserFactory()
    order = gift_order_place(design, shipping_mode="per_recipient", recipient_list=recipient_list_for(design.organisation, count=10), in_hand_date=LATER, actor=member, today=TODAY)
    proof_upload(order.pk, proof_file("p1.png", proof_image()), staff)
    with pytest.raises(GiftOrderError, match="Say what should change"):
        proof_review(order.pk, approve=False, comment=" ", actor=member)
    proof_review(order.pk, approve=False, comment="Logo larger please", actor=member)
    proof_upload(order.pk, proof_file("p2.png", proof_image()), staff)
    decisions = [(p.decision, p.comment) for p in order.proofs.all()]
    assert decisions == [("changes", "Logo larger please"), ("", "")]
    assert GiftOrder.objects.get(pk=order.pk).status == GiftOrder.Status.PROOF_READY


def test_invoices_are_numbered_without_gaps_and_credit_wages_when_paid(settings, django_capture_on_commit_callbacks):
    design = design_for("net30", settings)
    member, staff = UserFactory(), UserFactory()
    numbers = []
    for _ in range(3):
        order = gift_order_place(design, 25, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=LATER, actor=member, today=TODAY)
        assert order.payment == GiftOrder.Payment.INVOICE and not order.stripe_payment_intent_id
        proof_upload(order.pk, proof_file("p.png", proof_image()), staff)
        proof_review(order.pk, approve=True, comment="", actor=member)
        numbers.append(order.invoice.number)
    assert numbers == [1, 2, 3]
    invoice = Invoice.objects.get(number=2)
    assert invoice.due_on - invoice.issued_on == timedelta(days=30) and invoice.amount == invoice.order.total
    assert fund() == 0  # not paid yet
    with django_capture_on_commit_callbacks(execute=True):
        invoice_mark_paid(invoice.pk, staff)
        invoice_mark_paid(invoice.pk, staff)  # twice: credited once
    assert fund() == D("450.00")  # 25 x 2 x 7.00 + 25 x 4.00


def test_an_order_needs_items_stock_and_time(settings):
    design = design_for("net30", settings)
    with pytest.raises(GiftError, match="earliest in-hand date"):
        gift_order_place(design, 10, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=TODAY + timedelta(days=3),
                         actor=None, today=TODAY)
    with pytest.raises(GiftError, match="Not enough stock for 300 boxes"):
        gift_order_place(design, 300, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=LATER + timedelta(days=60),
                         actor=None, today=TODAY)
    design.items.all().delete()
    with pytest.raises(GiftOrderError, match="at least one item"):
        gift_order_place(design, 10, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=LATER, actor=None, today=TODAY)
    assert not GiftOrder.objects.exists()


def test_invoices_are_emailed_with_the_pdf_and_overdue_ones_reminded_weekly(settings, mailoutbox, django_capture_on_commit_callbacks):
    import io

    from django.utils import timezone
    from pypdf import PdfReader

    from shop.services.gifts.orders import invoices_remind_overdue

    design = design_for("net30", settings)
    design.organisation.billing_email = "ap@org.example"
    design.organisation.save()
    order = gift_order_place(design, 25, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=LATER, actor=None, today=TODAY)
    proof_upload(order.pk, proof_file("p.png", proof_image()), None)
    with django_capture_on_commit_callbacks(execute=True):
        proof_review(order.pk, approve=True, comment="", actor=None)
    invoice = Invoice.objects.get()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ap@org.example"]
    name, content, mimetype = mailoutbox[0].attachments[0]
    assert name == f"invoice-{invoice.number:06d}.pdf" and mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert f"Invoice {invoice.number:06d}" in text and f"${invoice.amount:,}" in text and "net 30" in text
    # Not due yet: no reminder. Overdue: one reminder, then none for a week.
    assert invoices_remind_overdue(invoice.due_on) == []
    assert invoices_remind_overdue(invoice.due_on + timedelta(days=1)) == [invoice.pk]
    assert invoices_remind_overdue(invoice.due_on + timedelta(days=2)) == []
    assert "Reminder" in mailoutbox[-1].subject and len(mailoutbox) == 2
    Invoice.objects.filter(pk=invoice.pk).update(reminded_at=timezone.now() - timedelta(days=8))
    invoice_mark_paid(invoice.pk, None)
    assert invoices_remind_overdue(invoice.due_on + timedelta(days=10)) == []  # paid: never reminded again
