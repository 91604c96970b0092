"""Kiosk mode: opening a kiosk logs the coordinator out on the device; the kiosk shows first
names and last initials only; check-ins by name or check-in code (the QR code of the pass),
each idempotent, also when a queue is synced twice; no check-in without a waiver; leaving
with the PIN (wrong PINs limited) or a coordinator's login. The walk of every URL as a
kiosk session is in tests/test_access.py."""
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.utils import timezone

from payroll.kiosk import KIOSK_SESSION_KEY
from payroll.models import Kiosk, SignUp, WaiverAcceptance
from payroll.selectors.volunteers import kiosk_rows
from payroll.services.volunteers.kiosk import checkin_code, kiosk_check, kiosk_open
from payroll.services.volunteers.signups import VolunteerError, signup_create
from shop.platform import roles
from tests.payroll.volunteers.factories import make_shift, signed_volunteer, ten_am_in
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def coordinator():
    return UserFactory(roles=[roles.VOLUNTEER_COORDINATOR])


@pytest.fixture
def day(coordinator):
    """A shift starting in 30 minutes with Alice Archer and Bob Baker signed up."""
    shift = make_shift(starts_in=timedelta(minutes=30), signup_cutoff_hours=0, title="Sorting day")
    alice = signed_volunteer(full_name="Alice Archer", phone="727-555-0142", emergency_contact_name="Ed Emergency",
                             emergency_contact_phone="727-555-0199")
    bob = signed_volunteer(full_name="Bob Baker")
    role = shift.roles.get()
    return {"shift": shift, "alice": signup_create(alice.pk, role.pk), "bob": signup_create(bob.pk, role.pk)}


def open_kiosk(client, coordinator, shift, pin="4821"):
    client.force_login(coordinator)
    return client.post(reverse("payroll:coordinator_kiosk", args=[shift.pk]), {"pin": pin, "pin_again": pin})


def test_opening_a_kiosk_logs_the_coordinator_out_on_that_device(client, coordinator, day):
    response = open_kiosk(client, coordinator, day["shift"])
    assert response.status_code == 302 and response.url == "/kiosk/"
    kiosk = Kiosk.objects.get()
    assert kiosk.shift == day["shift"] and kiosk.opened_by == coordinator and kiosk.day is None
    assert kiosk.pin_hash != "4821" and check_password("4821", kiosk.pin_hash)  # kept hashed
    assert kiosk.expires_at == day["shift"].ends_at + timedelta(hours=2)
    assert "_auth_user_id" not in client.session and client.session[KIOSK_SESSION_KEY] == kiosk.pk
    assert client.get("/kiosk/").status_code == 200
    assert client.get("/staff/volunteers/").url == "/kiosk/"  # the coordinator's pages are gone on this device


def test_a_pin_must_be_4_to_8_digits_typed_twice(client, coordinator, day):
    client.force_login(coordinator)
    url = reverse("payroll:coordinator_kiosk", args=[day["shift"].pk])
    assert client.post(url, {"pin": "12ab", "pin_again": "12ab"}).status_code == 400
    assert "The two PINs differ" in client.post(url, {"pin": "1234", "pin_again": "1243"}).content.decode()
    assert not Kiosk.objects.exists() and client.session["_auth_user_id"] == str(coordinator.pk)
    with pytest.raises(VolunteerError, match="4 to 8 digits"):
        kiosk_open(coordinator, pin="123", shift_id=day["shift"].pk)


def test_only_coordinators_open_a_kiosk_and_only_a_kiosk_session_gets_its_pages(client, day):
    client.force_login(UserFactory())
    url = reverse("payroll:coordinator_kiosk", args=[day["shift"].pk])
    assert client.post(url, {"pin": "4821", "pin_again": "4821"}).status_code == 403
    assert not Kiosk.objects.exists()
    assert client.get("/kiosk/").status_code == 403
    assert client.post("/kiosk/check/", {"action": "check-in", "signup": day["alice"].pk}).status_code == 403


def test_the_kiosk_shows_first_names_and_initials_and_no_contact_data(client, coordinator, day,
                                                                      django_assert_num_queries):
    open_kiosk(client, coordinator, day["shift"])
    # the session, the kiosk (with its shift), the rows
    with django_assert_num_queries(3):
        page = client.get("/kiosk/").content.decode()
    assert "Alice A." in page and "Bob B." in page
    for private in ("Alice Archer", "Archer", "Bob Baker", "727-555-0142", "727-555-0199", "Ed Emergency", "813-555-0100",
                    "Em Contact", day["alice"].volunteer.email):
        assert private not in page, private
    links = re.findall(r'href="([^"]+)"', page)
    assert sorted(set(links) - {"data:,"}) == ["/kiosk/exit/", "/static/payroll/css/volunteers.css",
                                               "/static/shop/css/site.css"]
    assert "camera=(self)" in client.get("/kiosk/")["Permissions-Policy"]
    searched = client.get("/kiosk/", {"q": "archer"}).content.decode()  # the whole name is searched, not shown
    assert "Alice A." in searched and "Bob B." not in searched and "Archer" not in searched.replace('value="archer"', "")


def test_a_check_in_by_name_and_its_replay_which_changes_nothing(client, coordinator, day):
    open_kiosk(client, coordinator, day["shift"])
    first = client.post("/kiosk/check/", {"action": "check-in", "signup": day["alice"].pk}, **JSON).json()
    assert first == {"ok": True, "signup": day["alice"].pk, "state": "in", "changed": True,
                     "message": "Welcome, Alice A.: you are checked in."}
    day["alice"].refresh_from_db()
    arrived = day["alice"].checked_in_at
    assert arrived is not None and day["alice"].checked_in_by == coordinator
    again = client.post("/kiosk/check/", {"action": "check-in", "signup": day["alice"].pk}, **JSON).json()
    assert again["changed"] is False and again["message"] == "Alice A. is already checked in."
    day["alice"].refresh_from_db()
    assert day["alice"].checked_in_at == arrived
    # without script: the form posts and the page comes back with the message
    response = client.post("/kiosk/check/", {"action": "check-in", "signup": day["bob"].pk, "q": "bob"})
    assert response.url == "/kiosk/?q=bob"
    assert "Welcome, Bob B." in client.get(response.url).content.decode()


def test_a_queue_synced_twice_changes_nothing_the_second_time(client, coordinator, day):
    open_kiosk(client, coordinator, day["shift"])
    tapped = timezone.now() - timedelta(minutes=3)
    ms = int(tapped.timestamp() * 1000)
    queue = {"queued": [
        {"id": "a1", "action": "check-in", "signup": day["alice"].pk, "at": ms},
        {"id": "b1", "action": "check-in", "signup": None, "code": checkin_code(day["bob"]), "at": ms + 1000},
        {"id": "a2", "action": "check-out", "signup": day["alice"].pk, "at": ms + 60_000},
    ]}
    first = client.post("/kiosk/sync/", json.dumps(queue), content_type="application/json").json()
    assert [(r["id"], r["ok"], r["changed"], r["state"]) for r in first["results"]] == [
        ("a1", True, True, "in"), ("b1", True, True, "in"), ("a2", True, True, "out")]
    alice, bob = (SignUp.objects.get(pk=day[who].pk) for who in ("alice", "bob"))
    assert alice.checked_in_at == tapped.replace(microsecond=0)  # when it was tapped, not when it arrived
    assert alice.checked_out_at - alice.checked_in_at == timedelta(minutes=1)
    assert bob.checked_in_at == (tapped + timedelta(seconds=1)).replace(microsecond=0)
    second = client.post("/kiosk/sync/", json.dumps(queue), content_type="application/json").json()
    assert [(r["id"], r["ok"], r["changed"]) for r in second["results"]] == [
        ("a1", True, False), ("b1", True, False), ("a2", True, False)]
    assert [(s.checked_in_at, s.checked_out_at) for s in SignUp.objects.filter(pk__in=[alice.pk, bob.pk]).order_by("pk")] == [
        (alice.checked_in_at, alice.checked_out_at), (bob.checked_in_at, None)]
    bad = client.post("/kiosk/sync/", '{"queued": [{"id": 1, "action": "check-in", "signup": "x"}]}',
                      content_type="application/json")
    assert bad.status_code == 400 and client.post("/kiosk/sync/", "[", content_type="application/json").status_code == 400


def test_a_time_from_a_wrong_clock_is_replaced_by_the_time_it_arrived(client, coordinator, day):
    open_kiosk(client, coordinator, day["shift"])
    last_year = int((timezone.now() - timedelta(days=365)).timestamp() * 1000)
    before = timezone.now()
    client.post("/kiosk/sync/", json.dumps({"queued": [{"id": "x", "action": "check-in", "signup": day["alice"].pk,
                                                         "at": last_year}]}), content_type="application/json")
    day["alice"].refresh_from_db()
    assert day["alice"].checked_in_at >= before


def test_the_qr_code_of_the_pass_checks_in_and_a_forged_one_does_not(client, coordinator, day):
    client.force_login(day["alice"].volunteer.user)
    page = client.get(reverse("payroll:volunteer_pass", args=[day["alice"].pk])).content.decode()
    code = re.search(r'<code class="checkin-code">([^<]+)</code>', page).group(1)
    assert code == checkin_code(day["alice"]) and "<svg" in page and 'aria-label="Your check-in QR code"' in page
    client.force_login(day["bob"].volunteer.user)
    assert client.get(reverse("payroll:volunteer_pass", args=[day["alice"].pk])).status_code == 404  # not Bob's

    open_kiosk(client, coordinator, day["shift"])
    signup_id, mac = code.split("-")
    forged = f"{day['bob'].pk}-{mac}"  # Alice's signature on Bob's sign-up
    answer = client.post("/kiosk/check/", {"action": "check-in", "code": forged}, **JSON)
    assert answer.status_code == 400 and answer.json()["message"].startswith("That is not a check-in code")
    answer = client.post("/kiosk/check/", {"action": "check-in", "code": code.lower()}, **JSON).json()
    assert answer["ok"] and answer["signup"] == day["alice"].pk and answer["message"] == "Welcome, Alice A.: you are checked in."
    assert SignUp.objects.get(pk=day["bob"].pk).checked_in_at is None


def test_a_code_for_another_shift_is_refused_at_this_kiosk(client, coordinator, day):
    other = make_shift(starts_in=timedelta(minutes=40), hours=1, signup_cutoff_hours=0, title="Other day")
    elsewhere = signup_create(signed_volunteer().pk, other.roles.get().pk)
    open_kiosk(client, coordinator, day["shift"])
    answer = client.post("/kiosk/check/", {"action": "check-in", "code": checkin_code(elsewhere)}, **JSON)
    assert answer.status_code == 400 and "not on this kiosk's shift" in answer.json()["message"]
    assert SignUp.objects.get(pk=elsewhere.pk).checked_in_at is None


def test_a_volunteer_whose_waiver_expired_cannot_be_checked_in(client, coordinator, day):
    WaiverAcceptance.objects.filter(volunteer=day["bob"].volunteer).update(accepted_at=timezone.now() - timedelta(days=400),
                                                                        expires_at=timezone.now() - timedelta(minutes=1))
    open_kiosk(client, coordinator, day["shift"])
    answer = client.post("/kiosk/check/", {"action": "check-in", "signup": day["bob"].pk}, **JSON)
    assert answer.status_code == 400 and "waiver is not signed" in answer.json()["message"]
    assert SignUp.objects.get(pk=day["bob"].pk).checked_in_at is None


def test_the_pin_ends_kiosk_mode(client, coordinator, day):
    open_kiosk(client, coordinator, day["shift"])
    wrong = client.post("/kiosk/exit/", {"pin": "1111"})
    assert wrong.status_code == 400 and "That is not the PIN" in wrong.content.decode()
    assert client.get("/staff/volunteers/").url == "/kiosk/"
    response = client.post("/kiosk/exit/", {"pin": "4821"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert Kiosk.objects.get().closed_at is not None
    assert KIOSK_SESSION_KEY not in client.session and "_auth_user_id" not in client.session
    assert client.get("/kiosk/").status_code == 403
    assert client.get("/staff/volunteers/").url.startswith("/accounts/login/")  # logged out, not a kiosk


def test_wrong_pins_are_limited_and_a_coordinators_login_still_ends_kiosk_mode(client, coordinator, day):
    open_kiosk(client, coordinator, day["shift"])
    for pin in ("0000", "1111", "2222", "3333", "4444"):
        assert client.post("/kiosk/exit/", {"pin": pin}).status_code == 400
    refused = client.post("/kiosk/exit/", {"pin": "4821"})  # even the right PIN, until the window ends
    assert refused.status_code == 429 and "Too many wrong PINs" in refused.content.decode()
    assert Kiosk.objects.get().closed_at is None and client.get("/staff/volunteers/").url == "/kiosk/"
    # Someone who is not a coordinator logs in at the kiosk: logged out again, still a kiosk.
    client.force_login(day["bob"].volunteer.user)
    assert client.get("/volunteer/").url == "/kiosk/"
    assert "_auth_user_id" not in client.session and client.session[KIOSK_SESSION_KEY] == Kiosk.objects.get().pk
    # The coordinator's full login ends kiosk mode.
    client.force_login(coordinator)
    assert client.get("/staff/volunteers/").status_code == 200
    assert Kiosk.objects.get().closed_at is not None and KIOSK_SESSION_KEY not in client.session


def test_an_expired_kiosk_ends_its_session(client, coordinator, day):
    open_kiosk(client, coordinator, day["shift"])
    Kiosk.objects.update(opened_at=timezone.now() - timedelta(hours=3), expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/kiosk/")
    assert response.url == "/accounts/login/" and KIOSK_SESSION_KEY not in client.session


def test_a_kiosk_for_a_day_serves_every_shift_of_that_day(client, coordinator):
    # Two days out, not tomorrow: tomorrow's sign-ups close the evening before (10 PM), so a run
    # after 10 PM Eastern could not sign the volunteers up.
    morning = make_shift(starts_in=ten_am_in(2), hours=2, title="Morning sort")
    afternoon = make_shift(starts_in=ten_am_in(2) + timedelta(hours=4), hours=2, title="Afternoon sort")
    next_day = make_shift(starts_in=ten_am_in(3), hours=2, title="Next day")
    ana, carol, dee = (signup_create(signed_volunteer(full_name=name).pk, shift.roles.get().pk)
                       for name, shift in (("Ana Alvarez", morning), ("Carol Cruz", afternoon), ("Dee Dunn", next_day)))
    nine = morning.starts_at - timedelta(hours=1)
    with pytest.raises(VolunteerError, match="opened on that day"):
        kiosk_open(coordinator, pin="9090", day=morning.local_start.date(), now=nine - timedelta(days=1))
    kiosk = kiosk_open(coordinator, pin="9090", day=morning.local_start.date(), now=nine)
    rows = kiosk_rows(kiosk)
    assert [(r.name, r.shift) for r in rows] == [("Ana A.", "Morning sort · 10:00 AM"), ("Carol C.", "Afternoon sort · 2:00 PM")]
    assert kiosk_check(kiosk, "check-in", signup_id=ana.pk, now=nine).changed is True
    with pytest.raises(VolunteerError, match="not on this kiosk's shift"):
        kiosk_check(kiosk, "check-in", signup_id=dee.pk, now=nine)
    assert SignUp.objects.get(pk=carol.pk).checked_in_at is None
    client.force_login(coordinator)
    day_url = reverse("payroll:coordinator_day_kiosk", args=[morning.local_start.date().isoformat()])
    assert "every shift on" in client.get(day_url).content.decode()
    assert client.get(reverse("payroll:coordinator_day_kiosk", args=["not-a-day"])).status_code == 404
