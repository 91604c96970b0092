"""Receipt numbers on PostgreSQL: twenty workers issuing at once take 1..20, none skipped, none twice.

The year's ``ReceiptSequence`` row is locked (``select_for_update``) while a number is
taken. Each thread here is its own database connection and transaction, as Celery
workers would be; a short pause while the sequence row is held widens the window in
which, without the lock, two workers would read the same last number.
"""
import threading
import time

import pytest
from django.db import connection, connections

from shop.models import Receipt, ReceiptSequence
from shop.services.receipts import receipt_issue
from tests.shop.giving.factories import make_donor, make_paid_donation

WORKERS = 20
YEAR = 2027


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_take_every_number_once_without_gaps(monkeypatch):
    assert connection.vendor == "postgresql"
    donor = make_donor()
    donations = [make_paid_donation(donor, f"{10 + i}.00", paid_at=(YEAR, 5, 1 + i % 28, 12), receipt=False)
                 for i in range(WORKERS)]
    assert not ReceiptSequence.objects.filter(year=YEAR).exists()  # the first issue also creates the row

    real_save = ReceiptSequence.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.05)  # a worker that is slow between reading the last number and writing the next
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(ReceiptSequence, "save", slow_save)

    start = threading.Barrier(WORKERS)
    issued, errors = {}, []

    def issue(donation_id):
        try:
            start.wait(timeout=30)
            issued[donation_id] = receipt_issue(donation_id).number
        except Exception as error:  # noqa: BLE001 - reported below, with its type
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=issue, args=(d.pk,)) for d in donations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert errors == []

    expected = [f"{YEAR}-{n:06d}" for n in range(1, WORKERS + 1)]
    assert sorted(issued.values()) == expected  # each worker got its own number
    receipts = Receipt.objects.filter(year=YEAR)
    assert sorted(receipts.values_list("sequence", flat=True)) == list(range(1, WORKERS + 1))
    assert sorted(receipts.values_list("number", flat=True)) == expected
    assert sorted(receipts.values_list("donation_id", flat=True)) == sorted(d.pk for d in donations)
    assert ReceiptSequence.objects.get(year=YEAR).last_number == WORKERS
