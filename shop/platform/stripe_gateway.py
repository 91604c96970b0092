"""The only module that talks to Stripe. Amounts cross it as Decimal dollars.

``STRIPE_API_BASE`` points it at localstripe in the embedded default and the tests.
Objects come back as plain dicts. Errors come out as domain errors with a message a
customer or staff member can read.
"""
import json
import time
from decimal import Decimal

import stripe
from django.conf import settings

from shop.platform.errors import DomainError
from shop.platform.money import to_cents

WEBHOOK_TOLERANCE_SECONDS = 300


class PaymentGatewayError(DomainError):
    """Stripe could not be reached or refused the request for a reason that is not the card's."""


class CardDeclined(DomainError):
    pass


class WebhookRefused(Exception):
    """A webhook request we do not act on; ``message`` is what the sender is told (400)."""

    message = "Invalid signature."


class WebhookSignatureError(WebhookRefused):
    pass


class WebhookBodyError(WebhookRefused):
    message = "The body is not a Stripe event object."


def _client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,
    )


# What a failed call means depends on the call: only one that could not have charged a
# card may say "Nothing was charged".
NOTHING_CHARGED = "The payment service did not answer as expected. Nothing was charged; please try again."
NOT_ANSWERED = "The payment service did not answer as expected; please try again in a moment."
NOT_REFUNDED = ("The payment service did not make the refund, so it is recorded as failed; please try again, "
                "or check the payment in the Stripe dashboard.")
NOT_CONFIRMED = ("The payment service did not answer as expected, so we cannot yet say whether the card was charged. "
                 "Please check your order page before trying again.")


def _call(function, *args, failure: str = NOT_ANSWERED, **kwargs) -> dict:
    """Call the SDK; hand back a plain dict (the SDK's objects are not dicts). ``failure``
    is what the person is told if the call fails: true for that call."""
    try:
        return function(*args, **kwargs).to_dict()
    except stripe.CardError as error:
        raise CardDeclined(error.user_message or "Your card was declined.") from error
    except stripe.StripeError as error:
        raise PaymentGatewayError(failure) from error


def create_payment_intent(amount: Decimal, order_number: str, idempotency_key: str, manual_capture: bool = False):
    params = {
        "amount": to_cents(amount),
        "currency": "usd",
        "metadata": {"order_number": order_number},
    }
    if manual_capture:
        params["capture_method"] = "manual"
    return _call(_client().v1.payment_intents.create, params, {"idempotency_key": idempotency_key}, failure=NOTHING_CHARGED)


def retrieve_payment_intent(payment_intent_id: str):
    return _call(_client().v1.payment_intents.retrieve, payment_intent_id)


def confirm_payment_intent(payment_intent_id: str, payment_method_id: str):
    """Attach the card collected by Stripe.js and confirm, in two calls both Stripe and localstripe accept."""
    client = _client()
    _call(client.v1.payment_intents.update, payment_intent_id, {"payment_method": payment_method_id}, failure=NOTHING_CHARGED)
    return _call(client.v1.payment_intents.confirm, payment_intent_id, failure=NOT_CONFIRMED)


def capture_payment_intent(payment_intent_id: str):
    return _call(_client().v1.payment_intents.capture, payment_intent_id)


def cancel_payment_intent(payment_intent_id: str):
    return _call(_client().v1.payment_intents.cancel, payment_intent_id)


def card_fingerprint(payment_method_id: str) -> str | None:
    """Stripe's fingerprint of the card number behind a PaymentMethod (the same for every
    PaymentMethod made from that card), for the card-testing limit; None when Stripe gives
    none or does not answer at once (the limit then counts the visitor instead)."""
    try:
        method = _call(_client().v1.payment_methods.retrieve, payment_method_id, options={"max_network_retries": 0})
    except DomainError:
        return None
    return (method.get("card") or {}).get("fingerprint") or None


def create_setup_intent():
    return _call(_client().v1.setup_intents.create, {"usage": "on_session"}, failure=NOTHING_CHARGED)


def create_refund(payment_intent_id: str, amount: Decimal, idempotency_key: str):
    return _call(
        _client().v1.refunds.create,
        {"payment_intent": payment_intent_id, "amount": to_cents(amount)},
        {"idempotency_key": idempotency_key},
        failure=NOT_REFUNDED,
    )


def retrieve_refund(refund_id: str):
    return _call(_client().v1.refunds.retrieve, refund_id)


def construct_event(payload: bytes, signature_header: str) -> dict:
    """Verify the signature over the raw body and return the event as a plain dict.

    Stripe's check refuses a timestamp older than the tolerance; a signed time further than
    that in the future is refused here too, and so is a signed body that is not a JSON object."""
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature_header, settings.STRIPE_WEBHOOK_SECRET,
                                              tolerance=WEBHOOK_TOLERANCE_SECONDS)
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError) as error:
        raise WebhookSignatureError(str(error)) from error
    signed_at = [part[2:] for part in signature_header.split(",") if part.strip().startswith("t=")]
    if not signed_at or not signed_at[0].strip().isascii() or not signed_at[0].strip().isdigit() \
            or int(signed_at[0]) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookSignatureError("The signature's timestamp is outside the tolerance.")
    try:
        data = json.loads(text)
    except ValueError as error:
        raise WebhookBodyError(str(error)) from error
    if not isinstance(data, dict) or not isinstance(data.get("data", {}), dict):
        raise WebhookBodyError("not an object")
    return stripe.Event.construct_from(_without_nul(data), settings.STRIPE_SECRET_KEY).to_dict()


def _without_nul(value):
    """The event with every NUL in its text made U+FFFD: PostgreSQL's jsonb cannot hold \\u0000,
    and refusing a signed event would have Stripe resend it for days, never processed."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


# -- giving: donations and monthly gifts --

def create_donation_intent(amount: Decimal, donation_number: str, idempotency_key: str):
    params = {"amount": to_cents(amount), "currency": "usd", "metadata": {"donation": donation_number}}
    return _call(_client().v1.payment_intents.create, params, {"idempotency_key": idempotency_key}, failure=NOTHING_CHARGED)


def create_customer(email: str, name: str, payment_method_id: str, metadata: dict):
    """A customer whose default card is the one Stripe.js collected (monthly gifts charge it)."""
    client = _client()
    customer = _call(client.v1.customers.create, {"email": email, "name": name, "metadata": metadata},
                     failure=NOTHING_CHARGED)
    set_default_payment_method(customer["id"], payment_method_id)
    return customer


def set_default_payment_method(customer_id: str, payment_method_id: str):
    client = _client()
    _call(client.v1.payment_methods.attach, payment_method_id, {"customer": customer_id}, failure=NOTHING_CHARGED)
    return _call(client.v1.customers.update, customer_id,
                 {"invoice_settings": {"default_payment_method": payment_method_id}}, failure=NOTHING_CHARGED)


def create_cent_plan(product_name: str):
    """A monthly plan of one cent a unit: the subscription's quantity is the amount in cents."""
    return _call(_client().v1.plans.create,
                 {"amount": 1, "currency": "usd", "interval": "month", "product": {"name": product_name}})


def create_subscription(customer_id: str, plan_id: str, cents: int, metadata: dict):
    return _call(_client().v1.subscriptions.create,
                 {"customer": customer_id, "items": [{"plan": plan_id, "quantity": cents}], "metadata": metadata})


def retrieve_subscription(subscription_id: str):
    return _call(_client().v1.subscriptions.retrieve, subscription_id)


def update_subscription_quantity(subscription_id: str, cents: int):
    subscription = retrieve_subscription(subscription_id)
    item_id = subscription["items"]["data"][0]["id"]
    return _call(_client().v1.subscriptions.update, subscription_id, {"items": [{"id": item_id, "quantity": cents}]})


def cancel_subscription(subscription_id: str):
    return _call(_client().v1.subscriptions.cancel, subscription_id)


def retrieve_invoice(invoice_id: str):
    return _call(_client().v1.invoices.retrieve, invoice_id)


def pay_invoice(invoice_id: str):
    return _call(_client().v1.invoices.pay, invoice_id)


def list_open_invoices(customer_id: str) -> list[dict]:
    found = _call(_client().v1.invoices.list, {"customer": customer_id, "limit": 10})
    return [invoice for invoice in found.get("data", []) if invoice.get("status") == "open"]
