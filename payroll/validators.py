import re

from django.core.exceptions import ValidationError

SSN = re.compile(r"^([0-9]{3})-?([0-9]{2})-?([0-9]{4})$")  # ASCII digits only (\d takes "٣" and "３")


def normalize_ssn(value: str) -> str:
    match = SSN.match((value or "").strip())
    if not match:
        raise ValidationError("Enter the SSN as nine digits, e.g. 123-45-6789.")
    area, group, serial = match.groups()
    if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
        raise ValidationError("That is not a valid SSN (the SSA never issues it).")
    return f"{area}-{group}-{serial}"


def validate_ssn(value: str) -> None:
    normalize_ssn(value)
