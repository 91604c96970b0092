"""The localstripe fixture: Stripe's SDK and the Stripe.js stand-in answer from it."""
import urllib.request

import stripe
from django.conf import settings


def test_sdk_creates_and_retrieves_a_customer_and_setup_intent(localstripe_server):
    assert stripe.api_base == localstripe_server == settings.STRIPE_API_BASE

    customer = stripe.Customer.create(
        email="supporter@example.org", name="Sam Supporter", metadata={"source": "integration-test"}
    )
    intent = stripe.SetupIntent.create(customer=customer.id, usage="on_session", payment_method_types=["card"])

    fetched_customer = stripe.Customer.retrieve(customer.id)
    assert fetched_customer.id.startswith("cus_")
    assert fetched_customer.email == "supporter@example.org"
    assert fetched_customer.name == "Sam Supporter"
    assert fetched_customer.metadata["source"] == "integration-test"

    fetched_intent = stripe.SetupIntent.retrieve(intent.id)
    assert fetched_intent.id.startswith("seti_")
    assert fetched_intent.customer == customer.id
    assert fetched_intent.usage == "on_session"
    assert fetched_intent.status == "requires_payment_method"
    assert fetched_intent.client_secret.startswith(f"{intent.id}_secret_")


def test_stripe_js_stand_in_is_served(localstripe_server):
    assert settings.STRIPE_JS_URL == f"{localstripe_server}/js.stripe.com/v3/"

    with urllib.request.urlopen(settings.STRIPE_JS_URL, timeout=5) as response:
        status, content_type = response.status, response.headers.get("Content-Type", "")
        body = response.read().decode("utf-8")

    assert status == 200
    assert "javascript" in content_type
    assert "Stripe" in body and "function" in body
