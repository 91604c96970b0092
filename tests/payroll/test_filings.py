"""Quarterly and annual filings from pay runs made through the services: Form 941 and its
deposit schedule, the deposits staff record, Form 940 (FUTA), Florida RT-6, what is due.

Every expected figure is worked out by hand in the comments (rates: Form 941 instructions
lines 5a/5c/5d; bonus runs withhold the 22% supplemental rate, Pub 15 section 7).
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from payroll.models import AuditEvent, PayRun, TaxDeposit
from payroll.selectors import filings
from payroll.services import payruns
from payroll.services.filings import FilingError, deposit_record, payroll_setting_add
from shop.platform import roles
from tests.payroll.factories import EmployeeFactory, PayRateFactory, W4Factory
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def pays_futa(settings):
    """These tests' organisation pays FUTA unless a PayrollSetting row says it is a 501(c)(3)
    (the site's default, FUTA_EXEMPT, is a 501(c)(3): see the test of the default below)."""
    settings.FUTA_EXEMPT = False


@pytest.fixture
def staff():
    return UserFactory(roles=[roles.PAYROLL_STAFF]), UserFactory(roles=[roles.PAYROLL_STAFF])


def person():
    employee = EmployeeFactory()
    PayRateFactory(employee=employee)
    W4Factory(employee=employee)
    return employee


def pay(staff, pay_date, amounts, period=None):
    """An off-cycle run paying ``amounts`` ({employee: Decimal}) on ``pay_date``, calculated by
    one staff member and approved by the other (over the fund check: the funds are not the point)."""
    calculator, approver = staff
    start, end = period or (pay_date - timedelta(days=18), pay_date - timedelta(days=5))
    run = payruns.payrun_create(calculator, start, end, pay_date, kind=PayRun.Kind.BONUS)
    payruns.payrun_adjustments_set(run.pk, calculator, {e.pk: amount for e, amount in amounts.items()})
    payruns.payrun_calculate(run.pk, calculator)
    return payruns.payrun_approve(run.pk, approver, override_reason="test of the filings")


@pytest.fixture
def first_quarter(staff):
    """A pays $45,000 five times (crossing the $184,500 Social Security wage base and the
    $200,000 Additional Medicare threshold on Mar 27); B and C $100.03 once, on Mar 27."""
    a, b, c = person(), person(), person()
    for day in (date(2026, 1, 16), date(2026, 1, 30), date(2026, 2, 13), date(2026, 3, 13)):
        pay(staff, day, {a: D("45000.00")})
    # The last run's period (Mar 9-22) includes Mar 12: Form 941 line 1 counts its three people.
    pay(staff, date(2026, 3, 27), {a: D("45000.00"), b: D("100.03"), c: D("100.03")},
        period=(date(2026, 3, 9), date(2026, 3, 22)))
    return a, b, c


def test_form_941_monthly_depositor_crossing_the_wage_base_and_additional_medicare(first_quarter):
    form = filings.form_941(2026, 1)
    assert form.line1 == 3
    assert form.line2 == D("225200.06")  # 5 x 45,000 + 2 x 100.03
    assert form.line3 == D("49544.02")  # 5 x 9,900 (22% of 45,000) + 2 x 22.01 (22% of 100.03)
    assert form.line5a_wages == D("184700.06")  # A only up to 184,500, B and C in full
    assert form.line5a_tax == D("22902.81")  # 184,700.06 x 0.124 = 22,902.80744
    assert form.line5c_wages == D("225200.06")
    assert form.line5c_tax == D("6530.80")  # 225,200.06 x 0.029 = 6,530.80174
    assert form.line5d_wages == D("25000.00")  # A's wages over 200,000
    assert form.line5d_tax == D("225.00")
    assert form.line5e == D("29658.61")
    assert form.line6 == D("79202.63")
    # Withheld and owed per stub: A 2 x 11,439.00 + 3,487.50 + 3,262.50 = 29,628.00; B and C
    # 2 x (6.20 + 6.20 + 1.45 + 1.45) = 30.60; together 29,658.60, a cent below line 5e.
    assert form.line7 == D("-0.01")
    assert form.line10 == form.line12 == D("79202.62")
    assert form.line13 == D("0") and form.line14 == D("79202.62") and form.line15 == D("0")
    assert form.schedule == filings.MONTHLY and form.schedule_b == {}
    # Jan: 2 x 16,785 (9,900 + 5,580 + 1,305); Feb: 16,785; Mar: 16,785 + A's 11,988
    # (9,900 + 2 x 279 + 877.50 + 652.50) + 2 x 37.31 (22.01 + 15.30).
    assert form.months == (D("33570.00"), D("16785.00"), D("28847.62"))
    assert form.total_liability == form.line12


def test_monthly_deposits_are_due_on_the_15th_moved_past_weekends_and_holidays(first_quarter):
    due = [(d.liability.start, d.liability.amount, d.liability.due, d.liability.rule) for d in filings.deposits(2026)]
    assert due == [
        # Feb 15 2026 is a Sunday and Feb 16 Washington's Birthday.
        (date(2026, 1, 16), D("33570.00"), date(2026, 2, 17), "monthly"),
        (date(2026, 2, 13), D("16785.00"), date(2026, 3, 16), "monthly"),  # Mar 15 is a Sunday
        (date(2026, 3, 13), D("28847.62"), date(2026, 4, 15), "monthly"),
    ]


@pytest.fixture
def second_quarter(staff):
    """Six people paid $50,000 on Fri Apr 10: $111,900 of liability in a day (the $100,000
    next-day rule makes the organisation a semiweekly depositor); then $1,000 on Wed Apr 22,
    Fri Apr 24 and Tue May 5."""
    people = [person() for _ in range(6)]
    pay(staff, date(2026, 4, 10), {p: D("50000.00") for p in people})
    pay(staff, date(2026, 4, 22), {people[0]: D("1000.00")})
    pay(staff, date(2026, 4, 24), {people[1]: D("1000.00")})
    pay(staff, date(2026, 5, 5), {people[2]: D("1000.00")})
    return people


def test_the_100000_day_makes_a_semiweekly_depositor_with_schedule_b(second_quarter):
    schedule = filings.deposit_schedule(2026)
    assert schedule.kind == filings.MONTHLY and schedule.became_semiweekly_on == date(2026, 4, 10)
    assert [(li.start, li.end, li.amount, li.due, li.rule) for li in schedule.liabilities] == [
        # each $50,000: 11,000 income tax + 2 x 3,100 + 2 x 725 = 18,650; x 6 = 111,900
        (date(2026, 4, 10), date(2026, 4, 10), D("111900.00"), date(2026, 4, 13), "next-day ($100,000)"),
        # each $1,000: 220 + 2 x 62 + 2 x 14.50 = 373; Wed-Fri -> the next Wednesday
        (date(2026, 4, 22), date(2026, 4, 24), D("746.00"), date(2026, 4, 29), "semiweekly"),
        (date(2026, 5, 5), date(2026, 5, 5), D("373.00"), date(2026, 5, 8), "semiweekly"),  # Tue -> Friday
    ]
    form = filings.form_941(2026, 2)
    assert form.schedule == filings.SEMIWEEKLY
    assert form.line2 == D("303000.00") and form.line3 == D("66660.00")
    assert form.line5a_tax == D("37572.00") and form.line5c_tax == D("8787.00") and form.line5d_tax == D("0.00")
    assert form.line7 == D("0.00") and form.line12 == D("113019.00")
    assert form.schedule_b == {date(2026, 4, 10): D("111900.00"), date(2026, 4, 22): D("373.00"),
                               date(2026, 4, 24): D("373.00"), date(2026, 5, 5): D("373.00")}
    assert form.total_liability == form.line12
    assert form.line1 == 0  # nobody was paid for a period including June 12


def test_recorded_deposits_feed_line_13_once_and_are_audited(second_quarter, staff):
    calculator, _ = staff
    deposit = deposit_record(calculator, liability_start=date(2026, 4, 10), liability_end=date(2026, 4, 10),
                             paid_on=date(2026, 4, 13), confirmation="2702 6101 2345 678")
    assert (deposit.amount, deposit.due, deposit.confirmation) == (D("111900.00"), date(2026, 4, 13), "270261012345678")
    event = AuditEvent.objects.get(action="tax_deposit.recorded")
    assert event.detail["late"] is False
    form = filings.form_941(2026, 2)
    assert form.line13 == D("111900.00") and form.line14 == D("1119.00") and form.line15 == D("0")
    with pytest.raises(FilingError, match="already recorded"):
        deposit_record(calculator, liability_start=date(2026, 4, 10), liability_end=date(2026, 4, 10),
                       paid_on=date(2026, 4, 13), confirmation="270261012345678")
    with pytest.raises(FilingError, match="15 digits"):
        deposit_record(calculator, liability_start=date(2026, 4, 22), liability_end=date(2026, 4, 24),
                       paid_on=date(2026, 4, 29), confirmation="12345")
    with pytest.raises(FilingError, match="no deposit due"):
        deposit_record(calculator, liability_start=date(2026, 4, 22), liability_end=date(2026, 4, 23),
                       paid_on=date(2026, 4, 29), confirmation="270261012345679")
    assert TaxDeposit.objects.count() == 1


def test_filings_due_lists_the_quarters_returns_and_the_unpaid_deposits(second_quarter, staff):
    deposit_record(staff[0], liability_start=date(2026, 4, 10), liability_end=date(2026, 4, 10),
                   paid_on=date(2026, 4, 13), confirmation="270261012345678")
    returns = [f for f in filings.filings_due(date(2026, 7, 10)) if "new-hire" not in f.label]  # those: test_yearend
    due = [(f.label, f.due, f.overdue) for f in returns]
    assert due == [
        ("Federal tax deposit, pay dates Apr 22–Apr 24, 2026", date(2026, 4, 29), True),
        ("Federal tax deposit, pay date May 5, 2026", date(2026, 5, 8), True),
        ("Florida RT-6, Q2 2026", date(2026, 7, 31), False),
        ("Form 941, Q2 2026", date(2026, 7, 31), False),
    ]
    assert all(f.url.startswith("/staff/payroll/filings/?year=2026&quarter=2") for f in returns)


@pytest.fixture
def crossing_7000(staff):
    """D earns 5,000 in January and February and 1,000 in April; E 3,000.33 in May."""
    d, e = person(), person()
    pay(staff, date(2026, 1, 16), {d: D("5000.00")})
    pay(staff, date(2026, 2, 13), {d: D("5000.00")})
    pay(staff, date(2026, 4, 10), {d: D("1000.00")})
    pay(staff, date(2026, 5, 8), {e: D("3000.33")})
    return d, e


def test_rt6_excess_wages_over_the_7000_base_and_the_rate_setting(crossing_7000, staff):
    payroll_setting_add(staff[0], effective_from=date(2026, 1, 1), section_501c3=False,
                        reemployment_tax_rate=D("0.01"), reimbursing_employer=False)
    q1 = filings.rt6(2026, 1)
    assert (q1.gross_wages, q1.excess_wages, q1.taxable_wages) == (D("10000.00"), D("3000.00"), D("7000.00"))
    assert q1.tax_due == D("70.00")  # 7,000 x 1%
    q2 = filings.rt6(2026, 2)
    # D is past the base (1,000 excess); E's 3,000.33 is all taxable: x 1% = 30.0033
    assert (q2.gross_wages, q2.excess_wages, q2.taxable_wages, q2.tax_due) == (
        D("4000.33"), D("1000.00"), D("3000.33"), D("30.00"))


def test_a_reimbursing_employer_files_the_wage_report_without_tax(crossing_7000, staff):
    payroll_setting_add(staff[0], effective_from=date(2026, 4, 1), section_501c3=True,
                        reemployment_tax_rate=D("0.027"), reimbursing_employer=True)
    q1, q2 = filings.rt6(2026, 1), filings.rt6(2026, 2)
    assert q1.tax_due == D("189.00") and not q1.reimbursing  # before the election: 7,000 x 2.7%
    assert q2.reimbursing and q2.tax_due == D("0") and q2.gross_wages == D("4000.33")


def test_form_940_futa_on_the_first_7000(crossing_7000):
    form = filings.form_940(2026)
    assert not form.exempt
    assert (form.line3, form.line5, form.line7, form.line8) == (D("14000.33"), D("4000.00"), D("10000.33"), D("60.00"))
    # Q1: 7,000 x 0.6% = 42.00; Q2: 60.00 (10,000.33 x 0.006 = 60.00198) - 42.00
    assert form.quarters == (D("42.00"), D("18.00"), D("0.00"), D("0.00")) and form.line17 == form.line8


def test_a_501c3_owes_no_futa_and_has_no_form_940_due(crossing_7000, staff):
    assert [f.label for f in filings.filings_due(date(2027, 1, 20)) if "940" in f.label] == ["Form 940, 2026"]
    payroll_setting_add(staff[0], effective_from=date(2026, 1, 1), section_501c3=True,
                        reemployment_tax_rate=D("0.027"), reimbursing_employer=False)
    form = filings.form_940(2026)
    assert form.exempt and form.line8 == D("0") and form.line17 == D("0")
    assert not [f for f in filings.filings_due(date(2027, 1, 20)) if "940" in f.label]


def test_settings_refuse_a_bad_rate_and_a_second_row_for_a_date(staff):
    with pytest.raises(FilingError, match="between 0 and 0.054"):
        payroll_setting_add(staff[0], effective_from=date(2026, 1, 1), section_501c3=False,
                            reemployment_tax_rate=D("0.27"), reimbursing_employer=False)
    payroll_setting_add(staff[0], effective_from=date(2026, 1, 1), section_501c3=False,
                        reemployment_tax_rate=D("0.027"), reimbursing_employer=False)
    with pytest.raises(FilingError, match="already settings"):
        payroll_setting_add(staff[0], effective_from=date(2026, 1, 1), section_501c3=True,
                            reemployment_tax_rate=D("0.027"), reimbursing_employer=False)


def test_semiweekly_due_dates_follow_pub_15():
    assert filings.semiweekly_due(date(2026, 12, 2)) == date(2026, 12, 9)  # Wed -> next Wed
    assert filings.semiweekly_due(date(2026, 12, 8)) == date(2026, 12, 11)  # Tue -> Fri
    # Fri Dec 18 -> Wed Dec 23: three business days after Fri (Mon 21, Tue 22, Wed 23)
    assert filings.semiweekly_due(date(2026, 12, 18)) == date(2026, 12, 23)
    # Tue Dec 22 -> Fri Dec 25 is Christmas: Mon Dec 28
    assert filings.semiweekly_due(date(2026, 12, 22)) == date(2026, 12, 28)
    assert filings.next_business_day(date(2026, 11, 25)) == date(2026, 11, 27)  # Thanksgiving Nov 26


def test_the_filings_page_and_downloads_show_the_quarter(first_quarter, client, staff, django_assert_max_num_queries):
    from tests.support.factories import login_with_mfa

    login_with_mfa(client, staff[0])
    with django_assert_max_num_queries(40):
        page = client.get("/staff/payroll/filings/?year=2026&quarter=1")
    assert page.status_code == 200
    body = page.content.decode()
    assert "$79,202.62" in body and "$28,847.62" in body and "Feb 17, 2026" in body
    csv = client.get("/staff/payroll/filings/2026/q1/941.csv").content.decode()
    assert "12,Total taxes after adjustments and nonrefundable credits,79202.62" in csv.replace("\r", "")
    assert "7,Current quarter's adjustment for fractions of cents,-0.01" in csv.replace("\r", "")
    rt6 = client.get("/staff/payroll/filings/2026/q1/rt6.csv").content.decode()
    assert '3,"Excess wages (over $7,000 per employee this calendar year)",218000.00' in rt6  # A: 225,000 - 7,000
    assert "4,Taxable wages,7200.06" in rt6 and "5,Tax due,194.40" in rt6  # 7,000 + 2 x 100.03; x 2.7% = 194.40162
    pdf = client.get("/staff/payroll/filings/2026/q1/941.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get("/staff/payroll/filings/?year=1999&quarter=1").status_code == 200  # out of range: the default
    assert client.get("/staff/payroll/filings/2031/q1/941.csv").status_code == 404  # no tax tables


def test_marking_a_deposit_paid_is_a_post_with_a_message_for_bad_input(first_quarter, client, staff):
    from tests.support.factories import login_with_mfa

    login_with_mfa(client, staff[0])
    bad = client.post("/staff/payroll/filings/deposits/paid/", {
        "liability_start": "2026-01-16", "liability_end": "2026-01-30", "paid_on": "2026-02-17", "confirmation": "12"})
    assert bad.status_code == 302 and not TaxDeposit.objects.exists()
    good = client.post("/staff/payroll/filings/deposits/paid/", {
        "liability_start": "2026-01-16", "liability_end": "2026-01-30", "paid_on": "2026-02-17",
        "confirmation": "270261012345678"})
    assert good.status_code == 302 and good["Location"].endswith("?year=2026&quarter=1")
    assert TaxDeposit.objects.get().amount == D("33570.00")
    assert filings.form_941(2026, 1).line13 == D("33570.00")


def test_the_admin_adds_settings_through_the_service_and_never_changes_them(client):
    from django.urls import reverse

    superuser = UserFactory(is_staff=True, is_superuser=True)
    from tests.support.factories import login_with_mfa

    login_with_mfa(client, superuser)
    response = client.post(reverse("admin:payroll_payrollsetting_add"), {
        "effective_from": "2026-01-01", "section_501c3": "on", "reemployment_tax_rate": "0.01", "note": "IRS letter"})
    assert response.status_code == 302
    assert filings.settings_on(date(2026, 6, 1)).section_501c3 is True
    assert AuditEvent.objects.filter(action="payroll_setting.added").count() == 1
    bad = client.post(reverse("admin:payroll_payrollsetting_add"), {
        "effective_from": "2026-02-01", "reemployment_tax_rate": "0.5"})
    assert bad.status_code == 200 and "0.054" in bad.content.decode()  # the field error, nothing saved
    assert filings.settings_on(date(2026, 6, 1)).reemployment_tax_rate == D("0.01000")


def test_the_forms_read_a_fixed_number_of_queries(first_quarter, staff, django_assert_num_queries):
    # Form 941: the lookback's two calendar years, the year's stubs, the quarter's stubs, deposits.
    with django_assert_num_queries(5):
        filings.form_941(2026, 1)
    pay(staff, date(2026, 3, 20), {first_quarter[1]: D("10.00")})  # one more run, no more queries
    with django_assert_num_queries(5):
        filings.form_941(2026, 1)
    with django_assert_num_queries(2):  # the setting, the year's stubs
        filings.form_940(2026)


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_rt6_pdf_has_the_figures_and_the_wage_listing_by_name_and_last_four(crossing_7000, client, staff):
    from tests.support.factories import login_with_mfa

    d, e = crossing_7000
    payroll_setting_add(staff[0], effective_from=date(2026, 1, 1), section_501c3=False,
                        reemployment_tax_rate=D("0.01"), reimbursing_employer=False)
    login_with_mfa(client, staff[0])
    page = client.get("/staff/payroll/filings/?year=2026&quarter=2").content.decode()
    assert 'href="/staff/payroll/filings/2026/q2/rt6.pdf"' in page
    response = client.get("/staff/payroll/filings/2026/q2/rt6.pdf")
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    body = pdf_text(response.content)
    # Q2: D 1,000 (all over the base), E 3,000.33 (all under it); tax 3,000.33 x 1% = 30.00
    assert "$4,000.33" in body and "$1,000.00" in body and "$3,000.33" in body and "$30.00" in body
    assert d.legal_name in body and e.legal_name in body
    assert f"XXX-XX-{d.ssn[-4:]}" in body and d.ssn not in body  # last four only, never the full number
    assert AuditEvent.objects.filter(action="rt6.exported", detail__format="pdf").count() == 1


def test_form_940_downloads_for_an_organisation_that_pays_futa(crossing_7000, client, staff):
    from tests.support.factories import login_with_mfa

    login_with_mfa(client, staff[0])
    page = client.get("/staff/payroll/filings/?year=2026&quarter=4").content.decode()
    assert 'href="/staff/payroll/filings/2026/940.pdf"' in page and 'href="/staff/payroll/filings/2026/940.csv"' in page
    assert "$10,000.33" in page  # line 7
    csv = client.get("/staff/payroll/filings/2026/940.csv").content.decode().replace("\r", "")
    # line 3: 5,000 + 5,000 + 1,000 + 3,000.33; line 5: D's 4,000 over 7,000; line 8: 10,000.33 x 0.006 = 60.00198
    assert "3,Total payments to all employees,14000.33" in csv
    assert "5,\"Total of payments made to each employee in excess of $7,000\",4000.00" in csv
    assert "8,FUTA tax before adjustments (line 7 x 0.006),60.00" in csv
    assert "16a,\"Tax liability, quarter 1\",42.00" in csv and "16b,\"Tax liability, quarter 2\",18.00" in csv
    body = pdf_text(client.get("/staff/payroll/filings/2026/940.pdf").content)
    assert "Form 940 worksheet" in body and "$14,000.33" in body and "$60.00" in body
    other_quarter = client.get("/staff/payroll/filings/?year=2026&quarter=2").content.decode()
    assert "940.pdf" not in other_quarter and "?year=2026&amp;quarter=4" in other_quarter


def test_a_501c3_is_told_it_is_futa_exempt_and_gets_no_form_940(crossing_7000, client, staff):
    from tests.support.factories import login_with_mfa

    payroll_setting_add(staff[0], effective_from=date(2026, 1, 1), section_501c3=True,
                        reemployment_tax_rate=D("0.027"), reimbursing_employer=False)
    login_with_mfa(client, staff[0])
    for quarter in (2, 4):
        page = client.get(f"/staff/payroll/filings/?year=2026&quarter={quarter}").content.decode()
        assert "FUTA-exempt" in page and "940.pdf" not in page and "940.csv" not in page
    assert client.get("/staff/payroll/filings/2026/940.pdf").status_code == 404
    assert client.get("/staff/payroll/filings/2026/940.csv").status_code == 404
    assert not AuditEvent.objects.filter(action="form940.exported").exists()


def test_other_staff_cannot_download_the_rt6_or_940(crossing_7000, client):
    from tests.support.factories import login_with_mfa

    login_with_mfa(client, UserFactory(roles=[roles.PROGRAM_STAFF]))
    for url in ("/staff/payroll/filings/2026/q2/rt6.pdf", "/staff/payroll/filings/2026/940.csv",
                "/staff/payroll/filings/2026/940.pdf"):
        assert client.get(url).status_code == 403, url


def test_only_a_superuser_adds_payroll_settings_even_with_the_permission_granted(client):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    from payroll.models import PayrollSetting
    from tests.support.factories import login_with_mfa

    clerk = UserFactory(roles=[roles.PAYROLL_STAFF], is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["add_payrollsetting", "view_payrollsetting",
                                                                        "add_taxdeposit", "change_taxdeposit"]))
    login_with_mfa(client, clerk)
    refused = client.post(reverse("admin:payroll_payrollsetting_add"), {
        "effective_from": "2026-01-01", "section_501c3": "on", "reemployment_tax_rate": "0.01"})
    assert refused.status_code == 403 and not PayrollSetting.objects.exists()
    assert client.get(reverse("admin:payroll_taxdeposit_add")).status_code == 403  # recorded on the filings page


def test_the_filings_page_says_which_tax_settings_it_used(first_quarter, client, staff):
    from tests.support.factories import login_with_mfa

    payroll_setting_add(staff[0], effective_from=date(2026, 1, 1), section_501c3=True,
                        reemployment_tax_rate=D("0.01"), reimbursing_employer=False)
    login_with_mfa(client, staff[0])
    page = client.get("/staff/payroll/filings/?year=2026&quarter=1").content.decode()
    assert "Tax settings from Jan 1, 2026: a 501(c)(3); reemployment tax rate 1%" in page


# The lookback period for 2027 is Jul 1, 2025 to Jun 30, 2026 (Pub 15 section 11: "$50,000
# or less" of Form 941 taxes in it makes a monthly schedule depositor, more a semiweekly one).
# Pay runs made through the services in 2026 decide 2027's schedule (there are no 2025 or
# 2027 tax tables, so no run can be calculated on those years' pay dates; 2026's are enough).
# A bonus of G withholds 22% of it (Pub 15 section 7) and owes 6.2% + 6.2% Social Security
# and 1.45% + 1.45% Medicare, each line rounded to the cent.


@pytest.fixture
def lookback_of_50000(staff):
    """$50,000.00 of liability exactly, from Jan 2 to Jun 30, 2026, and a run on Jul 1."""
    a, b, c, d, e = (person() for _ in range(5))
    pay(staff, date(2026, 1, 2), {a: D("50000.00"), b: D("50000.00")})  # 2 x (11,000 + 2 x 3,100 + 2 x 725) = 37,300
    # c: 6,600 + 2 x 1,860 + 2 x 435 = 11,190; d: 890.62 (890.6172) + 2 x 250.99 (250.99212)
    # + 2 x 58.70 (58.69977) = 1,510.00; on the lookback period's last day.
    pay(staff, date(2026, 6, 30), {c: D("30000.00"), d: D("4048.26")})
    pay(staff, date(2026, 7, 1), {e: D("10000.00")})  # 2,200 + 2 x 620 + 2 x 145 = 3,730: 2028's lookback
    return a, b, c, d, e


def test_a_lookback_of_50000_or_less_keeps_a_monthly_depositor_and_july_is_outside_it(lookback_of_50000):
    schedule = filings.deposit_schedule(2027)
    assert (schedule.lookback_start, schedule.lookback_end) == (date(2025, 7, 1), date(2026, 6, 30))
    assert schedule.lookback_total == D("50000.00") and schedule.kind == filings.MONTHLY
    later = filings.deposit_schedule(2028)  # Jul 1, 2026 to Jun 30, 2027
    assert later.lookback_total == D("3730.00") and later.kind == filings.MONTHLY
    # 2026's own lookback (Jul 2024 to Jun 2025) had no payroll: a new employer deposits monthly.
    this_year = filings.deposit_schedule(2026)
    assert this_year.lookback_total == D("0") and this_year.kind == filings.MONTHLY
    assert [(li.start, li.amount, li.due, li.rule) for li in this_year.liabilities] == [
        (date(2026, 1, 2), D("37300.00"), date(2026, 2, 17), "monthly"),  # Feb 15 a Sunday, Feb 16 a holiday
        (date(2026, 6, 30), D("12700.00"), date(2026, 7, 15), "monthly"),
        (date(2026, 7, 1), D("3730.00"), date(2026, 8, 17), "monthly"),  # Aug 15 a Saturday
    ]


def test_a_lookback_over_50000_makes_a_semiweekly_depositor(lookback_of_50000, staff):
    # $10 more on Jun 29: 2.20 + 2 x 0.62 + 2 x 0.15 (0.145 rounded half up) = 3.74
    pay(staff, date(2026, 6, 29), {lookback_of_50000[0]: D("10.00")})
    schedule = filings.deposit_schedule(2027)
    assert schedule.lookback_total == D("50003.74") and schedule.kind == filings.SEMIWEEKLY
    assert filings.deposit_schedule(2028).kind == filings.MONTHLY  # Jun 29 is outside 2028's lookback


def test_before_any_settings_row_the_organisation_is_what_futa_exempt_says(crossing_7000, client, staff, settings):
    from tests.support.factories import login_with_mfa

    settings.FUTA_EXEMPT = True  # the default: a 501(c)(3), as the site's footer says
    assert filings.settings_on(date(2026, 12, 31)).section_501c3 is True and filings.form_940(2026).exempt
    assert not [f for f in filings.filings_due(date(2027, 1, 20)) if "940" in f.label]
    login_with_mfa(client, staff[0])
    page = client.get("/staff/payroll/filings/?year=2026&quarter=4").content.decode()
    assert "FUTA-exempt" in page and "Tax settings (none recorded yet, so the defaults): a 501(c)(3)" in page
    # A row from a date overrides the default from then on.
    payroll_setting_add(staff[0], effective_from=date(2026, 7, 1), section_501c3=False,
                        reemployment_tax_rate=D("0.027"), reimbursing_employer=False)
    assert filings.settings_on(date(2026, 6, 30)).section_501c3 is True
    assert not filings.form_940(2026).exempt  # the standing on Dec 31 decides the year
