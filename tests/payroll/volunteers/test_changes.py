"""Change notices: a new time, place or role name, or a cancellation, tells everyone signed
up or waitlisted once per change, with what changed, the new details and a fresh .ics; a
retried task or a save without a real change sends nothing."""
import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from payroll.models import ChangeNotice, Shift, ShiftChange, SignUp
from payroll.services.volunteers.changes import change_notices_send
from payroll.services.volunteers.shifts import ShiftDetails, shift_cancel, shift_update
from payroll.services.volunteers.signups import signup_cancel, signup_create
from payroll.tasks import send_shift_change
from shop.platform import roles
from tests.payroll.volunteers.factories import make_shift, signed_volunteer, ten_am_in
from tests.payroll.volunteers.test_pages import shift_form
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = UserFactory(roles=[roles.VOLUNTEER_COORDINATOR])
    client.force_login(user)
    return user


@pytest.fixture
def evening(client, coordinator, django_capture_on_commit_callbacks):
    """A 6-8 PM shift (New York) with one person signed up for each role, one waitlisted
    and one who cancelled."""
    form = shift_form(start_time="18:00", end_time="20:00", roles="Pop-up shop: 1\nPacking: 3", location="100 Harbor St")
    assert client.post(reverse("payroll:coordinator_shift_new"), form).status_code == 302
    shift = Shift.objects.get()
    shop, packing = shift.roles.order_by("id")
    people = {"shop": signed_volunteer(), "packing": signed_volunteer(), "waiting": signed_volunteer(), "left": signed_volunteer()}
    signup_create(people["shop"].pk, shop.pk)
    signup_create(people["packing"].pk, packing.pk)
    signup_create(people["waiting"].pk, shop.pk, waitlist=True)
    signup_cancel(signup_create(people["left"].pk, packing.pk).pk)
    mail.outbox.clear()
    return shift, form, people, reverse("payroll:coordinator_shift_edit", args=[shift.pk])


def attached_event(message):
    (name, content, mimetype), = message.attachments
    assert name.endswith(".ics") and mimetype == "text/calendar"
    return next(c for c in Calendar.from_ical(content).walk() if c.name == "VEVENT")


def test_a_new_time_tells_everyone_once_with_what_changed_and_a_fresh_ics(client, evening, django_capture_on_commit_callbacks):
    shift, form, people, url = evening
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(url, {**form, "start_time": "17:00"}).status_code == 302
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(people[k].email for k in ("shop", "packing", "waiting"))
    for message in mail.outbox:
        assert "is now" in message.subject and "at 5:00 PM" in message.subject
        assert "What changed:" in message.body and "(was " in message.body and "6:00 PM" in message.body
        event = attached_event(message)
        assert event["dtstart"].dt.hour == 17 and event["dtstart"].dt.minute == 0  # the new time, in the shift's zone
        assert int(event["sequence"]) == 1  # calendar apps replace the event they have
        assert str(event["uid"]).startswith(f"shift-{shift.pk}@")  # the UID of the shift's "Add to calendar" file
        html = message.alternatives[0][0]
        assert "What changed" in html
    change = ShiftChange.objects.get()
    assert change.kind == ShiftChange.Kind.CHANGED and change.notices.filter(sent_at__isnull=True).count() == 0

    # The task retried (or run by a second worker): nothing is sent twice.
    mail.outbox.clear()
    assert change_notices_send(change.pk) == 0
    assert send_shift_change.apply(args=[change.pk]).get() == 0
    assert mail.outbox == []


def test_a_save_without_a_real_change_records_and_sends_nothing(client, evening, django_capture_on_commit_callbacks):
    shift, form, people, url = evening
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {**form, "title": "Evening sort", "description": "Bring gloves."}).status_code == 302
        assert client.post(url, {**form, "roles": "Pop-up shop: 2\nPacking: 3"}).status_code == 302  # capacity only
    assert ShiftChange.objects.count() == 0
    # The capacity rise moved the waitlisted volunteer up: that is a promotion, not a change notice.
    assert [m.to[0] for m in mail.outbox] == [people["waiting"].email] and "A place opened" in mail.outbox[0].subject


def test_a_new_place_then_the_same_place_again_is_one_notice_each(client, evening, django_capture_on_commit_callbacks):
    shift, form, people, url = evening
    moved = {**form, "location": "Harbor St pop-up"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, moved).status_code == 302
        assert client.post(url, moved).status_code == 302  # submitted twice: the second is no change
    assert ShiftChange.objects.count() == 1 and len(mail.outbox) == 3
    assert all("Where: Harbor St pop-up (was 100 Harbor St)" in m.body for m in mail.outbox)


def test_a_renamed_role_tells_only_the_people_in_it(client, evening, django_capture_on_commit_callbacks):
    shift, form, people, url = evening
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**form, "roles": "Shop floor: 1 (was Pop-up shop)\nPacking: 3"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people["shop"].email, people["waiting"].email])
    assert all("Role: Shop floor (was Pop-up shop)" in m.body for m in mail.outbox)
    assert "You are signed up (Shop floor)" in next(m.body for m in mail.outbox if m.to == [people["shop"].email])
    assert list(shift.roles.order_by("id").values_list("name", flat=True)) == ["Shop floor", "Packing"]
    assert shift.signups.filter(role__name="Shop floor").count() == 2  # the sign-ups kept their role


@pytest.mark.parametrize("roles_text", [
    "Shop floor: 1 (was Nothing here)\nPacking: 3",  # renames a role the shift does not have
    "Packing: 1 (was Pop-up shop)\nPacking: 3",  # renames onto a role still listed
    "Shop floor: 1 (was Pop-up shop) (nonsense)\nPacking: 3",
])
def test_a_bad_rename_is_a_form_error_and_changes_nothing(client, evening, roles_text):
    shift, form, people, url = evening
    assert client.post(url, {**form, "roles": roles_text}).status_code == 400
    assert list(shift.roles.order_by("id").values_list("name", flat=True)) == ["Pop-up shop", "Packing"]
    assert ShiftChange.objects.count() == 0 and mail.outbox == []


def test_a_cancellation_tells_everyone_once_with_a_cancelled_ics(evening, coordinator, django_capture_on_commit_callbacks):
    shift, form, people, url = evening
    with django_capture_on_commit_callbacks(execute=True):
        assert shift_cancel(shift.pk, coordinator, "The venue flooded.") == 3
    assert len(mail.outbox) == 3 and people["left"].email not in [m.to[0] for m in mail.outbox]
    for message in mail.outbox:
        assert message.subject.startswith("Cancelled: ") and "The venue flooded." in message.body
        assert str(attached_event(message)["status"]) == "CANCELLED"
    change = ShiftChange.objects.get()
    assert change.kind == ShiftChange.Kind.CANCELLED and change.made_by == coordinator
    mail.outbox.clear()
    assert change_notices_send(change.pk) == 0 and mail.outbox == []


def test_a_failed_send_is_retried_for_the_unsent_only(evening, coordinator, monkeypatch, django_capture_on_commit_callbacks):
    from payroll.services.volunteers import changes

    shift, form, people, url = evening
    real, calls = changes.email, []

    def flaky(volunteer, *args, **kwargs):
        calls.append(volunteer.pk)
        if len(calls) == 2:
            raise ConnectionError("mail server went away")
        real(volunteer, *args, **kwargs)

    monkeypatch.setattr(changes, "email", flaky)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        shift_cancel(shift.pk, coordinator)
    change = ShiftChange.objects.get()
    with pytest.raises(ConnectionError):
        callbacks[0]()
    assert len(mail.outbox) == 1 and change.notices.filter(sent_at__isnull=True).count() == 2
    assert change_notices_send(change.pk) == 2  # the retry: the failed one and the one not reached
    assert sorted(m.to[0] for m in mail.outbox) == sorted(people[k].email for k in ("shop", "packing", "waiting"))


def test_someone_who_cancels_before_the_notice_goes_is_not_told(client, evening, django_capture_on_commit_callbacks):
    shift, form, people, url = evening
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(url, {**form, "start_time": "17:00"}).status_code == 302
    change = ShiftChange.objects.get()
    signup_cancel(ChangeNotice.objects.get(change=change, signup__volunteer=people["packing"]).signup_id)
    assert change_notices_send(change.pk) == 2
    assert people["packing"].email not in [m.to[0] for m in mail.outbox]


def test_a_shift_already_over_tells_nobody(client, coordinator, django_capture_on_commit_callbacks):
    shift = make_shift(starts_in=ten_am_in(-2), roles=(("Packing", 3),))
    signed = signed_volunteer()
    SignUp.objects.create(volunteer=signed, shift=shift, role=shift.roles.get(), status=SignUp.Status.CONFIRMED)
    details = ShiftDetails(title=shift.title, location="Somewhere else", day=shift.local_start.date(),
                           start_time=shift.local_start.time(), end_time=shift.local_end.time(), roles=[("Packing", 3)],
                           time_zone=shift.time_zone)
    with django_capture_on_commit_callbacks(execute=True):
        shift_update(shift.pk, details, coordinator)
    assert ShiftChange.objects.count() == 0 and mail.outbox == []
