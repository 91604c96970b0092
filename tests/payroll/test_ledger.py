"""The ledger: balanced, append-only, each fact posted once."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from payroll.models import JournalEntry, Posting
from payroll.services.ledger import LedgerError, Leg, entry_post

pytestmark = pytest.mark.django_db
D = Decimal


def post(key="k1", legs=None):
    legs = legs or [Leg("shop_revenue_clearing", D("10.00")), Leg("wage_fund", D("-10.00"))]
    return entry_post(key=key, on=date(2026, 11, 2), memo="test", source_type="test", source_id=1, legs=legs)


def test_a_balanced_entry_is_posted_once_per_key():
    entry, created = post()
    again, created_again = post()
    assert created and not created_again and again.pk == entry.pk
    assert JournalEntry.objects.count() == 1 and Posting.objects.count() == 2
    assert sum(p.amount for p in entry.postings.all()) == 0


def test_an_unbalanced_entry_is_refused_and_nothing_is_written():
    with pytest.raises(LedgerError, match="does not balance"):
        post(legs=[Leg("wage_fund", D("-10.00")), Leg("shop_revenue_clearing", D("9.99"))])
    with pytest.raises(LedgerError, match="Unknown ledger account"):
        post(legs=[Leg("petty_cash", D("1.00")), Leg("wage_fund", D("-1.00"))])
    assert not JournalEntry.objects.exists()


def test_the_key_is_unique_in_the_database_itself():
    post()
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.create(date=date(2026, 1, 1), memo="dup", source_type="x", idempotency_key="k1")


def test_entries_and_postings_cannot_be_changed_or_deleted():
    entry, _ = post()
    posting = entry.postings.first()
    posting.amount = D("5.00")
    for statement in (
        lambda: Posting.objects.filter(entry=entry).update(amount=D("5.00")),
        lambda: Posting.objects.filter(entry=entry).delete(),
        lambda: JournalEntry.objects.filter(pk=entry.pk).update(memo="changed"),
        lambda: entry.delete(),
        posting.save,
    ):
        with pytest.raises(PermissionError, match="append-only"), transaction.atomic():
            statement()
    assert [p.amount for p in Posting.objects.filter(entry=entry)] == [D("10.00"), D("-10.00")]


def test_the_database_itself_refuses_an_update_behind_the_models():
    entry, _ = post()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE payroll_posting SET amount = 5 WHERE entry_id = %s", [entry.pk])
