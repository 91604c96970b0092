"""Reminders (each once, however often beat runs), check-in and check-out, hours,
no-shows, the automatic sign-out flagged for review, messages and cancelling a shift."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from payroll.models import ReminderSent, SignUp
from payroll.services.volunteers.shifts import (
    auto_check_out,
    check_in,
    check_out,
    hours_correct,
    mark_no_show,
    shift_cancel,
    shift_message,
)
from payroll.services.volunteers.signups import VolunteerError, signup_create
from payroll.tasks import auto_check_out_volunteers, send_shift_reminders
from tests.support.factories import UserFactory
from tests.payroll.volunteers.factories import make_shift, signed_volunteer

pytestmark = pytest.mark.django_db


def sign(volunteer, shift, **kwargs):
    return signup_create(volunteer.pk, shift.roles.first().pk, **kwargs)


def test_each_reminder_is_sent_once_even_when_beat_runs_twice(django_capture_on_commit_callbacks):
    in_two_days = make_shift(starts_in=timedelta(hours=40), title="Sorting day", signup_cutoff_hours=0)
    in_an_hour = make_shift(starts_in=timedelta(hours=1, minutes=30), title="Pop-up shop", signup_cutoff_hours=0)
    next_week = make_shift(starts_in=timedelta(days=7), title="Next week")
    volunteer = signed_volunteer()
    for shift in (in_two_days, in_an_hour, next_week):
        sign(volunteer, shift)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_shift_reminders.delay().get() == 2
        assert send_shift_reminders.delay().get() == 0  # beat ran again: nothing new
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2
    assert subjects[0].startswith("Reminder: Sorting day") and subjects[1].startswith("Starting soon: Pop-up shop")
    assert set(ReminderSent.objects.values_list("kind", flat=True)) == {"48h", "2h"}
    # Later the 40-hour shift is 1 hour away: it gets its 2-hour reminder, once.
    later = timezone.now() + timedelta(hours=39)
    from payroll.services.volunteers.shifts import reminders_send

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(later) == 1
        assert reminders_send(later) == 0
    assert ReminderSent.objects.count() == 3 and len(mail.outbox) == 3


def test_the_unique_key_stops_a_second_reminder_of_a_kind():
    from django.db import IntegrityError, transaction

    shift = make_shift(starts_in=timedelta(hours=30))
    signup = sign(signed_volunteer(), shift)
    ReminderSent.objects.create(signup=signup, kind="48h")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(signup=signup, kind="48h")


def test_waitlisted_people_and_cancelled_shifts_get_no_reminder(django_capture_on_commit_callbacks):
    shift = make_shift(starts_in=timedelta(hours=30), roles=(("Pop-up", 1),))
    sign(signed_volunteer(), shift)
    sign(signed_volunteer(), shift, waitlist=True)
    cancelled = make_shift(starts_in=timedelta(hours=31))
    sign(signed_volunteer(), cancelled)
    shift_cancel(cancelled.pk, None)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_shift_reminders.delay().get() == 1


def test_check_in_and_out_give_the_hours():
    shift = make_shift(starts_in=timedelta(hours=1), signup_cutoff_hours=0)
    signup = sign(signed_volunteer(), shift, party_size=3)
    coordinator = UserFactory()
    arrived = shift.starts_at - timedelta(minutes=10)
    check_in(signup.pk, coordinator, now=arrived)
    with pytest.raises(VolunteerError, match="already checked in"):
        check_in(signup.pk, coordinator, now=arrived)
    done = check_out(signup.pk, coordinator, now=arrived + timedelta(hours=3, minutes=45))
    assert done.hours == Decimal("3.75") and done.person_hours == Decimal("11.25")
    assert done.attendance == SignUp.Attendance.PRESENT
    with pytest.raises(VolunteerError, match="already checked out"):
        check_out(signup.pk, coordinator)


def test_no_shows_are_marked_after_the_start_and_never_for_someone_who_came():
    shift = make_shift(starts_in=timedelta(hours=2), signup_cutoff_hours=0)
    came, absent = sign(signed_volunteer(), shift), sign(signed_volunteer(), shift)
    with pytest.raises(VolunteerError, match="once the shift has started"):
        mark_no_show(absent.pk, None)
    from payroll.models import Shift

    Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    check_in(came.pk, None)
    with pytest.raises(VolunteerError, match="checked in; they were here"):
        mark_no_show(came.pk, None)
    assert mark_no_show(absent.pk, None).attendance == SignUp.Attendance.NO_SHOW


def test_someone_never_checked_out_is_signed_out_and_flagged(settings):
    settings.VOLUNTEER_AUTO_CHECKOUT_HOURS = 12
    shift = make_shift(starts_in=timedelta(hours=1), hours=4, signup_cutoff_hours=0)
    stale, fresh = sign(signed_volunteer(), shift), sign(signed_volunteer(), shift)
    check_in(stale.pk, None, now=shift.starts_at - timedelta(minutes=5))
    check_in(fresh.pk, None, now=shift.starts_at - timedelta(minutes=5))
    assert auto_check_out(now=shift.starts_at + timedelta(hours=6)) == 0  # not 12 hours yet
    check_out(fresh.pk, None, now=shift.starts_at + timedelta(hours=4))
    assert auto_check_out_volunteers.delay().get() == 0
    assert auto_check_out(now=shift.starts_at + timedelta(hours=13)) == 1
    assert auto_check_out(now=shift.starts_at + timedelta(hours=14)) == 0  # already done
    stale.refresh_from_db()
    assert stale.needs_review and stale.checked_out_at == shift.ends_at
    assert stale.hours == Decimal("4.08")  # from check-in to the shift's end
    fixed = hours_correct(stale.pk, None, stale.checked_in_at, stale.checked_in_at + timedelta(hours=2))
    assert not fixed.needs_review and fixed.hours == Decimal("2.00")


def test_cancelling_a_shift_emails_everyone_on_it(django_capture_on_commit_callbacks):
    shift = make_shift(roles=(("Pop-up", 1),), title="Holiday pop-up")
    on, waiting, gone = signed_volunteer(), signed_volunteer(), signed_volunteer()
    sign(on, shift)
    sign(waiting, shift, waitlist=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert shift_cancel(shift.pk, None, "The venue flooded.") == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([on.email, waiting.email])
    assert all("Cancelled: Holiday pop-up" in m.subject and "The venue flooded." in m.body for m in mail.outbox)
    assert gone.email not in [m.to[0] for m in mail.outbox]
    with pytest.raises(VolunteerError, match="already cancelled"):
        shift_cancel(shift.pk, None)


def test_coordinators_message_everyone_on_a_shift(django_capture_on_commit_callbacks):
    shift = make_shift()
    people = [signed_volunteer() for _ in range(3)]
    for volunteer in people:
        sign(volunteer, shift)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = shift_message(shift.pk, None, "Parking", "Use the back lot, please.")
    assert message.recipients == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(v.email for v in people)
    assert "Use the back lot" in mail.outbox[0].body
