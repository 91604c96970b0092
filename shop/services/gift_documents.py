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
