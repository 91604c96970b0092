"""Groups by name: the leader names each member, each signs their own waiver from their
own link (a minor with a guardian), age rules per member, and nobody unwaivered is checked in."""
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from payroll.models import GroupMember, SignUp
from payroll.services.volunteers.groups import (
    MemberDetails,
    MemberError,
    member_add,
    member_check_in,
    member_waiver_sign,
    token_hash,
)
from payroll.services.volunteers.kiosk import kiosk_check, kiosk_open
from payroll.services.volunteers.shifts import check_in
from payroll.services.volunteers.signups import VolunteerError, signup_create, waiver_current
from shop.platform import roles
from tests.payroll.volunteers.factories import make_shift, signed_volunteer
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


def born_years_before(day, years, days_later=0):
    """A birthday that makes someone exactly ``years`` old on ``day`` (``days_later``: younger)."""
    try:
        birthday = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        birthday = day.replace(year=day.year - years, day=28)
    return birthday + timedelta(days=days_later)


def links_in_outbox() -> dict[str, str]:
    return {message.to[0]: re.search(r"(/volunteer/group-waiver/[^/\s]+/)", message.body).group(1) for message in mail.outbox}


def sign_link(link, **fields):
    data = {"version_id": waiver_current().pk, "signed_name": fields.pop("signed_name"), "agree": "on", **fields}
    return Client().post(link, data)


def test_a_group_of_three_with_a_minor_each_waivered_through_their_own_links(client, django_capture_on_commit_callbacks):
    leader = signed_volunteer(full_name="Mara Lead")
    shift = make_shift()
    day = shift.local_start.date()
    client.force_login(leader.user)
    members = f"Ana Ortiz, 1985-03-02, ana@example.org\nLeo Park, {born_years_before(day, 15).isoformat()}, leo@example.org\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("payroll:volunteer_signup", args=[shift.pk]),
                               {"role": shift.roles.get().pk, "members": members})
    assert response.status_code == 302
    signup = SignUp.objects.get(volunteer=leader)
    assert signup.party_size == 3 and signup.status == SignUp.Status.CONFIRMED
    assert list(signup.members.values_list("full_name", flat=True)) == ["Ana Ortiz", "Leo Park"]
    links = links_in_outbox()
    assert sorted(links) == ["ana@example.org", "leo@example.org"]
    assert links["ana@example.org"] != links["leo@example.org"]
    ana_token = links["ana@example.org"].split("/")[-2]
    assert GroupMember.objects.get(full_name="Ana Ortiz").token_hash == token_hash(ana_token) != ana_token

    coordinator = Client()
    coordinator.force_login(UserFactory(roles=[roles.VOLUNTEER_COORDINATOR]))
    roster = coordinator.get(reverse("payroll:coordinator_shift", args=[shift.pk])).content.decode()
    assert "Leo Park <strong class=\"minor-flag\">minor, 15</strong>" in roster
    assert roster.count("waiver waiting") == 2 and roster.count("waiver signed") == 1  # the leader's own

    # The adult signs from her own link, without an account.
    page = Client().get(links["ana@example.org"])
    assert page.status_code == 200 and "Volunteer waiver for Ana Ortiz" in page.content.decode()
    assert "guardian" not in page.content.decode().lower()
    assert sign_link(links["ana@example.org"], signed_name="Ana Ortiz").status_code == 200
    # The minor needs a guardian, whose e-mail is not the minor's own.
    leo = links["leo@example.org"]
    assert "Parent or guardian co-signature (Leo Park is under 18)" in Client().get(leo).content.decode()
    refused = sign_link(leo, signed_name="Leo Park")
    assert refused.status_code == 400 and "need a parent or guardian to co-sign" in refused.content.decode()
    same = sign_link(leo, signed_name="Leo Park", guardian_name="Kim Park", guardian_email="LEO@example.org", guardian_agrees="on")
    assert same.status_code == 400 and "not the volunteer&#x27;s" in same.content.decode()
    assert GroupMember.objects.get(full_name="Leo Park").accepted_at is None
    done = sign_link(leo, signed_name="Leo Park", guardian_name="Kim Park", guardian_email="kim@example.org", guardian_agrees="on")
    assert "co-signed by Kim Park" in done.content.decode()
    minor = GroupMember.objects.get(full_name="Leo Park")
    assert minor.minor_at_signing and minor.guardian_email == "kim@example.org" and minor.waiver_version == waiver_current()

    roster = coordinator.get(reverse("payroll:coordinator_shift", args=[shift.pk])).content.decode()
    assert roster.count("waiver signed") == 3 and "waiver waiting" not in roster


def test_a_used_or_guessed_link_signs_nothing(client, django_capture_on_commit_callbacks):
    shift = make_shift()
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(signed_volunteer().pk, shift.roles.get().pk, members=[MemberDetails("Ana Ortiz", date(1985, 3, 2), "ana@example.org")])
    link = links_in_outbox()["ana@example.org"]
    token = link.split("/")[-2]
    member_waiver_sign(token, version_id=waiver_current().pk, signed_name="Ana Ortiz", ip=None)
    with pytest.raises(VolunteerError, match="already been used"):
        member_waiver_sign(token, version_id=waiver_current().pk, signed_name="Someone Else", ip=None)
    assert GroupMember.objects.get().signed_name == "Ana Ortiz"
    assert "This link has been used" in client.get(link).content.decode()
    assert client.get("/volunteer/group-waiver/guessed-token-0000/").status_code == 404
    assert client.post("/volunteer/group-waiver/guessed-token-0000/", {"signed_name": "X"}).status_code == 404


def test_every_member_is_held_to_the_age_rules_with_a_field_error_naming_them(client):
    shift = make_shift(minimum_age=16)
    day = shift.local_start.date()
    leader = signed_volunteer()
    client.force_login(leader.user)
    members = f"Ana Ortiz, 1985-03-02, ana@example.org\nLeo Park, {born_years_before(day, 16, days_later=1).isoformat()}\n"
    response = client.post(reverse("payroll:volunteer_signup", args=[shift.pk]), {"role": shift.roles.get().pk, "members": members})
    assert response.status_code == 400
    assert "Leo Park would be 15 on the day; this shift is for volunteers aged 16 and over." in response.content.decode()
    assert not SignUp.objects.exists() and not GroupMember.objects.exists()
    # An adult member needs an e-mail of their own for their link; a bad line is a field error too.
    with pytest.raises(MemberError, match="Ana Ortiz is an adult: give their e-mail"):
        signup_create(leader.pk, shift.roles.get().pk, members=[MemberDetails("Ana Ortiz", date(1985, 3, 2))])
    bad = client.post(reverse("payroll:volunteer_signup", args=[shift.pk]), {"role": shift.roles.get().pk, "members": "Ana Ortiz, March 2nd"})
    assert bad.status_code == 400 and "Ana Ortiz: give the date of birth as YYYY-MM-DD" in bad.content.decode()


def test_an_unsigned_member_cannot_be_checked_in_on_the_roster_or_at_the_kiosk(django_capture_on_commit_callbacks):
    shift = make_shift(starts_in=timedelta(minutes=30), signup_cutoff_hours=0)
    coordinator = UserFactory(roles=[roles.VOLUNTEER_COORDINATOR])
    day = shift.local_start.date()
    with django_capture_on_commit_callbacks(execute=True):
        signup = signup_create(signed_volunteer(full_name="Mara Lead").pk, shift.roles.get().pk, members=[
            MemberDetails("Ana Ortiz", date(1985, 3, 2), "ana@example.org"),
            MemberDetails("Leo Park", born_years_before(day, 15), "")])
    links = links_in_outbox()
    assert len(mail.outbox) == 2 and mail.outbox[1].to == [signup.volunteer.email]  # the minor with no e-mail: via the leader
    member_waiver_sign(links["ana@example.org"].split("/")[-2], version_id=waiver_current().pk, signed_name="Ana Ortiz", ip=None)
    leo = GroupMember.objects.get(full_name="Leo Park")
    with pytest.raises(VolunteerError, match="Leo Park has not signed the volunteer waiver: they cannot be checked in"):
        member_check_in(leo.pk, coordinator)

    kiosk = kiosk_open(coordinator, pin="4821", shift_id=shift.pk)
    result = kiosk_check(kiosk, "check-in", signup_id=signup.pk)
    assert result.message == ("Welcome, Mara L.: you are checked in. Not checked in: Leo P., whose volunteer waiver is not signed. "
                              "They cannot start until they sign it from their own link: please see the coordinator.")
    assert GroupMember.objects.get(full_name="Ana Ortiz").checked_in_at is not None
    leo.refresh_from_db()
    assert leo.checked_in_at is None


def test_the_roster_check_in_of_an_unsigned_member_says_why(client):
    shift = make_shift(starts_in=timedelta(minutes=30), signup_cutoff_hours=0)
    day = shift.local_start.date()
    signup = signup_create(signed_volunteer().pk, shift.roles.get().pk, members=[MemberDetails("Leo Park", born_years_before(day, 15))])
    client.force_login(UserFactory(roles=[roles.VOLUNTEER_COORDINATOR]))
    leo = signup.members.get()
    response = client.post(reverse("payroll:coordinator_member_check_in", args=[leo.pk]), follow=True)
    assert "Leo Park has not signed the volunteer waiver" in response.content.decode()
    leo.refresh_from_db()
    assert leo.checked_in_at is None
    done = check_in(signup.pk, None)
    assert [m.full_name for m in done.members_left_out] == ["Leo Park"]


def test_the_leader_adds_a_member_afterwards_while_a_place_is_left(django_capture_on_commit_callbacks):
    shift = make_shift(roles=(("Warehouse sorting", 2),))
    leader = signed_volunteer()
    signup = signup_create(leader.pk, shift.roles.get().pk)
    with django_capture_on_commit_callbacks(execute=True):
        member_add(leader.pk, signup.pk, MemberDetails("Ana Ortiz", date(1985, 3, 2), "ana@example.org"))
    signup.refresh_from_db()
    assert signup.party_size == 2 and list(links_in_outbox()) == ["ana@example.org"]
    with pytest.raises(MemberError, match="Warehouse sorting is full: there is no place for Bo Chan"):
        member_add(leader.pk, signup.pk, MemberDetails("Bo Chan", date(1990, 5, 1), "bo@example.org"))
    with pytest.raises(VolunteerError, match="No such sign-up"):  # only the leader adds to their sign-up
        member_add(signed_volunteer().pk, signup.pk, MemberDetails("Bo Chan", date(1990, 5, 1), "bo@example.org"))
    signup.refresh_from_db()
    assert signup.party_size == 2 and signup.members.count() == 1


def test_erasing_the_leader_erases_their_members_names_and_guardians(client):
    shift = make_shift()
    day = shift.local_start.date()
    leader = signed_volunteer(email="mara.lead@example.org")
    signup = signup_create(leader.pk, shift.roles.get().pk, members=[MemberDetails("Leo Park", born_years_before(day, 15), "leo@example.org")])
    leo = signup.members.get()
    leo.token_hash = token_hash("known-link")
    leo.save()
    member_waiver_sign("known-link", version_id=waiver_current().pk, signed_name="Leo Park", ip="10.0.0.9",
                       guardian_name="Kim Park", guardian_email="kim@example.org", guardian_agrees=True)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post("/staff/data-rights/erase/", {"email": "mara.lead@example.org", "email_again": "mara.lead@example.org"})
    assert response.status_code == 200
    leo.refresh_from_db()
    assert (leo.full_name, leo.email, leo.signed_name, leo.guardian_name, leo.ip_address) == (
        f"Erased group member #{leo.pk}", "", f"Erased group member #{leo.pk}", "Erased guardian", None)
    assert leo.guardian_email == f"erased-member-guardian-{leo.pk}@erased.invalid"


def test_the_member_waiver_page_takes_a_fixed_number_of_queries(django_assert_num_queries, django_capture_on_commit_callbacks):
    shift = make_shift()
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(signed_volunteer().pk, shift.roles.get().pk, members=[MemberDetails("Ana Ortiz", date(1985, 3, 2), "ana@example.org")])
    link, visitor = links_in_outbox()["ana@example.org"], Client()
    with django_assert_num_queries(2):  # the member (with shift and leader) and the current waiver
        assert visitor.get(link).status_code == 200


def test_the_leader_adds_a_member_from_their_home_page_and_nobody_else_can(client, django_capture_on_commit_callbacks):
    shift = make_shift()
    leader = signed_volunteer()
    signup = signup_create(leader.pk, shift.roles.get().pk)
    client.force_login(leader.user)
    assert "Add someone to my group" in client.get(reverse("payroll:volunteer_home")).content.decode()
    url = reverse("payroll:volunteer_member_new", args=[signup.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"full_name": "Ana Ortiz", "date_of_birth": "1985-03-02", "email": "ana@example.org"}, follow=True)
    assert "Ana Ortiz is in your group; we e-mailed their waiver link." in page.content.decode(), re.findall(r"class=\"message[^>]*>([^<]*)", page.content.decode())
    assert list(links_in_outbox()) == ["ana@example.org"]
    refused = client.post(url, {"full_name": "Bo Chan", "date_of_birth": "1990-05-01"}, follow=True)
    assert "Bo Chan is an adult: give their e-mail" in refused.content.decode()
    other = Client()
    other.force_login(signed_volunteer().user)
    assert other.post(url, {"full_name": "Eve X", "date_of_birth": "1990-05-01", "email": "eve@example.org"}).status_code == 404
    signup.refresh_from_db()
    assert signup.party_size == 2 and list(signup.members.values_list("full_name", flat=True)) == ["Ana Ortiz"]
