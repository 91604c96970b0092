"""Pay runs: gross to net, overtime, approval by a second person, funding, void, NACHA."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payroll.models import JournalEntry, PayRun, Posting, TimeEntry
from payroll.services import payruns
from payroll.services.direct_deposit import payrun_nacha
from payroll.services.ledger import Leg, entry_post
from payroll.services.payruns import PayRunError
from payroll.services.time import time_entries_approve, time_entry_add
from shop.platform import roles
from tests.support.factories import UserFactory
from tests.support import nacha_reader
from tests.payroll.factories import EmployeeFactory, PayRateFactory, W4Factory

pytestmark = pytest.mark.django_db
D = Decimal
START, END, PAY_DATE = date(2026, 10, 5), date(2026, 10, 18), date(2026, 10, 23)  # a Monday-start period


@pytest.fixture
def staff():
    return UserFactory(roles=[roles.PAYROLL_STAFF]), UserFactory(roles=[roles.PAYROLL_STAFF])


def worker(rate=D("25.00"), training=D("16.00"), **w4):
    employee = EmployeeFactory()
    PayRateFactory(employee=employee, rate=rate)
    PayRateFactory(employee=employee, kind="training", rate=training)
    W4Factory(employee=employee, **w4)
    return employee


def work(employee, actor, days, hours=D("8"), kind="production"):
    ids = [time_entry_add(employee, day, hours, kind, actor).pk for day in days]
    time_entries_approve(ids, actor)


def weekdays(start, end):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def fund(amount=D("100000.00"), training=D("10000.00")):
    entry_post(key="seed-fund", on=START, memo="seed", source_type="test", source_id=None,
               legs=[Leg("shop_revenue_clearing", amount + training), Leg("wage_fund", -amount),
                     Leg("training_fund", -training)])


def calculated_run(calculator, start=START, end=END, pay_date=PAY_DATE, kind=PayRun.Kind.REGULAR):
    run = payruns.payrun_create(calculator, start, end, pay_date, kind=kind)
    return payruns.payrun_calculate(run.pk, calculator)


def test_worked_example_2000_biweekly_single(staff):
    calculator, _ = staff
    employee = worker()
    work(employee, calculator, weekdays(START, END), hours=D("8"))  # 80 hours x $25 = $2,000
    stub = calculated_run(calculator).stubs.get()
    assert (stub.gross, stub.federal_income_tax, stub.social_security, stub.medicare) == (
        D("2000.00"), D("156.15"), D("124.00"), D("29.00"),
    )
    assert stub.net == D("1690.85")  # 2000 - 156.15 - 124 - 29
    assert stub.employer_social_security == D("124.00") and stub.employer_medicare == D("29.00")
    assert stub.state_unemployment == D("54.00")  # 2.7% of the first $7,000: 2,000 x 0.027
    assert stub.ytd["gross"] == "2000.00" and stub.bank_masked.endswith(employee.bank_account[-4:])


def test_training_hours_use_the_training_rate_and_pto_the_production_rate(staff):
    calculator, _ = staff
    employee = worker(rate=D("20.00"), training=D("16.00"))
    work(employee, calculator, [date(2026, 10, 5)], D("8"))
    work(employee, calculator, [date(2026, 10, 6)], D("4"), kind="training")
    work(employee, calculator, [date(2026, 10, 7)], D("8"), kind="pto")
    stub = calculated_run(calculator).stubs.get()
    assert (stub.production_pay, stub.training_pay, stub.pto_pay) == (D("160.00"), D("64.00"), D("160.00"))
    assert stub.gross == D("384.00")


def test_overtime_across_a_workweek_that_spans_two_pay_periods(staff, settings):
    """Periods start on Wednesdays here, so the week of Mon Jan 19 falls in two periods."""
    settings.PAY_PERIOD_ANCHOR = date(2026, 1, 7)
    calculator, _ = staff
    employee = worker(rate=D("25.00"))
    work(employee, calculator, [date(2026, 1, 19), date(2026, 1, 20)], D("10"))  # Mon, Tue: period 1
    first = calculated_run(calculator, date(2026, 1, 7), date(2026, 1, 20), date(2026, 1, 23)).stubs.get()
    assert first.overtime_hours == 0 and first.gross == D("500.00")  # 20 h that week so far
    work(employee, calculator, [date(2026, 1, 21), date(2026, 1, 22), date(2026, 1, 23), date(2026, 1, 24)], D("10"))
    second = calculated_run(calculator, date(2026, 1, 21), date(2026, 2, 3), date(2026, 2, 6)).stubs.get()
    # The week has 60 hours: hours 41-60 fall on Fri and Sat, in period 2. 20 h x $25 x 0.5 = $250 premium.
    assert second.overtime_hours == D("20") and second.overtime_premium == D("250.00")
    assert second.gross == D("1250.00")  # 40 h x $25 + $250


def test_overtime_regular_rate_is_weighted_across_kinds(staff):
    calculator, _ = staff
    employee = worker(rate=D("20.00"), training=D("16.00"))
    monday = date(2026, 10, 5)
    work(employee, calculator, [monday + timedelta(days=n) for n in range(4)], D("10"))  # 40 h production = $800
    work(employee, calculator, [monday + timedelta(days=4)], D("10"), kind="training")  # 10 h training = $160
    stub = calculated_run(calculator).stubs.get()
    # Regular rate = (800 + 160) / 50 h = 19.20; premium = 10 h x 19.20 x 0.5 = 96.00
    assert stub.overtime_hours == D("10") and stub.overtime_premium == D("96.00")
    assert stub.gross == D("1056.00")


def test_a_run_with_a_negative_net_is_refused_with_the_reason(staff):
    calculator, _ = staff
    employee = worker(step4c_extra_withholding=D("500.00"))
    work(employee, calculator, [START], D("8"))  # $200 gross, $500 extra withholding
    run = payruns.payrun_create(calculator, START, END, PAY_DATE)
    with pytest.raises(PayRunError, match=f"negative net to employee {employee.pk}"):
        payruns.payrun_calculate(run.pk, calculator)
    assert not run.stubs.exists()


def test_approval_needs_a_second_person_and_draws_from_the_funds(staff):
    calculator, approver = staff
    fund()
    employee = worker(rate=D("20.00"), training=D("16.00"))
    work(employee, calculator, [START], D("8"))
    work(employee, calculator, [START + timedelta(days=1)], D("5"), kind="training")
    run = calculated_run(calculator)
    with pytest.raises(PayRunError, match="Someone other than"):
        payruns.payrun_approve(run.pk, calculator)
    payruns.payrun_approve(run.pk, approver)
    run.refresh_from_db()
    assert run.status == PayRun.Status.APPROVED and run.approved_by == approver
    stub = run.stubs.get()
    employer = stub.employer_taxes
    cost = stub.gross + employer
    drawn = {p.account.code: p.amount for p in Posting.objects.filter(entry__idempotency_key=f"payrun:{run.pk}:fund-draw")}
    assert drawn["wage_fund"] + drawn["training_fund"] == cost == -drawn["net_assets_released"]
    assert drawn["training_fund"] > 0 and drawn["wage_fund"] > drawn["training_fund"]
    wages = {p.account.code: p.amount for p in Posting.objects.filter(entry__idempotency_key=f"payrun:{run.pk}:wages")}
    assert wages["wage_expense"] == stub.gross and wages["payroll_cash"] == -stub.net
    assert TimeEntry.objects.filter(pay_run=run).count() == 2
    with pytest.raises(PayRunError, match="cannot be recalculated"):
        payruns.payrun_calculate(run.pk, calculator)
    with pytest.raises(PayRunError, match="Only a calculated run"):
        payruns.payrun_approve(run.pk, approver)


def test_void_reverses_the_entries_and_frees_the_hours(staff):
    calculator, approver = staff
    fund()
    employee = worker()
    work(employee, calculator, [START], D("8"))
    run = calculated_run(calculator)
    payruns.payrun_approve(run.pk, approver)
    with pytest.raises(PayRunError, match="why"):
        payruns.payrun_void(run.pk, approver, " ")
    payruns.payrun_void(run.pk, approver, "Wrong hours")
    for code in ("wage_fund", "wage_expense", "payroll_cash"):
        assert sum(p.amount for p in Posting.objects.filter(account__code=code, entry__source_id=run.pk)) == 0
    assert JournalEntry.objects.filter(source_type="payrun-void").count() == 2
    assert not TimeEntry.objects.filter(pay_run=run).exists()
    correction = calculated_run(calculator, kind=PayRun.Kind.CORRECTION)
    assert correction.stubs.get().gross == D("200.00")  # the freed hours are paid again
    assert correction.stubs.get().ytd["gross"] == "200.00"  # the void run does not count


def test_the_calculation_runs_the_same_queries_for_5_or_25_employees(staff):
    calculator, _ = staff

    def run_for(count, start):
        people = [worker() for _ in range(count)]
        for person in people:
            work(person, calculator, list(weekdays(start, start + timedelta(days=13))), D("8"))
        run = payruns.payrun_create(calculator, start, start + timedelta(days=13), start + timedelta(days=18))
        with CaptureQueriesContext(connection) as ctx:
            payruns.payrun_calculate(run.pk, calculator)
        assert run.stubs.count() >= count
        return len(ctx)

    few = run_for(5, date(2026, 8, 10))
    many = run_for(25, date(2026, 8, 24))
    assert many <= few + 10  # the progress bar writes at most ten updates


def test_bonus_runs_withhold_the_flat_supplemental_rate(staff):
    from payroll.models import PayAdjustment

    calculator, _ = staff
    employee = worker()
    run = payruns.payrun_create(calculator, START, END, PAY_DATE, kind=PayRun.Kind.BONUS)
    PayAdjustment.objects.create(pay_run=run, employee=employee, amount=D("500.00"), note="Holiday bonus")
    stub = payruns.payrun_calculate(run.pk, calculator).stubs.get()
    assert stub.bonus == D("500.00") and stub.federal_income_tax == D("110.00")  # 22%
    assert stub.social_security == D("31.00") and stub.medicare == D("7.25")


def test_nacha_file_pays_each_bank_account_its_net(staff):
    calculator, approver = staff
    fund()
    banked = [worker() for _ in range(3)]
    unbanked = EmployeeFactory(bank_routing="", bank_account="", bank_account_type="")
    PayRateFactory(employee=unbanked)
    for person in banked + [unbanked]:
        work(person, calculator, [START], D("8"))
    run = calculated_run(calculator)
    with pytest.raises(PayRunError, match="approved run"):
        payrun_nacha(run.pk)
    payruns.payrun_approve(run.pk, approver)
    parsed = nacha_reader.read_nacha(payrun_nacha(run.pk))
    entries = parsed.batches[0].entries
    assert len(entries) == 3  # the person without bank details is on the paper-check list
    nets = sorted(s.net for s in run.stubs.filter(employee__in=banked))
    assert sorted(D(e["amount"]) / 100 for e in entries) == nets
    assert {e["transaction_code"] for e in entries} == {"22"}
    assert run.stubs.get(employee=unbanked).paid_by_check


def test_the_run_page_tells_the_calculator_a_second_person_approves(client, staff):
    calculator, approver = staff
    ana = worker()
    work(ana, calculator, list(weekdays(START, START + timedelta(days=4))))
    fund()
    client.force_login(calculator)
    run = calculated_run(calculator)  # (the "Calculated." message: tests/browser/test_payroll_journey.py)
    calculated = client.get(f"/staff/payroll/runs/{run.pk}/").content.decode()
    assert "data-waiting-approval" in calculated and ">Approve</button>" not in calculated
    assert "40 h" in calculated and " trn" not in calculated
    client.force_login(approver)
    page = client.get(f"/staff/payroll/runs/{run.pk}/").content.decode()
    assert ">Approve</button>" in page and "data-waiting-approval" not in page
    approved = client.post(f"/staff/payroll/runs/{run.pk}/approve/", follow=True).content.decode()
    # Voiding cannot be undone: it sits behind a step that says so.
    assert '<details class="confirm-step"><summary>Void this run…</summary>' in approved
    assert "it cannot be undone" in approved


def test_staff_download_stubs_as_files_named_by_employee_number(client, staff):
    from payroll.models import PayStub

    calculator, approver = staff
    ana = worker()
    work(ana, calculator, list(weekdays(START, START + timedelta(days=4))))
    fund()
    run = calculated_run(calculator)
    payruns.payrun_approve(run.pk, approver)
    stub = PayStub.objects.get(pay_run=run)
    client.force_login(approver)
    response = client.get(f"/me/pay/stubs/{stub.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="pay-stub-2026-10-23-no{ana.pk}.pdf"' in response["Content-Disposition"]
