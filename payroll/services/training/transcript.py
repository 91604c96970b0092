"""The training transcript PDF (reportlab): programs, hours, competencies, credentials.
Made only for a partner a current transcript consent names (the view checks ``consent_for``)."""
from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Spacer, Table, TableStyle

from shop.platform.documents import paragraph, pdf, text

STYLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.grey),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
])


def transcript_pdf(record: dict, complete: bool = False, recipient=None) -> bytes:
    """The transcript for ``recipient`` (a partner); ``complete`` adds everything else held (for a data request)."""
    org = settings.MENDED_ORG
    employee = record["employee"]
    story = [
        paragraph("<b>{org}</b> · {kind}", "Title", org=org["LEGAL_NAME"],
                  kind="Complete training record" if complete else "Training transcript"),
        paragraph("Issued to <b>{name}</b> on {day}", name=employee.legal_name, day=f"{timezone.localdate():%b %-d, %Y}"),
        *([paragraph("Shared with {partner} with the participant's consent", partner=recipient.name)] if recipient else []),
        Spacer(1, 12),
    ]
    programs = [["Program", "Started", "Status", "Ended"]]
    programs += [[e.program.name, f"{e.start_date:%b %-d, %Y}", e.get_status_display(),
                  f"{e.exit_date:%b %-d, %Y}" if e.exit_date else ""] for e in record["enrollments"]]
    hours = [["Program", "Training hours", "Required"]]
    hours += [[h["program"], f"{h['hours']:.2f}", "—" if h["required_hours"] is None else f"{h['required_hours']:.2f}"]
              for h in record["hours_by_program"]]
    competencies = [["Competency", "Program", "Level", "Date"]]
    competencies += [[s.competency.name, s.competency.program.name, s.get_level_display(), f"{s.date:%b %-d, %Y}"]
                     for s in record["signoffs"]]
    credentials = [["Credential", "Issuer", "Earned", "Expires"]]
    credentials += [[c.name, c.issuer, f"{c.date:%b %-d, %Y}", f"{c.expiry:%b %-d, %Y}" if c.expiry else ""]
                    for c in record["credentials"]]
    sections = [("Programs", programs), ("Hours", hours), ("Competencies", competencies), ("Credentials", credentials)]
    if complete:
        follow_ups = [["Milestone", "Due", "Reached", "Employment", "Housing stable", "Note"]]
        follow_ups += [[f.get_due_months_display(), f"{f.due_date:%b %-d, %Y}",
                        "no" if f.could_not_reach else ("yes" if f.done_at else "not yet"),
                        f.get_employment_status_display(), {True: "yes", False: "no"}.get(f.housing_stable, ""), f.note]
                       for f in record["follow_ups"]]
        exits = [["Program", "Exit reason", "Outcome"]]
        exits += [[e.program.name, e.exit_reason, e.get_outcome_display()] for e in record["enrollments"] if e.exit_date]
        sections += [("Exits", exits), ("Follow-ups", follow_ups)]
    for title, table in sections:
        story.append(text(title, "Heading2"))
        story.append(Table(table, style=STYLE, hAlign="LEFT") if len(table) > 1 else text("None recorded."))
        story.append(Spacer(1, 10))
    return pdf(story, title="Training transcript", author=org["LEGAL_NAME"], left=0.7 * inch, right=0.7 * inch,
               top=0.6 * inch)
