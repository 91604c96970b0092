"""The volunteer pages and the coordinators' pages: forms, errors (400, never 500),
isolation (own data only), series with exceptions, roster check-in, reports and the hours CSV."""
import csv
import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payroll.models import Shift, ShiftSeries, SignUp, Volunteer
from payroll.services.volunteers.signups import signup_cancel, signup_create
from shop.platform import roles
from shop.models import Organisation, OrganisationMember
from tests.support.factories import UserFactory
from tests.payroll.volunteers.factories import make_shift, publish_waiver, signed_volunteer, ten_am_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = UserFactory(roles=[roles.VOLUNTEER_COORDINATOR])
    client.force_login(user)
    return user


def profile_data(**overrides):
    return {"full_name": "Robin Helper", "email": "robin@example.org", "phone": "813-555-0123",
            "emergency_contact_name": "Sam Helper", "emergency_contact_phone": "813-555-0124",
            "date_of_birth": "1988-04-02", "reminder_channel": "email", **overrides}


def test_a_new_volunteer_makes_a_profile_signs_the_waiver_and_signs_up(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("payroll:volunteer_home")).url == reverse("payroll:volunteer_profile")
    assert client.post(reverse("payroll:volunteer_profile"), profile_data(date_of_birth="next tuesday")).status_code == 400
    assert client.post(reverse("payroll:volunteer_profile"), profile_data()).url == reverse("payroll:volunteer_waiver")
    current = publish_waiver()
    page = client.get(reverse("payroll:volunteer_waiver"))
    assert "I take part at my own risk" in page.content.decode() and current.version == 1 and "guardian" not in page.content.decode().lower()
    assert client.post(reverse("payroll:volunteer_waiver"), {"version_id": current.pk, "signed_name": "Robin"}).status_code == 400
    response = client.post(reverse("payroll:volunteer_waiver"), {"version_id": current.pk, "signed_name": "Robin Helper",
                                                                 "agree": "on"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    acceptance = Volunteer.objects.get(user=user).waivers.get()
    assert acceptance.ip_address == "203.0.113.9" and acceptance.signed_name == "Robin Helper"
    shift = make_shift(roles=(("Pop-up shop", 2),))
    role = shift.roles.get()
    assert "Pop-up shop" in client.get(reverse("payroll:volunteer_shifts")).content.decode()
    response = client.post(reverse("payroll:volunteer_signup", args=[shift.pk]), {"role": role.pk, "party_size": 1})
    assert response.url == reverse("payroll:volunteer_home")
    home = client.get(reverse("payroll:volunteer_home")).content.decode()
    assert shift.title in home and "Confirmed" in home


def test_a_full_role_offers_the_waitlist(client):
    shift = make_shift(roles=(("Pop-up shop", 1),))
    role = shift.roles.get()
    signup_create(signed_volunteer().pk, role.pk)
    volunteer = signed_volunteer()
    client.force_login(volunteer.user)
    url = reverse("payroll:volunteer_signup", args=[shift.pk])
    page = client.post(url, {"role": role.pk, "party_size": 1})
    assert page.status_code == 200 and "Join the waitlist" in page.content.decode()
    assert 'name="waitlist" value="True"' in page.content.decode()
    client.post(url, {"role": role.pk, "party_size": 1, "waitlist": "True"})
    assert SignUp.objects.get(volunteer=volunteer).status == SignUp.Status.WAITLISTED


def test_bad_sign_up_input_is_a_form_error_not_a_crash(client):
    volunteer = signed_volunteer()
    client.force_login(volunteer.user)
    shift, other = make_shift(), make_shift(starts_in=timedelta(days=7, hours=1))
    url = reverse("payroll:volunteer_signup", args=[shift.pk])
    assert client.post(url, {"role": "x", "party_size": "many"}).status_code == 400
    assert client.post(url, {"role": other.roles.get().pk, "party_size": 1}).status_code == 400  # another shift's role
    signup_create(volunteer.pk, other.roles.get().pk)
    response = client.post(url, {"role": shift.roles.get().pk, "party_size": 1})
    assert response.status_code == 400 and "This overlaps" in response.content.decode()


def test_an_expired_waiver_sends_the_volunteer_to_renew_it(client):
    volunteer = signed_volunteer()
    volunteer.waivers.update(accepted_at=timezone.now() - timedelta(days=400), expires_at=timezone.now() - timedelta(days=1))
    client.force_login(volunteer.user)
    shift = make_shift()
    response = client.post(reverse("payroll:volunteer_signup", args=[shift.pk]), {"role": shift.roles.get().pk, "party_size": 1})
    assert response.url.startswith(reverse("payroll:volunteer_waiver"))
    assert "please renew it" in client.get(response.url).content.decode()


def test_a_minor_sees_the_guardian_co_signature(client):
    current = publish_waiver()
    today = timezone.localdate()
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("payroll:volunteer_profile"), profile_data(date_of_birth=date(today.year - 16, 1, 1).isoformat()))
    page = client.get(reverse("payroll:volunteer_waiver")).content.decode()
    assert "Parent or guardian co-signature" in page
    response = client.post(reverse("payroll:volunteer_waiver"), {"version_id": current.pk, "signed_name": "Kid", "agree": "on"})
    assert response.status_code == 400 and "need a parent or guardian to co-sign" in response.content.decode()
    assert not Volunteer.objects.get(user=user).waivers.exists()
    response = client.post(reverse("payroll:volunteer_waiver"), {
        "version_id": current.pk, "signed_name": "Kid", "agree": "on", "guardian_name": "Pat Parent",
        "guardian_email": "pat@example.org", "guardian_agrees": "on"})
    assert response.status_code == 302
    assert Volunteer.objects.get(user=user).waivers.get().guardian_name == "Pat Parent"


def test_volunteers_reach_only_their_own_sign_ups(client):
    shift = make_shift()
    mine, theirs = signed_volunteer(), signed_volunteer()
    other = signup_create(theirs.pk, shift.roles.get().pk)
    client.force_login(mine.user)
    assert client.post(reverse("payroll:volunteer_cancel", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == SignUp.Status.CONFIRMED
    for name, args in (("coordinator_week", []), ("coordinator_shift", [shift.pk]), ("coordinator_kiosk", [shift.pk]),
                       ("coordinator_hours_csv", [])):
        assert client.get(reverse(f"payroll:{name}", args=args)).status_code == 403
    assert client.post(reverse("payroll:coordinator_signup_action", args=[other.pk, "check-in"])).status_code == 403


def test_members_only_shifts_are_hidden_from_everyone_else(client):
    acme = Organisation.objects.create(name="Acme", slug="acme")
    shift = make_shift(organisation=acme, title="Acme team day")
    outsider, member = signed_volunteer(), signed_volunteer()
    OrganisationMember.objects.create(organisation=acme, user=member.user)
    client.force_login(outsider.user)
    assert "Acme team day" not in client.get(reverse("payroll:volunteer_shifts")).content.decode()
    assert client.get(reverse("payroll:volunteer_shift", args=[shift.pk])).status_code == 404
    client.force_login(member.user)
    assert client.get(reverse("payroll:volunteer_shift", args=[shift.pk])).status_code == 200


def test_the_coordinator_cannot_reach_survivor_pay_or_training_data(client, coordinator):
    for url in ("/staff/payroll/runs/", "/staff/wage-fund/", "/staff/training/participants/", "/admin/payroll/employee/",
                "/admin/payroll/timeentry/", "/admin/payroll/program/"):
        assert client.get(url).status_code == 403, url


def shift_form(**overrides):
    day = timezone.localdate() + timedelta(days=14)
    return {"title": "Saturday sort", "location": "Warehouse", "time_zone": "America/New_York", "day": day.isoformat(),
            "start_time": "09:00", "end_time": "13:00", "roles": "Warehouse sorting: 8\nPop-up shop: 3", "minimum_age": 0,
            "signup_cutoff_hours": 12, "cancel_deadline_hours": 24, **overrides}


def test_coordinators_create_a_weekly_series_with_exceptions(client, coordinator):
    first = timezone.localdate() + timedelta(days=14)
    skipped = first + timedelta(days=14)
    response = client.post(reverse("payroll:coordinator_shift_new"), shift_form(
        repeat_until=(first + timedelta(days=28)).isoformat(), except_dates=skipped.isoformat()))
    assert response.status_code == 302
    days = [s.local_start.date() for s in Shift.objects.order_by("starts_at")]
    assert days == [first, first + timedelta(days=7), first + timedelta(days=21), first + timedelta(days=28)]
    assert ShiftSeries.objects.get().exceptions == [skipped.isoformat()]
    assert all(s.local_start.hour == 9 and s.roles.count() == 2 for s in Shift.objects.all())


@pytest.mark.parametrize("bad", [
    {"roles": "Warehouse sorting ten"}, {"roles": ""}, {"end_time": "08:00"}, {"time_zone": "Mars/Olympus"},
    {"day": "soon"}, {"minimum_age": "-1"}, {"except_dates": "2026-02-30", "repeat_until": "2026-12-31"},
    {"roles": "Sorting: 3\nsorting: 4"}, {"roles": "Sorting: 0"},
])
def test_bad_shift_input_is_a_form_error(client, coordinator, bad):
    response = client.post(reverse("payroll:coordinator_shift_new"), shift_form(**bad))
    assert response.status_code == 400
    assert Shift.objects.count() == 0


def test_editing_keeps_the_sign_ups_and_more_places_promote_the_waitlist(client, coordinator, django_capture_on_commit_callbacks):
    shift = make_shift(roles=(("Pop-up shop", 1),), starts_in=ten_am_in(7))
    role = shift.roles.get()
    signup_create(signed_volunteer().pk, role.pk)
    waiting = signup_create(signed_volunteer().pk, role.pk, waitlist=True)
    url = reverse("payroll:coordinator_shift_edit", args=[shift.pk])
    day = shift.local_start.date().isoformat()
    base = shift_form(day=day, start_time=f"{shift.local_start:%H:%M}", end_time=f"{shift.local_end:%H:%M}",
                      location=shift.location, time_zone=shift.time_zone)  # same time and place: only the roles change
    assert client.post(url, {**base, "roles": "Warehouse sorting: 4"}).status_code == 400  # Pop-up shop has sign-ups
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {**base, "roles": "Pop-up shop: 2"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.CONFIRMED and len(mail.outbox) == 1
    assert client.post(url, {**base, "roles": "Pop-up shop: 1"}).status_code == 400  # below those signed up


def test_a_new_time_or_place_is_emailed_to_everyone_on_the_shift_once(client, coordinator, django_capture_on_commit_callbacks):
    day = timezone.localdate() + timedelta(days=10)
    form = shift_form(day=day.isoformat(), start_time="18:00", end_time="20:00", roles="Pop-up shop: 1")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("payroll:coordinator_shift_new"), form).status_code == 302
    shift = Shift.objects.get()
    on, waiting, left = signed_volunteer(), signed_volunteer(), signed_volunteer()
    role = shift.roles.get()
    signup_create(on.pk, role.pk)
    signup_create(waiting.pk, role.pk, waitlist=True)
    signup_cancel(signup_create(left.pk, role.pk, waitlist=True).pk)
    url = reverse("payroll:coordinator_shift_edit", args=[shift.pk])

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(url, {**form, "start_time": "17:00"}).status_code == 302
    assert len(callbacks) == 1  # one task for the change, run after it commits
    assert sorted(m.to[0] for m in mail.outbox) == sorted([on.email, waiting.email])
    assert all("at 5:00 PM" in m.subject and "When: " in m.body and "5:00 PM" in m.body for m in mail.outbox)
    assert "You are on the waitlist" in next(m.body for m in mail.outbox if m.to == [waiting.email])

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {**form, "start_time": "17:00", "title": "Evening sort"}).status_code == 302
    assert mail.outbox == []  # saved again without a new time or place: nobody is e-mailed

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {**form, "start_time": "17:00", "location": "Harbor St pop-up"}).status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted([on.email, waiting.email])
    assert all("Where: Harbor St pop-up" in m.body for m in mail.outbox)


def test_copy_and_cancel(client, coordinator, django_capture_on_commit_callbacks):
    shift = make_shift(roles=(("Pop-up shop", 3),), starts_in=ten_am_in(7))
    volunteer = signed_volunteer()
    signup_create(volunteer.pk, shift.roles.get().pk)
    new_day = shift.local_start.date() + timedelta(days=7)
    response = client.post(reverse("payroll:coordinator_shift_copy", args=[shift.pk]), {"day": new_day.isoformat()})
    copy = Shift.objects.exclude(pk=shift.pk).get()
    assert response.url == reverse("payroll:coordinator_shift", args=[copy.pk])
    assert copy.local_start.date() == new_day and copy.local_start.time() == shift.local_start.time()
    assert copy.signups.count() == 0 and [r.capacity for r in copy.roles.all()] == [3]
    assert client.post(reverse("payroll:coordinator_shift_copy", args=[shift.pk]), {"day": "never"}).status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payroll:coordinator_shift_cancel", args=[shift.pk]), {"reason": "Storm warning."})
    assert Shift.objects.get(pk=shift.pk).cancelled and mail.outbox[0].to == [volunteer.email]


def test_the_roster_checks_in_and_out(client, coordinator):
    """The coordinator's own check-in on the roster (the kiosk is tests/payroll/volunteers/test_kiosk.py)."""
    shift = make_shift(starts_in=timedelta(minutes=30), signup_cutoff_hours=0)
    alice = signed_volunteer(full_name="Alice Archer")
    signup = signup_create(alice.pk, shift.roles.get().pk)
    action = reverse("payroll:coordinator_signup_action", args=[signup.pk, "check-in"])
    response = client.post(action)
    assert response.url == reverse("payroll:coordinator_shift", args=[shift.pk])
    signup.refresh_from_db()
    assert signup.checked_in_at is not None and signup.attendance == SignUp.Attendance.PRESENT
    client.post(reverse("payroll:coordinator_signup_action", args=[signup.pk, "check-out"]))
    signup.refresh_from_db()
    assert signup.checked_out_at is not None
    assert client.post(reverse("payroll:coordinator_signup_action", args=[signup.pk, "fly"])).status_code == 404


def test_reports_and_the_hours_csv_by_volunteer_and_organisation(client, coordinator):
    acme = Organisation.objects.create(name="Acme", slug="acme")
    shift = make_shift(starts_in=timedelta(minutes=30), signup_cutoff_hours=0, organisation=acme)
    volunteer = signed_volunteer(full_name="=Sum(A1)")
    OrganisationMember.objects.create(organisation=acme, user=volunteer.user)
    signup = signup_create(volunteer.pk, shift.roles.get().pk, party_size=2)
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=shift.starts_at, checked_out_at=shift.starts_at + timedelta(hours=3))
    day = shift.local_start.date().isoformat()
    page = client.get(reverse("payroll:coordinator_reports"), {"start": day, "end": day})
    assert page.status_code == 200 and "Acme" in page.content.decode()
    response = client.get(reverse("payroll:coordinator_hours_csv"), {"start": day, "end": day})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "name", "email", "shifts", "hours", "person_hours"]
    assert rows[1] == ["volunteer", "'=Sum(A1)", volunteer.email, "1", "3.00", "6.00"]
    assert rows[2] == ["organisation", "Acme", "", "1", "3.00", "6.00"]
    assert client.get(reverse("payroll:coordinator_hours_csv"), {"start": "2026-05-10", "end": "2026-05-01"}).status_code == 400
    assert client.get(reverse("payroll:coordinator_hours_csv"), {"start": "yesterday", "end": day}).status_code == 400


def test_the_week_view_shows_fill_levels_in_a_fixed_number_of_queries(client, coordinator):
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())

    def count():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("payroll:coordinator_week"), {"week": monday.isoformat()})
        assert page.status_code == 200
        return len(queries), page.content.decode()

    def add(offset):
        start = timezone.now() + (monday - timezone.localdate() + timedelta(days=offset, hours=10))
        shift = make_shift(starts_in=start - timezone.now(), roles=(("Sorting", 4), ("Pop-up", 2)))
        signup_create(signed_volunteer().pk, shift.roles.first().pk)
        return shift

    add(0)
    few, _ = count()
    for offset in (1, 2, 3):
        add(offset)
    many, page = count()
    assert few == many
    assert "1/6 filled" in page
    assert client.get(reverse("payroll:coordinator_week"), {"week": "garbage"}).status_code == 200


def test_the_reports_value_the_hours_at_the_rate_in_force_on_the_last_day(client, coordinator, settings):
    settings.VOLUNTEER_HOUR_VALUES = [("2020-01-01", "20.00", "Old rate"), ("2024-04-16", "33.49", "Independent Sector 2024"),
                                      ("2099-01-01", "99.00", "A future rate")]
    shift = make_shift(starts_in=timedelta(minutes=30), signup_cutoff_hours=0)
    signup = signup_create(signed_volunteer().pk, shift.roles.get().pk, party_size=2)
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=shift.starts_at,
                                               checked_out_at=shift.starts_at + timedelta(hours=3, minutes=20))
    day = shift.local_start.date().isoformat()
    page = client.get(reverse("payroll:coordinator_reports"), {"start": day, "end": day}).content.decode()
    # 3 h 20 min is 3.33 hours (a sign-up's hours are kept to the hundredth), 6.66 for a party
    # of two; 6.66 × $33.49 = $223.0434, so $223.04 (hand-worked).
    assert "<strong>$223.04</strong>: 6.66 hours given" in page and "$33.49 an hour" in page
    assert "Independent Sector 2024" in page and "99.00" not in page
    settings.VOLUNTEER_HOUR_VALUES = [("2099-01-01", "99.00", "A future rate")]
    page = client.get(reverse("payroll:coordinator_reports"), {"start": day, "end": day}).content.decode()
    assert "No value of a volunteer hour is set" in page
