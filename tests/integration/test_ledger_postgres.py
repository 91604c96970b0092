"""PostgreSQL's own guard: an entry written behind the service must still balance."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from payroll.models import Account, JournalEntry, Posting


@pytest.mark.django_db
def test_postgresql_refuses_an_unbalanced_entry_written_behind_the_service():
    assert connection.vendor == "postgresql"
    entry = JournalEntry.objects.create(date=date(2026, 1, 1), memo="raw", source_type="x", idempotency_key="raw")
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the check is deferred to commit otherwise
        Posting.objects.create(entry=entry, account=Account.objects.get(code="wage_fund"), amount=Decimal("-1.00"))


@pytest.mark.django_db
def test_postgresql_accepts_the_same_entry_balanced():
    entry = JournalEntry.objects.create(date=date(2026, 1, 1), memo="raw", source_type="x", idempotency_key="raw2")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Posting.objects.bulk_create([
            Posting(entry=entry, account=Account.objects.get(code="wage_fund"), amount=Decimal("-1.00")),
            Posting(entry=entry, account=Account.objects.get(code="shop_revenue_clearing"), amount=Decimal("1.00")),
        ])
    assert entry.postings.count() == 2


@pytest.mark.django_db
def test_postgresql_refuses_deleting_ledger_rows_behind_the_models():
    entry = JournalEntry.objects.create(date=date(2026, 1, 1), memo="raw", source_type="x", idempotency_key="raw3")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM payroll_journalentry WHERE id = %s", [entry.pk])
    assert JournalEntry.objects.filter(pk=entry.pk).exists()
