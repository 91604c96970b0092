"""Helpers for tests that talk to localstripe or post webhooks the way Stripe signs them."""
import hashlib
import hmac
import json
import time
import uuid

import stripe
from django.conf import settings


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header, built from Stripe's documented scheme (not our code)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def post_webhook(client, body: dict | bytes, secret: str | None = None, header: str | None = None):
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    signature = header if header is not None else sign(payload, secret or settings.STRIPE_WEBHOOK_SECRET)
    return client.post(
        "/stripe/webhook/", data=payload, content_type="application/json", headers={"Stripe-Signature": signature}
    )


def card(number: str = "4242424242424242") -> str:
    """A PaymentMethod made on the Stripe side, as Stripe.js would make it."""
    pm = stripe.PaymentMethod.create(
        type="card", card={"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    )
    return pm.id


def deliver_webhooks_to(localstripe_base: str, url: str, endpoint_id: str = "mended-test",
                        events: list[str] | None = None) -> None:
    """Have localstripe sign and POST its events to ``url`` (our webhook view).

    ``events`` limits the endpoint to those types (all of them otherwise). Registering the
    same ``endpoint_id`` again replaces the earlier registration.
    """
    import requests

    data = {"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET}
    if events:
        data["events[]"] = list(events)
    requests.post(f"{localstripe_base}/_config/webhooks/{endpoint_id}", data=data, timeout=5).raise_for_status()
