"""The pledge: one per e-mail, a confirmation with resources and the hotline, a public
count, and badge pages for businesses that show no personal data."""
import pytest
from django.core import mail
from django.urls import reverse

from shop.models import Pledge
from shop.services.pledges import pledge_send_confirmation, pledge_take

pytestmark = pytest.mark.django_db


def take(client, **overrides):
    data = {"kind": "individual", "name": "Robin Reader", "email": "robin@example.org", "promise": "on", **overrides}
    return client.post(reverse("shop:pledge"), data)


def test_a_pledge_is_counted_once_per_email_and_confirmed_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = take(client)
    assert first.url == reverse("shop:pledge_thanks")
    assert "you are the first to take it" in client.get(first.url).content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["robin@example.org"]
    assert "1-888-373-7888" in mail.outbox[0].body and "dhs.gov/blue-campaign" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        again = take(client, email="ROBIN@Example.org", name="Robin R.")
    page = client.get(again.url).content.decode()
    assert "We already have your pledge" in page
    assert Pledge.objects.count() == 1 and len(mail.outbox) == 1  # acknowledged, not duplicated
    assert pledge_send_confirmation(Pledge.objects.get().pk) is False  # a retried task sends nothing
    assert "1 person or business has</strong> pledged" in client.get(reverse("shop:pledge")).content.decode()


def test_the_promise_and_a_business_name_are_required(client):
    missing = take(client, promise="")
    assert missing.status_code == 400 and Pledge.objects.count() == 0
    no_name = take(client, kind="business")
    assert no_name.status_code == 400 and "business&#x27;s name" in no_name.content.decode()


def test_a_business_badge_shows_the_business_and_never_the_email(client):
    pledge, new = pledge_take(kind="business", name="Dana Owner", email="dana@bakery.example",
                              business_name="Harbor Bakery", city="Tampa", state="FL")
    assert new
    page = client.get(reverse("shop:pledge_badge", args=[pledge.badge])).content.decode()
    assert "Harbor Bakery took the pledge" in page and "of Tampa, FL" in page
    assert "dana@bakery.example" not in page and "Dana Owner" not in page
    svg = client.get(reverse("shop:pledge_badge_svg", args=[pledge.badge]))
    assert svg["Content-Type"] == "image/svg+xml" and b"Harbor Bakery" in svg.content and b"<script" not in svg.content
    individual, _ = pledge_take(kind="individual", name="Ira", email="ira@example.org")
    assert client.get(reverse("shop:pledge_badge", args=[individual.badge])).status_code == 404


def test_badge_text_is_escaped(client):
    pledge, _ = pledge_take(kind="business", name="X", email="x@example.org", business_name="<script>alert(1)</script>")
    svg = client.get(reverse("shop:pledge_badge_svg", args=[pledge.badge])).content
    assert b"<script>" not in svg and b"&lt;script&gt;" in svg


def test_the_counts_include_the_new_pledge_and_read_as_plain_english(client):
    page = client.get(reverse("shop:pledge")).content.decode()
    assert "Be the first</strong> to pledge" in page and "0 people" not in page
    business, _ = pledge_take(kind="business", name="Dana Owner", email="dana@bakery.example", business_name="Harbor Bakery")
    badge = client.get(reverse("shop:pledge_badge", args=[business.badge])).content.decode()
    assert "1 person or business has taken the pledge" in badge and "1 people" not in badge
    assert "1 person or business has</strong> pledged" in client.get(reverse("shop:pledge")).content.decode()

    thanks = client.get(take(client).url).content.decode()  # the second pledge, counted on its own thank-you
    assert "you are one of 2 people and businesses who have taken it" in thanks
    assert "2 people and businesses have</strong> pledged" in client.get(reverse("shop:pledge")).content.decode()
    badge = client.get(reverse("shop:pledge_badge", args=[business.badge])).content.decode()
    assert "2 people and businesses have taken the pledge" in badge
