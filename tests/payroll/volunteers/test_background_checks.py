"""Background checks: recorded (not integrated) by coordinators on their page, audited; a role
that requires one blocks sign-up without a cleared check in date on the day, with a clear
message; checks expiring within 30 days are the coordinator's to-do on the staff home."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payroll.models import BackgroundCheck, Shift, SignUp
from payroll.services.volunteers.background_checks import background_check_record
from payroll.services.volunteers.signups import BackgroundCheckNeeded, signup_create
from shop.models import AuditEvent
from shop.platform import roles
from tests.payroll.volunteers.factories import make_shift, signed_volunteer
from tests.payroll.volunteers.test_pages import shift_form
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
CLEARED, PENDING, NOT_CLEARED = BackgroundCheck.Status.CLEARED, BackgroundCheck.Status.PENDING, BackgroundCheck.Status.NOT_CLEARED


@pytest.fixture
def coordinator(client):
    user = UserFactory(roles=[roles.VOLUNTEER_COORDINATOR])
    client.force_login(user)
    return user


def childcare_shift(days=10):
    shift = make_shift(starts_in=timedelta(days=days), roles=(("Childcare", 2), ("Packing", 5)))
    shift.roles.filter(name="Childcare").update(requires_background_check=True)
    return shift


def record(volunteer, status=CLEARED, checked=-100, expires=265, actor=None):
    today = timezone.localdate()
    return background_check_record(volunteer.pk, actor, status=status, provider="Sterling", provider_reference="REF-1",
                                   checked_on=today + timedelta(days=checked),
                                   expires_on=today + timedelta(days=expires) if expires is not None else None)


def sign_childcare(volunteer, shift):
    return signup_create(volunteer.pk, shift.roles.get(name="Childcare").pk)


@pytest.mark.parametrize("setup, message", [
    (lambda v: None, "we have none on record for you"),
    (lambda v: record(v, PENDING, expires=None), "yours is still pending"),
    (lambda v: record(v, NOT_CLEARED, expires=None), "Please choose another role"),
    (lambda v: record(v, expires=5), "yours runs out on"),  # cleared today, expired by the shift's day (10 days on)
    (lambda v: record(v, checked=-800, expires=-430), "yours runs out on"),  # long expired
])
def test_a_required_check_missing_pending_refused_or_expired_blocks_the_role(setup, message):
    shift, volunteer = childcare_shift(), signed_volunteer()
    setup(volunteer)
    with pytest.raises(BackgroundCheckNeeded, match=message) as error:
        sign_childcare(volunteer, shift)
    assert "Childcare needs a cleared background check" in str(error.value)
    assert SignUp.objects.count() == 0
    # Roles without the rule are open to the same volunteer.
    assert signup_create(volunteer.pk, shift.roles.get(name="Packing").pk).status == SignUp.Status.CONFIRMED


def test_a_cleared_check_in_date_on_the_day_lets_the_volunteer_sign_up():
    shift, volunteer = childcare_shift(), signed_volunteer()
    record(volunteer, NOT_CLEARED, checked=-400, expires=None)  # an old refusal, then a new cleared check
    record(volunteer, expires=11)  # still in date on the shift's day (10 days on)
    assert sign_childcare(volunteer, shift).status == SignUp.Status.CONFIRMED


def test_the_sign_up_page_shows_the_message_as_a_form_error(client):
    shift, volunteer = childcare_shift(), signed_volunteer()
    client.force_login(volunteer.user)
    page = client.get(reverse("payroll:volunteer_shift", args=[shift.pk])).content.decode()
    assert "Needs a cleared background check" in page
    response = client.post(reverse("payroll:volunteer_signup", args=[shift.pk]),
                           {"role": shift.roles.get(name="Childcare").pk, "party_size": 1})
    assert response.status_code == 400
    assert "Childcare needs a cleared background check" in response.content.decode()
    assert SignUp.objects.count() == 0


def test_coordinators_mark_roles_that_need_a_check_on_the_shift_form(client, coordinator):
    form = shift_form(roles="Childcare: 2 (background check)\nPacking: 5")
    assert client.post(reverse("payroll:coordinator_shift_new"), form).status_code == 302
    shift = Shift.objects.get()
    assert dict(shift.roles.values_list("name", "requires_background_check")) == {"Childcare": True, "Packing": False}
    edit = client.get(reverse("payroll:coordinator_shift_edit", args=[shift.pk])).content.decode()
    assert "Childcare: 2 (background check)" in edit  # the form shows it back, so a save keeps it
    assert client.post(reverse("payroll:coordinator_shift_edit", args=[shift.pk]),
                       {**form, "roles": "Childcare: 2\nPacking: 5 (check)"}).status_code == 302
    assert dict(shift.roles.values_list("name", "requires_background_check")) == {"Childcare": False, "Packing": True}
    copy = client.post(reverse("payroll:coordinator_shift_copy", args=[shift.pk]),
                       {"day": (shift.local_start.date() + timedelta(days=7)).isoformat()})
    assert copy.status_code == 302
    copied = Shift.objects.exclude(pk=shift.pk).get()
    assert dict(copied.roles.values_list("name", "requires_background_check")) == {"Childcare": False, "Packing": True}


def test_coordinators_record_a_check_on_their_page_and_it_is_audited(client, coordinator):
    volunteer = signed_volunteer()
    url = reverse("payroll:coordinator_background_checks")
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    data = {"volunteer": volunteer.pk, "status": "cleared", "provider": "Sterling", "provider_reference": "ST-99812",
            "checked_on": today.isoformat(), "expires_on": (today + timedelta(days=365)).isoformat()}
    response = client.post(url, data)
    assert response.status_code == 302
    check = BackgroundCheck.objects.get()
    assert (check.volunteer, check.status, check.provider_reference, check.recorded_by) == (volunteer, CLEARED, "ST-99812", coordinator)
    event = AuditEvent.objects.get(action="volunteer.background_check_recorded")
    assert event.actor == coordinator and event.object_id == str(check.pk)
    assert event.detail["status"] == "cleared" and "ST-99812" not in str(event.detail)
    listing = client.get(url).content.decode()
    assert volunteer.full_name in listing and "ST-99812" in listing


@pytest.mark.parametrize("bad, error", [
    ({"expires_on": ""}, "A cleared check needs its expiry date"),
    ({"expires_on": "2020-01-01"}, "The expiry must be after the date of the check"),
    ({"provider": "   "}, "This field is required"),
    ({"checked_on": "1850-01-01"}, "looks like a typing slip"),
    ({"status": "maybe"}, "Select a valid choice"),
    ({"volunteer": "999999"}, "Select a valid choice"),
    ({"checked_on": "next week"}, "Enter a valid date"),
])
def test_bad_check_input_is_a_form_error_and_records_nothing(client, coordinator, bad, error):
    volunteer = signed_volunteer()
    today = timezone.localdate()
    data = {"volunteer": volunteer.pk, "status": "cleared", "provider": "Sterling", "provider_reference": "",
            "checked_on": today.isoformat(), "expires_on": (today + timedelta(days=365)).isoformat(), **bad}
    response = client.post(reverse("payroll:coordinator_background_checks"), data)
    assert response.status_code == 400 and error in response.content.decode()
    assert BackgroundCheck.objects.count() == 0 and not AuditEvent.objects.filter(action__startswith="volunteer.background").exists()


def test_volunteers_cannot_reach_the_checks_page(client):
    client.force_login(signed_volunteer().user)
    assert client.get(reverse("payroll:coordinator_background_checks")).status_code == 403


def staff_home(client):
    response = client.get("/staff/")
    assert response.status_code == 200
    return response.content.decode()


def test_checks_expiring_within_30_days_are_on_the_coordinators_home(client, coordinator):
    soon, later, renewed, lapsed = (signed_volunteer() for _ in range(4))
    record(soon, expires=12)
    record(later, expires=45)
    record(renewed, checked=-360, expires=20)
    record(renewed, checked=-5, expires=360)  # renewed already: not a to-do
    record(lapsed, checked=-400, expires=-2)  # already expired: sign-ups are blocked, nothing left to warn about
    html = staff_home(client)
    assert "1 background check expiring within 30 days" in html
    assert f'href="{reverse("payroll:coordinator_background_checks")}"' in html
    page = client.get(reverse("payroll:coordinator_background_checks")).content.decode()
    expiring = page.split("Expiring within 30 days", 1)[1].split("Record a check", 1)[0]
    assert soon.full_name in expiring
    assert all(v.full_name not in expiring for v in (later, renewed, lapsed))


def test_the_home_takes_the_same_queries_for_one_or_many_expiring_checks(client, coordinator):
    record(signed_volunteer(), expires=10)

    def count():
        with CaptureQueriesContext(connection) as queries:
            staff_home(client)
        return len(queries)

    one = count()
    for _ in range(4):
        record(signed_volunteer(), expires=20)
    assert count() == one
    assert "5 background checks expiring within 30 days" in staff_home(client)


def test_a_volunteers_checks_are_in_their_export_and_deleted_on_erasure():
    from payroll.services.volunteers.data_rights import volunteer_erase, volunteer_export
    from shop.data_rights import Erasure, Subject

    volunteer, other = signed_volunteer(), signed_volunteer()
    record(volunteer)
    kept = record(other)
    subject = Subject(emails=frozenset({volunteer.email.lower()}), user_ids=frozenset({volunteer.user_id}))
    (exported,) = volunteer_export(subject)
    assert [(c["status"], c["provider"], c["provider_reference"]) for c in exported["background_checks"]] == [
        ("cleared", "Sterling", "REF-1")]
    erasure = Erasure()
    volunteer_erase(subject, erasure)
    assert not BackgroundCheck.objects.filter(volunteer=volunteer).exists()
    assert list(BackgroundCheck.objects.all()) == [kept]  # someone else's stays
    assert erasure.counts["background_checks"] == 1
