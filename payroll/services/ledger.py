"""Posting to the ledger: balanced entries, each once per idempotency key."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from payroll.accounts import known_accounts
from payroll.models import JournalEntry, Posting
from shop.platform.errors import DomainError
from shop.platform.money import quantize


class LedgerError(DomainError):
    pass


@dataclass(frozen=True)
class Leg:
    account: str  # Account.code
    amount: Decimal  # positive debit, negative credit


def entry_post(
    *, key: str, on: date, memo: str, source_type: str, source_id: int | None, legs: list[Leg], reverses=None
) -> tuple[JournalEntry, bool]:
    """Post a balanced entry once. A second call with the same key returns the first entry.

    The unique key makes a replay a no-op in the database itself, even when two workers
    post the same fact at the same moment. Returns (entry, created).
    """
    legs = [Leg(leg.account, quantize(leg.amount)) for leg in legs if quantize(leg.amount) != 0]
    if sum((leg.amount for leg in legs), Decimal("0")) != 0:
        raise LedgerError(f"Entry {key} does not balance: its legs sum to {sum(leg.amount for leg in legs)}.")
    accounts = known_accounts({leg.account for leg in legs})
    unknown = {leg.account for leg in legs} - set(accounts)
    if unknown:
        raise LedgerError(f"Unknown ledger account(s): {', '.join(sorted(unknown))}.")
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(
                date=on, memo=memo[:200], source_type=source_type, source_id=source_id, idempotency_key=key,
                reverses=reverses,
            )
            Posting.objects.bulk_create(Posting(entry=entry, account=accounts[leg.account], amount=leg.amount) for leg in legs)
    except IntegrityError:
        existing = JournalEntry.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    return entry, True
