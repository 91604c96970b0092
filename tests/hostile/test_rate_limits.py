"""Floods: what costs money or e-mails an address a visitor typed is rate limited.

Card payments per session, per IP and per card fingerprint (card testing); hosting
requests, pledges and invitations; password resets. A limit answers 429 in words a person
can read (a page, or ``{"error": ...}`` for the card page's JSON), counts in the shared
cache, resets with its window and is logged to ``security`` without personal data.
"""
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from shop.platform import ratelimit
from shop.platform import stripe_gateway as gateway
from shop.models import CircleInvitation, HostingRequest, OrganisationInvitation, Pledge
from shop.services.donations import donation_start, gift_token
from tests.support.factories import UserFactory
from tests.shop.giving.conftest import details
from tests.support.stripe_helpers import card

pytestmark = pytest.mark.django_db

DECLINED_AT_CHARGE = "4000000000000341"  # localstripe: attaches, then the charge is declined


@pytest.fixture
def stripe_calls(monkeypatch):
    """Every call our gateway makes to Stripe (localstripe), by SDK method name."""
    calls = []
    real = gateway._call

    def counting(function, *args, **kwargs):
        calls.append(getattr(function, "__name__", str(function)))
        return real(function, *args, **kwargs)

    monkeypatch.setattr(gateway, "_call", counting)
    return calls


def limits(settings, **changes):
    settings.MENDED_RATE_LIMITS = {**settings.MENDED_RATE_LIMITS, **changes}


def confirm(client, donation, number="4242424242424242"):
    return client.post(reverse("shop:donate_pay_confirm", args=[gift_token(donation)]),
                       {"payment_method": card(number)}, content_type="application/json")


def security_lines(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "security"]


# -- card payments -------------------------------------------------------------------------


def test_a_burst_of_confirmations_from_one_session_is_cut_off_before_stripe(client, localstripe_server, stripe_calls,
                                                                            settings):
    """The issue's flood: one anonymous session confirmed 12 card payments in 1.4 s. Now the
    sixth and later get 429 with a plain message, and none of them reaches Stripe."""
    assert settings.MENDED_RATE_LIMITS["payment_confirm"] == "5/10m/session,10/h/ip"
    gifts = [donation_start(details(email=f"tester{n}@example.org")) for n in range(13)]
    answers = []
    for n, gift in enumerate(gifts, start=1):
        before = len(stripe_calls)
        response = confirm(client, gift, number=["4242424242424242", "5555555555554444"][n % 2])
        answers.append((response.status_code, len(stripe_calls) - before))
    assert [status for status, _ in answers[:5]] == [200] * 5
    assert all(calls > 0 for _, calls in answers[:5])
    assert answers[5:] == [(429, 0)] * 8  # the 6th to the 13th: refused, no Stripe call at all
    thirteenth = confirm(client, gifts[12])
    assert thirteenth.status_code == 429
    assert thirteenth.json()["error"].startswith("Too many payment attempts in a short time. Please try again in ")
    assert int(thirteenth["Retry-After"]) <= 600
    assert stripe_calls.count("confirm") == 5


def test_the_limit_is_lifted_when_its_window_ends(client, localstripe_server, settings):
    limits(settings, card_failure="")
    gifts = [donation_start(details()) for _ in range(7)]
    start = timezone.now()
    with freeze_time(start) as clock:
        for gift in gifts[:5]:
            assert confirm(client, gift).status_code == 200
        assert confirm(client, gifts[5]).status_code == 429
        clock.move_to(start + timedelta(minutes=10, seconds=1))
        assert confirm(client, gifts[5]).status_code == 200
        assert confirm(client, gifts[6]).status_code == 200


def test_ten_confirmations_an_hour_from_one_ip_whatever_the_sessions(localstripe_server, settings):
    gifts = [donation_start(details()) for _ in range(11)]
    for gift in gifts[:10]:
        assert confirm(Client(), gift).status_code == 200  # a fresh session (no cookies) each time
    refused = confirm(Client(), gifts[10])
    assert refused.status_code == 429 and "payment attempts" in refused.json()["error"]
    assert confirm(Client(REMOTE_ADDR="203.0.113.5"), gifts[10]).status_code == 200  # another address is not affected


def test_a_card_declined_three_times_rests_for_an_hour_other_cards_do_not(localstripe_server, stripe_calls, settings):
    """Per card fingerprint as Stripe reports it: a new PaymentMethod for the same card number
    (another try at its expiry or code) is the same card."""
    limits(settings, payment_confirm="")
    gifts = [donation_start(details()) for _ in range(5)]
    for n, gift in enumerate(gifts[:3]):
        assert confirm(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), gift, DECLINED_AT_CHARGE).status_code == 402
    before = len(stripe_calls)
    refused = confirm(Client(REMOTE_ADDR="198.51.100.9"), gifts[3], DECLINED_AT_CHARGE)
    assert refused.status_code == 429 and refused.json()["error"].startswith("Too many declined payments with this card")
    assert stripe_calls[before:] == ["retrieve"]  # its fingerprint was looked up; nothing was charged
    assert confirm(Client(REMOTE_ADDR="198.51.100.9"), gifts[4]).status_code == 200  # another card


def test_without_a_fingerprint_the_failures_count_per_session_and_ip(localstripe_server, settings, monkeypatch):
    limits(settings, payment_confirm="")
    monkeypatch.setattr(gateway, "card_fingerprint", lambda payment_method: None)
    gifts = [donation_start(details()) for _ in range(5)]
    tester = Client()
    for gift in gifts[:3]:
        assert confirm(tester, gift, DECLINED_AT_CHARGE).status_code == 402
    assert confirm(tester, gifts[3], DECLINED_AT_CHARGE).status_code == 429
    assert confirm(Client(), gifts[4], DECLINED_AT_CHARGE).status_code == 402  # another visitor is tried


@pytest.mark.parametrize("url", ["shop:pay_confirm", "shop:giving_card_confirm"])
def test_every_card_confirmation_endpoint_shares_the_limit(client, localstripe_server, settings, url):
    """Orders, gifts, tickets and sponsorships, card updates: one count (a bogus link counts too)."""
    limits(settings, card_failure="")
    for gift in [donation_start(details()) for _ in range(5)]:
        assert confirm(client, gift).status_code == 200
    response = client.post(reverse(url, args=["not-a-real-link"]), {"payment_method": card()},
                           content_type="application/json")
    assert response.status_code == 429 and response.json()["error"].startswith("Too many payment attempts")


@pytest.mark.parametrize("url, token", [("shop:donate_pay_setup", "donation"), ("shop:giving_card_setup", "monthly")])
def test_setup_intents_are_limited_too(client, localstripe_server, stripe_calls, url, token):
    """Each SetupIntent lets Stripe.js have a card checked at Stripe: a burst of them is card
    testing that never reaches our confirm endpoint, so they count per session and IP too."""
    from shop.services.donations import recurring_start

    gift = donation_start(details()) if token == "donation" else recurring_start(details(monthly=True))
    path = reverse(url, args=[gift_token(gift)])
    for _ in range(5):
        assert client.post(path).json()["client_secret"].startswith("seti_")
    before = len(stripe_calls)
    refused = client.post(path)
    assert refused.status_code == 429 and refused.json()["error"].startswith("Too many payment attempts")
    assert len(stripe_calls) == before


def test_a_limit_hit_is_logged_to_security_without_personal_data(client, localstripe_server, settings, caplog):
    limits(settings, payment_confirm="1/10m/session")
    gifts = [donation_start(details()) for _ in range(2)]
    assert confirm(client, gifts[0]).status_code == 200
    caplog.set_level(logging.INFO, logger="security")
    assert confirm(client, gifts[1]).status_code == 429
    (line,) = security_lines(caplog)
    session = client.session.session_key
    assert line.startswith("rate limit hit: action=payment_confirm limit=1/600s/session key=")
    assert line.endswith(" ip=127.0.0.1 path=" + reverse("shop:donate_pay_confirm", args=[gift_token(gifts[1])]))
    assert session not in line and "dana" not in caplog.text.lower()


# -- pages that send e-mail to a typed address ----------------------------------------------


def pledge_form(n):
    return {"kind": "individual", "name": f"Person {n}", "email": f"person{n}@example.org", "promise": "on"}


def test_the_fourth_pledge_in_an_hour_from_one_ip_gets_a_429_page_and_no_e_mail(client, django_capture_on_commit_callbacks):
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("shop:pledge"), pledge_form(n)).status_code == 302
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        refused = Client().post(reverse("shop:pledge"), pledge_form(3))
    assert refused.status_code == 429
    assert "Too many pledges in a short time. Please try again in" in refused.content.decode()
    assert Pledge.objects.count() == 3 and len(mail.outbox) == sent


def test_a_form_sent_back_with_errors_does_not_count(client):
    for _ in range(5):
        assert client.post(reverse("shop:pledge"), {**pledge_form(0), "email": "not an address"}).status_code == 400
    assert client.post(reverse("shop:pledge"), pledge_form(0)).status_code == 302


def test_the_pledge_limit_resets_after_the_hour(client):
    start = timezone.now()
    with freeze_time(start) as clock:
        for n in range(3):
            client.post(reverse("shop:pledge"), pledge_form(n))
        assert client.post(reverse("shop:pledge"), pledge_form(3)).status_code == 429
        clock.move_to(start + timedelta(hours=1, seconds=1))
        assert client.post(reverse("shop:pledge"), pledge_form(3)).status_code == 302


def test_hosting_requests_are_limited_to_three_an_hour_per_ip(client, django_capture_on_commit_callbacks):
    from tests.shop.giving.test_events import host_form

    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("shop:event_host"), host_form(email=f"host{n}@example.org")).status_code == 302
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("shop:event_host"), host_form(email="victim@example.org"))
    assert refused.status_code == 429 and "Too many hosting requests" in refused.content.decode()
    assert HostingRequest.objects.count() == 3 and len(mail.outbox) == sent
    assert "victim@example.org" not in str([m.to for m in mail.outbox])


def test_circle_invitations_count_each_address_against_the_sender(client, settings, django_capture_on_commit_callbacks):
    from tests.shop.giving.test_circles import make_circle

    circle, leader = make_circle()
    client.force_login(leader)
    url = reverse("shop:circle_lead", args=[circle.slug])
    addresses = [f"friend{n}@example.org" for n in range(25)]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"addresses": ", ".join(addresses[:10])}).status_code == 302
        assert client.post(url, {"addresses": ", ".join(addresses[10:20])}).status_code == 302
        refused = client.post(url, {"addresses": addresses[20]})
    assert refused.status_code == 429 and "Too many invitations in a short time" in refused.content.decode()
    assert CircleInvitation.objects.filter(circle=circle).count() == 20


def test_organisation_invitations_share_the_senders_limit(client, settings, acme):
    from tests.shop.test_gift_fulfilment import member_of

    limits(settings, invitation="2/h/user")
    org, _design = acme
    client.force_login(member_of(org, "admin"))
    url = reverse("shop:gift_members", args=[org.slug])
    for n in range(2):
        assert client.post(url, {"email": f"colleague{n}@acme.example", "role": "member"}).status_code == 302
    refused = client.post(url, {"email": "colleague9@acme.example", "role": "member"})
    assert refused.status_code == 429 and "Too many invitations" in refused.content.decode()
    assert not OrganisationInvitation.objects.filter(email="colleague9@acme.example").exists()


def test_password_resets_are_limited_per_address_and_per_ip(caplog):
    user = UserFactory(email="owner@example.org")
    for n in range(5):
        assert Client(REMOTE_ADDR=f"198.51.100.{n + 1}").post(reverse("account_reset_password"),
                                                               {"email": user.email}).status_code == 302
    assert len(mail.outbox) == 5
    caplog.set_level(logging.INFO, logger="security")
    refused = Client(REMOTE_ADDR="198.51.100.99").post(reverse("account_reset_password"), {"email": user.email})
    assert refused.status_code == 429 and len(mail.outbox) == 5  # the sixth to one address in an hour
    assert "Too many requests in a short time. Please wait a few minutes and try again." in refused.content.decode()
    assert security_lines(caplog) == ["rate limit hit: action=account_reset_password ip=198.51.100.99 "
                                      "path=/accounts/password/reset/"]

    one_ip = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        assert one_ip.post(reverse("account_reset_password"), {"email": f"someone{n}@example.org"}).status_code == 302
    assert one_ip.post(reverse("account_reset_password"), {"email": "someone9@example.org"}).status_code == 429


# -- the mechanism ---------------------------------------------------------------------------


def test_a_limit_without_its_value_is_skipped_and_cost_zero_only_asks(rf, settings):
    limits(settings, gift_card_code="2/h/code")
    request = rf.post("/")
    ratelimit.hit(request, "gift_card_code", code=None)  # no code given: nothing to count
    for _ in range(2):
        ratelimit.hit(request, "gift_card_code", cost=0, code="ABC")  # asking never counts
        ratelimit.hit(request, "gift_card_code", code="ABC")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit(request, "gift_card_code", cost=0, code="ABC")
    ratelimit.hit(request, "gift_card_code", cost=0, code="XYZ")


def test_limits_are_read_as_allauth_writes_them():
    assert ratelimit.parse_rates("5/10m/session, 10/h/ip,3/90s/card") == [
        ratelimit.Rate(5, 600, "session"), ratelimit.Rate(10, 3600, "ip"), ratelimit.Rate(3, 90, "card")]
    assert ratelimit.parse_rates("") == []
