"""Documents for volunteers: the iCalendar feed and per-shift .ics (``icalendar``), and
the hours certificate PDF (reportlab). Times are written in each shift's own time zone,
with its VTIMEZONE, so calendar apps show the local time of the work day."""
from urllib.parse import urlparse

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Spacer, Table, TableStyle

from payroll.models import Shift, SignUp, Volunteer
from shop.platform.documents import paragraph, pdf, text


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.MENDED_ORG['NAME']}//Volunteer work days//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(shift: Shift, uid: str, signup: SignUp | None = None, sequence: int = 0) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", shift.local_start)
    event.add("dtend", shift.local_end)
    event.add("summary", shift.title + (f" · {signup.role.name}" if signup else ""))
    event.add("location", shift.location)
    notes = [shift.description] if shift.description else []
    if signup and signup.party_size > 1:
        notes.append(f"Your party: {signup.party_size} people.")
    if notes:
        event.add("description", "\n\n".join(notes))
    event.add("status", "CANCELLED" if shift.cancelled else "CONFIRMED")
    return event


def _host() -> str:
    return urlparse(settings.SITE_URL).hostname or "mended.example"


def shift_ics(shift: Shift) -> bytes:
    """The shift as one event. Its UID stays the same and its SEQUENCE counts the changes,
    so the copy attached to a change notice updates the event already in a calendar."""
    calendar = _calendar(shift.title)
    calendar.add("method", "PUBLISH")
    calendar.add_component(_event(shift, f"shift-{shift.pk}@{_host()}", sequence=shift.changes.count()))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def volunteer_feed(volunteer: Volunteer) -> bytes:
    """Every shift the volunteer has a place on (cancelled shifts stay, marked cancelled)."""
    signups = (SignUp.objects.filter(volunteer=volunteer, status=SignUp.Status.CONFIRMED)
               .select_related("shift", "role").order_by("shift__starts_at"))
    calendar = _calendar(f"{settings.MENDED_ORG['NAME']} volunteer shifts")
    for signup in signups:
        calendar.add_component(_event(signup.shift, f"signup-{signup.pk}@{_host()}", signup))
    calendar.add_missing_timezones()
    return calendar.to_ical()


STYLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.grey),
    ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
    ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.grey),
    ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
])


SIGNED = ParagraphStyle("Signed", fontName="Times-Italic", fontSize=20, leading=26)
# The signature block: the signer's name written above a line, then their name, title and
# the organisation under it; the date beside it.
SIGNATURE = TableStyle([
    ("LINEBELOW", (0, 0), (0, 0), 0.8, colors.black),
    ("LINEBELOW", (1, 0), (1, 0), 0.8, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (0, -1), 24),
])


def hours_certificate_pdf(volunteer: Volunteer, history: list[SignUp], total) -> bytes:
    org = settings.MENDED_ORG
    rows = [["Date", "Work day", "Role", "Hours"]]
    rows += [[f"{s.shift.local_start:%b %-d, %Y}", s.shift.title, s.role.name, f"{s.hours:.2f}"] for s in history]
    rows.append(["", "", "Total", f"{total:.2f}"])
    story = [
        paragraph("<b>{org}</b>", "Title", org=org["LEGAL_NAME"]),
        text("Certificate of volunteer hours", "Heading2"),
        paragraph("This certifies that <b>{name}</b> gave <b>{hours} hours</b> of volunteer service to {org}, as recorded "
                  "at check-in and check-out, up to {day}.", name=volunteer.full_name, hours=f"{total:.2f}",
                  org=org["NAME"], day=f"{timezone.localdate():%B %-d, %Y}"),
        Spacer(1, 14),
        Table(rows, style=STYLE, hAlign="LEFT", colWidths=[1.2 * inch, 2.6 * inch, 1.8 * inch, 0.8 * inch]),
        Spacer(1, 30),
        Table([[text(settings.VOLUNTEER_SIGNER_NAME, SIGNED), text(f"{timezone.localdate():%B %-d, %Y}")],
               [text(f"{settings.VOLUNTEER_SIGNER_NAME}, {settings.VOLUNTEER_SIGNER_TITLE}"), text("Date")],
               [text(f"for {org['LEGAL_NAME']}"), ""]],
              style=SIGNATURE, hAlign="LEFT", colWidths=[3.4 * inch, 1.8 * inch]),
        Spacer(1, 24),
        text(f"{org['LEGAL_NAME']} · EIN {org['EIN']} · {org['ADDRESS']}"),
    ]
    return pdf(story, title="Volunteer hours certificate", author=org["LEGAL_NAME"], top=0.7 * inch)
