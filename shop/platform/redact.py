"""Keeping personal data out of logs, error reports and the audit trail.

- ``redact_text`` masks what looks like an SSN, a bank or card number (any run of nine or
  more digits, with or without spaces or dashes: the last four are kept) and e-mail
  addresses (first letter and domain kept).
- ``install_log_redaction`` makes every log record of the process pass through it (the
  message, its arguments and the formatted traceback), whatever handler writes it.
- ``PrivateExceptionReporterFilter`` and ``PrivateExceptionReporter`` (settings
  ``DEFAULT_EXCEPTION_REPORTER_FILTER`` / ``DEFAULT_EXCEPTION_REPORTER``) keep error
  e-mails and debug pages to code and names: no local variable values, form fields,
  query strings, cookies or the signed-in person's address, whatever the view forgot
  to mark with ``sensitive_variables``/``sensitive_post_parameters``.

Names cannot be recognised by a pattern, so they are kept out at the source: services
log and audit ids, never names.
"""
import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

MASK = "\u2022\u2022\u2022\u2022"

# Nine or more digits, optionally split by single spaces or dashes (SSNs, routing, account
# and card numbers, phone numbers). Not part of a longer word, a decimal, a time of day, or
# the all-digit groups of a UUID (a task id such as e62dddb0-6917-4635-9428-1cdd95b048ac).
_DIGIT_RUN = re.compile(r"(?<![\w.])(?<![0-9a-fA-F]-)\d(?:[ -]?\d){8,}(?![\w:])(?!-[0-9a-fA-F])")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")


def _mask_digits(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return MASK + digits[-4:]


def redact_text(text):
    """``text`` with long digit runs and e-mail addresses masked (non-strings are returned as they are)."""
    if not isinstance(text, str) or not text:
        return text
    text = _DIGIT_RUN.sub(_mask_digits, text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}{MASK}@{m.group(2)}", text)


def redact_value(value):
    """``redact_text`` through dicts, lists and tuples (for JSON details)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(item) for item in value]
    return value


# -- logging ------------------------------------------------------------------------------

_base_factory = None


def install_log_redaction() -> None:
    """Redact every log record as it is made (idempotent). Called by the shop app's ``ready``."""
    global _base_factory
    if _base_factory is not None:
        return
    _base_factory = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = _base_factory(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(factory)


_formatter = logging.Formatter()


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep the raw parts, masked
        message = f"{record.msg} {record.args!r}"
    redacted = redact_text(str(message))
    if redacted != message:
        record.msg, record.args = redacted, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact_text(_formatter.formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact_text(record.exc_text)
    return record


# -- error reports (mail_admins, debug pages) -------------------------------------------------


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Always active (even with DEBUG): no variable values, no form fields, no cookies."""

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for key in cleansed:
            cleansed.setlist(key, [self.cleansed_substitute])
        return cleansed

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        cleansed = multivaluedict.copy()
        for key in cleansed:
            cleansed.setlist(key, [self.cleansed_substitute])
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def get_safe_cookies(self, request):
        if not hasattr(request, "COOKIES"):
            return {}
        return {key: self.cleansed_substitute for key in request.COOKIES}

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for key, value in meta.items():
            if key in ("QUERY_STRING", "HTTP_COOKIE", "HTTP_REFERER", "REQUEST_URI", "RAW_URI"):
                meta[key] = self.cleansed_substitute
            elif isinstance(value, str):
                meta[key] = redact_text(value)
        return meta


class PrivateExceptionReporter(ExceptionReporter):
    """The signed-in person by id only; query values hidden; the exception message masked."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        substitute = self.filter.cleansed_substitute
        if self.request is not None:
            user = getattr(self.request, "user", None)
            data["user_str"] = f"user {user.pk}" if getattr(user, "is_authenticated", False) else "anonymous"
            data["request_GET_items"] = [(key, substitute) for key in self.request.GET]
            data["request_insecure_uri"] = redact_text(data.get("request_insecure_uri", "").split("?", 1)[0])
        if "exception_value" in data:
            data["exception_value"] = redact_text(data["exception_value"])
        return data
