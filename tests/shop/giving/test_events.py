"""Events: tickets and sponsorships paid as one-time gifts (receipts show the deductible part),
capacity under holds, sponsors' logos once paid, hosting requests decided with one e-mail,
and the staff pages."""
import csv
import io
import itertools
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from PIL import Image
from pypdf import PdfReader

from shop.platform import stripe_gateway as gateway
from shop.models import Donation, Event, EventTicket, HostingRequest, Sponsorship
from shop.platform.roles import SHOP_STAFF
from shop.selectors import events as selectors
from shop.services import events as service
from shop.services.donations import donation_mark_paid, donation_mark_refunded, gift_token
from shop.services.receipts import receipt_pdf
from tests.support.factories import UserFactory
from tests.support.stripe_helpers import card
from tests.support.stripe_helpers import event as stripe_event

pytestmark = pytest.mark.django_db

_n = itertools.count(1)
BUYER = service.Buyer("Pat Guest", "Pat@Example.org", "1 Main St", "", "Tampa", "FL", "33602")


def make_event(capacity=100, published=True, days=30, **fields) -> Event:
    starts = timezone.now() + timedelta(days=days)
    return Event.objects.create(
        title=fields.pop("title", "Spring Gala"), slug=fields.pop("slug", f"gala-{next(_n)}"),
        kind=fields.pop("kind", Event.Kind.FUNDRAISER), starts_at=starts, ends_at=starts + timedelta(hours=4),
        venue="The Harbor Room", address="200 Channelside Drive, Tampa", capacity=capacity, is_published=published,
        **fields)


def gala(capacity=100, **fields):
    event = make_event(capacity, **fields)
    dinner = event.ticket_types.create(name="Gala dinner", price=Decimal("100.00"), fair_market_value=Decimal("40.00"),
                                       benefit_description="dinner and drinks")
    return event, dinner


def gold_tier(event, max_sponsors=None):
    return event.sponsorship_tiers.create(name="Gold", amount=Decimal("1000.00"), fair_market_value=Decimal("200.00"),
                                          benefits="A table for four\nYour logo on the event page", max_sponsors=max_sponsors)


def png(width=240, height=120, colour="#1f5f7a") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def visible(response) -> str:
    """The page's text as read, tags gone and spaces collapsed."""
    return " ".join(strip_tags(response.content.decode()).split())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def fake_stripe(monkeypatch):
    """Stripe as the event services see it, without localstripe: intents made and cancelled."""
    made, cancelled = [], []

    def create(amount, number, key):
        made.append((amount, number, key))
        return {"id": f"pi_event_{len(made)}_{number}", "status": "requires_payment_method"}

    def cancel(intent_id):
        cancelled.append(intent_id)
        return {"id": intent_id, "status": "canceled"}

    monkeypatch.setattr(gateway, "create_donation_intent", create)
    monkeypatch.setattr(gateway, "cancel_payment_intent", cancel)
    return SimpleNamespace(made=made, cancelled=cancelled)


def staff_user():
    return UserFactory(roles=[SHOP_STAFF])


def ticket_form(ticket_type, quantity=1, **extra):
    data = {"ticket-ticket_type": ticket_type.pk, "ticket-quantity": str(quantity), "ticket-name": "Pat Guest",
            "ticket-email": "pat@example.org"}
    data.update({f"ticket-{k}": v for k, v in extra.items()})
    return data


def sponsor_form(tier, logo=None, **extra):
    data = {"sponsor-tier": tier.pk, "sponsor-sponsor_name": "Harbor Bank", "sponsor-contact_name": "Dev Patel",
            "sponsor-email": "dev@harbor.example", "sponsor-link": "https://harbor.example/"}
    if logo is not None:
        data["sponsor-logo"] = logo
    data.update({f"sponsor-{k}": v for k, v in extra.items()})
    return data


# -- the receipt --------------------------------------------------------------------------

def test_a_100_ticket_with_a_40_dinner_is_receipted_with_60_deductible_and_the_statement(client, localstripe_server, deliver):
    event, dinner = gala()
    page = visible(client.get(reverse("shop:event", args=[event.slug])))
    assert "$100.00 a ticket" in page and "tax-deductible part is $60.00 per ticket" in page and "100 places left" in page

    response = client.post(reverse("shop:event_tickets", args=[event.slug]), ticket_form(dinner))
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert (donation.amount, donation.total, donation.fee_covered) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
    assert donation.goods_value == Decimal("40.00") and donation.fund == "general"
    assert donation.goods_description == "1 × Spring Gala, Gala dinner ticket: dinner and drinks"
    ticket = EventTicket.objects.get()
    assert (ticket.donation, ticket.quantity, ticket.buyer_email) == (donation, 1, "pat@example.org")

    pay = client.get(response.url).content.decode()
    assert "Pay for your tickets: Spring Gala" in pay and "Pay $100.00" in pay and "$60.00" in pay
    confirm = client.post(response.url + "confirm/", {"payment_method": card()}, content_type="application/json")
    assert confirm.status_code == 200 and confirm.json()["status"] == "succeeded"
    deliver(stripe_event("payment_intent.succeeded", {"id": donation.stripe_payment_intent_id, "object": "payment_intent"}))

    donation.refresh_from_db()
    assert donation.is_paid
    receipt = donation.receipts.get()
    assert (receipt.amount, receipt.goods_value, receipt.deductible) == (Decimal("100.00"), Decimal("40.00"), Decimal("60.00"))
    assert receipt.goods_description == "1 × Spring Gala, Gala dinner ticket: dinner and drinks"
    sent = [m for m in mail.outbox if receipt.number in m.subject]
    assert len(sent) == 1 and sent[0].to == ["pat@example.org"]
    text = pdf_text(sent[0].attachments[0][1])
    assert text == pdf_text(receipt_pdf(receipt))
    flat = " ".join(text.split())
    for expected in ("Amount received $100.00", "Gala dinner ticket: dinner and drinks", "Good-faith estimate of their value $40.00",
                     "Deductible amount $60.00", "limited to the excess of the amount contributed over the value of the "
                     "goods or services provided by Mended Threads Collective, Inc"):
        assert expected in flat, expected
    assert "No goods or services were provided" not in flat

    thanks = client.get(reverse("shop:donate_thanks", args=[gift_token(donation)])).content.decode()
    assert "is booked under Pat Guest" in thanks and "$60.00" in thanks
    assert selectors.tickets_sold(event) == 1 and selectors.places_left(event) == 99


def test_several_tickets_multiply_price_and_value(fake_stripe, django_capture_on_commit_callbacks):
    event, dinner = gala()
    ticket = service.tickets_reserve(dinner, 3, BUYER)
    donation = ticket.donation
    assert (donation.total, donation.goods_value, donation.deductible) == (Decimal("300.00"), Decimal("120.00"), Decimal("180.00"))
    assert donation.goods_description.startswith("3 × Spring Gala, Gala dinner ticket")
    assert fake_stripe.made == [(Decimal("300.00"), donation.number, f"donation-{donation.number}-intent")]
    assert donation.donor.email == "pat@example.org" and donation.donor_name == "Pat Guest"
    with django_capture_on_commit_callbacks(execute=True):
        donation_mark_paid(donation.pk)
    assert donation.receipts.get().deductible == Decimal("180.00")


# -- capacity and holds -------------------------------------------------------------------

def test_more_tickets_than_places_left_is_a_clear_error_and_nothing_is_written(client, fake_stripe):
    event, dinner = gala(capacity=3)
    service.tickets_reserve(dinner, 2, BUYER)
    before = (Donation.objects.count(), EventTicket.objects.count(), len(fake_stripe.made))

    with pytest.raises(service.EventError, match="Only 1 place left for Spring Gala; you asked for 2"):
        service.tickets_reserve(dinner, 2, service.Buyer("Other Guest", "other@example.org"))
    response = client.post(reverse("shop:event_tickets", args=[event.slug]),
                           ticket_form(dinner, 2, name="Other Guest", email="other@example.org"))
    assert response.status_code == 400
    assert "Only 1 place left for Spring Gala" in response.content.decode()
    assert (Donation.objects.count(), EventTicket.objects.count(), len(fake_stripe.made)) == before
    assert not Donation.objects.filter(donor__email="other@example.org").exists()

    service.tickets_reserve(dinner, 1, BUYER)  # the last place
    with pytest.raises(service.EventError, match="Spring Gala is sold out"):
        service.tickets_reserve(dinner, 1, BUYER)
    assert "Sold out." in client.get(reverse("shop:event", args=[event.slug])).content.decode()


@pytest.mark.parametrize("quantity", [0, -1, 21])
def test_a_quantity_out_of_range_is_refused(fake_stripe, quantity):
    _, dinner = gala()
    with pytest.raises(service.EventError, match="between 1 and 20"):
        service.tickets_reserve(dinner, quantity, BUYER)
    assert not Donation.objects.exists()


def test_pending_holds_expire_and_free_their_places(fake_stripe, settings):
    settings.EVENT_HOLD_MINUTES = 30
    event, dinner = gala(capacity=2)
    held = service.tickets_reserve(dinner, 2, BUYER)
    assert selectors.places_left(event) == 0
    with pytest.raises(service.EventError, match="sold out"):
        service.tickets_reserve(dinner, 1, BUYER)

    Donation.objects.filter(pk=held.donation_id).update(created_at=timezone.now() - timedelta(minutes=31))
    assert selectors.places_left(event) == 2  # the hold ran out
    fresh = service.tickets_reserve(dinner, 2, service.Buyer("Next Guest", "next@example.org"))
    assert selectors.places_left(event) == 0

    released = service.holds_release_expired()
    assert released == [held.donation_id]
    held.donation.refresh_from_db()
    assert held.donation.status == Donation.Status.CANCELLED
    assert fake_stripe.cancelled == [held.donation.stripe_payment_intent_id]  # it can no longer be paid
    fresh.donation.refresh_from_db()
    assert fresh.donation.status == Donation.Status.PENDING  # still within its hold
    assert service.holds_release_expired() == []


def test_a_paid_purchase_keeps_its_places_after_the_hold(fake_stripe, django_capture_on_commit_callbacks):
    event, dinner = gala(capacity=2)
    ticket = service.tickets_reserve(dinner, 2, BUYER)
    with django_capture_on_commit_callbacks(execute=True):
        donation_mark_paid(ticket.donation_id)
    Donation.objects.filter(pk=ticket.donation_id).update(created_at=timezone.now() - timedelta(days=2))
    assert selectors.places_left(event) == 0 and service.holds_release_expired() == []
    with django_capture_on_commit_callbacks(execute=True):
        donation_mark_refunded(ticket.donation_id, "Cannot come")
    assert selectors.places_left(event) == 2  # a refund frees the places


def test_an_expired_hold_that_was_paid_meanwhile_becomes_paid_not_cancelled(monkeypatch, fake_stripe,
                                                                               django_capture_on_commit_callbacks):
    _, dinner = gala()
    ticket = service.tickets_reserve(dinner, 1, BUYER)
    Donation.objects.filter(pk=ticket.donation_id).update(created_at=timezone.now() - timedelta(hours=1))

    def refuse(intent_id):
        raise gateway.PaymentGatewayError("You cannot cancel this PaymentIntent because it has a status of succeeded.")

    monkeypatch.setattr(gateway, "cancel_payment_intent", refuse)
    monkeypatch.setattr(gateway, "retrieve_payment_intent", lambda intent_id: {
        "id": intent_id, "status": "succeeded", "currency": "usd", "amount": 10000})
    with django_capture_on_commit_callbacks(execute=True):
        service.holds_release_expired()
    ticket.donation.refresh_from_db()
    assert ticket.donation.status == Donation.Status.PAID and ticket.donation.receipts.count() == 1


def test_the_card_is_not_charged_once_the_hold_has_run_out(client, monkeypatch, fake_stripe):
    event, dinner = gala()
    ticket = service.tickets_reserve(dinner, 1, BUYER)
    Donation.objects.filter(pk=ticket.donation_id).update(created_at=timezone.now() - timedelta(minutes=45))
    charged = []
    monkeypatch.setattr(gateway, "confirm_payment_intent", lambda *args: charged.append(args))
    token = gift_token(ticket.donation)
    assert "has run out" in client.get(reverse("shop:donate_pay", args=[token])).content.decode()
    response = client.post(reverse("shop:donate_pay_confirm", args=[token]), {"payment_method": "pm_card_visa"},
                           content_type="application/json")
    assert response.status_code == 402 and "the hold has run out" in response.json()["error"]
    assert charged == []
    ticket.donation.refresh_from_db()
    assert ticket.donation.status == Donation.Status.CANCELLED
    thanks = client.get(reverse("shop:donate_thanks", args=[token])).content.decode()
    assert "ran out before payment" in thanks and reverse("shop:event", args=[event.slug]) in thanks


def test_a_failed_stripe_call_releases_the_places_at_once(monkeypatch, fake_stripe):
    event, dinner = gala(capacity=1)

    def down(*args):
        raise gateway.PaymentGatewayError("The payment service did not answer as expected.")

    monkeypatch.setattr(gateway, "create_donation_intent", down)
    with pytest.raises(gateway.PaymentGatewayError):
        service.tickets_reserve(dinner, 1, BUYER)
    assert Donation.objects.get().status == Donation.Status.CANCELLED
    assert selectors.places_left(event) == 1


def test_sales_stop_when_the_event_starts_and_for_inactive_ticket_types(fake_stripe):
    event, dinner = gala()
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(service.EventError, match="no longer taking bookings"):
        service.tickets_reserve(dinner, 1, BUYER)
    _, other = gala()
    other.is_active = False
    other.save()
    with pytest.raises(service.EventError, match="no longer on sale"):
        service.tickets_reserve(other, 1, BUYER)
    assert not Donation.objects.exists()


# -- sponsorships -------------------------------------------------------------------------

def test_a_sponsors_logo_and_link_appear_only_once_paid(client, fake_stripe, django_capture_on_commit_callbacks):
    event, _ = gala()
    tier = gold_tier(event, max_sponsors=2)
    url = reverse("shop:event", args=[event.slug])
    assert "Thank you to our sponsors" not in client.get(url).content.decode()

    response = client.post(reverse("shop:event_sponsor", args=[event.slug]),
                           sponsor_form(tier, SimpleUploadedFile("Harbor Logo.PNG", png(), "image/png")))
    assert response.status_code == 302
    sponsorship = Sponsorship.objects.get()
    donation = sponsorship.donation
    assert (donation.total, donation.goods_value, donation.deductible) == (Decimal("1000.00"), Decimal("200.00"), Decimal("800.00"))
    assert donation.donor_name == "Harbor Bank" and donation.donor.name == "Dev Patel"
    assert donation.goods_description == "Spring Gala, Gold sponsorship: A table for four; Your logo on the event page"
    assert sponsorship.logo.name.startswith("sponsor-logos/") and "Harbor" not in sponsorship.logo.name
    assert sponsorship.link == "https://harbor.example/"

    page = client.get(url).content.decode()
    assert "Harbor Bank" not in page and sponsorship.logo.url not in page  # pending: not shown
    assert "1 of 2 left" in page

    with django_capture_on_commit_callbacks(execute=True):
        donation_mark_paid(donation.pk)
    page = client.get(url).content.decode()
    assert "Thank you to our sponsors" in page and sponsorship.logo.url in page
    assert 'href="https://harbor.example/"' in page and 'alt="Harbor Bank"' in page
    receipt = donation.receipts.get()
    assert (receipt.donor_name, receipt.deductible) == ("Harbor Bank", Decimal("800.00"))

    with django_capture_on_commit_callbacks(execute=True):
        donation_mark_refunded(donation.pk, "Event cancelled")
    assert sponsorship.logo.url not in client.get(url).content.decode()  # refunded: off the page again


def test_a_full_tier_is_refused(fake_stripe):
    event, _ = gala()
    tier = gold_tier(event, max_sponsors=1)
    service.sponsorship_start(tier, service.Sponsor("First Co", "Ann", "ann@first.example"))
    with pytest.raises(service.EventError, match="Gold sponsorships of Spring Gala are all taken"):
        service.sponsorship_start(tier, service.Sponsor("Second Co", "Ben", "ben@second.example"))
    assert Sponsorship.objects.count() == 1


@pytest.mark.parametrize("name, content, message", [
    ("logo.png", b"this is not a picture", "not a PNG, JPEG or SVG image"),
    ("logo.png", png(40, 40), "at least 60 px on its shorter side"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect width="400" height="200"/></svg>',
     "as a PNG or JPEG image"),
    ("logo.jpg", png(), "its name ends in .jpg"),
    ("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024), "larger than 2 MB"),
])
def test_bad_logos_are_refused_with_a_reason_and_nothing_is_written(client, fake_stripe, name, content, message):
    event, _ = gala()
    tier = gold_tier(event)
    response = client.post(reverse("shop:event_sponsor", args=[event.slug]),
                           sponsor_form(tier, SimpleUploadedFile(name, content)))
    assert response.status_code == 400
    assert message in " ".join(response.context["sponsor_form"].errors["logo"])
    assert not Sponsorship.objects.exists() and not Donation.objects.exists() and fake_stripe.made == []


def test_a_sponsor_link_must_be_a_web_address(client, fake_stripe):
    event, _ = gala()
    response = client.post(reverse("shop:event_sponsor", args=[event.slug]),
                           sponsor_form(gold_tier(event), link="javascript:alert(1)"))
    assert response.status_code == 400 and "link" in response.context["sponsor_form"].errors
    assert not Sponsorship.objects.exists()


# -- public pages -------------------------------------------------------------------------

def test_the_events_page_lists_upcoming_published_events_only(client):
    make_event(title="Published gala")
    make_event(title="Draft gala", published=False)
    past = make_event(title="Last year's gala")
    Event.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=2),
                                            ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=3))
    page = client.get(reverse("shop:events")).content.decode()
    assert "Published gala" in page and "Draft gala" not in page and "Last year&#x27;s gala" not in page


def test_an_unpublished_event_is_not_found(client, fake_stripe):
    event, dinner = gala(published=False)
    assert client.get(reverse("shop:event", args=[event.slug])).status_code == 404
    assert client.post(reverse("shop:event_tickets", args=[event.slug]), ticket_form(dinner)).status_code == 404
    assert client.get(reverse("shop:event", args=["no-such-event"])).status_code == 404
    assert not Donation.objects.exists()


def test_a_ticket_type_of_another_event_cannot_be_bought_here(client, fake_stripe):
    event, _ = gala()
    _, elsewhere = gala()
    response = client.post(reverse("shop:event_tickets", args=[event.slug]), ticket_form(elsewhere))
    assert response.status_code == 400 and "ticket_type" in response.context["ticket_form"].errors
    assert not Donation.objects.exists()


def test_a_popup_without_tickets_says_free_entry(client):
    event = make_event(title="Holiday pop-up", kind=Event.Kind.POPUP)
    page = client.get(reverse("shop:event", args=[event.slug])).content.decode()
    assert "Free entry" in page and "Pop-up shop" in page and 'id="ticket-form"' not in page


# -- hosting requests ---------------------------------------------------------------------

def host_form(**changes):
    data = {"organisation": "Youth Mentors", "contact_name": "Jordan Ellis", "email": "Jordan@Mentors.example",
            "phone": "813-555-0142", "date": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "expected_guests": "40", "purpose": "A training evening for our mentors."}
    data.update(changes)
    return data


@pytest.mark.parametrize("changes, field", [
    ({"date": timezone.localdate().isoformat()}, "date"),
    ({"date": (timezone.localdate() - timedelta(days=1)).isoformat()}, "date"),
    ({"date": "next Tuesday"}, "date"),
    ({"expected_guests": "0"}, "expected_guests"),
    ({"expected_guests": "many"}, "expected_guests"),
    ({"purpose": ""}, "purpose"),
    ({"organisation": ""}, "organisation"),
    ({"email": "not-an-email"}, "email"),
])
def test_hosting_request_validation(client, changes, field):
    response = client.post(reverse("shop:event_host"), host_form(**changes))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not HostingRequest.objects.exists() and mail.outbox == []


def test_a_hosting_request_is_acknowledged_and_staff_are_told(client, settings, django_capture_on_commit_callbacks):
    settings.SHOP_STAFF_EMAIL = "events-team@mended.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:event_host"), host_form())
    assert response.status_code == 302 and response.url == reverse("shop:event_host_thanks")
    request = HostingRequest.objects.get()
    assert (request.email, request.status, request.expected_guests) == ("jordan@mentors.example", "new", 40)
    assert sorted(m.to[0] for m in mail.outbox) == ["events-team@mended.example", "jordan@mentors.example"]
    staff_mail = next(m for m in mail.outbox if m.to == ["events-team@mended.example"])
    assert "Youth Mentors" in staff_mail.subject and "A training evening" in staff_mail.body
    assert "/staff/events/" in staff_mail.body
    assert "Youth Mentors" in client.get(response.url).content.decode()
    client.session.flush()
    assert client.get(reverse("shop:event_host_thanks")).status_code == 302  # not after a fresh session


def make_request(**fields) -> HostingRequest:
    data = dict(organisation="Youth Mentors", contact_name="Jordan Ellis", email="jordan@mentors.example",
                date=timezone.localdate() + timedelta(days=30), expected_guests=40, purpose="Training")
    data.update(fields)
    return HostingRequest.objects.create(**data)


def test_accepting_sends_the_decision_once_and_a_second_decision_is_refused(client, django_capture_on_commit_callbacks):
    request = make_request()
    staff = staff_user()
    client.force_login(staff)
    url = reverse("shop:staff_hosting_decide", args=[request.pk, "accept"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": "Doors open at 5 pm; we have 40 chairs."}, follow=True)
    assert response.status_code == 200 and "The request from Youth Mentors is accepted" in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.staff_message) == ("accepted", staff, "Doors open at 5 pm; we have 40 chairs.")
    assert request.decided_at is not None and request.decision_emailed_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jordan@mentors.example"]
    assert "Yes, we can host" in mail.outbox[0].subject and "Doors open at 5 pm" in mail.outbox[0].body

    emailed_at = request.decision_emailed_at
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("shop:staff_hosting_decide", args=[request.pk, "decline"]), follow=True)
    assert "was already accepted" in again.content.decode() and "Nothing was changed" in again.content.decode()
    request.refresh_from_db()
    assert request.status == "accepted" and request.decision_emailed_at == emailed_at
    assert service.hosting_decision_email(request.pk) is False  # a retried task sends nothing more
    assert len(mail.outbox) == 1


def test_declining_sends_the_decision_with_the_message(client, django_capture_on_commit_callbacks):
    request = make_request()
    client.force_login(staff_user())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:staff_hosting_decide", args=[request.pk, "decline"]), {"message": ""}, follow=True)
    assert "The request from Youth Mentors is declined" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "declined" and len(mail.outbox) == 1
    assert "sorry that we cannot host" in mail.outbox[0].body


def test_customers_cannot_decide_or_see_staff_pages(client, fake_stripe):
    event, dinner = gala()
    service.tickets_reserve(dinner, 1, BUYER)
    request = make_request()
    client.force_login(UserFactory())
    assert client.post(reverse("shop:staff_hosting_decide", args=[request.pk, "accept"])).status_code == 403
    for name in ("shop:staff_event", "shop:staff_event_tickets_csv"):
        assert client.get(reverse(name, args=[event.slug])).status_code == 403
    assert client.get(reverse("shop:staff_events")).status_code == 403
    request.refresh_from_db()
    assert request.status == "new" and mail.outbox == []
    client.logout()
    assert client.post(reverse("shop:staff_hosting_decide", args=[request.pk, "accept"])).status_code == 302  # to log in
    client.force_login(staff_user())
    assert client.post(reverse("shop:staff_hosting_decide", args=[request.pk, "approve"])).status_code == 404


# -- staff pages --------------------------------------------------------------------------

def test_staff_see_sold_capacity_money_raised_and_the_buyers_csv(client, fake_stripe, django_capture_on_commit_callbacks):
    event, dinner = gala(capacity=50, title="Spring Gala")
    paid = service.tickets_reserve(dinner, 2, service.Buyer("=HYPERLINK(\"http://x\")", "eve@example.org"))
    service.tickets_reserve(dinner, 3, BUYER)  # held, not paid
    sponsorship = service.sponsorship_start(gold_tier(event), service.Sponsor("Harbor Bank", "Dev", "dev@harbor.example"))
    with django_capture_on_commit_callbacks(execute=True):
        donation_mark_paid(paid.donation_id)
        donation_mark_paid(sponsorship.donation_id)
    totals = selectors.event_totals(event)
    assert (totals.sold, totals.held, totals.left, totals.sponsors, totals.raised) == (2, 3, 45, 1, Decimal("1200.00"))

    client.force_login(staff_user())
    listing = client.get(reverse("shop:staff_events")).content.decode()
    assert "Spring Gala" in listing and "2 / 50" in listing and "$1,200.00" in listing
    page = client.get(reverse("shop:staff_event", args=[event.slug])).content.decode()
    assert "Held, waiting for payment" in page and "Harbor Bank" in page and "Paid" in page

    response = client.get(reverse("shop:staff_event_tickets_csv", args=[event.slug]))
    assert response["Content-Type"] == "text/csv" and response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:6] == ["event", "gift", "ticket_type", "quantity", "buyer", "email"]
    by_email = {r[5]: r for r in rows[1:]}
    assert by_email["eve@example.org"][4] == "'=HYPERLINK(\"http://x\")"  # no spreadsheet formula
    assert by_email["eve@example.org"][9] == "Paid" and by_email["eve@example.org"][8] == "120.00"
    assert by_email["pat@example.org"][9] == "Held, waiting for payment"


def test_the_admin_refuses_the_host_slug(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    starts = timezone.localtime() + timedelta(days=10)
    data = {"title": "Host", "slug": "host", "kind": "fundraiser", "description": "", "venue": "Hall", "address": "",
            "capacity": "10", "is_published": "on", "starts_at_0": starts.strftime("%Y-%m-%d"), "starts_at_1": "18:00:00",
            "ends_at_0": starts.strftime("%Y-%m-%d"), "ends_at_1": "21:00:00",
            "ticket_types-TOTAL_FORMS": "0", "ticket_types-INITIAL_FORMS": "0",
            "sponsorship_tiers-TOTAL_FORMS": "0", "sponsorship_tiers-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:shop_event_add"), data)
    assert response.status_code == 200 and "taken by a page of the site" in response.content.decode()
    assert not Event.objects.exists()


# -- issue 16: a ticket buyer gets a ticket confirmation, a sponsor a sponsorship confirmation --

def _paid(donation):
    from shop.services.receipts import receipt_issue_and_send

    donation_mark_paid(donation.pk)
    mail.outbox.clear()
    return receipt_issue_and_send(donation.pk)


def test_a_ticket_purchase_is_confirmed_as_tickets_with_the_receipt_attached(localstripe_server):
    from shop.templatetags.money import usd

    event, dinner = gala()
    ticket = service.tickets_reserve(dinner, 2, BUYER)
    receipt = _paid(ticket.donation)
    [message] = mail.outbox
    body = " ".join(message.body.split())
    starts = timezone.localtime(event.starts_at)
    assert "gift" not in message.subject.lower() and "Your tickets for Spring Gala" in message.subject
    assert "Thank you for your gift" not in body and "general operating" not in body
    for expected in ("Your tickets are confirmed", "Spring Gala", f"{starts:%A, %B} {starts.day}, {starts.year}",
                     "The Harbor Room, 200 Channelside Drive, Tampa", "Tickets: 2 × Gala dinner", "Paid: $200.00",
                     "Of this, $120.00 is tax-deductible", "($80.00) is not", receipt.number):
        assert expected in body, expected
    assert usd(receipt.deductible) == "$120.00"
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"receipt-{receipt.number}.pdf", "application/pdf")
    assert "Deductible amount $120.00" in " ".join(pdf_text(content).split())


def test_a_sponsorship_is_confirmed_as_a_sponsorship_with_the_receipt_attached(localstripe_server):
    event, _dinner = gala()
    sponsorship = service.sponsorship_start(gold_tier(event), service.Sponsor("Harbor Bank", "Dev", "dev@harbor.example"))
    receipt = _paid(sponsorship.donation)
    [message] = mail.outbox
    body = " ".join(message.body.split())
    assert message.subject == f"Your Gold sponsorship of Spring Gala (receipt {receipt.number})"
    assert "Thank you for your gift" not in body
    for expected in ("Harbor Bank is a Gold sponsor of Spring Gala", "The Harbor Room", "- A table for four",
                     "- Your logo on the event page", "Paid: $1,000.00", "Of this, $800.00 is tax-deductible",
                     "($200.00) is not"):
        assert expected in body, expected
    assert message.attachments[0][0] == f"receipt-{receipt.number}.pdf"
