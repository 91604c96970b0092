"""The one documents module: every PDF the product makes (shop and payroll) is drawn with these.

Escaping happens here, once, and only where reportlab reads markup:

- ``paragraph(template, **values)``: ``template`` is markup written in the code
  (``"Donor: <b>{name}</b>"``); each value is text typed by someone and is escaped once
  (``&`` → ``&amp;``), with its line breaks kept.
- ``text(value)``: a paragraph of plain text (escaped once), e.g. a long table cell that wraps.
- A plain ``str`` table cell is drawn as it is (reportlab does not read markup there), so it
  is never escaped: "Cedar & Sage" prints as typed.
- ``pdf(story, title=...)``: the shared page set-up; returns the file's bytes.

Amounts go in as ``usd(...)`` and percentages as ``percent(...)`` (``shop.templatetags.money``).
No other module imports reportlab's ``Paragraph``, ``SimpleDocTemplate`` or an escape
function (``tests/shop/platform/test_documents_readback.py`` checks).
"""
import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate


def styles():
    """A fresh copy of the shared style sheet (callers may add to it)."""
    return getSampleStyleSheet()


def _style(style) -> ParagraphStyle:
    return style if isinstance(style, ParagraphStyle) else styles()[style]


def escaped(value) -> str:
    """Text made safe for reportlab markup, once; line breaks become ``<br/>``."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def paragraph(template: str, style="Normal", **values) -> Paragraph:
    """``template`` (markup from the code) with each ``{value}`` filled in escaped."""
    return Paragraph(template.format(**{k: escaped(v) for k, v in values.items()}), _style(style))


def text(value, style="Normal") -> Paragraph:
    """A paragraph of plain text: nothing in it is read as markup."""
    return Paragraph(escaped(value), _style(style))


def pdf(story: list, *, title: str, author: str = "", pagesize=letter, left=0.8 * inch, right=0.8 * inch,
        top=None) -> bytes:
    """Draw ``story`` on ``pagesize`` pages and return the PDF's bytes."""
    buffer = io.BytesIO()
    margins = {"leftMargin": left, "rightMargin": right}
    if top is not None:
        margins["topMargin"] = top
    SimpleDocTemplate(buffer, pagesize=pagesize, title=title, author=author, **margins).build(story)
    return buffer.getvalue()
