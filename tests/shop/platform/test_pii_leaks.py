"""Errors and logs never carry a survivor's personal data, bank numbers or card numbers.

A survivor with distinctive details exists (and has a pay stub and a training record);
then every error path is walked: each payroll URL with a missing object (404) and with
her real objects for roles that may not see them (403/404), bad form posts (400), a view
that crashes with her record in its local variables (500, with error e-mails to the
admins), a failed bank-file export, and card numbers posted where they do not belong.
Every response body, redirect, cookie (flash messages live there), captured log record
(formatted, tracebacks included) and sent e-mail is scanned for her details.

Her preferred first name is not among them: her own training record shows it to program
staff by design (and products carry it when she consents).
"""
import logging
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone

from payroll.models import Employee, PayRate
from payroll.services.paystubs import pay_stubs_generate
from shop.platform import roles
from shop.platform.redact import PrivateExceptionReporter, redact_text
from tests.support.factories import OrderFactory, UserFactory
from tests.shop.giving.factories import make_pending_donation
from tests.payroll.factories import EmployeeFactory, PayRunFactory, PayStubFactory

pytestmark = pytest.mark.django_db

SURVIVOR = {
    "legal_name": "Zephyrine Quillfeather-Oduya",
    "ssn": "287-65-4321",
    "date_of_birth": "1991-04-17",
    "email": "zephyrine.q@survivor.example",
    "phone": "813-555-0199",
    "address": "77 Hidden Lane, Apt 3, Tampa FL 33602",
    "bank_routing": "011000015",
    "bank_account": "8876543210123",
}
CARD = "4242424242424242"


def forbidden_strings():
    """Every form the details could take in text."""
    values = [v for v in SURVIVOR.values()]
    values += ["Quillfeather", "Oduya", "287654321", "8135550199", "Hidden Lane", "zephyrine.q@", "8876543210123", CARD,
               "4242 4242 4242 4242", "04/17/1991", "17 Apr 1991", "April 17, 1991"]
    return values


def leaks(text: str) -> list[str]:
    return [value for value in forbidden_strings() if value.lower() in (text or "").lower()]


class Scanner:
    """Collects every place text goes out, then reports what leaked where."""

    def __init__(self, caplog):
        self.caplog = caplog
        self.found = []

    def response(self, label, response, client=None, names_allowed=False):
        """``names_allowed``: the page is for payroll staff, who see employees by name (never their numbers)."""
        body = b"" if getattr(response, "streaming", False) else response.content
        texts = {"body": body.decode(errors="replace"), "location": response.get("Location", "")}
        if client is not None:
            texts["cookies"] = client.cookies.output()
        names = {SURVIVOR["legal_name"].lower(), "quillfeather", "oduya"} if names_allowed else set()
        for where, text in texts.items():
            for value in leaks(text):
                if where == "body" and value.lower() in names:
                    continue
                self.found.append(f"{label} {response.status_code} {where}: {value!r}")

    def logs_and_mail(self):
        for record in self.caplog.records:
            formatted = self.caplog.handler.format(record)
            for value in leaks(formatted) + leaks(record.getMessage()) + leaks(str(getattr(record, "exc_text", "") or "")):
                self.found.append(f"log {record.name} {record.levelname}: {value!r}")
        for message in mail.outbox:
            parts = [message.subject, message.body] + [alt for alt, _ in getattr(message, "alternatives", [])]
            for value in leaks("\n".join(str(p) for p in parts)):
                self.found.append(f"e-mail {message.subject!r}: {value!r}")

    def assert_clean(self):
        self.logs_and_mail()
        assert not self.found, "personal data leaked:\n" + "\n".join(sorted(set(self.found)))


@pytest.fixture
def scanner(caplog, settings):
    settings.ADMINS = [("Ops", "ops@mended.example")]  # so error e-mails are really made and sent
    caplog.set_level(logging.DEBUG)
    return Scanner(caplog)


@pytest.fixture
def survivor():
    user = UserFactory(email=SURVIVOR["email"], username=SURVIVOR["email"])
    employee = EmployeeFactory(user=user, preferred_name="Zephyrine", employee_can_enter_time=True, **SURVIVOR)
    PayRate.objects.create(employee=employee, kind="production", rate=Decimal("16.00"), effective_from=date(2025, 1, 1))
    run = PayRunFactory(status="approved")
    stub = PayStubFactory(pay_run=run, employee=employee)
    pay_stubs_generate(run.pk)
    from payroll.models import Consent

    Consent.objects.create(employee=employee, kind=Consent.Kind.TRANSCRIPT, revoked_at=timezone.now())
    return {"employee": employee, "stub": stub, "run": run}


def payroll_routes():
    """(route, view module) for every URL pattern of the payroll app, plus the employee and
    time-entry admin pages."""
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), getattr(pattern.callback, "__module__", "")

    for route, module in walk(get_resolver().url_patterns):
        if module.startswith("payroll") or route.startswith(("admin/payroll/employee/", "admin/payroll/timeentry/")):
            yield route


MISSING = "987654"
SAMPLE_PARAMS = {"action": "calculate", "kind": "labels", "token": "not-a-token", "year": "2031"}


def concrete(route: str, ids: dict) -> str:
    def value(match):
        name = match.group(2)
        if name in ids:
            return str(ids[name])
        if name in SAMPLE_PARAMS:
            return SAMPLE_PARAMS[name]
        return MISSING

    path_ = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
    return path_.replace("^", "").replace("$", "")


def people(survivor):
    def staff(*groups):
        return UserFactory(roles=list(groups))

    superuser = UserFactory(mfa=True)
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    other_employee = EmployeeFactory(user=UserFactory())
    return {
        "anonymous": None,
        "customer": UserFactory(),
        "shop staff": staff(roles.SHOP_STAFF),
        "volunteer coordinator": staff(roles.VOLUNTEER_COORDINATOR),
        "payroll staff": staff(roles.PAYROLL_STAFF),
        "program staff": staff(roles.PROGRAM_STAFF),
        "the survivor": survivor["employee"].user,
        "another employee": other_employee.user,
        "superuser": superuser,
    }


def login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


BAD_POST = {"x": "1", "period_start": "not a date", "hours": "-3", "reason": "", "enroll-program": "nope",
            "exit-status": "nope", "date": "31/31/2031", "kind": "nope"}


def test_every_payroll_error_page_is_free_of_the_survivors_details(client, scanner, survivor):
    client.raise_request_exception = False  # a crash is an error page like any other here
    everyone = people(survivor)
    employee, stub, run = survivor["employee"], survivor["stub"], survivor["run"]
    real = {"employee_id": employee.pk, "stub_id": stub.pk, "run_id": run.pk, "object_id": employee.pk}
    routes = list(payroll_routes())
    assert len(routes) > 40  # the walk found the payroll URLs
    for role, user in everyone.items():
        login(client, user)
        for route in routes:
            for label, ids in (("missing", {}), ("hers", real)):
                url = concrete(route, ids)
                for method in ("get", "post"):
                    response = getattr(client, method)(url, BAD_POST if method == "post" else None)
                    if response.status_code >= 300:  # error pages and redirects (successes are the record itself)
                        scanner.response(f"{role} {method.upper()} {url} ({label})", response, client)
    scanner.assert_clean()


def test_bad_values_in_the_employee_form_are_not_echoed_in_its_errors(client, survivor, scanner):
    """Payroll staff typing a wrong SSN or bank number see what is wrong, not the number back in the message."""
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    employee = survivor["employee"]
    bad = {"ssn_new": "666-12-3456", "bank_routing_new": "123456789", "bank_account_new": "12-34"}
    data = {"legal_name": "x", "hire_date": "2025-06-02", "status": "artisan", **bad}
    for prefix in ("rates", "w4s", "consents"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:payroll_employee_change", args=[employee.pk]), data)
    form = response.context["adminform"].form
    assert set(bad) <= set(form.errors)
    messages = " ".join(str(m) for field in bad for m in form.errors[field])
    for value in bad.values():
        assert value not in messages
    scanner.assert_clean()


def crashing_view(request, employee_id):
    employee = Employee.objects.get(pk=employee_id)
    ssn, account, name = employee.ssn, employee.bank_account, employee.legal_name  # noqa: F841  (in the frame's locals)
    details = {"email": employee.email, "phone": employee.phone}  # noqa: F841
    raise RuntimeError("pay stub rendering failed")


class CrashURLs:
    urlpatterns = [path("crash/<int:employee_id>/", crashing_view)]


def test_a_crash_with_her_record_in_local_variables_shows_and_mails_nothing_of_it(client, scanner, survivor, settings):
    employee = survivor["employee"]
    settings.ROOT_URLCONF = CrashURLs
    client.raise_request_exception = False
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    url = f"/crash/{employee.pk}/?q={SURVIVOR['legal_name']}"
    response = client.post(url, {"ssn": SURVIVOR["ssn"], "card": CARD, "name": SURVIVOR["legal_name"]})
    assert response.status_code == 500
    scanner.response("500 page", response)
    reports = [m for m in mail.outbox if m.to == ["ops@mended.example"] and "pay stub rendering failed" in m.body]
    assert len(reports) == 1  # the admins were told
    [record] = [r for r in scanner.caplog.records if r.name == "django.request" and r.exc_info]
    # The report as an HTML e-mail or a debug page would show it (locals included, were they not cleansed).
    reporter = PrivateExceptionReporter(record.request, *record.exc_info, is_email=True)
    html, text = reporter.get_traceback_html(), reporter.get_traceback_text()
    assert "crashing_view" in html and "ssn" in html  # the frame and its variable names are there...
    for where, report in (("html report", html), ("text report", text)):
        assert not leaks(report), (where, leaks(report))  # ...their values are not
    settings.DEBUG = True  # even the debug page, were DEBUG left on in production
    debug_page = client.post(url, {"ssn": SURVIVOR["ssn"], "card": CARD})
    assert debug_page.status_code == 500 and "crashing_view" in debug_page.content.decode()
    scanner.response("debug 500 page", debug_page)
    scanner.assert_clean()


def test_a_bank_file_that_cannot_be_made_names_no_bank_number(client, survivor, scanner):
    employee = survivor["employee"]
    Employee.objects.filter(pk=employee.pk).update(bank_routing="011000016")  # a bad check digit, written behind the form
    employee.refresh_from_db()
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    response = client.get(reverse("payroll:payrun_nacha", args=[survivor["run"].pk]), follow=True)
    page = response.content.decode()
    assert "routing number" in page  # the staff are told what is wrong...
    assert "011000016" not in page and "011000016" not in client.cookies.output()  # ...not the number
    scanner.response("nacha failure", response, client, names_allowed=True)
    scanner.assert_clean()


def test_a_card_number_posted_by_mistake_is_never_logged_or_echoed(client, scanner):
    order = OrderFactory()
    from shop.selectors.orders import order_token
    from shop.services.donations import gift_token

    donation = make_pending_donation()
    endpoints = [
        reverse("shop:pay_confirm", args=[order_token(order)]),
        reverse("shop:donate_pay_confirm", args=[gift_token(donation)]),
        reverse("shop:checkout"),
        reverse("shop:donate"),
        reverse("shop:stripe_webhook"),
    ]
    for url in endpoints:
        for data in ({"payment_method": CARD, "card_number": CARD, "number": "4242 4242 4242 4242"},):
            response = client.post(url, data)
            scanner.response(f"POST {url}", response, client)
        response = client.post(url, f'{{"payment_method": "{CARD}", "card": {{"number": "{CARD}"}}}}',
                               content_type="application/json")
        scanner.response(f"POST json {url}", response, client)
    scanner.assert_clean()


def test_log_records_are_masked_whatever_logger_and_handler_write_them(caplog):
    caplog.set_level(logging.INFO)
    log = logging.getLogger("mended.anything")
    log.warning("charge for card %s by %s failed", "4242 4242 4242 4242", "zephyrine.q@survivor.example")
    log.info("bank %s routing %s ssn %s", "8876543210123", "011000015", "287-65-4321")
    try:
        raise ValueError(f"account {SURVIVOR['bank_account']} refused")
    except ValueError:
        log.exception("while paying")
    text = caplog.text
    assert not leaks(text), leaks(text)
    assert "••••4242" in text and "z••••@survivor.example" in text and "••••0123" in text and "••••4321" in text
    assert "ValueError: account ••••0123 refused" in text  # the traceback too


def test_the_scanner_itself_finds_a_leak(scanner, caplog):
    """The harness: a page, a cookie, a log line or an e-mail with her details is caught."""
    from django.http import HttpResponse

    scanner.response("a page", HttpResponse(f"<p>{SURVIVOR['legal_name']}</p>"))
    logging.getLogger("mended.test").warning("lives at %s", SURVIVOR["address"])
    mail.send_mail("Hello", f"Dear {SURVIVOR['legal_name']}", None, ["x@example.org"])
    with pytest.raises(AssertionError) as raised:
        scanner.assert_clean()
    assert "a page 200 body" in str(raised.value) and "log mended.test" in str(raised.value)
    assert "e-mail 'Hello'" in str(raised.value)


def test_redaction_leaves_ordinary_text_alone():
    ordinary = "Order MT-12345678 paid $1,234.56 at 2026-11-23 08:15:00 for pay run 42 (3 stubs)"
    assert redact_text(ordinary) == ordinary


def test_redaction_leaves_uuids_whole_and_still_masks_numbers_beside_them():
    """A Celery task id whose middle groups are all digits was masked in the worker's log, so a
    test waiting for that id in the log never found it (CI, 2026-12-07)."""
    task_id = "e62dddb0-6917-4635-9428-1cdd95b048ac"
    line = f"Task celery.accumulate[{task_id}] succeeded"
    assert redact_text(line) == line
    assert redact_text(f"{task_id} card 4242-4242-4242-4242") == f"{task_id} card \u2022\u2022\u2022\u20224242"
    assert redact_text("routing 021000021 account 123456789") == "routing \u2022\u2022\u2022\u20220021 account \u2022\u2022\u2022\u20226789"
    assert redact_text("SSN 123-45-6789.") == "SSN \u2022\u2022\u2022\u20226789."
