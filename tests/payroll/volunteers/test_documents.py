"""The iCal feed and per-shift .ics (read back with ``icalendar``), and the hours certificate."""
import io
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from payroll.services.volunteers.shifts import ShiftDetails, check_in, check_out, shift_create
from payroll.services.volunteers.signups import signup_create
from tests.payroll.volunteers.factories import signed_volunteer

pytestmark = pytest.mark.django_db
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def chicago_shift(day, start=time(9, 0), end=time(13, 30), title="Warehouse sorting day"):
    details = ShiftDetails(title=title, location="Chicago warehouse", day=day, start_time=start, end_time=end,
                           time_zone="America/Chicago", roles=[("Warehouse sorting", 5)], signup_cutoff_hours=0)
    return shift_create(details, None)[0]


def events(body: bytes):
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def test_the_feed_holds_the_shifts_in_their_own_time_zone(client, settings):
    assert settings.TIME_ZONE == "America/New_York"  # the site's zone differs from the shift's
    volunteer = signed_volunteer()
    day = timezone.localdate() + timedelta(days=10)
    shift = chicago_shift(day)
    signup_create(volunteer.pk, shift.roles.get().pk)
    response = client.get(reverse("payroll:volunteer_feed", args=[volunteer.calendar_token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    (event,) = events(response.content)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (datetime.combine(day, time(9)), datetime.combine(day, time(13, 30)))
    assert start == datetime.combine(day, time(9), CHICAGO) == shift.starts_at
    assert str(event["SUMMARY"]) == "Warehouse sorting day · Warehouse sorting" and str(event["LOCATION"]) == "Chicago warehouse"


def test_a_cancelled_shift_stays_in_the_feed_marked_cancelled_and_a_wrong_token_is_404(client):
    from payroll.services.volunteers.shifts import shift_cancel

    volunteer = signed_volunteer()
    shift = chicago_shift(timezone.localdate() + timedelta(days=5))
    signup_create(volunteer.pk, shift.roles.get().pk)
    shift_cancel(shift.pk, None)
    (event,) = events(client.get(reverse("payroll:volunteer_feed", args=[volunteer.calendar_token])).content)
    assert str(event["STATUS"]) == "CANCELLED"
    assert client.get(reverse("payroll:volunteer_feed", args=["not-the-token"])).status_code == 404


def test_a_new_link_retires_the_old_one(client):
    volunteer = signed_volunteer()
    old = volunteer.calendar_token
    client.force_login(volunteer.user)
    client.post(reverse("payroll:volunteer_feed_reset"))
    volunteer.refresh_from_db()
    assert volunteer.calendar_token != old
    assert client.get(reverse("payroll:volunteer_feed", args=[old])).status_code == 404
    assert client.get(reverse("payroll:volunteer_feed", args=[volunteer.calendar_token])).status_code == 200


def test_each_shift_has_an_ics_download(client):
    volunteer = signed_volunteer()
    day = timezone.localdate() + timedelta(days=3)
    shift = chicago_shift(day, start=time(18), end=time(21))
    client.force_login(volunteer.user)
    response = client.get(reverse("payroll:volunteer_shift_ics", args=[shift.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    (event,) = events(response.content)
    assert event.decoded("DTSTART") == datetime.combine(day, time(18), CHICAGO)


def test_the_certificate_lists_the_hours(client):
    volunteer = signed_volunteer(full_name="Dana Helper")
    shift = chicago_shift(timezone.localdate() + timedelta(days=1), title="Pop-up shop")
    signup = signup_create(volunteer.pk, shift.roles.get().pk)
    check_in(signup.pk, None, now=shift.starts_at)
    check_out(signup.pk, None, now=shift.starts_at + timedelta(hours=2, minutes=30))
    client.force_login(volunteer.user)
    response = client.get(reverse("payroll:volunteer_certificate"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Dana Helper" in text and "2.50 hours" in text and "Pop-up shop" in text


def test_the_certificate_is_signed_by_the_coordinator_for_the_organisation(client, settings):
    settings.VOLUNTEER_SIGNER_NAME, settings.VOLUNTEER_SIGNER_TITLE = "Morgan Lee", "Volunteer Coordinator"
    volunteer = signed_volunteer(full_name="Dana Helper")
    client.force_login(volunteer.user)
    response = client.get(reverse("payroll:volunteer_certificate"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Morgan Lee, Volunteer Coordinator" in text
    assert "for Mended Threads Collective, Inc." in text
    assert f"{timezone.localdate():%B %-d, %Y}" in text and "$" not in text  # hours only, never a dollar value
