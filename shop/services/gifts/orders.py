"""Gift-box orders: placed from a design and a quote → proof → approved (card captured,
or a net-30 invoice issued) → production → shipped. Paid orders are announced like shop
orders, so payroll credits their wage content and assembly labour to the wage fund."""
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shop.platform import mail
from shop.platform import stripe_gateway as gateway
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.platform.money import ZERO
from shop.platform.facts import announce_on_commit, gift_order_paid
from shop.models import (
    GiftDesign,
    GiftOrder,
    GiftOrderLine,
    Invoice,
    InvoiceSequence,
    Organisation,
    OrganisationMember,
    Payment,
    Proof,
    RecipientList,
)
from shop.selectors.gifts.prices import order_price_lines
from shop.services.gifts.recipients import recipients_per_state
from shop.services.gifts.quote import (
    CLAIM_LINK,
    add_working_days,
    design_check_stock,
    gift_quote,
    in_hand_date_check,
    production_days,
)
from shop.services.gifts.stock import gift_order_stock_return, gift_order_stock_take
from shop.services.payments import payment_intent_status_record, payment_open
from shop.services.gifts.proofs import check_proof, read_upload

S = GiftOrder.Status
PO_NUMBER_LENGTH = 40


class GiftOrderError(DomainError):
    pass


@dataclass(frozen=True)
class ShipTo:
    """The one address a bulk shipment goes to."""

    name: str
    line1: str
    city: str
    state: str
    zip: str
    company: str = ""
    line2: str = ""


@transaction.atomic
def gift_order_place(design: GiftDesign, quantity: int | None = None, *, shipping_mode: str, in_hand_date: date, actor,
                     ship_to: ShipTo | None = None, recipient_list: RecipientList | None = None,
                     today: date | None = None, po_number: str = "") -> GiftOrder:
    """Freeze the quote into an order. Boxes go to every recipient of a checked list (one
    box each, taxed by each recipient's state), in bulk to one address, or by claim link
    (``CLAIM_LINK``: per-recipient shipping, taxed as if every box went where the most tax is
    owed, ``quote.highest_tax``; the claims are made by ``claims.claim_order_place``, which settles
    the tax once the gifts are claimed). Card orders get a
    PaymentIntent to authorise (manual capture: nothing is charged before proof approval).
    ``po_number`` is the client's purchase order number, printed on the invoice."""
    today = today or timezone.localdate()
    po_number = " ".join(po_number.split())
    if len(po_number) > PO_NUMBER_LENGTH:
        raise GiftOrderError(f"A PO number has at most {PO_NUMBER_LENGTH} characters.")
    if not design.items.exists():
        raise GiftOrderError("Add at least one item to the box first.")
    destinations = None
    if shipping_mode == "per_recipient":
        if recipient_list is None:
            raise GiftOrderError("Choose a recipient list, or ship in bulk to one address.")
        if recipient_list.organisation_id != design.organisation_id or recipient_list.status != RecipientList.Status.READY:
            raise GiftOrderError("That recipient list is not ready to use.")
        destinations = recipients_per_state(recipient_list)
        quantity = sum(destinations.values())
        ship_to = None
    elif shipping_mode == "bulk":
        if ship_to is None:
            raise GiftOrderError("Give the address for the bulk shipment.")
        recipient_list = None
    elif shipping_mode == CLAIM_LINK:  # one box to each recipient, whose address comes by claim link
        ship_to, recipient_list = None, None
    else:
        raise GiftOrderError("Choose shipping to each recipient or one bulk shipment.")
    if not quantity or quantity < 1:
        raise GiftOrderError("Order at least one box.")
    design_check_stock(design, quantity)
    in_hand_date_check(in_hand_date, quantity, today)
    quote = gift_quote(design, quantity, shipping_mode, ship_to.state if ship_to else None, destinations=destinations)
    organisation = design.organisation
    payment = GiftOrder.Payment.INVOICE if organisation.payment_terms == Organisation.Terms.NET30 else GiftOrder.Payment.CARD
    from shop.services.gifts.budgets import needs_approval

    waiting = actor is not None and needs_approval(organisation, actor, quote.total, today)
    address = {}
    if ship_to:
        address = {"ship_to_name": ship_to.name, "ship_to_company": ship_to.company, "ship_to_line1": ship_to.line1,
                   "ship_to_line2": ship_to.line2, "ship_to_city": ship_to.city, "ship_to_zip": ship_to.zip,
                   "destination_state": ship_to.state}
    fees = dict(quote.fees)  # the box's price split is frozen with the order, as the quote showed it
    order = GiftOrder.objects.create(
        organisation=organisation, design=design, design_name=design.name, size_name=design.size.name,
        initials=design.initials, message=design.message, quantity=quantity, shipping_mode=shipping_mode,
        recipient_list=recipient_list, ribbon_name=design.ribbon.name if design.ribbon else "",
        tissue_name=design.tissue.name if design.tissue else "", has_logo=bool(design.logo),
        in_hand_date=in_hand_date, po_number=po_number, box_price=quote.box_price, base_price=quote.base_price,
        items_price=quote.items_price, logo_fee=fees.get("Logo", ZERO), monogram_fee=fees.get("Monogram", ZERO),
        discount_percent=quote.discount_percent or None, discount_from=quote.discount_from, discount=quote.discount,
        boxes_subtotal=quote.boxes_subtotal, shipping=quote.shipping, tax=quote.tax, total=quote.total,
        assembly_wage=settings.GIFT_ASSEMBLY_WAGE, payment=payment, placed_by=actor,
        status=S.AWAITING_APPROVAL if waiting else S.PLACED, **address,
    )
    GiftOrderLine.objects.bulk_create(
        GiftOrderLine(order=order, variant=item.variant, title=str(item.variant), per_box=item.quantity,
                      unit_price=item.variant.price, wage_content=item.variant.product.wage_content)
        for item in design.items.select_related("variant__product")
    )
    if waiting:  # over the member's budget: placed only once an administrator approves (services/gifts/budgets.py)
        from shop.tasks import send_gift_order_approval_request

        transaction.on_commit(lambda: send_gift_order_approval_request.delay(order.pk))
        return order
    gift_order_pay_placed(order, actor)
    return order


def gift_order_pay_placed(order: GiftOrder, actor) -> None:
    """An order being placed (now, or when an administrator approves it), inside its
    transaction: its boxes are taken from the stock first (``stock.gift_order_stock_take``,
    the variants locked; ``GiftError`` naming what runs short, before anything is spent or
    any Stripe call), then the organisation's account credit is spent on it (under the
    organisation's row lock); a card order gets a PaymentIntent to authorise for the rest. An
    order the credit pays in full is paid now, with no Stripe call, and announced like any
    paid order (payroll credits its wages). The order-placed e-mail follows the commit, and
    so, for an order by claim link e-mailed to its recipients, do their invitations: they
    hear of the gift only once it is placed (never while it waits for approval)."""
    from shop.services.gifts.credit import credit_spend
    from shop.tasks import send_gift_order_placed

    gift_order_stock_take(order)
    credit_spend(order)
    if order.amount_due <= 0:
        order.paid_at = timezone.now()
        GiftOrder.objects.filter(pk=order.pk).update(paid_at=order.paid_at)
        audit_record("gift_order.paid", actor=actor, target=order, total=order.total, payment="credit",
                     credit=order.credit_applied)
        announce_on_commit(gift_order_paid, gift_order_id=order.pk)
    elif order.payment == GiftOrder.Payment.CARD:
        intent = gateway.create_payment_intent(order.amount_due, order.number, f"gift-order-{order.number}",
                                               manual_capture=True)
        payment_open(Payment.Kind.GIFT_ORDER, order, intent, order.amount_due)
    transaction.on_commit(lambda: send_gift_order_placed.delay(order.pk))
    if order.shipping_mode == CLAIM_LINK:
        transaction.on_commit(lambda: _claim_invitations_queue(order.pk))


def _claim_invitations_queue(order_id: int) -> None:
    """After the placing commits (the claims are written by then): queue the invitations of
    an order e-mailed to its recipients (``claims.claim_invitations_send``, each once)."""
    from shop.models import ClaimCampaign
    from shop.tasks import send_gift_claim_invitations

    campaign_id = (ClaimCampaign.objects.filter(order_id=order_id, delivery=ClaimCampaign.Delivery.EMAIL)
                   .values_list("pk", flat=True).first())
    if campaign_id is not None:
        send_gift_claim_invitations.delay(campaign_id)


def _claims_tax_on_paid(order: GiftOrder) -> None:
    """In the transaction that pays ``order``: once it commits, an order by claim link whose
    gifts were all claimed before it was paid gets its tax credit (``claims.claims_tax_credit_paid``,
    in its own transaction, the campaign locked first; swept daily if the message is lost)."""
    if order.shipping_mode == CLAIM_LINK:
        from shop.tasks import gift_claims_tax_on_paid

        transaction.on_commit(lambda: gift_claims_tax_on_paid.delay(order.pk))


def order_buyers(order: GiftOrder) -> list[str]:
    """Who hears that an order was placed: whoever placed it, and the organisation's
    administrators (each address once, the placer first)."""
    addresses = [order.placed_by.email] if order.placed_by and order.placed_by.email else []
    addresses += order.organisation.members.filter(role=OrganisationMember.Role.ADMIN).exclude(
        user__email="").order_by("user__email").values_list("user__email", flat=True)
    return list(dict.fromkeys(address.lower() for address in addresses))


def latest_proof_approval(quantity: int, in_hand_date: date) -> date:
    """The last day a proof may be approved for the boxes still to be in hand on the date."""
    day = in_hand_date
    while add_working_days(day, production_days(quantity)) > in_hand_date:
        day -= timedelta(days=1)
    return day


def gift_order_send_placed(order_id: int) -> bool:
    """E-mail the client's buyers the order's summary, its proof schedule and a link to it."""
    from shop.selectors.gifts.orders import PROOF_DUE_WORKING_DAYS

    order = GiftOrder.objects.select_related("placed_by", "organisation", "recipient_list").get(pk=order_id)
    to = order_buyers(order)
    if not to:
        return False
    placed_on = timezone.localdate(order.created_at)
    context = {
        "order": order, "price_lines": order_price_lines(order),
        "link": settings.SITE_URL.rstrip("/") + reverse("shop:gift_order", args=[order.number]),
        "lines": list(order.lines.all()), "proof_by": add_working_days(placed_on, PROOF_DUE_WORKING_DAYS),
        "approve_by": latest_proof_approval(order.quantity, order.in_hand_date),
        "production_days": production_days(order.quantity), "terms_days": settings.GIFT_INVOICE["TERMS_DAYS"],
    }
    mail.send(to=to, subject=f"Gift order {order.number} placed: {order.quantity} × {order.design_name}",
              template="shop/email/gift_order_placed", context=context)
    return True


def gift_order_payment_sync(payment_intent_id: str) -> GiftOrder | None:
    """A gift order's PaymentIntent as Stripe reports it now (its webhooks): the status is
    recorded on the payment. Nothing else moves: the charge is captured, and the order paid,
    only when the client approves the proof (``proof_review``)."""
    payment = Payment.objects.select_related("gift_order").filter(
        stripe_payment_intent_id=payment_intent_id, kind=Payment.Kind.GIFT_ORDER).first()
    if payment is None:
        return None
    intent = gateway.retrieve_payment_intent(payment_intent_id)
    payment_intent_status_record(payment, intent)
    if payment.gift_order.payment == GiftOrder.Payment.INVOICE and intent["status"] == "succeeded":
        invoice = Invoice.objects.filter(order=payment.gift_order).first()
        if invoice is not None:  # an invoice paid by card from its pay link (after 3-D Secure, say)
            invoice_mark_paid(invoice.pk, None)
    return payment.gift_order


def gift_order_authorise(order_id: int, payment_method_id: str) -> dict:
    """Attach the member's card to the order's PaymentIntent and confirm it (manual capture:
    the amount is held, not charged). Returns Stripe's status (and the 3-D Secure secret)."""
    order = GiftOrder.objects.get(pk=order_id)
    payment = order.payments.order_by("-id").first()
    if order.paid_at is not None:
        raise GiftOrderError(f"Order {order.number} is paid by account credit; there is nothing to authorise.")
    if order.payment != GiftOrder.Payment.CARD or payment is None:
        raise GiftOrderError(f"Order {order.number} is paid by invoice.")
    if not payment_method_id.startswith("pm_"):
        raise GiftOrderError("The card details did not come through. Please enter them again.")
    intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    if intent["status"] in ("requires_capture", "succeeded"):
        payment_intent_status_record(payment, intent)
        return {"status": intent["status"]}
    intent = gateway.confirm_payment_intent(payment.stripe_payment_intent_id, payment_method_id)
    payment_intent_status_record(payment, intent)
    if intent["status"] == "requires_payment_method":
        raise GiftOrderError("Your card was declined. Please try another card.")
    return {"status": intent["status"], "client_secret": intent.get("client_secret") if intent["status"] == "requires_action" else None}


@transaction.atomic
def proof_upload(order_id: int, file, actor) -> Proof:
    """Store a proof (a PDF, PNG or JPEG by its content, under a random name) and tell the client."""
    order = GiftOrder.objects.select_for_update().get(pk=order_id)
    if order.status not in (S.PLACED, S.CHANGES_REQUESTED, S.PROOF_READY):
        raise GiftOrderError(f"Order {order.number} is {order.get_status_display().lower()}; it takes no new proof.")
    checked = check_proof(read_upload(file))
    proof = Proof(order=order, uploaded_by=actor)
    proof.file.save(checked.storage_name, ContentFile(checked.content), save=False)
    proof.save()
    order.status = S.PROOF_READY
    order.save(update_fields=["status"])
    from shop.services.gifts.fulfilment import email_client

    transaction.on_commit(lambda: email_client(order.pk, "proof"))
    return proof


def proof_review(order_id: int, *, approve: bool, comment: str, actor) -> GiftOrder:
    """The client approves the latest proof or asks for changes (with a comment); history kept.

    Approving a card order captures the authorised amount at Stripe first; an invoice
    order gets its numbered invoice."""
    order = GiftOrder.objects.get(pk=order_id)
    if order.status != S.PROOF_READY:
        raise GiftOrderError(f"Order {order.number} has no proof waiting for review.")
    if not approve and not comment.strip():
        raise GiftOrderError("Say what should change.")
    if approve and order.payment == GiftOrder.Payment.CARD and order.paid_at is None:
        payment = order.payments.order_by("-id").first()
        if payment is None:
            raise GiftOrderError("The card payment is not authorised yet; complete the card step, then approve.")
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
        if intent["status"] == "requires_capture":
            intent = gateway.capture_payment_intent(payment.stripe_payment_intent_id)
        payment_intent_status_record(payment, intent)
        if intent["status"] != "succeeded":
            raise GiftOrderError("The card payment is not authorised yet; complete the card step, then approve.")
    with transaction.atomic():
        order = GiftOrder.objects.select_for_update().get(pk=order_id)
        if order.status != S.PROOF_READY:
            raise GiftOrderError(f"Order {order.number} has no proof waiting for review.")
        proof = order.proofs.order_by("-uploaded_at", "-id").first()
        proof.decision, proof.comment = ("approved" if approve else "changes"), comment.strip()
        proof.decided_by, proof.decided_at = actor, timezone.now()
        proof.save(update_fields=["decision", "comment", "decided_by", "decided_at"])
        if not approve:
            order.status = S.CHANGES_REQUESTED
            order.save(update_fields=["status"])
            return order
        order.status, order.approved_at = S.APPROVED, timezone.now()
        if order.paid_at is not None:  # the account credit paid it all when it was placed
            pass
        elif order.payment == GiftOrder.Payment.CARD:
            order.paid_at = timezone.now()
            audit_record("gift_order.paid", actor=actor, target=order, total=order.total, payment="card")
            announce_on_commit(gift_order_paid, gift_order_id=order.pk)
            _claims_tax_on_paid(order)
        else:
            invoice_issue(order)
        order.save(update_fields=["status", "approved_at", "paid_at"])
    return order


CANCELLABLE = (S.PLACED, S.PROOF_READY, S.CHANGES_REQUESTED)


def gift_order_cancel(order_id: int, actor) -> GiftOrder:
    """Staff cancel an order before its proof is approved (nothing made, nothing charged): the
    card's hold is released at Stripe, the account credit the order spent comes back
    (``returned:<order>``, once) and so does its stock: the ordered boxes it still holds and
    the items recipients' alternative boxes took (``stock.gift_order_stock_return``). An
    order the credit paid in full is paid and its wages credited, so it is not cancelled here."""
    from shop.services.gifts.claims import campaign_lock, claims_close
    from shop.services.gifts.credit import credit_return

    with transaction.atomic():
        campaign_lock(order_id)  # a claim-link order's campaign before the order (claims.claim_accept's order)
        order = GiftOrder.objects.select_for_update().get(pk=order_id)
        if order.status not in CANCELLABLE:
            raise GiftOrderError(f"Order {order.number} is {order.get_status_display().lower()}; "
                                 "only an order whose proof is not approved yet can be cancelled.")
        if order.paid_at is not None:
            raise GiftOrderError(f"Order {order.number} was paid in full by account credit and its wages are "
                                 "credited; it cannot be cancelled here.")
        payment = order.payments.order_by("-id").first()
        if payment is not None:
            intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
            if intent["status"] not in ("canceled", "succeeded"):
                intent = gateway.cancel_payment_intent(payment.stripe_payment_intent_id)
            payment_intent_status_record(payment, intent)
        order.status = S.CANCELLED
        order.save(update_fields=["status"])
        # The ordered boxes it holds and what recipients' alternative boxes took go back, once:
        # the status checked above under the row lock refuses a second cancel.
        gift_order_stock_return(order)
        claims_close(order, "cancelled")  # its gifts not claimed yet: no link, reminder or settlement
        returned = credit_return(order)
        audit_record("gift_order.cancelled", actor=actor, target=order, total=order.total,
                     credit_returned=returned.amount if returned else None)
    return order


def invoice_issue(order: GiftOrder) -> Invoice:
    """Number the invoice from the locked sequence, so numbers never skip or repeat."""
    sequence, _ = InvoiceSequence.objects.select_for_update().get_or_create(pk=1)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    today = timezone.localdate()
    invoice = Invoice.objects.create(
        number=sequence.last_number, order=order, organisation=order.organisation, amount=order.amount_due,
        issued_on=today, due_on=today + timedelta(days=settings.GIFT_INVOICE["TERMS_DAYS"]),
    )
    audit_record("gift_invoice.issued", target=invoice, number=invoice.number, order=order.number, amount=invoice.amount)
    from shop.tasks import send_gift_invoice

    transaction.on_commit(lambda: send_gift_invoice.delay(invoice.pk))
    return invoice


def _billing_recipients(invoice: Invoice) -> list[str]:
    organisation = invoice.organisation
    if organisation.billing_email:
        return [organisation.billing_email]
    placed_by = invoice.order.placed_by
    return [placed_by.email] if placed_by and placed_by.email else []


def invoice_send(invoice_id: int, reminder: bool = False) -> bool:
    """E-mail the invoice PDF to the organisation's billing contact. Returns True if sent."""
    from shop.services.gifts.documents import invoice_pdf, invoice_terms_days

    invoice = Invoice.objects.select_related("order__placed_by", "organisation").get(pk=invoice_id)
    to = _billing_recipients(invoice)
    if not to or invoice.paid_at is not None:
        return False
    subject = (f"Reminder: invoice {invoice.number:06d} was due {invoice.due_on:%b %-d, %Y}" if reminder
               else f"Invoice {invoice.number:06d} for your gift boxes")
    if invoice.order.po_number:
        subject += f" (PO {invoice.order.po_number})"
    mail.send(to=to, subject=subject, template="shop/email/gift_invoice",
              context={"invoice": invoice, "pay": settings.GIFT_INVOICE, "pay_link": invoice_pay_link(invoice),
                       "terms_days": invoice_terms_days(invoice)},
              attachments=[(f"invoice-{invoice.number:06d}.pdf", invoice_pdf(invoice), "application/pdf")])
    return True


def invoices_remind_overdue(today: date) -> list[int]:
    """Remind each overdue, unpaid invoice at most once a week. Returns the invoices reminded."""
    due = Invoice.objects.filter(paid_at__isnull=True, due_on__lt=today).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=timezone.now() - timedelta(days=7))
    )
    reminded = []
    for invoice in due:
        if invoice_send(invoice.pk, reminder=True):
            Invoice.objects.filter(pk=invoice.pk).update(reminded_at=timezone.now())
            reminded.append(invoice.pk)
    return reminded


@transaction.atomic
def invoice_mark_paid(invoice_id: int, actor) -> Invoice:
    invoice = Invoice.objects.select_for_update().select_related("order").get(pk=invoice_id)
    if invoice.paid_at is not None:
        return invoice
    invoice.paid_at = timezone.now()
    invoice.save(update_fields=["paid_at"])
    GiftOrder.objects.filter(pk=invoice.order_id).update(paid_at=invoice.paid_at)
    audit_record("gift_invoice.paid", actor=actor, target=invoice, number=invoice.number, amount=invoice.amount)
    announce_on_commit(gift_order_paid, gift_order_id=invoice.order_id)
    _claims_tax_on_paid(invoice.order)
    return invoice


# -- an invoice paid by card, from the link printed on it --------------------------------------

INVOICE_TOKEN_SALT = "shop.gift-invoice-pay"


def invoice_token(invoice: Invoice) -> str:
    """The signed key of an invoice's pay page: whoever holds the invoice may pay it (the
    finance team may have no account), and nobody can guess another invoice's page."""
    return signing.Signer(salt=INVOICE_TOKEN_SALT).sign(f"{invoice.number:06d}")


def invoice_from_token(token: str) -> Invoice | None:
    try:
        number = signing.Signer(salt=INVOICE_TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not number.isdigit():
        return None
    return Invoice.objects.select_related("order", "organisation").filter(number=int(number)).first()


def invoice_pay_link(invoice: Invoice) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("shop:gift_invoice_pay", args=[invoice_token(invoice)])


def _invoice_open_intent(invoice_id: int) -> tuple[Invoice, Payment, dict]:
    """The invoice's PaymentIntent to confirm: its latest one, or a new one when there is none
    or the last card was declined. Under the invoice's row lock and committed before any card
    is tried, so two clicks share one intent (an intent charges at most once) and the webhook
    always finds the payment it reports on."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("order").get(pk=invoice_id)
        if invoice.paid_at is not None:
            raise GiftOrderError(f"Invoice {invoice.number:06d} is already paid. Thank you.")
        order = invoice.order
        if order.payment != GiftOrder.Payment.INVOICE:
            raise GiftOrderError(f"Order {order.number} is paid by card on its own page.")
        payment = order.payments.order_by("-id").first()
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id) if payment else None
        if intent is None or (intent["status"] == "requires_payment_method" and intent.get("last_payment_error")):
            attempt = order.payments.count() + 1
            intent = gateway.create_payment_intent(invoice.amount, order.number,
                                                   f"gift-invoice-{invoice.number:06d}-{attempt}")
            payment = payment_open(Payment.Kind.GIFT_ORDER, order, intent, invoice.amount)
    return invoice, payment, intent


def invoice_card_pay(invoice_id: int, payment_method_id: str) -> dict:
    """Charge the invoice's amount to a card, captured at once. The invoice is marked paid
    when Stripe says the charge succeeded: here, or from the webhook after 3-D Secure. A
    declined card's PaymentIntent is left (it never charges) and the next card gets a new
    one. Returns Stripe's status (and the 3-D Secure secret)."""
    if not payment_method_id.startswith("pm_"):
        raise GiftOrderError("The card details did not come through. Please enter them again.")
    invoice, payment, intent = _invoice_open_intent(invoice_id)
    declined = ""
    if intent["status"] not in ("succeeded", "processing"):
        try:
            intent = gateway.confirm_payment_intent(intent["id"], payment_method_id)
        except gateway.CardDeclined as error:
            declined = error.message
            intent = gateway.retrieve_payment_intent(intent["id"])
    payment_intent_status_record(payment, intent)
    if intent["status"] == "succeeded":
        invoice_mark_paid(invoice.pk, None)
    if declined or intent["status"] == "requires_payment_method":
        raise GiftOrderError(declined or (intent.get("last_payment_error") or {}).get("message")
                             or "Your card was declined. Please try another card.")
    return {"status": intent["status"], "client_secret": intent.get("client_secret") if intent["status"] == "requires_action" else None}
