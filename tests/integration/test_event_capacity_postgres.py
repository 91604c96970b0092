"""Event capacity on PostgreSQL: twelve buyers reaching for the last four places at once get
four places between them, never more.

``tickets_reserve`` counts the places taken with the event's row locked
(``select_for_update``). Each thread here is its own database connection and transaction,
as concurrent web requests would be; a short pause after counting widens the window in
which, without the lock, two buyers would both see a place left.
"""
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from shop.platform import stripe_gateway as gateway
from shop.models import Donation, Event, EventTicket
from shop.selectors import events as selectors
from shop.services import events as service

BUYERS = 12
CAPACITY = 6
ALREADY_SOLD = 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_buyers_never_oversell(monkeypatch):
    assert connection.vendor == "postgresql"
    starts = timezone.now() + timedelta(days=20)
    event = Event.objects.create(title="Gala", slug="pg-gala", starts_at=starts, ends_at=starts + timedelta(hours=3),
                                 venue="Hall", capacity=CAPACITY, is_published=True)
    dinner = event.ticket_types.create(name="Dinner", price=Decimal("100.00"), fair_market_value=Decimal("40.00"))
    monkeypatch.setattr(gateway, "create_donation_intent",
                        lambda amount, number, key: {"id": f"pi_pg_{number}", "status": "requires_payment_method"})
    service.tickets_reserve(dinner, ALREADY_SOLD, service.Buyer("First Buyer", "first@example.org"))

    real_places_left = selectors.places_left

    def slow_places_left(*args, **kwargs):
        left = real_places_left(*args, **kwargs)
        time.sleep(0.05)  # a request that is slow between counting and writing its purchase
        return left

    monkeypatch.setattr(selectors, "places_left", slow_places_left)

    start = threading.Barrier(BUYERS)
    bought, refused, errors = [], [], []

    def buy(n):
        try:
            start.wait(timeout=30)
            bought.append(service.tickets_reserve(dinner, 1, service.Buyer(f"Buyer {n}", f"buyer{n}@example.org")).pk)
        except service.EventError as error:
            refused.append(error.message)
        except Exception as error:  # noqa: BLE001 - reported below, with its type
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a buyer hung"
    assert errors == []

    assert len(bought) == CAPACITY - ALREADY_SOLD
    assert len(refused) == BUYERS - len(bought) and all("sold out" in m for m in refused)
    assert sum(EventTicket.objects.filter(event=event).values_list("quantity", flat=True)) == CAPACITY
    assert Donation.objects.count() == 1 + len(bought)  # a refused buyer wrote nothing
    assert real_places_left(event) == 0
