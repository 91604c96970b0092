"""Data rights: the registry that lets one export or erasure request cover every app.

shop never imports payroll, so shop cannot list the volunteer records itself. Each app
registers a *section* instead: shop registers its own (account, orders, giving, ...) when
``shop.services.data_rights`` is imported (``ShopConfig.ready``), payroll registers
``volunteer`` in ``PayrollConfig.ready``. The orchestration in ``shop.services.data_rights``
runs every registered section for one request:

- ``export(subject) -> JSON-able data`` (``None`` or empty when nothing is held);
- ``refuse(subject) -> [reason, ...]``: why the person cannot be erased yet (checked
  for every section before anything changes);
- ``prepare(subject, erasure)``: a step outside the database transaction that must succeed
  first (shop cancels open monthly gifts at Stripe); a ``DataRightsError`` stops the request;
- ``erase(subject, erasure)``: anonymise, inside one transaction shared by every section;
  note what was anonymised and what was retained (and why) on ``erasure``;
- ``notes(subject) -> [str, ...]``: what an erasure would do beyond anonymising (shown to
  staff on the confirmation page);
- ``accounts(emails) -> [user id, ...]``: the accounts the section's records under these
  addresses belong to (a volunteer profile's login), so a staff request covers them too.

Sections run in the order they were registered, each erasing inside the same transaction;
a section that finds records through another's (events find sponsorships through the donor)
registers before the section that anonymises them.

``role`` is the staff role that may export the section from the staff page (superusers
may export everything; the person themself always gets every section of their own data).
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shop.platform.errors import DomainError

# Placeholders for erased values: a reserved top-level domain, so nothing is ever delivered.
ERASED_DOMAIN = "erased.invalid"


def erased_email(kind: str, pk: int) -> str:
    """A unique, non-deliverable address standing in for an erased one (``erased-donor-7@erased.invalid``)."""
    return f"erased-{kind}-{pk}@{ERASED_DOMAIN}"


def is_erased_email(email: str) -> bool:
    return (email or "").lower().endswith("@" + ERASED_DOMAIN)


class DataRightsError(DomainError):
    """The request cannot be carried out; nothing was erased."""


@dataclass(frozen=True)
class Subject:
    """Who a request is about: e-mail addresses (lower case) and user accounts, resolved once
    before anything changes, so every section sees the same person."""

    emails: frozenset[str]
    user_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not self.emails and not self.user_ids


@dataclass
class Erasure:
    """What one erasure did: lines for staff (and the audit trail's counts)."""

    anonymised: list[str] = field(default_factory=list)
    retained: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def anonymise(self, what: str, count: int = 1, key: str | None = None) -> None:
        if count:
            self.anonymised.append(what)
            if key:
                self.counts[key] = self.counts.get(key, 0) + count

    def retain(self, what: str) -> None:
        self.retained.append(what)

    @property
    def nothing_held(self) -> bool:
        return not self.anonymised and not self.retained


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    role: str
    export: Callable[[Subject], Any]
    erase: Callable[[Subject, Erasure], None] | None = None
    refuse: Callable[[Subject], list[str]] | None = None
    prepare: Callable[[Subject, Erasure], None] | None = None
    notes: Callable[[Subject], list[str]] | None = None
    accounts: Callable[[frozenset[str]], Any] | None = None


_sections: dict[str, Section] = {}


def register(name: str, *, title: str, role: str, export, erase=None, refuse=None, prepare=None, notes=None,
             accounts=None) -> None:
    """Add (or replace, so a reloaded app registers once) one section of a person's data."""
    _sections[name] = Section(name, title, role, export, erase, refuse, prepare, notes, accounts)


def sections() -> list[Section]:
    return list(_sections.values())
