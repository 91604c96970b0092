"""Issue 16, the whole class: every PDF and every e-mail the product makes reads back as written.

Rendered from demo-like data whose names carry ``&``, ``<`` and ``'`` ("Cedar & Sage <Candle>",
"O'Brien & Sons"), each document is read back (pypdf for PDFs; the text and the HTML bodies of
e-mails) and must hold no escaped markup (``&amp;``, ``&lt;``, ...), no exponent ("1E+1%") and no
amount without its currency ("for 491.94"). An e-mail's HTML body must say what its text body says
(every word, in order) and escape markup once: a name with ``<script>`` arrives raw in the text
and as ``&lt;script&gt;`` in the HTML source, and no HTML body holds a ``<script`` tag.

The generators are listed explicitly below, and ``test_every_generator_is_covered`` finds every
function in shop/ and payroll/ that draws a PDF (``shop.platform.documents.pdf``) or sends an e-mail
(``shop.platform.mail.send``): one added later without a scenario here fails it. Every e-mail template
must be rendered by some scenario, and no module but the documents and mail modules may escape
markup or reach Django's mail functions itself.
"""
import ast
import io
import os
import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core import mail as outbox
from django.utils import timezone
from pypdf import PdfReader

from shop.platform import mail

ROOT = Path(__file__).resolve().parents[3]
PRODUCT = "Cedar & Sage <Candle>"
ORGANISATION = "O'Brien & Sons <Ltd>"
DONOR = "Dana O'Donor & <script>Co</script>"
PERSON = "Rosa O'Neil & <Test>"
VOLUNTEER = "Val O'Volunteer & <script>Co</script>"
EVENT = "Spring Gala & <Auction>"
VENUE = "O'Malley's Hall & Garden"
CIRCLE = "Women's Circle & Friends"
PROGRAM = "Sewing & <Finishing>"
PO_NUMBER = "PO 4500 & <12>"

# Every function that draws a PDF, and every function that sends an e-mail (module.qualname).
PDF_GENERATORS = {
    "shop.services.gifts.documents.quote_pdf",
    "shop.services.gifts.documents.invoice_pdf",
    "shop.services.gifts.documents.impact_certificate_pdf",
    "shop.services.receipts.receipt_pdf",
    "shop.services.statements.statement_pdf",
    "payroll.services.paystubs.pay_stub_pdf",
    "payroll.services.filings.form_941_pdf",
    "payroll.services.filings.rt6_pdf",
    "payroll.services.filings.form_940_pdf",
    "payroll.services.yearend.employee_w2_pdf",
    "payroll.services.yearend.all_w2s_pdf",
    "payroll.services.yearend.w2c_pdf",
    "payroll.services.training.transcript.transcript_pdf",
    "payroll.services.volunteers.documents.hours_certificate_pdf",
}
EMAIL_SENDERS = {
    "shop.services.emails.order_send_email",
    "shop.services.pledges.pledge_send_confirmation",
    "shop.services.restock.restock_send_notice",
    "shop.services.giftcards.gift_card_send",
    "shop.services.gifts.orders.invoice_send",
    "shop.services.gifts.orders.gift_order_send_placed",
    "shop.services.gifts.budgets.approval_request_send",
    "shop.services.gifts.budgets.decision_send",
    "shop.services.gifts.fulfilment.gift_order_send_update",
    "shop.services.gifts.claims._send",  # a gift sent by claim link, and its reminder
    "shop.services.gifts.claims.claim_tracking_send",  # the claimed gift's tracking, to its recipient
    "shop.services.gifts.claims.tax_credit_send",  # the claim-link tax not owed, credited, to the buyers
    "shop.services.organisations.invitation_email",
    "shop.services.donations.charge_failed_email",
    "shop.services.donations.tribute_notify",
    "shop.services.events.hosting_acknowledge",
    "shop.services.events.hosting_notify_staff",
    "shop.services.events.hosting_decision_email",
    "shop.services.circles.invitation_email",
    "shop.services.receipts.receipt_send",
    "shop.services.statements.statement_send",
    "payroll.services.paystubs.pay_stubs_generate",
    "payroll.services.reconcile._email_payroll_staff",
    "payroll.services.training.records.follow_ups_due_remind",
    "payroll.services.volunteers.signups._send_guardian_copy",
    "payroll.services.volunteers.groups._send_invite",  # a named group member's own waiver link
    "payroll.services.volunteers.notify.EmailChannel.send",  # signup notices and coordinators' messages
}

ESCAPED = re.compile(r"&(amp|lt|gt|quot|apos|#x?[0-9a-fA-F]+);")
EXPONENT = re.compile(r"\d[eE][+-]\d")
# A money-looking number (two decimals) with no "$" right before it.
BARE_AMOUNT = re.compile(r"(?<![$\d.,])(\d{1,3}(?:,\d{3})*|\d+)\.\d\d(?!\d)")


def problems(where: str, text: str, hours=()) -> list[str]:
    """What is wrong with a read-back text. ``hours`` are figures the scenario put in as hours."""
    found = [f"{where}: escaped markup {m.group(0)!r}" for m in ESCAPED.finditer(text)]
    found += [f"{where}: exponent {m.group(0)!r}" for m in EXPONENT.finditer(text)]
    for m in BARE_AMOUNT.finditer(text):
        after = text[m.end():m.end() + 7].lstrip()
        if m.group(0) in hours or after.startswith(("hours", "%")):
            continue
        found.append(f"{where}: amount without its currency {text[max(0, m.start() - 25):m.end() + 5]!r}")
    return found


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def html_text(body: str) -> str:
    """What a mail program shows of an HTML body: tags gone, character references read once."""
    parser = _Text()
    parser.feed(body)
    return "".join(parser.parts)


WORD = re.compile(r"\w+")


def first_word_missing(text: str, html: str) -> str | None:
    """The first word of the text body that what the HTML body shows lacks, reading both in
    order (the HTML's shared layout may add its header and footer around them); None if none."""
    parser = _Text()
    parser.feed(html)
    shown = iter(WORD.findall(" ".join(parser.parts)))
    return next((word for word in WORD.findall(text) if word not in shown), None)


def says_the_same(text: str, html: str) -> bool:
    return first_word_missing(text, html) is None


def email_problems(where: str, message) -> list[str]:
    found = problems(f"{where} (subject)", message.subject) + problems(f"{where} (text)", message.body)
    html = [content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"]
    if len(html) != 1:
        found.append(f"{where}: {len(html)} HTML bodies, not one")
    for content in html:
        found += problems(f"{where} (html)", html_text(content))
        missing = first_word_missing(message.body, content)
        if missing is not None:
            found.append(f"{where}: the HTML body does not say what the text body says (from {missing!r})")
        if "<script" in content.lower():
            found.append(f"{where}: a <script> tag in the HTML body")
        if "<script>" in message.body and "&lt;script&gt;" not in content:
            found.append(f"{where}: a name with <script> is not escaped in the HTML body")
    for filename, content, mimetype in message.attachments:
        if mimetype == "application/pdf":
            found += problems(f"{where} ({filename})", pdf_text(content))
    return found


# -- the readers themselves catch what they must --------------------------------------------

@pytest.mark.parametrize("text, html, same", [
    ("Dear Ann,\n\nThanks for $5.00.\nMended", "<p>Mended</p><p>Dear Ann,</p><p>Thanks for $5.00.</p><p>Mended</p>", True),
    ("Dear Ann & <Co>,\n\nThanks.", "<p>Dear Ann &amp; &lt;Co&gt;,</p><p>Thanks.</p>", True),
    ("Dear Ann & <Co>,\n\nThanks.", "<p>Dear Ann & <Co>,</p><p>Thanks.</p>", False),  # the name read as a tag
    ("Dear Ann,\n\nThanks for $5.00.", "<p>Dear Ann,</p><p>Thanks.</p>", False),  # a sentence cut short
    ("Paid. Thanks.", "<p>Thanks. Paid.</p>", False),  # out of order
])
def test_the_html_check_catches_a_body_that_says_something_else(text, html, same):
    assert says_the_same(text, html) is same


@pytest.mark.parametrize("text, bad", [
    ("Cedar &amp; Sage", True), ("Cedar &lt;Candle&gt;", True), ("O&#x27;Brien", True), ("1E+1% volume discount", True),
    ("for 491.94 attached", True), ("Total 1,491.94", True),
    ("Cedar & Sage <Candle>", False), ("for $491.94", False), ("-$3.00", False), ("2.50 hours", False),
    ("12.5% off", False), ("receipt 2026-000001", False), ("EIN 12-3456789", False),
])
def test_the_read_back_checks_catch_the_known_mistakes(text, bad):
    assert bool(problems("sample", text)) is bad


# -- completeness -----------------------------------------------------------------------------

def _python_files():
    for app in ("shop", "payroll"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _functions_calling(predicate) -> set[str]:
    found = set()
    for path in _python_files():
        tree = ast.parse(path.read_text())

        def visit(node, prefix):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    name = f"{prefix}{child.name}"
                    if not isinstance(child, ast.ClassDef) and any(
                            isinstance(n, ast.Call) and predicate(n.func) for n in ast.walk(child)):
                        found.add(f"{_module(path)}.{name}")
                    visit(child, f"{name}.")

        visit(tree, "")
    return found


def _is_pdf_build(func) -> bool:
    return (isinstance(func, ast.Name) and func.id == "pdf") or (
        isinstance(func, ast.Attribute) and func.attr == "pdf" and getattr(func.value, "id", "") == "documents")


def _is_mail_send(func) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == "send" and getattr(func.value, "id", "") == "mail"


def test_every_generator_is_covered():
    assert _functions_calling(_is_pdf_build) - {"shop.platform.documents.pdf"} == PDF_GENERATORS
    assert _functions_calling(_is_mail_send) == EMAIL_SENDERS


def test_only_the_documents_and_mail_modules_escape_markup_or_send_mail():
    forbidden = {"Paragraph", "SimpleDocTemplate", "escape", "send_mail", "send_mass_mail", "EmailMessage",
                 "EmailMultiAlternatives", "mail_admins"}
    allowed = {"shop/platform/documents.py", "shop/platform/mail.py"}
    offenders = []
    for path in _python_files():
        rel = str(path.relative_to(ROOT))
        if rel in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in ("django.core.mail", "reportlab.platypus",
                                                                    "xml.sax.saxutils"):
                names = {a.name for a in node.names} & forbidden
                if names:
                    offenders.append(f"{rel}: {sorted(names)} from {node.module}")
    assert offenders == []


# -- the data ---------------------------------------------------------------------------------

@pytest.fixture
def world(db, settings, django_capture_on_commit_callbacks):
    """Demo-like data for every document, with the awkward names."""
    from shop.platform import roles
    from shop.models import BoxSize, GiftDesign, Invoice, Organisation, VolumeTier
    from shop.services.gifts.orders import gift_order_place, proof_review, proof_upload
    from shop.services.gifts.quote import design_set_item
    from tests.support.factories import ProductFactory, UserFactory, VariantFactory, bulk_address, proof_file, proof_image

    settings.MENDED_ORG = {**settings.MENDED_ORG, "NAME": "Mended & Co", "LEGAL_NAME": "Mended & Co's <Trust>"}
    settings.GIFT_INVOICE = {**settings.GIFT_INVOICE, "REMIT_TO": "Mended & Co's <Trust>, Lockbox 7 & <8>, Tampa FL",
                             "BANK_NAME": "Demo & <Fake> Bank"}
    w = {}
    w["staff"] = {role: UserFactory(roles=[role], email=f"staff{n}@example.org")
                  for n, role in enumerate((roles.SHOP_STAFF, roles.PAYROLL_STAFF, roles.PROGRAM_STAFF))}
    organisation = Organisation.objects.create(name=ORGANISATION, slug="obrien", payment_terms="net30",
                                               billing_contact="Cora O'Connor & <Co>", billing_email="billing@obrien.example",
                                               billing_address="1 Harbor Way & <Suite 2>\nTampa FL 33602")
    member = UserFactory(email="cora@obrien.example", first_name="Cora")
    from shop.models import OrganisationMember

    OrganisationMember.objects.create(organisation=organisation, user=member, role=OrganisationMember.Role.ADMIN)
    size = BoxSize.objects.create(name="Medium & <Deep>", slots=6, base_price=Decimal("12.00"))
    VolumeTier.objects.create(min_quantity=100, discount_percent=Decimal("10.00"))
    candle = VariantFactory(product=ProductFactory(name=PRODUCT, gift_slots=1), price=Decimal("20.00"), stock=500,
                            options={"scent": "Cedar & <Sage>"})
    design = GiftDesign.objects.create(organisation=organisation, name="Speakers' Thanks & <More>", size=size)
    design_set_item(design, candle.pk, 1)
    w["design"] = design
    with django_capture_on_commit_callbacks(execute=True):
        order = gift_order_place(design, 100, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=date(2027, 6, 1),
                                 actor=member, po_number=PO_NUMBER)
        proof_upload(order.pk, proof_file("p.png", proof_image()), None)
        proof_review(order.pk, approve=True, comment="", actor=member)
    order.refresh_from_db()
    w["gift_order"], w["invoice"] = order, Invoice.objects.get(order=order)
    w["candle"] = candle
    outbox.outbox.clear()
    return w


def _paid_gift(donor, **fields):
    from tests.shop.giving.factories import make_paid_donation

    return make_paid_donation(donor, receipt=True, **fields)


# -- the test ---------------------------------------------------------------------------------

def test_every_pdf_and_email_reads_back_clean(world, django_capture_on_commit_callbacks, monkeypatch):
    from payroll.models import PayRate, Shift, ShiftMessage, SignUp
    from shop.platform import roles
    from payroll.selectors.training import participant_record
    from payroll.selectors.volunteers import hours_history
    from payroll.services import paystubs, reconcile
    from payroll.services.training import records as training
    from payroll.services.volunteers import signups as volunteers
    from payroll.services.training.records import enrollment_create, enrollment_exit
    from payroll.services.volunteers.shifts import check_in, check_out, shift_message_send
    from payroll.services.volunteers.documents import hours_certificate_pdf
    from payroll.services.training.transcript import transcript_pdf
    from shop.models import (
        CircleInvitation,
        Donation,
        DonationChargeFailure,
        GivingCircle,
        HostingRequest,
        OrganisationInvitation,
        Pledge,
        RecurringGift,
    )
    from shop.services import circles, donations, emails, events, organisations, pledges
    from shop.services.gifts import fulfilment as gift_fulfilment
    from shop.services.gifts import orders as gift_orders
    from shop.services import receipts, statements
    from shop.services.gifts.documents import impact_certificate_pdf, invoice_pdf, quote_pdf
    from shop.services.gifts.quote import gift_quote
    from tests.support.factories import OrderFactory, UserFactory
    from tests.shop.giving.factories import make_donor, make_recurring
    from tests.shop.giving.test_events import gold_tier, make_event
    from tests.payroll.factories import EmployeeFactory, PayRateFactory, PayStubFactory
    from tests.payroll.volunteers.factories import make_shift, signed_volunteer

    templates_used = set()
    real_render = mail.render
    monkeypatch.setattr(mail, "render", lambda template, context: templates_used.add(template) or real_render(template, context))
    found, pdfs, senders, scripted = [], {}, set(), set()

    def sent(sender, call, *args, **kwargs):
        """Run one sender and check what it sent (at least one e-mail)."""
        before = len(outbox.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            call(*args, **kwargs)
        new = outbox.outbox[before:]
        assert new, f"{sender} sent nothing"
        for n, message in enumerate(new):
            keep(f"{sender}-{len(senders)}-{n}.eml", message.message().as_bytes())
        for message in new:
            found.extend(email_problems(f"{sender}: {message.subject}", message))
            if "<script>" in message.body:
                scripted.add(sender)
        senders.add(sender)
        return new

    def expect(where, text, *needles):
        """The names and words a document must show, as typed (collected, so every problem is listed)."""
        found.extend(f"{where}: {needle!r} missing" for needle in needles if needle not in text)

    def keep(name: str, data: bytes) -> None:
        """MENDED_DOCS_OUT=folder keeps every PDF and e-mail drawn here, to read them as a person would."""
        if os.environ.get("MENDED_DOCS_OUT"):
            Path(os.environ["MENDED_DOCS_OUT"]).mkdir(parents=True, exist_ok=True)
            (Path(os.environ["MENDED_DOCS_OUT"]) / name).write_bytes(data)

    def drawn(generator, data: bytes, hours=()):
        pdfs[generator] = text = pdf_text(data)
        keep(f"{generator}.pdf", data)
        found.extend(problems(generator, text, hours))
        return text

    # Gift boxes: the quote (with a 10% volume discount), the invoice and its e-mail, the certificate, the updates.
    design, order, invoice = world["design"], world["gift_order"], world["invoice"]
    quote = drawn("shop.services.gifts.documents.quote_pdf", quote_pdf(design, gift_quote(design, 100, "bulk")))
    expect("quote", " ".join(quote.split()), "Volume discount: 100 or more, 10% off -$320.00", PRODUCT, ORGANISATION)
    # By claim link: the tax line's long label wraps in its cell and reads back whole (issue 22).
    from shop.models import TaxRate

    TaxRate.objects.get_or_create(state="GA", defaults={"rate": Decimal("0.04")})  # a taxed state: the estimate is charged
    claim_quote = pdf_text(quote_pdf(design, gift_quote(design, 100, "claim_link")))
    found.extend(problems("quote_pdf (claim link)", claim_quote))
    expect("claim-link quote", " ".join(claim_quote.split()),
           "Sales tax (estimated at the highest rate a recipient's address can owe; what is not owed comes back "
           "as account credit once the gifts are claimed) $115.20")  # 4% of the boxes' $2,880.00, by hand
    invoice_text = drawn("shop.services.gifts.documents.invoice_pdf", invoice_pdf(invoice))
    remit_to = "Mended & Co's <Trust>, Lockbox 7 & <8>, Tampa FL"
    expect("invoice", " ".join(invoice_text.split()), f"Your PO number: {PO_NUMBER}", f"Remit to: {remit_to}",
           f"Total due (US dollars) ${invoice.amount:,}", ORGANISATION, "routing number", "terms: net 30 days")
    [invoice_mail] = sent("shop.services.gifts.orders.invoice_send", gift_orders.invoice_send, invoice.pk)
    expect("invoice e-mail", invoice_mail.body, f"for ${invoice.amount:,}", f"(your PO {PO_NUMBER})",
           f"Remit to: {remit_to}", gift_orders.invoice_pay_link(invoice))
    expect("invoice e-mail subject", invoice_mail.subject, f"(PO {PO_NUMBER})")
    [placed_mail] = sent("shop.services.gifts.orders.gift_order_send_placed", gift_orders.gift_order_send_placed, order.pk)
    expect("order-placed e-mail", placed_mail.body, ORGANISATION, PRODUCT, f"Your PO number: {PO_NUMBER}",
           f"Total: ${order.total:,}", f"/gifts/orders/{order.number}/")
    # The credit version: the organisation's account credit paid part of the order when it was placed.
    # By hand: 25 boxes × $32.00 (the box $12.00 + the candle $20.00) = $800.00, no tier under 100; bulk
    # shipping $40.00 + 25 × $1.50 = $77.50; no Florida rate in this world: $0.00 tax. $877.50 − $200.00 = $677.50.
    from django.test import override_settings

    from shop.models import Invoice, OrganisationCredit
    from shop.services.gifts.orders import proof_review, proof_upload
    from tests.support import factories

    OrganisationCredit.objects.create(organisation=order.organisation, amount=Decimal("200.00"), key="claims:GB-READBACK",
                                      reason="Unclaimed gifts")
    with override_settings(GIFT_BULK_SHIPPING_BASE=Decimal("40.00"), GIFT_BULK_SHIPPING_PER_BOX=Decimal("1.50")), \
            django_capture_on_commit_callbacks(execute=True):
        credited = gift_orders.gift_order_place(design, 25, shipping_mode="bulk", ship_to=factories.bulk_address(),
                                                in_hand_date=date(2027, 6, 1), actor=None)
    outbox.outbox.clear()
    [credit_mail] = sent("shop.services.gifts.orders.gift_order_send_placed", gift_orders.gift_order_send_placed,
                         credited.pk)
    expect("order-placed e-mail, with credit", credit_mail.body, "Items in the box: $20.00",
           "The box, packed by hand: $12.00", "Per box: $32.00", "25 boxes × $32.00: $800.00", "Shipping: $77.50",
           "Sales tax (FL): $0.00", "Total: $877.50", "Account credit: −$200.00", "To pay: $677.50",
           "We will send an invoice for $677.50, due net 30 days")
    # Its quote and its invoice, read back as a finance person would: the credit and what is left to pay.
    # The order spent the $200.00; with $50.00 more credit, a quote of the same 25 boxes: 877.50 − 50.00 = 827.50.
    OrganisationCredit.objects.create(organisation=order.organisation, amount=Decimal("50.00"), key="claims:GB-READBACK2",
                                      reason="Unclaimed gifts")
    with override_settings(GIFT_BULK_SHIPPING_BASE=Decimal("40.00"), GIFT_BULK_SHIPPING_PER_BOX=Decimal("1.50")):
        data = quote_pdf(design, gift_quote(design, 25, "bulk", "FL"))
    keep("shop.services.gifts.documents.quote_pdf-credit.pdf", data)
    credit_quote = pdf_text(data)
    found.extend(problems("quote with credit", credit_quote))
    expect("quote with credit", " ".join(credit_quote.split()), "Total $877.50", "Account credit -$50.00",
           "To pay $827.50", "Your organisation's account credit is $50.00 today")
    with django_capture_on_commit_callbacks(execute=True):
        proof_upload(credited.pk, factories.proof_file("p.png", factories.proof_image()), None)
        proof_review(credited.pk, approve=True, comment="", actor=None)
    data = invoice_pdf(Invoice.objects.get(order=credited))
    keep("shop.services.gifts.documents.invoice_pdf-credit.pdf", data)
    credit_invoice = pdf_text(data)
    found.extend(problems("invoice with credit", credit_invoice))
    # The PDFs' standard fonts have no minus sign (U+2212): it would print over the dollar sign.
    found.extend(f"{where}: a minus sign the font cannot print" for where, text in
                 (("quote", quote), ("quote with credit", credit_quote), ("invoice with credit", credit_invoice))
                 if "\u2212" in text)
    expect("invoice with credit", " ".join(credit_invoice.split()), "Per box $32.00", "25 boxes × $32.00 $800.00",
           "Total $877.50", "Account credit -$200.00", "Total due (US dollars) $677.50")
    outbox.outbox.clear()
    # A gift sent by claim link: the invitation and its reminder, names and the note as typed.
    from shop.models import ClaimCampaign, GiftClaim, RecipientList
    from shop.services.gifts import claims as gift_claims

    campaign = ClaimCampaign.objects.create(
        order=order, recipient_list=RecipientList.objects.create(organisation=order.organisation, name="Claims",
                                                                 status=RecipientList.Status.CLAIMS),
        delivery="email", sender_name="Cora O'Connor & <Co>", note="Thanks & <cheers>, team!", expires_on=date(2100, 1, 1),
        outcome="credit")
    claim = GiftClaim.objects.create(campaign=campaign, number=1, value=order.total, name="Rae <Recipient> & Co",
                                     email="rae@example.org")
    for reminder in (False, True):
        [claim_mail] = sent("shop.services.gifts.claims._send", gift_claims._send, claim, reminder)
        expect("claim e-mail", claim_mail.body, "Cora O'Connor & <Co>", "Rae <Recipient> & Co", "Thanks & <cheers>, team!",
               "/gifts/claim/")
        expect("claim e-mail subject", claim_mail.subject, "Cora O'Connor & <Co>")
    # The claimed gift's tracking, to its recipient: the box, who sent it, the carrier and number.
    from shop.models import GiftRecipient, Shipment

    claim.recipient = GiftRecipient.objects.create(
        recipient_list=campaign.recipient_list, row=1, name="Rae <Recipient> & Co", address_line1="1 Elm & <Oak>",
        city="Tampa", state="FL", zip="33602", email="rae.home@example.org")
    claim.status, claim.chosen_name = GiftClaim.Status.CLAIMED, "Speakers' Thanks & <More>"
    claim.save()
    Shipment.objects.create(order=order, recipient=claim.recipient, boxes=1, carrier="UPS & <Co>",
                            tracking_number="1Z<99>&1")
    [tracking_mail] = sent("shop.services.gifts.claims.claim_tracking_send", gift_claims.claim_tracking_send, claim.pk)
    expect("tracking e-mail", tracking_mail.body, "Rae <Recipient> & Co", "Cora O'Connor & <Co>", ORGANISATION,
           "“Speakers' Thanks & <More>”", "Carrier: UPS & <Co>", "Tracking number: 1Z<99>&1")
    assert tracking_mail.to == ["rae.home@example.org"]
    # The claim-link sales tax not owed, credited back: the amount, the order, why, and that it is spent next time.
    from shop.models import OrganisationCredit

    tax_credit = OrganisationCredit.objects.create(organisation=order.organisation, order=order, key=f"tax:{order.number}",
                                                   amount=Decimal("1234.56"), reason="Sales tax not owed")
    [tax_mail] = sent("shop.services.gifts.claims.tax_credit_send", gift_claims.tax_credit_send, tax_credit.pk)
    expect("tax credit e-mail", " ".join(tax_mail.body.split()), ORGANISATION, "$1,234.56", order.number,
           "sales tax charged at the highest rate, not owed where your gifts went",
           "applied to your organisation's next gift order automatically", f"/gifts/orders/{order.number}/claims/")
    expect("tax credit e-mail subject", tax_mail.subject, order.number)
    # Budgets: an order over a member's budget; the administrators are asked, the member is told.
    from shop.models import GiftBudget
    from shop.models import OrganisationMember as Member
    from shop.services.gifts import budgets as gift_budgets
    from tests.support.factories import bulk_address

    buyer = UserFactory(email="buyer@obrien.example", first_name="Bo & <Buyer>")
    GiftBudget.objects.create(member=Member.objects.create(organisation=order.organisation, user=buyer),
                              amount=Decimal("10.00"))
    waiting = gift_orders.gift_order_place(design, 100, shipping_mode="bulk", ship_to=bulk_address(),
                                           in_hand_date=date(2027, 6, 1), actor=buyer)
    [ask] = sent("shop.services.gifts.budgets.approval_request_send", gift_budgets.approval_request_send, waiting.pk)
    expect("approval request", ask.body, ORGANISATION, "Bo & <Buyer>", f"total ${waiting.total:,}")
    gift_budgets.order_decide(waiting.pk, approve=False, note="Over budget & <not now>", actor=order.placed_by)
    [told] = sent("shop.services.gifts.budgets.decision_send", gift_budgets.decision_send, waiting.pk)
    expect("decision", told.body, "was declined", "Over budget & <not now>")
    certificate = drawn("shop.services.gifts.documents.impact_certificate_pdf", impact_certificate_pdf(order))
    expect("certificate", certificate, ORGANISATION)
    for event in ("proof", "shipped"):
        sent("shop.services.gifts.fulfilment.gift_order_send_update", gift_fulfilment.gift_order_send_update, order.pk, event)
    invitation = OrganisationInvitation.objects.create(organisation=order.organisation, email="new@obrien.example",
                                                       invited_by=UserFactory(first_name="Cora", last_name="O'Connor & Co"))
    sent("shop.services.organisations.invitation_email", organisations.invitation_email, invitation.pk)

    # Shop orders.
    shop_order = OrderFactory(ship_name="Casey O'Buyer & <Co>", email="casey@example.org")
    shop_order.lines.update(title=PRODUCT)
    from shop.models import DiscountCode, OrderDiscount

    discount_label = "SAVE5 (O'Brien & <Co>'s $5 off)"
    OrderDiscount.objects.create(
        order=shop_order, discount_code=DiscountCode.objects.create(code="SAVE5", kind="amount", value=Decimal("5")),
        code="SAVE5", kind="amount", label=discount_label, amount=Decimal("5.00"))
    for kind in ("confirmation", "shipped"):
        [message] = sent("shop.services.emails.order_send_email", emails.order_send_email, shop_order.pk, kind)
        if kind == "confirmation":
            expect("order e-mail", message.body, PRODUCT, "Casey O'Buyer & <Co>", discount_label)
            expect("order e-mail (html)", html_text(message.alternatives[0][0]), PRODUCT, "Casey O'Buyer & <Co>",
                   discount_label)

    # The pledge.
    pledge = Pledge.objects.create(kind=Pledge.Kind.BUSINESS, name="Pat O'Pledge & <Co>", email="pat@pledge.example",
                                   business_name=ORGANISATION)
    sent("shop.services.pledges.pledge_send_confirmation", pledges.pledge_send_confirmation, pledge.pk)
    # "E-mail me when it's back": a sold-out candle scent comes back.
    from shop.models import ProductVariant
    from shop.services import restock

    ProductVariant.objects.filter(pk=world["candle"].pk).update(stock=0)
    asked, _ = restock.restock_request_add(world["candle"].pk, "rae@example.org")
    ProductVariant.objects.filter(pk=world["candle"].pk).update(stock=5)
    restock.restock_requests_release([world["candle"].pk])  # marks it notified (its e-mail is the sender's)
    for message in sent("shop.services.restock.restock_send_notice", restock.restock_send_notice, asked.pk):
        expect("back-in-stock e-mail", message.body, PRODUCT, "Cedar & <Sage>", "$20.00")
        expect("back-in-stock e-mail (html)", html_text(message.alternatives[0][0]), PRODUCT, "Cedar & <Sage>")
    # A gift card e-mailed to the person the buyer named, with the buyer's message.
    from django.utils import timezone as tz

    from shop.services import giftcards

    card = giftcards.gift_card_create(Decimal("50.00"), buyer_email="bo@example.org", deliver_on=tz.localdate(),
                                      recipient_name="Rae <Recipient> & Co", recipient_email="rae@example.org",
                                      message="Happy birthday & <cheers>!")
    giftcards.gift_card_issue(card.pk)
    [card_mail] = sent("shop.services.giftcards.gift_card_send", giftcards.gift_card_send, card.pk)
    expect("gift card e-mail", card_mail.body, "Rae <Recipient> & Co", "Happy birthday & <cheers>!", "$50.00")
    expect("gift card e-mail (html)", html_text(card_mail.alternatives[0][0]), "Rae <Recipient> & Co",
           "Happy birthday & <cheers>!")

    # Giving: receipts (a tribute gift, tickets, a sponsorship), the statement, the tribute notice, monthly failures.
    donor = make_donor(email="dana@example.org", name=DONOR)
    gift = _paid_gift(donor, amount="491.94", tribute="honour", tribute_name="Grandma O'Rose & <Co>",
                      tribute_notify_email="rose@example.org", paid_at=(timezone.localdate().year - 1, 3, 1, 9))
    receipt = gift.receipts.get()
    text = drawn("shop.services.receipts.receipt_pdf", receipts.receipt_pdf(receipt))
    expect("receipt", text, DONOR, "In honour of Grandma O'Rose & <Co>")
    sent("shop.services.receipts.receipt_send", receipts.receipt_send, receipt.pk)
    sent("shop.services.donations.tribute_notify", donations.tribute_notify, gift.pk)
    event = make_event(title=EVENT)
    type(event).objects.filter(pk=event.pk).update(venue=VENUE, address="200 Channel & <Side> Drive")
    event.refresh_from_db()
    dinner = event.ticket_types.create(name="Dinner & <Dance>", price=Decimal("100.00"), fair_market_value=Decimal("40.00"),
                                       benefit_description="dinner & drinks")
    monkeypatch.setattr(events.gateway, "create_donation_intent",
                        lambda total, number, key: {"id": f"pi_readback_{number}"})
    ticket = events.tickets_reserve(dinner, 2, events.Buyer(DONOR, "dana@example.org", "1 Main St & <Back>"))
    sponsorship = events.sponsorship_start(gold_tier(event), events.Sponsor(ORGANISATION, "Cora", "cora@obrien.example"))
    for purchase in (ticket, sponsorship):
        with django_capture_on_commit_callbacks(execute=True):
            donations.donation_mark_paid(purchase.donation.pk)
        purchase_receipt = purchase.donation.receipts.get()
        sent("shop.services.receipts.receipt_send", receipts.receipt_send, purchase_receipt.pk, copy=True)
    year = timezone.localdate().year - 1
    gifts = list(Donation.objects.filter(donor=donor, paid_at__year=year).prefetch_related("receipts"))
    drawn("shop.services.statements.statement_pdf", statements.statement_pdf(donor, year, gifts))
    sent("shop.services.statements.statement_send", statements.statement_send, donor.pk, year)
    recurring = make_recurring(donor, amount="20.50", donor_name=DONOR, fund="wages")
    for status, attempt in ((RecurringGift.Status.PAST_DUE, 1), (RecurringGift.Status.CANCELLED, 2)):
        RecurringGift.objects.filter(pk=recurring.pk).update(status=status, failed_charges=attempt)
        failure = DonationChargeFailure.objects.create(recurring=recurring, stripe_invoice_id="in_readback", attempt=attempt)
        sent("shop.services.donations.charge_failed_email", donations.charge_failed_email, failure.pk)

    # Circles and events' hosting requests.
    circle = GivingCircle.objects.create(name=CIRCLE, slug="womens", yearly_goal=Decimal("2500.00"),
                                         description="We give monthly & together <always>.")
    circle_invitation = CircleInvitation.objects.create(circle=circle, email="amy@example.org",
                                                        invited_by=UserFactory(first_name="Lena O'Lead"))
    sent("shop.services.circles.invitation_email", circles.invitation_email, circle_invitation.pk)
    request = HostingRequest.objects.create(organisation=ORGANISATION, contact_name="Cora O'Connor", email="cora@obrien.example",
                                            date=timezone.localdate() + timedelta(days=40), expected_guests=80,
                                            purpose="A dinner & <auction>")
    sent("shop.services.events.hosting_acknowledge", events.hosting_acknowledge, request.pk)
    sent("shop.services.events.hosting_notify_staff", events.hosting_notify_staff, request.pk)
    HostingRequest.objects.filter(pk=request.pk).update(status=HostingRequest.Status.ACCEPTED, staff_message="See you & <yours>")
    sent("shop.services.events.hosting_decision_email", events.hosting_decision_email, request.pk)

    # Payroll: a pay stub (drawn, then its e-mail), the transcript, the follow-up reminder, the reconciliation alert.
    employee = EmployeeFactory(legal_name=PERSON, preferred_name="Rosa", user=UserFactory(email="rosa@example.org"))
    stub = PayStubFactory(employee=employee, production_hours=Decimal("80.00"), production_rate=Decimal("25.00"),
                          production_pay=Decimal("2000.00"), bank_masked="****1234",
                          ytd={"gross": "4000.00", "federal_income_tax": "312.30", "social_security": "248.00",
                               "medicare": "58.00", "net": "3381.70"})
    text = drawn("payroll.services.paystubs.pay_stub_pdf", paystubs.pay_stub_pdf(stub), hours=("80.00",))
    expect("pay stub", text, PERSON)
    sent("payroll.services.paystubs.pay_stubs_generate", paystubs.pay_stubs_generate, stub.pay_run_id)
    from payroll.selectors.filings import form_941
    from payroll.services.filings import form_941_pdf

    text = drawn("payroll.services.filings.form_941_pdf", form_941_pdf(form_941(2026, 4)))
    expect("Form 941 worksheet", text, "Mended & Co's <Trust>", "Total deposits for this quarter")
    # Year end: the stub's run paid, the W-2s (with a substitute mailing address), issued, corrected, the W-2c.
    from payroll.models import PayRun as _PayRun, PayStub as _PayStub
    from payroll.services import yearend

    _PayRun.objects.filter(pk=stub.pay_run_id).update(status="paid")
    # The RT-6 (its wage listing names the paid employee) and Form 940 of the same paid run.
    from payroll.selectors.filings import form_940, rt6
    from payroll.services.filings import form_940_pdf, rt6_pdf

    text = drawn("payroll.services.filings.rt6_pdf", rt6_pdf(rt6(2026, 4), "State & <reemployment> tax"))
    expect("RT-6 worksheet", text, "State & <reemployment> tax", PERSON, "Employee wage listing")
    from django.test import override_settings

    with override_settings(FUTA_EXEMPT=False):  # an organisation that is not a 501(c)(3) files one
        text = drawn("payroll.services.filings.form_940_pdf", form_940_pdf(form_940(2026)))
    expect("Form 940 worksheet", text, "Mended & Co's <Trust>", "Total taxable FUTA wages")
    employee.mailing_address = "P.O. Box 5 & <Annex>\nTallahassee, FL 32302"
    employee.save()
    text = drawn("payroll.services.yearend.employee_w2_pdf", yearend.employee_w2_pdf(employee, 2026))
    expect("W-2", text, PERSON, "Box 5 & <Annex>")
    text = drawn("payroll.services.yearend.all_w2s_pdf", yearend.all_w2s_pdf(2026))
    expect("W-2 and W-3", text, PERSON, "Box 5 & <Annex>", "Form W-3")
    yearend.w2_issue(2026, coordinator_payroll := world["staff"][roles.PAYROLL_STAFF])
    _PayStub.objects.filter(pk=stub.pk).update(gross=Decimal("2100.00"))
    text = drawn("payroll.services.yearend.w2c_pdf", yearend.w2c_pdf(2026))
    expect("W-2c", text, PERSON, "Box 5 & <Annex>", "$2,000.00", "$2,100.00")
    del coordinator_payroll
    from payroll.models import Program

    coordinator = world["staff"][roles.PROGRAM_STAFF]
    program = Program.objects.create(name=PROGRAM, required_hours=Decimal("120"))
    PayRateFactory(employee=employee, kind=PayRate.Kind.TRAINING, rate=Decimal("15.00"), effective_from=date(2026, 1, 1))
    enrollment = enrollment_create(employee=employee, program=program, start_date=date(2026, 1, 5), actor=coordinator)
    enrollment_exit(enrollment.pk, status="completed", exit_date=date(2026, 8, 26), reason="Moved & <away>",
                    outcome="other", actor=coordinator)
    training.credential_add(employee, "ServSafe & <Food>", "O'Reilly & Co", date(2026, 3, 1), coordinator)
    text = drawn("payroll.services.training.transcript.transcript_pdf",
                 transcript_pdf(participant_record(employee.pk), complete=True), hours=("0.00", "120.00"))
    expect("transcript", text, PERSON, PROGRAM)
    sent("payroll.services.training.records.follow_ups_due_remind", training.follow_ups_due_remind, date(2026, 11, 23))
    Donation.objects.filter(pk=gift.pk).update(fund="wages")  # paid to the wage fund, never credited: not reconciled
    sent("payroll.services.reconcile._email_payroll_staff", reconcile.wage_fund_reconcile_and_alert)
    from payroll.services.ledger import Leg, entry_post

    entry_post(key="readback-overdrawn", on=date(2026, 11, 2), memo="overdrawn", source_type="test", source_id=None,
               legs=[Leg("training_fund", Decimal("3235.87")), Leg("shop_revenue_clearing", Decimal("-3235.87"))])
    sent("payroll.services.reconcile._email_payroll_staff", reconcile.fund_levels_check_and_alert)

    # Volunteers: the guardian's copy, the notices, a coordinator's message, the hours certificate.
    before = len(outbox.outbox)
    minor = signed_volunteer(full_name=VOLUNTEER, date_of_birth=timezone.localdate() - timedelta(days=365 * 15))
    assert len(outbox.outbox) == before  # sent on commit
    from payroll.models import WaiverAcceptance

    sent("payroll.services.volunteers.signups._send_guardian_copy", volunteers._send_guardian_copy,
         WaiverAcceptance.objects.get(volunteer=minor).pk)
    helper = signed_volunteer(full_name=VOLUNTEER)
    shift = make_shift(title="Sort & <Pack>", location=VENUE, starts_in=timedelta(days=1), hours=3)
    signup = volunteers.signup_create(helper.pk, shift.roles.get().pk)
    for notice in volunteers.NOTICES:
        sent("payroll.services.volunteers.notify.EmailChannel.send", volunteers.signup_notify, signup.pk, notice)
    message = ShiftMessage.objects.create(shift=shift, subject="Parking & <doors>", body="Use the back door & <ring>.",
                                          recipients=1)
    sent("payroll.services.volunteers.notify.EmailChannel.send", shift_message_send, message.pk)
    # A change and a cancellation notice (the time moved; the reason typed by the coordinator).
    from payroll.models import ShiftChange
    from payroll.services.volunteers.changes import change_notices_send, change_record

    Shift.objects.filter(pk=shift.pk).update(cancel_reason="Storm & <flooding>")
    for kind in (ShiftChange.Kind.CHANGED, ShiftChange.Kind.CANCELLED):
        change_record(shift, kind, ["Starts 5:00 PM (was 6:00 PM) at the <back> & side door"], None, shift.signups.all())
        sent("payroll.services.volunteers.notify.EmailChannel.send", change_notices_send,
             ShiftChange.objects.filter(shift=shift).latest("pk").pk)
    check_in(signup.pk, None, now=shift.starts_at)
    check_out(signup.pk, None, now=shift.starts_at + timedelta(hours=2, minutes=30))
    SignUp.objects.filter(pk=signup.pk).update(status=SignUp.Status.CONFIRMED)
    history, total = hours_history(helper)
    text = drawn("payroll.services.volunteers.documents.hours_certificate_pdf",
                 hours_certificate_pdf(helper, history, total), hours=(f"{total:.2f}",))
    expect("hours certificate", text, VOLUNTEER, "Sort & <Pack>")
    # A member of the volunteer's group is sent their own waiver link.
    from payroll.models import GroupMember
    from payroll.services.volunteers import groups

    member = GroupMember.objects.create(signup=signup, full_name="Leo O'Neil & <Co>", date_of_birth=date(1990, 5, 1),
                                        email="leo@example.org", token_hash=groups.token_hash("readback-token"))
    [invite] = sent("payroll.services.volunteers.groups._send_invite", groups._send_invite, member.pk, "readback-token")
    expect("group member e-mail", invite.body, "Leo O'Neil & <Co>", VOLUNTEER, "Sort & <Pack>",
           "/volunteer/group-waiver/readback-token/")

    assert found == [], "\n".join(found)
    assert set(pdfs) == PDF_GENERATORS
    assert senders == EMAIL_SENDERS
    # The <script> names reached e-mails of both apps, so the escaping check above was not empty.
    assert {"shop.services.receipts.receipt_send", "shop.services.statements.statement_send",
            "payroll.services.volunteers.signups._send_guardian_copy",
            "payroll.services.volunteers.notify.EmailChannel.send"} <= scripted
    email_templates = {f"{app}/email/{p.stem}" for app in ("shop", "payroll")
                       for p in (ROOT / app / "templates" / app / "email").glob("*.txt")}
    assert templates_used == email_templates
