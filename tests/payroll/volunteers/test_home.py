"""The volunteer home's smaller items: one hours figure (the home's total is the
certificate's), "Add to calendar" apart from "Cancel", cancel only after a confirmation
page (a POST from it; a GET writes nothing), the waitlist in one click, and a guardian's
e-mail that is not the minor's own."""
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from payroll.models import SignUp, Volunteer
from payroll.services.volunteers.shifts import check_in, check_out
from payroll.services.volunteers.signups import GuardianEmailError, signup_create, waiver_accept, waiver_current
from tests.payroll.volunteers.factories import VolunteerFactory, make_shift, publish_waiver, signed_volunteer

pytestmark = pytest.mark.django_db


def certificate_total(client) -> str:
    response = client.get(reverse("payroll:volunteer_certificate"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return re.search(r"gave ([0-9.]+) hours", " ".join(text.split()))[1]


def home_total(client) -> str:
    html = client.get(reverse("payroll:volunteer_home")).content.decode()
    return re.search(r"Total: <strong>([0-9.]+) hours</strong>", html)[1]


def test_the_home_and_the_certificate_give_the_same_hours_before_the_shift_ends(client):
    """The bug: the home counted only shifts already over; a volunteer who checked out while
    the shift ran on (or ran into the evening) saw 0.00 on the home and 3.00 on the certificate."""
    volunteer = signed_volunteer()
    shift = make_shift(starts_in=timedelta(days=3), hours=6)
    signup = signup_create(volunteer.pk, shift.roles.get().pk)
    check_in(signup.pk, None, now=shift.starts_at)
    check_out(signup.pk, None, now=shift.starts_at + timedelta(hours=3))  # left early; the shift ends later
    client.force_login(volunteer.user)
    assert certificate_total(client) == "3.00"
    assert home_total(client) == "3.00"
    html = client.get(reverse("payroll:volunteer_home")).content.decode()
    history = html.split("<h2>History</h2>", 1)[1]
    assert shift.title in history and "3.00" in history
    assert "Cancel…" not in html  # it is done: not offered as upcoming


def test_a_past_shift_and_a_no_show_agree_too(client):
    volunteer = signed_volunteer()
    worked, missed = make_shift(starts_in=timedelta(days=-5)), make_shift(starts_in=timedelta(days=-3), title="Missed day")
    one = SignUp.objects.create(volunteer=volunteer, shift=worked, role=worked.roles.get(), status=SignUp.Status.CONFIRMED,
                                checked_in_at=worked.starts_at, checked_out_at=worked.starts_at + timedelta(hours=2, minutes=15))
    SignUp.objects.create(volunteer=volunteer, shift=missed, role=missed.roles.get(), status=SignUp.Status.CONFIRMED,
                          attendance=SignUp.Attendance.NO_SHOW)
    client.force_login(volunteer.user)
    assert one.hours.to_eng_string() == "2.25"
    assert certificate_total(client) == home_total(client) == "2.25"
    assert "Not there" in client.get(reverse("payroll:volunteer_home")).content.decode()


def test_calendar_and_cancel_are_apart_and_cancel_asks_first(client):
    volunteer = signed_volunteer()
    shift = make_shift(title="Saturday sort")
    signup = signup_create(volunteer.pk, shift.roles.get().pk)
    client.force_login(volunteer.user)
    html = client.get(reverse("payroll:volunteer_home")).content.decode()
    row = html.split("Saturday sort", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    calendar = next(c for c in cells if "Add to calendar" in c)
    cancel = next(c for c in cells if "Cancel…" in c)
    assert calendar != cancel and "Cancel" not in calendar  # two cells, one each
    assert "<form" not in row  # cancel is a link to the confirmation, not a button that cancels
    url = reverse("payroll:volunteer_cancel", args=[signup.pk])
    assert f'href="{url}"' in cancel

    page = client.get(url)
    assert page.status_code == 200 and "Cancel your place on Saturday sort?" in page.content.decode()
    assert "Yes, cancel my place" in page.content.decode() and "No, keep it" in page.content.decode()
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CONFIRMED  # the GET wrote nothing
    assert client.post(url).url == reverse("payroll:volunteer_home")
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED
    assert client.get(url).status_code == 404  # nothing left to cancel


def test_leaving_the_waitlist_asks_first_too(client):
    shift = make_shift(roles=(("Pop-up", 1),))
    signup_create(signed_volunteer().pk, shift.roles.get().pk)
    waiting = signed_volunteer()
    signup = signup_create(waiting.pk, shift.roles.get().pk, waitlist=True)
    client.force_login(waiting.user)
    assert "Leave waitlist…" in client.get(reverse("payroll:volunteer_home")).content.decode()
    page = client.get(reverse("payroll:volunteer_cancel", args=[signup.pk])).content.decode()
    assert "Leave the waitlist for" in page and "Yes, leave the waitlist" in page


def test_someone_elses_sign_up_has_no_confirmation_page(client):
    shift = make_shift()
    theirs = signup_create(signed_volunteer().pk, shift.roles.get().pk)
    client.force_login(signed_volunteer().user)
    assert client.get(reverse("payroll:volunteer_cancel", args=[theirs.pk])).status_code == 404


def test_a_full_role_is_joined_on_the_waitlist_in_one_click(client):
    shift = make_shift(roles=(("Pop-up", 1), ("Packing", 4)))
    full = shift.roles.get(name="Pop-up")
    signup_create(signed_volunteer().pk, full.pk)
    volunteer = signed_volunteer()
    client.force_login(volunteer.user)
    html = client.get(reverse("payroll:volunteer_shift", args=[shift.pk])).content.decode()
    action = reverse("payroll:volunteer_signup", args=[shift.pk])
    forms = re.findall(rf'<form method="post" action="{action}" class="inline-form">(.*?)</form>', html, re.S)
    assert len(forms) == 1 and "Join the waitlist" in forms[0]  # only on the full role
    fields = dict(re.findall(r'<input type="hidden" name="(role|party_size|waitlist)" value="([^"]+)"', forms[0]))
    response = client.post(reverse("payroll:volunteer_signup", args=[shift.pk]), fields)  # the one click
    assert response.status_code == 302
    made = SignUp.objects.get(volunteer=volunteer)
    assert (made.role, made.status) == (full, SignUp.Status.WAITLISTED)
    assert "Join the waitlist" not in client.get(reverse("payroll:volunteer_shift", args=[shift.pk])).content.decode()


def minor():
    today = timezone.localdate()
    return VolunteerFactory(date_of_birth=date(today.year - 15, 1, 1), email="leo@example.org")


@pytest.mark.parametrize("guardian_email", ["leo@example.org", " LEO@Example.org "])
def test_a_guardians_email_must_not_be_the_minors_own(guardian_email):
    current = waiver_current() or publish_waiver()
    leo = minor()
    with pytest.raises(GuardianEmailError, match="not yours"):
        waiver_accept(leo, version_id=current.pk, signed_name="Leo", ip=None, guardian_name="Pat Parent",
                      guardian_email=guardian_email, guardian_agrees=True)
    assert not leo.waivers.exists()


def test_the_minors_login_address_is_refused_too_and_the_page_shows_it_on_the_field(client):
    current = publish_waiver()
    leo = minor()
    client.force_login(leo.user)
    data = {"version_id": current.pk, "signed_name": "Leo", "agree": "on", "guardian_name": "Pat Parent",
            "guardian_email": leo.user.email, "guardian_agrees": "on"}
    response = client.post(reverse("payroll:volunteer_waiver"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "not yours" in " ".join(form.errors["guardian_email"])
    assert not Volunteer.objects.get(pk=leo.pk).waivers.exists()
    assert client.post(reverse("payroll:volunteer_waiver"), {**data, "guardian_email": "pat@example.org"}).status_code == 302
    assert Volunteer.objects.get(pk=leo.pk).waivers.get().guardian_email == "pat@example.org"
