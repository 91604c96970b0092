"""Pay runs are never silently wrong (issue 16): dates checked before a calculation, a failed
calculation that staff can recover from, approval over a shortfall only with a recorded reason,
paper checks shown wherever pay is not deposited, downloads that only read, bonus amounts."""
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from payroll.models import AuditEvent, Employee, JournalEntry, PayAdjustment, PayRun, PayStub
from payroll.services import payruns
from payroll.services.direct_deposit import payrun_nacha
from payroll.services.payruns import PayRunError
from shop.platform import roles
from tests.support.factories import UserFactory
from tests.support import nacha_reader
from tests.payroll.factories import EmployeeFactory, PayRateFactory, PayRunFactory, PayStubFactory
from tests.payroll.test_payruns import END, PAY_DATE, START, fund, work, worker

pytestmark = pytest.mark.django_db
D = Decimal
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b(?:\s+INTO|\s+FROM)?\s+\"?(\w+)", re.IGNORECASE)


@pytest.fixture
def staff():
    return UserFactory(roles=[roles.PAYROLL_STAFF]), UserFactory(roles=[roles.PAYROLL_STAFF])


def writes(ctx) -> list[str]:
    """The statements that wrote, but the session's (framework state: the staff idle timer)."""
    return [f"{m.group(1).upper()} {m.group(2)}" for q in ctx.captured_queries
            if (m := WRITE.match(q["sql"])) and m.group(2) != "django_session"]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# -- 1. dates, failed calculations, years without tax tables ---------------------------------


@pytest.mark.parametrize("dates, field, message", [
    (("0001-01-01", "2026-10-18", "2026-10-23"), "period_start", "Enter a date between 2000 and 2100"),
    (("2026-10-05", "9999-12-31", "9999-12-31"), "period_end", "Enter a date between 2000 and 2100"),
    (("2026-10-05", "2026-10-18", "9999-12-31"), "pay_date", "Enter a date between 2000 and 2100"),
    (("2025-01-05", "2026-10-18", "2026-10-23"), "period_start", "at most a year long"),
    (("2026-10-05", "2026-10-18", "2027-11-30"), "pay_date", "within a year after the period ends"),
    (("2026-10-18", "2026-10-05", "2026-10-23"), "period_end", "must end on or after"),
    (("2026-10-05", "2026-10-18", "2026-10-17"), "pay_date", "cannot be before the period ends (Oct 18, 2026)"),
    (("2025-12-01", "2025-12-14", "2025-12-19"), "pay_date", "no tax tables for 2025"),
])
def test_the_form_refuses_bad_dates_with_a_message(client, staff, dates, field, message):
    client.force_login(staff[0])
    start, end, pay_date = dates
    response = client.post(reverse("payroll:payruns"), {"kind": "regular", "period_start": start, "period_end": end,
                                                       "pay_date": pay_date})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not PayRun.objects.exists()


def test_the_tax_table_message_says_which_years_exist(client, staff):
    client.force_login(staff[0])
    response = client.post(reverse("payroll:payruns"), {"kind": "bonus", "period_start": "2030-01-01",
                                                       "period_end": "2030-01-14", "pay_date": "2030-01-20"})
    assert "Tax tables exist for 2026." in response.content.decode()


def test_the_service_refuses_bad_dates_too(staff):
    with pytest.raises(PayRunError, match="no tax tables for 2031"):
        payruns.payrun_create(staff[0], date(2031, 1, 1), date(2031, 1, 14), date(2031, 1, 20))


def test_a_calculation_that_fails_leaves_a_failed_run_that_can_be_calculated_again(
        client, staff, django_capture_on_commit_callbacks):
    calculator, approver = staff
    employee = worker()
    work(employee, calculator, [START], D("8"))
    # A run from before the checks (or the admin): its pay date's year has no tax tables.
    run = PayRun.objects.create(period_start=START, period_end=END, pay_date=date(2027, 1, 8), created_by=calculator)
    client.force_login(calculator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("payroll:payrun_action", args=[run.pk, "calculate"]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == PayRun.Status.FAILED and "no tax tables for 2027" in run.last_error
    assert not run.stubs.exists()
    page = client.get(reverse("payroll:payrun", args=[run.pk])).content.decode()
    assert "Calculation failed" in page and "no tax tables for 2027" in page and "Recalculate" in page
    assert AuditEvent.objects.filter(action="payrun.calculation_failed", object_id=str(run.pk)).exists()

    PayRun.objects.filter(pk=run.pk).update(pay_date=PAY_DATE)  # the dates put right
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payroll:payrun_action", args=[run.pk, "calculate"]))
    run.refresh_from_db()
    assert run.status == PayRun.Status.CALCULATED and run.last_error == "" and run.stubs.count() == 1


def test_an_unexpected_error_in_the_calculation_is_recorded_not_left_calculating(
        client, staff, monkeypatch, django_capture_on_commit_callbacks):
    calculator, _ = staff
    employee = worker()
    work(employee, calculator, [START], D("8"))
    run = payruns.payrun_create(calculator, START, END, PAY_DATE)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(payruns, "period_taxes", broken)
    client.force_login(calculator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payroll:payrun_action", args=[run.pk, "calculate"]))
    run.refresh_from_db()
    assert run.status == PayRun.Status.FAILED and "unexpected problem (ZeroDivisionError)" in run.last_error
    monkeypatch.undo()
    payruns.payrun_start_calculation(run.pk, calculator)  # "failed" can be calculated again


def test_w2_data_for_a_year_without_tax_tables_is_a_clear_message(client, staff):
    client.force_login(staff[0])
    response = client.get(reverse("payroll:w2_export", args=[2025]))
    assert response.status_code == 404
    assert "no payroll tax tables for that year" in response.content.decode()
    assert "Tax tables exist for 2026" in response.content.decode()


# -- 2. approving over a shortfall ---------------------------------------------------------


def test_approving_a_run_the_funds_do_not_cover_needs_a_reason_kept_in_the_audit_trail(client, staff):
    calculator, approver = staff
    employee = worker()
    work(employee, calculator, [START], D("8"))  # $200 gross; the funds hold nothing
    run = payruns.payrun_create(calculator, START, END, PAY_DATE)
    payruns.payrun_calculate(run.pk, calculator)
    client.force_login(approver)
    page = client.get(reverse("payroll:payrun", args=[run.pk])).content.decode()
    assert "The funds do not cover this run" in page and 'name="override_reason"' in page

    response = client.post(reverse("payroll:payrun_action", args=[run.pk, "approve"]), follow=True)
    assert "short of this run" in response.content.decode()
    run.refresh_from_db()
    assert run.status == PayRun.Status.CALCULATED and not JournalEntry.objects.filter(source_type="payrun").exists()
    response = client.post(reverse("payroll:payrun_action", args=[run.pk, "approve"]), {"override_reason": "x" * 501},
                           follow=True)
    assert "500 characters or fewer" in response.content.decode()
    with pytest.raises(PayRunError, match=r"\$220.70 short"):  # 200 + employer 12.40 + 2.90 + 5.40 (2.7% SUTA)
        payruns.payrun_approve(run.pk, approver, override_reason="   ")

    client.post(reverse("payroll:payrun_action", args=[run.pk, "approve"]),
                {"override_reason": "A grant payment arrives on Monday"})
    run.refresh_from_db()
    assert run.status == PayRun.Status.APPROVED
    event = AuditEvent.objects.get(action="payrun.approved_over_shortfall")
    assert event.object_id == str(run.pk) and event.actor == approver
    assert event.detail["reason"] == "A grant payment arrives on Monday" and event.detail["shortfall"] == "220.70"


def test_a_covered_run_is_approved_without_a_reason(staff):
    calculator, approver = staff
    fund()
    employee = worker()
    work(employee, calculator, [START], D("8"))
    run = payruns.payrun_create(calculator, START, END, PAY_DATE)
    payruns.payrun_calculate(run.pk, calculator)
    assert payruns.payrun_approve(run.pk, approver).status == PayRun.Status.APPROVED
    assert not AuditEvent.objects.filter(action="payrun.approved_over_shortfall").exists()


# -- 3. paper checks wherever pay is not deposited --------------------------------------------


@pytest.fixture
def run_with_a_new_hire(staff, settings):
    """One employee with a tested account, a new hire whose account has had no prenote, one
    without bank details; calculated (not approved)."""
    settings.PAYROLL_PRENOTES = True
    calculator, _ = staff
    fund()
    tested = worker()
    new_hire = worker()
    Employee.objects.filter(pk=new_hire.pk).update(bank_prenote_sent=False, preferred_name="Lina")
    no_bank = EmployeeFactory(bank_routing="", bank_account="", bank_account_type="", preferred_name="Amira")
    PayRateFactory(employee=no_bank)
    for person in (tested, new_hire, no_bank):
        work(person, calculator, [START], D("8"))
    run = payruns.payrun_create(calculator, START, END, PAY_DATE)
    payruns.payrun_calculate(run.pk, calculator)
    return run, tested, Employee.objects.get(pk=new_hire.pk), no_bank


def test_a_new_account_is_paid_by_check_on_the_register_the_stub_the_list_and_the_file(client, staff, run_with_a_new_hire):
    calculator, approver = staff
    run, tested, new_hire, no_bank = run_with_a_new_hire
    stub = run.stubs.get(employee=new_hire)
    assert stub.paid_by_check and stub.prenote and stub.bank_masked == "" and stub.net == D("184.70")
    assert not run.stubs.get(employee=tested).paid_by_check
    client.force_login(approver)
    page = client.get(reverse("payroll:payrun", args=[run.pk])).content.decode()
    assert "2 employees will be paid by paper check:" in page
    new_hire.refresh_from_db()
    assert f"{new_hire.legal_name} (Lina) (employee {new_hire.pk}: new bank account being tested)" in page
    assert f"{no_bank.legal_name} (Amira) (employee {no_bank.pk}: no bank details)" in page
    assert page.count("Paper check") == 2 and "Deposit ••••" in page  # the register

    payruns.payrun_approve(run.pk, approver)
    entries = nacha_reader.read_nacha(payrun_nacha(run.pk)).batches[0].entries
    by_id = {e["individual_identification_number"].strip(): e for e in entries}
    assert set(by_id) == {f"EMP{tested.pk:05d}", f"EMP{new_hire.pk:05d}"}
    assert by_id[f"EMP{new_hire.pk:05d}"]["transaction_code"] == "23" and int(by_id[f"EMP{new_hire.pk:05d}"]["amount"]) == 0
    assert by_id[f"EMP{tested.pk:05d}"]["transaction_code"] == "22"

    checks = client.get(reverse("payroll:payrun_checks", args=[run.pk]))
    text = checks.content.decode()
    assert checks.status_code == 200 and checks["Cache-Control"] == "no-store"
    assert new_hire.legal_name in text and no_bank.legal_name in text and tested.legal_name not in text
    assert "$184.70" in text and "$369.40" in text  # each check, and the two together
    assert AuditEvent.objects.filter(action="payrun.checks_viewed", object_id=str(run.pk)).exists()

    pdf = client.get(reverse("payroll:pay_stub_pdf", args=[stub.pk])).getvalue()
    assert "Paid by paper check." in pdf_text(pdf) and "Deposited" not in pdf_text(pdf)
    assert "checking your new account" in pdf_text(pdf)


# -- 4. a GET never writes ---------------------------------------------------------------------


def test_downloading_the_bank_file_only_reads_and_marking_it_sent_is_a_post(client, staff, run_with_a_new_hire):
    calculator, approver = staff
    run, _, new_hire, _ = run_with_a_new_hire
    payruns.payrun_approve(run.pk, approver)
    client.force_login(approver)
    url = reverse("payroll:payrun_nacha", args=[run.pk])
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(url)
    assert first.status_code == 200
    assert [w for w in writes(ctx) if w != "INSERT shop_auditevent"] == []  # the download is audited, nothing else
    second = client.get(url)
    assert first.content == second.content  # the same file every time
    new_hire.refresh_from_db()
    assert not new_hire.bank_prenote_sent

    client.post(reverse("payroll:payrun_action", args=[run.pk, "bank-file-sent"]))
    new_hire.refresh_from_db()
    run.refresh_from_db()
    assert new_hire.bank_prenote_sent and run.bank_file_sent_at is not None and run.bank_file_sent_by == approver
    assert AuditEvent.objects.filter(action="nacha.sent", object_id=str(run.pk)).count() == 1
    assert client.get(url).content == first.content  # still the file that was sent
    response = client.post(reverse("payroll:payrun_action", args=[run.pk, "bank-file-sent"]), follow=True)
    assert "already marked sent" in response.content.decode()
    assert AuditEvent.objects.filter(action="nacha.sent").count() == 1


def test_the_bank_file_sent_for_a_run_not_approved_is_refused(staff):
    run = PayRunFactory(status="calculated")
    PayStubFactory(pay_run=run)
    from payroll.services.direct_deposit import payrun_bank_file_sent

    with pytest.raises(PayRunError, match="approved"):
        payrun_bank_file_sent(run.pk, staff[0])


def test_a_stub_opened_before_the_stub_task_ran_is_drawn_without_saving_or_mailing(client):
    owner, other = UserFactory(email="rosa@example.org"), UserFactory(email="bo@example.org")
    run = PayRunFactory(status="approved")
    stub = PayStubFactory(pay_run=run, employee=EmployeeFactory(user=owner))
    other_stub = PayStubFactory(pay_run=run, employee=EmployeeFactory(user=other))
    client.force_login(owner)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("payroll:pay_stub_pdf", args=[stub.pk]))
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF")
    assert writes(ctx) == [] and mail.outbox == []
    stub.refresh_from_db()
    other_stub.refresh_from_db()
    assert not stub.pdf and not other_stub.pdf


# -- 5. bonus runs: amounts, and no empty approvals --------------------------------------------


def test_a_bonus_run_gets_its_amounts_on_a_page_and_an_empty_run_cannot_be_approved(client, staff):
    calculator, approver = staff
    fund()
    rosa, bo = worker(), worker()
    run = payruns.payrun_create(calculator, START, END, PAY_DATE, kind=PayRun.Kind.BONUS)
    payruns.payrun_calculate(run.pk, calculator)
    with pytest.raises(PayRunError, match="pays nobody yet"):
        payruns.payrun_approve(run.pk, approver)
    client.force_login(calculator)
    page = client.get(reverse("payroll:payrun", args=[run.pk])).content.decode()
    assert "This bonus run has no amounts yet" in page and reverse("payroll:payrun_amounts", args=[run.pk]) in page
    assert "Nobody is paid in this run" in page and ">Approve<" not in page

    url = reverse("payroll:payrun_amounts", args=[run.pk])
    assert client.get(url).status_code == 200
    for bad in ("abc", "-5", "1.005", "50000.01"):
        response = client.post(url, {f"amount_{rosa.pk}": bad, f"amount_{bo.pk}": ""})
        assert response.status_code == 400 and response.context["form"].errors[f"amount_{rosa.pk}"], bad
    assert not PayAdjustment.objects.exists()

    response = client.post(url, {f"amount_{rosa.pk}": "500.00", f"amount_{bo.pk}": "", "note": "Holiday bonus"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == PayRun.Status.DRAFT  # amounts changed: to be calculated again
    assert list(PayAdjustment.objects.values_list("employee_id", "amount", "note")) == [(rosa.pk, D("500.00"), "Holiday bonus")]
    stub = payruns.payrun_calculate(run.pk, calculator).stubs.get()
    assert (stub.employee_id, stub.bonus, stub.federal_income_tax) == (rosa.pk, D("500.00"), D("110.00"))
    payruns.payrun_approve(run.pk, approver)
    response = client.post(url, {f"amount_{rosa.pk}": "900.00"})
    assert response.status_code == 400 and "can no longer change" in response.content.decode()
    assert PayAdjustment.objects.get().amount == D("500.00")


def test_amounts_for_someone_not_employed_in_the_period_are_refused(staff):
    run = payruns.payrun_create(staff[0], START, END, PAY_DATE, kind=PayRun.Kind.BONUS)
    gone = EmployeeFactory(end_date=date(2026, 1, 31))
    with pytest.raises(PayRunError, match="not employed"):
        payruns.payrun_adjustments_set(run.pk, staff[0], {gone.pk: D("100.00")})
    with pytest.raises(PayRunError, match="dollars and cents"):
        payruns.payrun_adjustments_set(run.pk, staff[0], {gone.pk: 100.0})
    assert not PayStub.objects.exists() and not PayAdjustment.objects.exists()


def test_a_run_left_calculating_by_a_lost_worker_can_be_started_again(client, staff):
    calculator, _ = staff
    employee = worker()
    work(employee, calculator, [START], D("8"))
    run = payruns.payrun_create(calculator, START, END, PAY_DATE)
    PayRun.objects.filter(pk=run.pk).update(status=PayRun.Status.CALCULATING)  # the worker died mid-way
    client.force_login(calculator)
    assert "Start the calculation again" in client.get(reverse("payroll:payrun", args=[run.pk])).content.decode()
    payruns.payrun_start_calculation(run.pk, calculator)  # eager here: calculated at commit
    payruns.payrun_calculate(run.pk, calculator)
    run.refresh_from_db()
    assert run.status == PayRun.Status.CALCULATED and run.stubs.count() == 1


def test_the_amounts_page_says_what_a_correction_is_and_totals_what_is_saved(client, staff):
    calculator, _ = staff
    rosa, bo = worker(), worker()
    rosa.legal_name, rosa.preferred_name, bo.legal_name, bo.preferred_name = "Rosa Alvarez", "Rosie", "Bo Nguyen", ""
    rosa.save(), bo.save()
    run = payruns.payrun_create(calculator, START, END, PAY_DATE, kind=PayRun.Kind.CORRECTION)
    client.force_login(calculator)
    url = reverse("payroll:payrun_amounts", args=[run.pk])
    page = client.get(url).content.decode()
    assert "Correction amounts" in page and f"Employee {rosa.pk} (Rosie)" in page and f"Employee {bo.pk} (Bo)" in page
    assert "Saved so far: <strong>$0.00</strong> for 0 people." in page
    assert client.post(url, {f"amount_{rosa.pk}": "120.50", f"amount_{bo.pk}": "79.75"}).status_code == 302
    assert "Saved so far: <strong>$200.25</strong> for 2 people." in client.get(url).content.decode()
