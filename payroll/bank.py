"""Bank details: ABA routing numbers, account numbers, and masking for display.

Pure functions, no database. The two ``validate_*`` functions are Django field validators
(``validators=[validate_routing_number]``); they raise ``ValidationError`` with a message
fit to show the person typing the number. They check, they do not clean: a form that wants
to accept "021-000-021" should strip the separators before validation.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError

ROUTING_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)
ACCOUNT_MIN_DIGITS = 4
ACCOUNT_MAX_DIGITS = 17  # the width of the NACHA DFI Account Number field
MASK = "\u2022\u2022\u2022\u2022"  # four bullets, whatever the length hidden

_NINE_DIGITS = re.compile(r"[0-9]{9}")  # ASCII digits only: str.isdigit() accepts "٣" and "²"


def aba_routing_valid(routing: str) -> bool:
    """True for nine ASCII digits whose ABA check digit is right.

    3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) must be a multiple of 10. All zeros passes that
    sum trivially but is no bank, so it is refused.
    """
    if not isinstance(routing, str) or not _NINE_DIGITS.fullmatch(routing):
        return False
    if routing == "000000000":
        return False
    return sum(w * int(d) for w, d in zip(ROUTING_WEIGHTS, routing)) % 10 == 0


def account_number_valid(account: str) -> bool:
    """True for 4 to 17 ASCII digits."""
    return isinstance(account, str) and re.fullmatch(
        rf"[0-9]{{{ACCOUNT_MIN_DIGITS},{ACCOUNT_MAX_DIGITS}}}", account
    ) is not None


def validate_routing_number(value) -> None:
    if not isinstance(value, str) or not _NINE_DIGITS.fullmatch(value):
        raise ValidationError(
            "A routing number is exactly 9 digits, with no spaces or dashes.", code="routing_format"
        )
    if not aba_routing_valid(value):
        raise ValidationError(
            "This is not a valid routing number: its check digit does not match. "
            "Please copy the 9 digits again from a check or your bank's website.",
            code="routing_check_digit",
        )


def validate_account_number(value) -> None:
    if not account_number_valid(value):
        raise ValidationError(
            "An account number is %(min)d to %(max)d digits, with no spaces, dashes or letters.",
            code="account_format",
            params={"min": ACCOUNT_MIN_DIGITS, "max": ACCOUNT_MAX_DIGITS},
        )


def mask(value: str, keep: int = 4) -> str:
    """Show only the last ``keep`` characters: mask("123456789") == "•••• 6789".

    Separators are ignored, so an SSN "123-45-6789" also shows as "•••• 6789". The bullets
    are always four, so the mask does not tell the length. A value no longer than ``keep``
    is shown as bullets alone: masking must never reveal a whole number.
    """
    if value is None:
        return ""
    chars = [c for c in str(value) if c.isalnum()]
    if not chars:
        return ""
    if keep <= 0 or len(chars) <= keep:
        return MASK
    return f"{MASK} {''.join(chars[-keep:])}"
