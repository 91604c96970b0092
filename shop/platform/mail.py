"""The one place e-mail leaves the product (shop and payroll alike).

    from shop.platform import mail

    mail.send(to=[...], subject="...", template="shop/email/order_confirmation", context={...})
    mail.send(..., attachments=[("receipt-2026-000001.pdf", pdf_bytes, "application/pdf")])

Every e-mail is a template pair, and there is no way to send a body built in code:

- ``<template>.txt`` is the text body, rendered with autoescaping off (a text body is not
  HTML: "Cedar & Sage" must not arrive as "Cedar &amp; Sage"); blank lines around it are
  trimmed, so a template may start with ``{% load money %}`` on its own line.
- ``<template>.html`` says the same as the text, with autoescaping on ("<script>" arrives
  as "&lt;script&gt;"). It extends ``shop/email/base.html``, the one layout: the
  organisation's name at the top, a sign-off and its address at the foot, simple inline
  styles, nothing loaded from the internet.

``org`` (``settings.MENDED_ORG``) is in every context. Amounts go in as ``usd(...)``
(``shop.templatetags.money``), never as a bare number, so every one carries its currency.
"""
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string


def render(template: str, context: dict) -> tuple[str, str]:
    """The text body (never HTML-escaped) and the HTML body of a template pair."""
    context = {"org": settings.MENDED_ORG, **context}
    text = get_template(f"{template}.txt").template.render(Context(context, autoescape=False))
    html = render_to_string(f"{template}.html", context)
    return text.strip("\n") + "\n", html


def send(*, to: list[str], subject: str, template: str, context: dict | None = None, attachments=(),
         from_email: str | None = None) -> None:
    """Send one e-mail: the ``template`` pair rendered with ``context``."""
    text, html = render(template, context or {})
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, from_email=from_email, to=list(to))
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
