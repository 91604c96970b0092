"""ControlCharacterMiddleware (shop/platform/security.py): NUL and the other C0 controls in a query
string or a form field are a 400 with a message before any view runs; tab, CR and LF pass; file
contents and the Stripe webhook's signed body are not its to check. And no body is read twice."""
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payroll.models import Shift, Volunteer
from shop.models import StripeEvent
from shop.platform import roles
from shop.platform.security import control_character_field
from tests.payroll.volunteers.test_pages import profile_data, shift_form
from tests.support.factories import UserFactory
from tests.support.stripe_helpers import event, post_webhook

pytestmark = pytest.mark.django_db

MESSAGE = "invisible control character"


@pytest.fixture
def volunteer_client(client):
    client.force_login(UserFactory())
    return client


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_a_form_field_with_a_control_character_is_a_400_and_nothing_is_written(volunteer_client, bad):
    response = volunteer_client.post(reverse("payroll:volunteer_profile"),
                                     profile_data(full_name=f"Robin{bad}Helper"))  # multipart, as the test client sends
    assert response.status_code == 400
    assert MESSAGE in response.content.decode() and "full_name" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_an_urlencoded_body_is_checked_too(volunteer_client):
    from urllib.parse import urlencode

    body = urlencode(profile_data(phone="813\x00555"))
    response = volunteer_client.post(reverse("payroll:volunteer_profile"), body,
                                     content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "phone" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_tab_and_line_breaks_pass_to_the_form(client):
    client.force_login(UserFactory(roles=[roles.VOLUNTEER_COORDINATOR]))
    response = client.post(reverse("payroll:coordinator_shift_new"),
                           shift_form(description="Bring gloves.\r\n\tAnd water.", roles="Sorting: 4\r\nShop: 2"))
    assert response.status_code == 302 and Shift.objects.count() == 1


def test_a_query_string_with_nul_is_a_400_with_the_message(client, caplog):
    with caplog.at_level(logging.INFO, logger="security"):
        response = client.get(reverse("shop:catalog"), {"q": "mug\x00"})
    assert response.status_code == 400 and MESSAGE in response.content.decode()
    assert "control character refused" in caplog.text and "mug" not in caplog.text
    assert client.get(reverse("shop:catalog"), {"page": "1"}).status_code == 200


def test_a_control_character_in_a_field_name_counts_and_is_not_echoed(volunteer_client):
    response = volunteer_client.post(reverse("payroll:volunteer_profile"), {**profile_data(), "x\x00y": "1"})
    assert response.status_code == 400
    assert "\x00" not in response.content.decode() and "“xy”" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_an_uploaded_files_contents_are_left_to_the_importer(client):
    """The file is multipart too; its NUL is the importer's to refuse (with its own message)."""
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    upload = SimpleUploadedFile("hours.csv", b"employee,date,kind,hours\n1\x00,2026-01-05,regular,8\n",
                                content_type="text/csv")
    response = client.post(reverse("payroll:time_import"), {"file": upload})
    assert response.status_code == 400
    assert MESSAGE not in response.content.decode() and "No employee number" in response.content.decode()


def test_the_stripe_webhooks_signed_body_is_not_parsed_as_a_form(client):
    payload = json.dumps(event("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent",
                                                            "description": "nul\u0000here"})).encode()
    assert b"\\u0000" in payload
    response = post_webhook(client, payload)
    assert response.status_code == 200 and StripeEvent.objects.count() == 1
    # Kept, with the NUL made U+FFFD (PostgreSQL's jsonb refuses \u0000: this was a 500 there).
    assert "nul\ufffdhere" in json.dumps(StripeEvent.objects.get().payload, ensure_ascii=False)


def test_the_field_finder_names_the_first_bad_field():
    from django.http import QueryDict

    assert control_character_field(QueryDict("a=1&b=x%00&c=%1b")) == "b"
    assert control_character_field(QueryDict("a=1%09tab&b=line%0D%0Abreak")) is None


@pytest.mark.parametrize("url", ["shop:pay_confirm", "shop:donate_pay_confirm", "shop:giving_card_confirm",
                                 "shop:gift_order_pay_confirm"])
def test_a_form_body_sent_to_a_json_endpoint_is_a_4xx_not_a_second_read_of_the_body(client, url):
    """The middleware (like Django's CSRF check) reads a multipart body as fields; the card
    endpoints then read the body as JSON bytes, which Django refuses with RawPostDataException."""
    response = client.post(reverse(url, args=["forged"]), {"payment_method": "pm_card_visa"})  # multipart
    assert 300 <= response.status_code < 500
