"""Gift-box documents drawn on the server (reportlab): the quote a buyer takes to approval."""

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.platypus import Spacer, Table, TableStyle

from shop.platform.csv_export import csv_text
from shop.platform.documents import paragraph, pdf, styles, text
from shop.models import GiftDesign
from shop.selectors.gifts.prices import order_price_lines, quote_price_lines
from shop.services.gifts.orders import invoice_pay_link
from shop.services.gifts.quote import GiftQuote
from shop.templatetags.money import usd


def _label(line):
    """A price line's name in a table cell: a long one (a claim-link order's estimated tax) wraps."""
    return text(line.label) if len(line.label) > 40 else line.label


def quote_pdf(design: GiftDesign, quote: GiftQuote) -> bytes:
    from shop.services.gifts.credit import credit_to_apply, organisation_credit_balance

    org = settings.MENDED_ORG
    items = [["Item", "Per box", "Price"]] + [
        [str(i.variant), str(i.quantity), usd(i.variant.price * i.quantity)] for i in design.items.select_related("variant__product")
    ]
    balance = organisation_credit_balance(design.organisation)
    credit = credit_to_apply(balance, quote.total)  # spent automatically when the order is placed (credit.py)
    # The lines every page shows (shop/selectors/gifts/prices.py); the per-box average is left to the pages.
    lines = [line for line in quote_price_lines(quote, credit) if line.kind != "hint"]
    totals = [[_label(line), line.printed] for line in lines]
    bold = [i for i, line in enumerate(lines) if line.kind in ("grand", "subtotal")]
    style = TableStyle([("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.grey),
                        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)])
    total_style = TableStyle([("ALIGN", (1, 0), (-1, -1), "RIGHT")]
                             + [(command, (0, i), (-1, i), *args) for i in bold
                                for command, *args in (("FONTNAME", "Helvetica-Bold"), ("LINEABOVE", 0.8, colors.grey))])
    story = [
        paragraph("<b>{org}</b> · Gift box quote", "Title", org=org["LEGAL_NAME"]),
        paragraph("For {client} · {design} · {size} box · {day}", client=design.organisation.name, design=design.name,
                  size=design.size.name, day=f"{timezone.localdate():%b %-d, %Y}"),
        Spacer(1, 12),
        Table(items, colWidths=[3.8 * inch, 1 * inch, 1.3 * inch], style=style),
        Spacer(1, 12),
        Table(totals, colWidths=[4.8 * inch, 1.3 * inch], style=total_style),
        Spacer(1, 12),
        text(f"Your organisation's account credit is {usd(balance)} today; it is spent on the order first when "
             "the order is placed.") if credit else Spacer(1, 0),
        text("Every box is assembled and its goods made by survivors of human trafficking paid a steady wage. "
             "Prices hold for 30 days; production starts when the proof is approved.", "Italic"),
    ]
    return pdf(story, title=f"Quote: {design.name}", author=org["LEGAL_NAME"])


def invoice_terms_days(invoice) -> int:
    """The invoice's own terms (net N days), from its dates: a later change of settings does
    not reprint an issued invoice."""
    return (invoice.due_on - invoice.issued_on).days


def invoice_pdf(invoice) -> bytes:
    org, pay = settings.MENDED_ORG, settings.GIFT_INVOICE
    order = invoice.order
    client = invoice.organisation
    number = f"{invoice.number:06d}"
    # The order's price as its page shows it (shop/selectors/gifts/prices.py), without the per-box
    # average; the last line is the amount the invoice is for: the total, less any account credit
    # the order spent when it was placed.
    lines = [line for line in order_price_lines(order) if line.kind != "hint"]
    lines = lines[:-1] if order.credit_applied else [line for line in lines if line.label != "Total"]
    rows = ([["", "Amount"], [f"Order {order.number}: {order.quantity} gift boxes “{order.design_name}” "
                                f"({order.size_name} box)", ""]]
            + [[_label(line), line.printed] for line in lines] + [["Total due (US dollars)", usd(invoice.amount)]])
    bold = [i + 2 for i, line in enumerate(lines) if line.kind in ("grand", "subtotal")]
    style = TableStyle([("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.grey), ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.grey),
                        ("ALIGN", (1, 0), (-1, -1), "RIGHT")]
                       + [(command, (0, i), (-1, i), *args) for i in bold
                          for command, *args in (("FONTNAME", "Helvetica-Bold"), ("LINEABOVE", 0.4, colors.grey))])
    reference = f"invoice {number}" + (f" and PO {order.po_number}" if order.po_number else "")
    small = styles()["Normal"].clone("link", fontSize=8.5, leading=11)  # the link fits on one line
    story = [
        paragraph("<b>{org}</b> · Invoice {number}", "Title", org=org["LEGAL_NAME"], number=number),
        paragraph("{address} · EIN {ein} · {email}", address=org["ADDRESS"], ein=org["EIN"], email=org["SUPPORT_EMAIL"]),
        Spacer(1, 10),
        paragraph("Bill to: <b>{client}</b><br/>{contact}<br/>{address}", client=client.name,
                  contact=client.billing_contact, address=client.billing_address),
        Spacer(1, 10),
        paragraph("Invoice {number} · issued {issued} · terms: net {days} days · <b>due {due}</b>", number=number,
                  issued=f"{invoice.issued_on:%b %-d, %Y}", days=invoice_terms_days(invoice),
                  due=f"{invoice.due_on:%b %-d, %Y}"),
        paragraph("Your PO number: <b>{po}</b>", po=order.po_number) if order.po_number else Spacer(1, 0),
        Spacer(1, 12),
        Table(rows, colWidths=[4.8 * inch, 1.3 * inch], style=style),
        Spacer(1, 14),
        paragraph("<b>How to pay</b> (please quote {reference})", reference=reference),
        Spacer(1, 4),
        paragraph("<b>By card</b>, on the invoice's own page:"),
        paragraph('<a href="{link}" color="blue">{link}</a>', small, link=invoice_pay_link(invoice)),
        paragraph("<b>By ACH or wire:</b> {bank}, routing number {routing}, account ending {last4}, account name "
                  "{name} (call us on {phone} for the full account number; we never change our bank details by e-mail).",
                  bank=pay["BANK_NAME"], routing=pay["ACH_ROUTING"], last4=pay["ACCOUNT_LAST4"], name=pay["ACCOUNT_NAME"],
                  phone=pay["PHONE"]),
        paragraph("<b>By cheque:</b> payable to {org}, mailed to the remit-to address.", org=org["LEGAL_NAME"]),
        Spacer(1, 6),
        paragraph("<b>Remit to:</b> {remit}", remit=pay["REMIT_TO"]),
    ]
    return pdf(story, title=f"Invoice {number}", author=org["LEGAL_NAME"])


def impact_certificate_pdf(order) -> bytes:
    """For the client: boxes made and hours of paid survivor work funded. No personal data:
    no maker, no recipient, only the order's totals."""
    from reportlab.lib.pagesizes import landscape

    from shop.models import GiftOrder
    from shop.services.gifts.claims import boxes_cancelled
    from shop.wages import gift_wages_funded, hours_funded

    org = settings.MENDED_ORG
    # The boxes made: a claim-link order's gifts cancelled unclaimed (credit or refund) never
    # were, and their wages went back out of the wage fund (``gift_wages_funded`` leaves them out).
    unmade = boxes_cancelled(order)
    made = order.quantity - unmade
    wages = gift_wages_funded(GiftOrder.objects.filter(pk=order.pk))
    hours = hours_funded(wages)
    sheet = styles()
    centred = sheet["Normal"].clone("centred", alignment=1, fontSize=13, leading=19)
    big = sheet["Title"].clone("big", fontSize=30, leading=36)
    story = [
        text("Certificate of impact", big),
        Spacer(1, 18),
        paragraph("presented to <b>{client}</b>", centred, client=order.organisation.name),
        Spacer(1, 18),
        paragraph("Your order of <b>{boxes}</b> (“{design}”, order {number}) funded <b>{hours} hours of paid work</b> by "
                  "survivors of human trafficking: {wages} in wages for making the goods and assembling every box.{unmade}",
                  centred, boxes=f"{made:,} gift box{'es' if made != 1 else ''}", design=order.design_name,
                  number=order.number, hours=f"{hours:,}", wages=usd(wages),
                  unmade=(f" ({unmade:,} gift{'s' if unmade != 1 else ''} left unclaimed came back to you and "
                          f"{'were' if unmade != 1 else 'was'} never made.)" if unmade else "")),
        Spacer(1, 18),
        text("A steady wage is the ground a new life is built on. Thank you for choosing gifts that pay it.", centred),
        Spacer(1, 30),
        text(f"{org['LEGAL_NAME']} · {org['ADDRESS']} · {timezone.localdate():%B %-d, %Y}", centred),
    ]
    return pdf(story, title=f"Impact certificate, order {order.number}", author=org["LEGAL_NAME"],
               pagesize=landscape(letter), top=1 * inch)


PACKING_COLUMNS = ["order", "parcel", "name", "company", "address_line1", "address_line2", "city", "state", "zip",
                   "country", "boxes", "card_message", "initials", "ribbon", "tissue", "logo", "box", "contents"]
LABEL_COLUMNS = ["order", "reference", "name", "company", "address_line1", "address_line2", "city", "state", "zip",
                 "country", "boxes", "box"]


def _recipients(order):
    """The recipient list's rows, each with the claim (if any) whose recipient picked a box."""
    return (order.recipient_list.recipients.select_related("claim__chosen_design")
            .prefetch_related("claim__chosen_design__items__variant__product").order_by("row"))


def _chosen(recipient):
    """The alternative design this recipient picked, or None for the ordered box."""
    claim = getattr(recipient, "claim", None)
    return claim.chosen_design if claim is not None else None


def _destinations(order):
    """One row per parcel destination: each recipient of the list, or the bulk address; the last
    field is the alternative design the recipient chose by claim link (None: the ordered box)."""
    if order.recipient_list_id:
        for r in _recipients(order):
            chosen = _chosen(r)
            yield (f"R{r.row}", r.name, r.company, r.address_line1, r.address_line2, r.city, r.state, r.zip, r.country,
                   1, r.message or order.message, chosen if chosen is not None and chosen.pk != order.design_id else None)
    else:
        yield ("BULK", order.ship_to_name, order.ship_to_company, order.ship_to_line1, order.ship_to_line2,
               order.ship_to_city, order.destination_state, order.ship_to_zip, "US", order.quantity, order.message, None)


def _design_contents(design) -> str:
    return "; ".join(f"{item.quantity} × {item.variant}" for item in design.items.all())


def box_counts(order) -> list[tuple[int, str]]:
    """How many of each box to pack, most first: [(18, "Welcome box"), (7, "Coffee lover")].
    Counts the packing list's rows in one query, so an alternative a recipient chose is the box counted."""
    if not order.recipient_list_id:
        return [(order.quantity, order.design_name)]
    counts: dict[str, int] = {}
    picked = (order.recipient_list.recipients.values_list("claim__chosen_design_id", "claim__chosen_design__name")
              .annotate(n=Count("id")).order_by())
    for design_id, name, n in picked:
        name = name if design_id is not None and design_id != order.design_id else order.design_name
        counts[name] = counts.get(name, 0) + n
    return sorted(((n, name) for name, n in counts.items()), key=lambda pair: (-pair[0], pair[1]))


def packing_list_csv(order) -> str:
    ordered = "; ".join(f"{line.per_box} × {line.title}" for line in order.lines.all())
    rows = ((order.number, ref, name, company, l1, l2, city, state, zip_, country, boxes, message, order.initials,
             order.ribbon_name, order.tissue_name, "yes" if order.has_logo else "no",
             chosen.name if chosen is not None else order.design_name,
             _design_contents(chosen) if chosen is not None else ordered)
            for ref, name, company, l1, l2, city, state, zip_, country, boxes, message, chosen in _destinations(order))
    return csv_text(PACKING_COLUMNS, rows)


def shipping_labels_csv(order) -> str:
    rows = ((order.number, f"{order.number}-{ref}", name, company, l1, l2, city, state, zip_, country, boxes,
             chosen.name if chosen is not None else order.design_name)
            for ref, name, company, l1, l2, city, state, zip_, country, boxes, _message, chosen in _destinations(order))
    return csv_text(LABEL_COLUMNS, rows)
