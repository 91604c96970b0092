"""The authenticator-app QR code as inline SVG: no image request and nothing for a CSP to allow."""
import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


@register.filter
def inline_qr_svg(svg: str, label: str = "QR code") -> str:
    """allauth's SVG (made by qrcode, from the otpauth URL) without its XML prolog, labelled."""
    svg = _PROLOG.sub("", str(svg or ""))
    if not svg.startswith("<svg"):
        return ""
    return mark_safe(svg.replace("<svg", f'<svg role="img" aria-label="{escape(label)}" class="qr-svg"', 1))
