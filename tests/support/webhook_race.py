"""A monthly gift's first charge, arriving by webhook while another request writes.

Run by ``tests/test_sqlite_concurrency.py`` in a process of its own, on a SQLite *file*
database with the project's own settings (the embedded default that ``dev.py run`` uses).
The pay page's request holds a write transaction open; meanwhile localstripe delivers
``invoice.payment_succeeded``. The webhook must wait for the lock, store the event and record
the gift; it prints what happened as one JSON line.
"""
import json
import os
import sys
import threading
import time
from decimal import Decimal
from unittest import mock

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.getcwd())

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from shop.models import Donation, Donor, RecurringGift, StripeEvent  # noqa: E402
from tests.support.stripe_helpers import event, post_webhook  # noqa: E402

HOLD_SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5

call_command("migrate", verbosity=0)
donor = Donor.objects.create(email="race@example.org", name="Rae Race")
recurring = RecurringGift.objects.create(
    donor=donor, amount=Decimal("25.00"), total=Decimal("25.00"), status=RecurringGift.Status.INCOMPLETE,
    stripe_customer_id="cus_race", stripe_plan_id="plan_race", stripe_subscription_id="sub_race",
)
invoice = {
    "id": "in_race", "object": "invoice", "customer": "cus_race", "subscription": "sub_race",
    "status": "paid", "attempted": True, "amount_paid": 2500, "currency": "usd",
    "payment_intent": "pi_race", "status_transitions": {"paid_at": int(time.time())},
}
connection.close()

holding = threading.Event()
result: dict = {}


def pay_page_request():
    """What the pay page does while the webhook arrives: a write transaction held open."""
    with transaction.atomic():
        RecurringGift.objects.filter(pk=recurring.pk).update(updated_at=timezone.now())
        holding.set()
        time.sleep(HOLD_SECONDS)
    connection.close()


def webhook_request():
    holding.wait(10)
    try:
        response = post_webhook(Client(raise_request_exception=False), event("invoice.payment_succeeded", invoice))
        result["status"] = response.status_code
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        result["status"] = f"{type(error).__name__}: {error}"
    connection.close()


with mock.patch("shop.platform.stripe_gateway.retrieve_invoice", return_value=invoice):
    threads = [threading.Thread(target=pay_page_request), threading.Thread(target=webhook_request)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

gift = Donation.objects.filter(payments__stripe_invoice_id="in_race").first()
result.update(
    events_stored=StripeEvent.objects.count(),
    gift_status=gift.status if gift else None,
    receipts=gift.receipts.count() if gift else 0,
    monthly_status=RecurringGift.objects.get(pk=recurring.pk).status,
)
print("RESULT " + json.dumps(result))
