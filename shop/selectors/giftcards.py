"""Gift cards read for checkout and pages: codes typed, found by their hash in one query, and
their balances (the sum of their ledger rows) in one more. No arithmetic on prices here: what
each card pays is ``shop.pricing.tenders``'."""
import string
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.crypto import salted_hmac

from shop.models import GiftCard, GiftCardEntry
from shop.platform.money import ZERO, cents_sum, from_cents
from shop.pricing import GiftCardTender, PriceBreakdown, Tenders, tenders

# No 0/O, 1/I/L: a code read off a card or a screen is typed right.
ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1IL")
CODE_LENGTH = 16
MAX_CARDS = 5


def normalise_code(text: str) -> str:
    """A code as stored: upper case, without the spaces and hyphens it is shown with."""
    return "".join(c for c in (text or "").upper() if c not in " -\t")


def shown(code: str) -> str:
    """A code in groups of four, as the e-mail shows it."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def code_hash(code: str, secret: str | None = None) -> str:
    """What a code is stored and looked up by: a keyed hash (a copy of the table gives no code)."""
    return salted_hmac("mended.gift_card_code", normalise_code(code), secret=secret, algorithm="sha256").hexdigest()


def code_hashes(code: str) -> list[str]:
    """The code's hash under the current key, then under each retired one
    (``SECRET_KEY_FALLBACKS``), so rotating the key loses no card."""
    return [code_hash(code), *(code_hash(code, key) for key in settings.SECRET_KEY_FALLBACKS)]


def parse_codes(text: str) -> list[str]:
    """The codes typed, separated by commas, semicolons or new lines (spaces and hyphens inside
    a code are ignored; a run of whole codes without separators is split into codes), each once."""
    codes: list[str] = []
    for part in (text or "").replace(";", ",").replace("\n", ",").split(","):
        code = normalise_code(part)
        pieces = ([code[i:i + CODE_LENGTH] for i in range(0, len(code), CODE_LENGTH)]
                  if code and len(code) % CODE_LENGTH == 0 else [code])
        for piece in pieces:
            if piece and piece not in codes:
                codes.append(piece)
    return codes


def cards_read(codes: Sequence[str], *, lock: bool = False) -> tuple[list[GiftCard], list[str]]:
    """The active cards among ``codes`` (in the order typed) and the codes that are none.

    ``lock`` (inside the order's transaction) locks the cards' rows in primary-key order."""
    hashes = {code: code_hashes(code) for code in codes}
    rows = GiftCard.objects.filter(code_hash__in=[h for each in hashes.values() for h in each],
                                   state=GiftCard.State.ACTIVE)
    if lock:
        rows = rows.select_for_update().order_by("pk")
    found = {row.code_hash: row for row in rows}
    cards, unknown = [], []
    for code in codes:
        card = next((found[h] for h in hashes[code] if h in found), None)
        (unknown if card is None else cards).append(code if card is None else card)
    return cards, unknown


def balances(cards: Sequence[GiftCard]) -> dict[int, Decimal]:
    """Each card's balance: the sum of its ledger rows (one query)."""
    rows = (GiftCardEntry.objects.filter(card__in=[c.pk for c in cards]).values("card")
            .annotate(cents=cents_sum("amount")))
    found = {row["card"]: from_cents(int(row["cents"] or 0)) for row in rows}
    return {card.pk: found.get(card.pk, ZERO) for card in cards}


def balance(card: GiftCard) -> Decimal:
    return balances([card])[card.pk]


def as_tenders(cards: Sequence[GiftCard], held: dict[int, Decimal]) -> list[GiftCardTender]:
    return [GiftCardTender(card.pk, held[card.pk], f"Gift card {card.masked}") for card in cards]


@dataclass(frozen=True)
class CardUse:
    """One card on the checkout page: what it pays and what stays on it."""

    card: GiftCard
    balance: Decimal
    amount: Decimal

    @property
    def left(self) -> Decimal:
        return self.balance - self.amount


@dataclass(frozen=True)
class CardCheck:
    """The gift cards typed at checkout, checked: how the total is paid, or the problem."""

    tenders: Tenders | None
    uses: tuple[CardUse, ...] = ()
    problem: str | None = None
    unknown: int = 0  # codes that are no card (these count against the rate limit)


def unknown_message() -> str:
    # The code is not repeated back: a page should not confirm or echo a guessed code.
    return "That is not a gift card code we know, or the card is not active yet. Check the code in your e-mail."


def gift_cards_check(codes: Sequence[str], breakdown: PriceBreakdown) -> CardCheck:
    """How ``breakdown``'s total would be paid with the cards typed (without locking:
    ``shop.services.giftcards.gift_cards_redeem`` works it again under the lock)."""
    if not codes:
        return CardCheck(None)
    if len(codes) > MAX_CARDS:
        return CardCheck(None, problem=f"At most {MAX_CARDS} gift cards can be used on one order.")
    rows, unknown = cards_read(codes)
    if unknown:
        return CardCheck(None, problem=unknown_message(), unknown=len(unknown))
    held = balances(rows)
    empty = [row for row in rows if held[row.pk] <= 0]
    if empty:
        return CardCheck(None, problem=f"The gift card ending {empty[0].last4} has no balance left.")
    paid = tenders(breakdown, as_tenders(rows, held))
    parts = {tender.key: amount for tender, amount in paid.cards}
    uses = tuple(CardUse(row, held[row.pk], parts.get(row.pk, ZERO)) for row in rows)
    return CardCheck(paid, uses)
