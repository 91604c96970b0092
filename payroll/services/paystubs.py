"""Pay stub PDFs (reportlab), kept in private storage, and the e-mail that points to them.

The e-mail carries a link that needs a login, never the stub itself.
"""
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Spacer, Table, TableStyle

from payroll.models import PayStub
from payroll.selectors.people import mailing_address_lines
from shop.platform import mail
from shop.platform.documents import paragraph, pdf, text
from shop.templatetags.money import usd


def pay_stub_pdf(stub: PayStub) -> bytes:
    org = settings.MENDED_ORG
    run = stub.pay_run
    employee = stub.employee
    story = [
        paragraph("<b>{org}</b> · EIN {ein}", "Title", org=org["LEGAL_NAME"], ein=org["EIN"]),
        text(org["ADDRESS"]),
        Spacer(1, 8),
        # The mailing address (the substitute one when set), so a stub can go in a window envelope.
        text("\n".join([employee.legal_name, *mailing_address_lines(employee)])),
        Spacer(1, 12),
        paragraph("Pay stub for <b>{name}</b> · pay period {start} – {end} · pay date {paid}", name=employee.legal_name,
                  start=f"{run.period_start:%b %-d}", end=f"{run.period_end:%b %-d, %Y}", paid=f"{run.pay_date:%b %-d, %Y}"),
        Spacer(1, 12),
    ]
    ytd = stub.ytd or {}
    earnings = [["Earnings", "Hours", "Rate", "This period"]]
    if stub.production_hours:
        earnings.append(["Production", stub.production_hours, usd(stub.production_rate), usd(stub.production_pay)])
    if stub.training_hours:
        earnings.append(["Training", stub.training_hours, usd(stub.training_rate), usd(stub.training_pay)])
    if stub.pto_hours:
        earnings.append(["Paid time off", stub.pto_hours, usd(stub.production_rate), usd(stub.pto_pay)])
    if stub.overtime_premium:
        earnings.append(["Overtime premium (half time)", stub.overtime_hours, "", usd(stub.overtime_premium)])
    if stub.bonus:
        earnings.append(["Bonus", "", "", usd(stub.bonus)])
    summary = [
        ["", "This period", "Year to date"],
        ["Gross pay", usd(stub.gross), usd(ytd.get("gross"))],
        *([line.label, usd(amount), usd(ytd.get(line.code)) if line.ytd else ""] for line, amount in stub.employee_tax_amounts),
        ["Net pay", usd(stub.net), usd(ytd.get("net"))],
    ]
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.grey),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ])
    story += [Table(earnings, colWidths=[3 * inch, 1 * inch, 1.1 * inch, 1.4 * inch], style=style), Spacer(1, 14)]
    story += [Table(summary, colWidths=[3 * inch, 1.6 * inch, 1.6 * inch], style=style), Spacer(1, 14)]
    deposit = "Paid by paper check." if stub.paid_by_check else f"Deposited to account {stub.bank_masked}."
    if stub.prenote:
        deposit += " Your bank is checking your new account; your next pay goes to it."
    story.append(text(deposit))
    story.append(Spacer(1, 8))
    employer = ", ".join(f"{line.label} {usd(amount)}" for line, amount in stub.employer_tax_amounts)
    story.append(text(f"Employer taxes paid on your behalf (not taken from your pay): {employer}.", "Italic"))
    return pdf(story, title=f"Pay stub {run.pay_date}", author=org["LEGAL_NAME"], left=0.7 * inch, right=0.7 * inch,
               top=0.6 * inch)


def pay_stubs_generate(run_id: int) -> int:
    """Write each stub's PDF once and tell its employee where to find it. Returns stubs made."""
    made = 0
    stubs = PayStub.objects.filter(pay_run_id=run_id, pdf="").select_related("pay_run", "employee__user")
    for stub in stubs:
        with transaction.atomic():
            locked = PayStub.objects.select_for_update().get(pk=stub.pk)
            if locked.pdf:
                continue
            locked.pdf.save(f"stub-{stub.pay_run_id}-{stub.employee_id}.pdf", ContentFile(pay_stub_pdf(stub)), save=True)
            made += 1
        user = stub.employee.user
        if user is not None and user.email:
            link = settings.SITE_URL.rstrip("/") + reverse("payroll:my_pay")
            # Neutral subject and body (survivor-safe delivery): the payer's neutral name, no
            # organisation name, mission or program in a message anyone may see on a phone.
            mail.send(to=[user.email], subject=f"Your pay stub for {stub.pay_run.pay_date:%b %-d, %Y}",
                      template="payroll/email/pay_stub_ready",
                      context={"link": link, "payer": settings.PAYROLL_PAYER_NAME})
    return made
