"""The one place e-mail leaves the product (shop and payroll alike).

    from shop import mail

    mail.send(to=[donor.email], subject="...", text=body)                       # a plain-text e-mail
    mail.send(to=[...], subject="...", template="shop/email/order_confirmation", context={...})
    mail.send(..., attachments=[("receipt-2026-000001.pdf", pdf_bytes, "application/pdf")])

A ``template`` is a pair: ``<template>.txt`` is rendered with autoescaping off (a text body
is not HTML: "Cedar & Sage" must not arrive as "Cedar &amp; Sage"), ``<template>.html``, if
there is one, with autoescaping on, as the HTML alternative. Amounts go in as ``usd(...)``
(``shop.templatetags.money``), never as a bare number, so every one carries its currency.
"""
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string


def render(template: str, context: dict) -> tuple[str, str | None]:
    """The text body (never HTML-escaped) and the HTML body (or None) of a template pair."""
    text = get_template(f"{template}.txt").template.render(Context(context, autoescape=False))
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = None
    return text, html


def send(*, to: list[str], subject: str, text: str = "", template: str | None = None, context: dict | None = None,
         attachments=(), from_email: str | None = None) -> None:
    """Send one e-mail: ``text`` as given, or the ``template`` pair rendered with ``context``."""
    html = None
    if template is not None:
        text, html = render(template, context or {})
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, from_email=from_email, to=list(to))
    if html is not None:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
