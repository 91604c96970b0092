"""Sign-ups: capacity under concurrency, parties, the waitlist and its promotion, overlaps,
age, skills, organisations and the waiver (versions, expiry, a minor's guardian)."""
import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from payroll.models import Shift, SignUp, Skill, WaiverAcceptance
from payroll.services.volunteers.signups import (
    RoleFull,
    VolunteerError,
    WaiverNeeded,
    signup_cancel,
    signup_create,
    waiver_accept,
    waiver_current,
)
from shop.models import Organisation, OrganisationMember
from tests.payroll.volunteers.factories import VolunteerFactory, make_shift, publish_waiver, signed_volunteer

pytestmark = pytest.mark.django_db


def role_of(shift, name=None):
    return shift.roles.get(name=name) if name else shift.roles.get()


def sign(volunteer, shift, **kwargs):
    return signup_create(volunteer.pk, role_of(shift).pk, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_a_hundred_concurrent_sign_ups_fill_ten_places_and_waitlist_the_rest():
    """100 threads at once for 10 places. On PostgreSQL the role row lock decides; on
    SQLite (no row locks) sign-ups take turns. Either way: 10 confirmed, 90 waitlisted."""
    shift = make_shift(roles=(("Pop-up shop", 10),))
    role = role_of(shift)
    volunteers = [signed_volunteer() for _ in range(100)]
    go, sessions = threading.Event(), threading.Semaphore(20)  # at most 20 database connections at a time
    results, errors = [], []

    def attempt(volunteer_id):
        go.wait(30)
        with sessions:
            try:
                results.append(signup_create(volunteer_id, role.pk, waitlist=True).status)
            except Exception as error:  # any error is a bug: report it
                errors.append(repr(error))
            finally:
                connection.close()

    threads = [threading.Thread(target=attempt, args=(v.pk,)) for v in volunteers]
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(results).count(SignUp.Status.CONFIRMED) == 10
    assert sorted(results).count(SignUp.Status.WAITLISTED) == 90
    assert SignUp.objects.filter(role=role, status=SignUp.Status.CONFIRMED).count() == 10
    assert SignUp.objects.filter(role=role, status=SignUp.Status.WAITLISTED).count() == 90


def test_a_group_cannot_take_more_places_than_are_left():
    shift = make_shift(roles=(("Warehouse sorting", 10),))
    for _ in range(7):
        sign(signed_volunteer(), shift)
    leader = signed_volunteer()
    for waitlist in (False, True):
        with pytest.raises(VolunteerError, match="Only 3 places left in Warehouse sorting: a party of 4 does not fit"):
            sign(leader, shift, party_size=4, waitlist=waitlist)
    party = sign(leader, shift, party_size=3)
    assert party.status == SignUp.Status.CONFIRMED
    # The role is now full: one more person is offered the waitlist, and can join it.
    late = signed_volunteer()
    with pytest.raises(RoleFull, match="full"):
        sign(late, shift)
    assert sign(late, shift, waitlist=True).status == SignUp.Status.WAITLISTED


def test_a_party_bigger_than_the_role_is_refused_even_for_the_waitlist():
    shift = make_shift(roles=(("Pop-up shop", 4),))
    with pytest.raises(VolunteerError, match="4 places in all; a party of 5 is too big"):
        sign(signed_volunteer(), shift, party_size=5, waitlist=True)


def test_a_cancellation_promotes_the_first_on_the_waitlist_and_emails_them(django_capture_on_commit_callbacks):
    shift = make_shift(roles=(("Pop-up shop", 1),))
    first, second, third = signed_volunteer(), signed_volunteer(), signed_volunteer()
    place = sign(first, shift)
    waiting = sign(second, shift, waitlist=True)
    later = sign(third, shift, waitlist=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = signup_cancel(place.pk, volunteer=first)
    assert [s.pk for s in promoted] == [waiting.pk]
    waiting.refresh_from_db()
    later.refresh_from_db()
    assert waiting.status == SignUp.Status.CONFIRMED and later.status == SignUp.Status.WAITLISTED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [second.email]
    assert "A place opened" in mail.outbox[0].subject and "Pop-up shop" in mail.outbox[0].body


def test_a_waiting_party_that_does_not_fit_lets_a_smaller_one_move_up(django_capture_on_commit_callbacks):
    shift = make_shift(roles=(("Warehouse sorting", 3),))
    leaving = sign(signed_volunteer(), shift)
    sign(signed_volunteer(), shift, party_size=2)
    group = sign(signed_volunteer(), shift, party_size=2, waitlist=True)
    single = sign(signed_volunteer(), shift, waitlist=True)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = signup_cancel(leaving.pk)
    assert [s.pk for s in promoted] == [single.pk]
    group.refresh_from_db()
    assert group.status == SignUp.Status.WAITLISTED


def test_volunteers_cancel_only_until_the_deadline_and_only_their_own():
    shift = make_shift(starts_in=timedelta(hours=30), cancel_deadline_hours=24)
    volunteer, other = signed_volunteer(), signed_volunteer()
    mine = sign(volunteer, shift)
    with pytest.raises(VolunteerError, match="No such sign-up"):
        signup_cancel(mine.pk, volunteer=other)
    with pytest.raises(VolunteerError, match="Online cancellation closed"):
        signup_cancel(mine.pk, volunteer=volunteer, now=timezone.now() + timedelta(hours=7))
    signup_cancel(mine.pk, volunteer=volunteer)
    mine.refresh_from_db()
    assert mine.status == SignUp.Status.CANCELLED


def test_overlapping_shifts_are_refused_and_back_to_back_ones_are_not():
    volunteer = signed_volunteer()
    morning = make_shift(starts_in=timedelta(days=3), hours=4, title="Morning sort")
    overlapping = make_shift(starts_in=timedelta(days=3, hours=2), hours=4, title="Pop-up")
    afterwards = make_shift(starts_in=timedelta(days=3, hours=4), hours=2, title="Afternoon")
    sign(volunteer, morning)
    with pytest.raises(VolunteerError, match="This overlaps “Morning sort”"):
        sign(volunteer, overlapping)
    assert sign(volunteer, afterwards).status == SignUp.Status.CONFIRMED
    with pytest.raises(VolunteerError, match="already signed up"):
        sign(volunteer, morning)


def test_a_cancelled_shift_does_not_block_another_at_the_same_time():
    volunteer = signed_volunteer()
    first = make_shift(starts_in=timedelta(days=3))
    sign(volunteer, first)
    Shift.objects.filter(pk=first.pk).update(status=Shift.Status.CANCELLED)
    assert sign(volunteer, make_shift(starts_in=timedelta(days=3))).status == SignUp.Status.CONFIRMED


def test_a_minor_needs_a_guardians_co_signature():
    current = publish_waiver()
    today = timezone.localdate()
    minor = VolunteerFactory(date_of_birth=date(today.year - 15, 1, 1))
    shift = make_shift()
    with pytest.raises(VolunteerError, match="under 18 need a parent or guardian to co-sign"):
        waiver_accept(minor, version_id=current.pk, signed_name=minor.full_name, ip="10.0.0.1")
    with pytest.raises(VolunteerError, match="co-sign"):
        waiver_accept(minor, version_id=current.pk, signed_name=minor.full_name, ip="10.0.0.1",
                      guardian_name="Pat Parent", guardian_email="pat@example.org", guardian_agrees=False)
    with pytest.raises(WaiverNeeded, match="sign the volunteer waiver"):
        sign(minor, shift)
    acceptance = waiver_accept(minor, version_id=current.pk, signed_name=minor.full_name, ip="10.0.0.1",
                               guardian_name="Pat Parent", guardian_email="pat@example.org", guardian_agrees=True)
    assert acceptance.minor_at_signing and acceptance.guardian_signed_at is not None
    assert acceptance.ip_address == "10.0.0.1" and acceptance.signed_name == minor.full_name
    assert sign(minor, shift).status == SignUp.Status.CONFIRMED


def test_the_database_refuses_a_minors_acceptance_without_a_guardian():
    from django.db import IntegrityError, transaction

    current = publish_waiver()
    volunteer = VolunteerFactory()
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        WaiverAcceptance.objects.create(volunteer=volunteer, version=current, signed_name="x", accepted_at=now,
                                        expires_at=now + timedelta(days=1), minor_at_signing=True)


def test_an_expired_waiver_asks_for_renewal_and_a_new_version_for_a_new_signature(settings):
    volunteer = signed_volunteer()
    shift = make_shift(starts_in=timedelta(days=400), hours=3)
    with pytest.raises(WaiverNeeded, match="Your waiver expired on .*; please renew it before signing up"):
        sign(volunteer, shift, now=timezone.now() + timedelta(days=settings.VOLUNTEER_WAIVER_VALID_DAYS + 1))
    waiver_accept(volunteer, version_id=waiver_current().pk, signed_name=volunteer.full_name, ip=None)
    publish_waiver(version=2, text="New text")
    with pytest.raises(WaiverNeeded, match="The volunteer waiver has changed"):
        sign(volunteer, shift)
    waiver_accept(volunteer, version_id=waiver_current().pk, signed_name=volunteer.full_name, ip=None)
    assert sign(volunteer, shift).status == SignUp.Status.CONFIRMED


def test_accepting_an_old_version_is_refused():
    old = publish_waiver()
    publish_waiver(version=2)
    with pytest.raises(VolunteerError, match="waiver changed while you were reading"):
        waiver_accept(VolunteerFactory(), version_id=old.pk, signed_name="Val", ip=None)


def test_age_skills_and_organisation_rules_say_what_is_wrong():
    today = timezone.localdate()
    teen = signed_volunteer(date_of_birth=date(today.year - 15, 1, 1))
    with pytest.raises(VolunteerError, match="aged 16 and over; you would be 1[56] on the day"):
        sign(teen, make_shift(minimum_age=16))
    forklift = Skill.objects.create(name="Forklift licence")
    skilled_shift = make_shift(starts_in=timedelta(days=9))
    skilled_shift.required_skills.add(forklift)
    adult = signed_volunteer()
    with pytest.raises(VolunteerError, match="needs these skills: Forklift licence"):
        sign(adult, skilled_shift)
    adult.skills.add(forklift)
    assert sign(adult, skilled_shift).status == SignUp.Status.CONFIRMED
    acme = Organisation.objects.create(name="Acme", slug="acme")
    members_only = make_shift(starts_in=timedelta(days=11), organisation=acme)
    with pytest.raises(VolunteerError, match="for members of Acme only"):
        sign(adult, members_only)
    OrganisationMember.objects.create(organisation=acme, user=adult.user)
    made = sign(adult, members_only)
    assert made.organisation == acme


def test_sign_ups_close_at_the_cut_off_and_not_on_cancelled_shifts():
    volunteer = signed_volunteer()
    soon = make_shift(starts_in=timedelta(hours=6), signup_cutoff_hours=12)
    with pytest.raises(VolunteerError, match="Sign-ups for this shift closed"):
        sign(volunteer, soon)
    cancelled = make_shift(status=Shift.Status.CANCELLED)
    with pytest.raises(VolunteerError, match="cancelled"):
        sign(volunteer, cancelled)
