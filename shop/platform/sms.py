"""Text messages, the way Django sends e-mail: one backend chosen by ``SMS_BACKEND``.

- ``console`` (the embedded default): prints each message, so the demo works with no account.
- ``locmem`` (the tests): keeps each message in ``outbox``.
- ``twilio`` (production): Twilio's official SDK, configured by ``TWILIO_ACCOUNT_SID``,
  ``TWILIO_AUTH_TOKEN`` and ``TWILIO_FROM`` (a number or a Messaging Service SID, ``MG…``).

Numbers are E.164 (``+19045550134``); ``normalise`` turns what a person types into one.
Replies (STOP, START, HELP) reach ``payroll.views.volunteers.sms_inbound``, which checks
Twilio's signature with ``signature_valid``."""
import re
import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_WORDS = frozenset({"HELP", "INFO"})

outbox: list["Text"] = []


@dataclass(frozen=True)
class Text:
    to: str
    body: str


class NotANumber(ValueError):
    """What was typed is not a number a text can be sent to."""


def normalise(typed: str) -> str:
    """E.164 from a North American number as people write it ("(904) 555-0134", "904.555.0134",
    "+1 904 555 0134") or from any number written with its "+" country code."""
    digits = re.sub(r"\D", "", typed or "")
    if (typed or "").strip().startswith("+") and not digits.startswith("1"):
        if 8 <= len(digits) <= 15:
            return "+" + digits
        raise NotANumber(typed)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    # NANP: area code and exchange never start with 0 or 1.
    if len(digits) == 10 and digits[0] not in "01" and digits[3] not in "01":
        return "+1" + digits
    raise NotANumber(typed)


def masked(number: str) -> str:
    """For pages and logs: only the last four digits."""
    return "•••-" + number[-4:] if number else ""


def keyword(body: str) -> str:
    """'stop', 'start', 'help' or '' for a reply's text, as carriers read it (the first word)."""
    words = (body or "").strip().upper().split()
    first = re.sub(r"[^A-Z]", "", words[0]) if words else ""
    if first in STOP_WORDS:
        return "stop"
    if first in START_WORDS:
        return "start"
    if first in HELP_WORDS:
        return "help"
    return ""


class ConsoleBackend:
    def send(self, to: str, body: str) -> str:
        for line in (f"--- text message to {to} ---", body, "---"):
            print(line, file=sys.stdout)
        sys.stdout.flush()
        return ""


class LocmemBackend:
    def send(self, to: str, body: str) -> str:
        outbox.append(Text(to=to, body=body))
        return f"locmem-{len(outbox)}"


class TwilioBackend:
    def send(self, to: str, body: str) -> str:
        from twilio.rest import Client

        client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        sender = settings.TWILIO_FROM
        route = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        return client.messages.create(to=to, body=body, **route).sid


BACKENDS = {"console": ConsoleBackend, "locmem": LocmemBackend, "twilio": TwilioBackend}


def backend():
    name = settings.SMS_BACKEND
    return BACKENDS[name]() if name in BACKENDS else import_string(name)()


def send(to: str, body: str) -> str:
    """Send one text; returns the provider's message id ('' on the console)."""
    return backend().send(to, body)


def signature_valid(url: str, params: dict, signature: str) -> bool:
    """Twilio signs each webhook with the account's auth token; nothing else may opt anyone out."""
    token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
    if not token or not signature:
        return False
    from twilio.request_validator import RequestValidator

    return RequestValidator(token).validate(url, params, signature)
