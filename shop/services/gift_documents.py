"""Gift-box documents drawn on the server (reportlab): the quote a buyer takes to approval."""
import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shop.models import GiftDesign
from shop.services.gifts import GiftQuote
from shop.templatetags.money import usd


def quote_pdf(design: GiftDesign, quote: GiftQuote) -> bytes:
    org = settings.MENDED_ORG
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=letter, leftMargin=0.8 * inch, rightMargin=0.8 * inch,
                            title=f"Quote: {design.name}", author=org["LEGAL_NAME"])
    items = [["Item", "Per box", "Price"]] + [
        [escape(str(i.variant)), str(i.quantity), usd(i.variant.price * i.quantity)] for i in design.items.select_related("variant__product")
    ]
    totals = [
        ["Price per box (box, items, logo and monogram)", usd(quote.box_price)],
        [f"{quote.quantity} boxes" + (f", {quote.discount_percent.normalize()}% volume discount" if quote.discount_percent else ""),
         usd(quote.boxes_subtotal)],
        ["Shipping", usd(quote.shipping)],
        [f"Sales tax{f' ({quote.tax_state})' if quote.tax_state else ''}", usd(quote.tax)],
        ["Total", usd(quote.total)],
    ]
    style = TableStyle([("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.grey),
                        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)])
    total_style = TableStyle([("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"), ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.grey),
                              ("ALIGN", (1, 0), (-1, -1), "RIGHT")])
    story = [
        Paragraph(f"<b>{escape(org['LEGAL_NAME'])}</b> · Gift box quote", styles["Title"]),
        Paragraph(f"For {escape(design.organisation.name)} · {escape(design.name)} · {design.size.name} box · "
                  f"{timezone.localdate():%b %-d, %Y}", styles["Normal"]),
        Spacer(1, 12),
        Table(items, colWidths=[3.8 * inch, 1 * inch, 1.3 * inch], style=style),
        Spacer(1, 12),
        Table(totals, colWidths=[4.8 * inch, 1.3 * inch], style=total_style),
        Spacer(1, 12),
        Paragraph("Every box is assembled and its goods made by survivors of human trafficking paid a steady wage. "
                  "Prices hold for 30 days; production starts when the proof is approved.", styles["Italic"]),
    ]
    doc.build(story)
    return buffer.getvalue()


def invoice_pdf(invoice) -> bytes:
    org = settings.MENDED_ORG
    order = invoice.order
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=letter, leftMargin=0.8 * inch, rightMargin=0.8 * inch,
                            title=f"Invoice {invoice.number:06d}", author=org["LEGAL_NAME"])
    client = invoice.organisation
    rows = [
        ["", "Amount"],
        [f"{order.quantity} gift boxes “{escape(order.design_name)}” ({order.size_name}), order {order.number}", usd(order.boxes_subtotal)],
        ["Shipping", usd(order.shipping)],
        ["Sales tax", usd(order.tax)],
        ["Total due", usd(invoice.amount)],
    ]
    style = TableStyle([("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.grey), ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.grey),
                        ("ALIGN", (1, 0), (-1, -1), "RIGHT")])
    story = [
        Paragraph(f"<b>{escape(org['LEGAL_NAME'])}</b> · Invoice {invoice.number:06d}", styles["Title"]),
        Paragraph(f"{escape(org['ADDRESS'])} · EIN {escape(org['EIN'])} · {escape(org['SUPPORT_EMAIL'])}", styles["Normal"]),
        Spacer(1, 10),
        Paragraph(f"Bill to: <b>{escape(client.name)}</b><br/>{escape(client.billing_contact)}<br/>"
                  f"{escape(client.billing_address).replace(chr(10), '<br/>')}", styles["Normal"]),
        Spacer(1, 10),
        Paragraph(f"Issued {invoice.issued_on:%b %-d, %Y} · <b>due {invoice.due_on:%b %-d, %Y}</b> (net 30)", styles["Normal"]),
        Spacer(1, 12),
        Table(rows, colWidths=[4.8 * inch, 1.3 * inch], style=style),
        Spacer(1, 12),
        Paragraph(f"Please quote invoice {invoice.number:06d} with your payment.", styles["Normal"]),
    ]
    doc.build(story)
    return buffer.getvalue()


def impact_certificate_pdf(order) -> bytes:
    """For the client: boxes made and hours of paid survivor work funded. No personal data:
    no maker, no recipient, only the order's totals."""
    from reportlab.lib.pagesizes import landscape

    from shop.models import GiftOrder
    from shop.wages import gift_wages_funded, hours_funded

    org = settings.MENDED_ORG
    wages = gift_wages_funded(GiftOrder.objects.filter(pk=order.pk))
    hours = hours_funded(wages)
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(letter), topMargin=1 * inch,
                            title=f"Impact certificate, order {order.number}", author=org["LEGAL_NAME"])
    centred = styles["Normal"].clone("centred", alignment=1, fontSize=13, leading=19)
    big = styles["Title"].clone("big", fontSize=30, leading=36)
    story = [
        Paragraph("Certificate of impact", big),
        Spacer(1, 18),
        Paragraph(f"presented to <b>{escape(order.organisation.name)}</b>", centred),
        Spacer(1, 18),
        Paragraph(f"Your order of <b>{order.quantity:,} gift box{'es' if order.quantity != 1 else ''}</b> "
                  f"(“{escape(order.design_name)}”, order {order.number}) funded "
                  f"<b>{hours:,} hours of paid work</b> by survivors of human trafficking: "
                  f"{usd(wages)} in wages for making the goods and assembling every box.", centred),
        Spacer(1, 18),
        Paragraph("A steady wage is the ground a new life is built on. Thank you for choosing gifts that pay it.", centred),
        Spacer(1, 30),
        Paragraph(f"{escape(org['LEGAL_NAME'])} · {escape(org['ADDRESS'])} · {timezone.localdate():%B %-d, %Y}", centred),
    ]
    doc.build(story)
    return buffer.getvalue()


PACKING_COLUMNS = ["order", "parcel", "name", "company", "address_line1", "address_line2", "city", "state", "zip",
                   "country", "boxes", "card_message", "initials", "ribbon", "tissue", "logo", "contents"]
LABEL_COLUMNS = ["order", "reference", "name", "company", "address_line1", "address_line2", "city", "state", "zip",
                 "country", "boxes"]


def _destinations(order):
    """One row per parcel destination: each recipient of the list, or the bulk address."""
    if order.recipient_list_id:
        for r in order.recipient_list.recipients.all().iterator():
            yield (f"R{r.row}", r.name, r.company, r.address_line1, r.address_line2, r.city, r.state, r.zip, r.country,
                   1, r.message or order.message)
    else:
        yield ("BULK", order.ship_to_name, order.ship_to_company, order.ship_to_line1, order.ship_to_line2,
               order.ship_to_city, order.destination_state, order.ship_to_zip, "US", order.quantity, order.message)


def _csv(header, rows) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_spreadsheet_safe(v) for v in row])
    return out.getvalue()


def _spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def packing_list_csv(order) -> str:
    contents = "; ".join(f"{line.per_box} × {line.title}" for line in order.lines.all())
    rows = ((order.number, ref, name, company, l1, l2, city, state, zip_, country, boxes, message, order.initials,
             order.ribbon_name, order.tissue_name, "yes" if order.has_logo else "no", contents)
            for ref, name, company, l1, l2, city, state, zip_, country, boxes, message in _destinations(order))
    return _csv(PACKING_COLUMNS, rows)


def shipping_labels_csv(order) -> str:
    rows = ((order.number, f"{order.number}-{ref}", name, company, l1, l2, city, state, zip_, country, boxes)
            for ref, name, company, l1, l2, city, state, zip_, country, boxes, _message in _destinations(order))
    return _csv(LABEL_COLUMNS, rows)
