"""Year end (issue 20, part d): W-2s, the W-3, W-2c corrections from pay runs made through the
services; the substitute mailing address; the Florida new-hire report and its due dates."""
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from payroll.models import AuditEvent, PayRun
from payroll.selectors.filings import filings_due, new_hires_due
from payroll.selectors.people import mailing_address_lines, new_hires
from payroll.selectors.reports import w2_rows
from payroll.services import paystubs, payruns, yearend
from payroll.services.people import new_hire_mark_reported
from payroll.tax_lines import W2_COLUMNS
from shop.platform import roles
from shop.platform.errors import DomainError
from tests.payroll.factories import EmployeeFactory
from tests.payroll.test_payruns import END, PAY_DATE, START, fund, weekdays, work, worker
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
HOME = "12 Secret Lane\nTampa, FL 33601"
SUBSTITUTE = "P.O. Box 915\nTallahassee, FL 32302"


@pytest.fixture
def staff():
    return UserFactory(roles=[roles.PAYROLL_STAFF]), UserFactory(roles=[roles.PAYROLL_STAFF])


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def paid_year(staff):
    """Ana: 80 h x $25 = $2,000 (fed 156.15, SS 124.00, Medicare 29.00, the worked example in
    test_payruns); Bea: 80 h x $20 = $1,600 (SS 6.2% = 99.20, Medicare 1.45% = 23.20)."""
    calculator, approver = staff
    fund()
    ana, bea = worker(rate=D("25.00")), worker(rate=D("20.00"))
    ana.legal_name, ana.address, ana.mailing_address = "Ana Quinones", HOME, SUBSTITUTE
    ana.ssn = "123-45-6781"
    ana.save()
    bea.legal_name, bea.address, bea.ssn = "Bea Okafor", "7 Palm Road\nTampa, FL 33602", "123-45-6782"
    bea.save()
    for employee in (ana, bea):
        work(employee, calculator, weekdays(START, END), hours=D("8"))
    run = payruns.payrun_create(calculator, START, END, PAY_DATE)
    payruns.payrun_calculate(run.pk, calculator)
    payruns.payrun_approve(run.pk, approver)
    return ana, bea, run


def test_w3_totals_equal_the_sum_of_the_w2s_to_the_cent(staff):
    ana, bea, _ = paid_year(staff)
    rows = w2_rows(2026)
    totals = yearend.w3_totals(rows)
    for column in W2_COLUMNS:
        assert totals[column] == sum(row.boxes[column] for row in rows)
    assert totals["box1_wages"] == D("3600.00") and totals["box3_social_security_wages"] == D("3600.00")
    assert totals["box4_social_security_tax"] == D("223.20")  # 124.00 + 99.20
    assert totals["box6_medicare_tax"] == D("52.20")  # 29.00 + 23.20

    pages = pdf_pages(yearend.all_w2s_pdf(2026))
    assert len(pages) == 2 * 4 + 1  # Copies B, C, 2 and D of each W-2, then the W-3
    w3 = pages[-1]
    assert "Form W-3 Transmittal of Wage and Tax Statements 2026" in w3
    assert "$3,600.00" in w3 and "$223.20" in w3 and "$52.20" in w3 and "c Total number of Forms W-2\n2" in w3
    assert sum("Copy D—For Employer." in page for page in pages) == 2
    assert "123-45-6781" not in "".join(pages) and "123456781" not in "".join(pages)


def test_the_employees_w2_shows_the_boxes_the_truncated_ssn_and_the_substitute_address(staff):
    ana, _, _ = paid_year(staff)
    pages = pdf_pages(yearend.employee_w2_pdf(ana, 2026))
    assert len(pages) == 3
    assert ["Copy B" in pages[0], "Copy C" in pages[1], "Copy 2" in pages[2]] == [True, True, True]
    page = pages[0]
    for figure in ("$2,000.00", "$156.15", "$124.00", "$29.00"):
        assert figure in page
    assert "1 Wages, tips, other compensation\n$2,000.00" in page
    assert "4 Social security tax withheld\n$124.00" in page
    assert "XXX-XX-6781" in page and "123-45-6781" not in page
    assert "12-3456789" in page and "Ana Quinones" in page and "Bea Okafor" not in page
    assert "P.O. Box 915" in page and "Secret Lane" not in page
    assert "15 State / Employer's state ID number\nFL" in page


def test_substitute_address_on_the_stub_and_home_address_where_none_is_set(staff):
    ana, bea, run = paid_year(staff)
    stub = run.stubs.get(employee=ana)
    text = "".join(pdf_pages(paystubs.pay_stub_pdf(stub)))
    assert "P.O. Box 915" in text and "Tallahassee, FL 32302" in text and "Secret Lane" not in text
    assert mailing_address_lines(ana) == ["P.O. Box 915", "Tallahassee, FL 32302"]
    assert mailing_address_lines(bea) == ["7 Palm Road", "Tampa, FL 33602"]  # no substitute: the home address
    assert "7 Palm Road" in "".join(pdf_pages(paystubs.pay_stub_pdf(run.stubs.get(employee=bea))))


def test_a_correction_after_the_w2s_were_issued_gives_a_w2c_for_the_changed_boxes(staff, client):
    calculator, approver = staff
    ana, bea, _ = paid_year(staff)
    client.force_login(calculator)
    assert client.post(reverse("payroll:w2_issue", args=[2026])).status_code == 302
    assert AuditEvent.objects.filter(action="w2.issued").count() == 1
    assert yearend.w2_corrections(2026) == []
    with pytest.raises(DomainError, match="No W-2 for 2026 needs a correction"):
        yearend.w2c_pdf(2026)

    bonus = payruns.payrun_create(calculator, START, END, PAY_DATE, kind=PayRun.Kind.BONUS)
    payruns.payrun_adjustments_set(bonus.pk, calculator, {ana.pk: D("100.00")})
    payruns.payrun_calculate(bonus.pk, calculator)
    payruns.payrun_approve(bonus.pk, approver)

    [correction] = yearend.w2_corrections(2026)
    assert correction.employee == ana
    assert correction.previous["box1_wages"] == D("2000.00") and correction.correct["box1_wages"] == D("2100.00")
    assert correction.correct["box4_social_security_tax"] == D("130.20")  # 124.00 + 6.2% of 100
    assert correction.correct["box6_medicare_tax"] == D("30.45")  # 29.00 + 1.45% of 100
    assert {"box1_wages", "box3_social_security_wages", "box5_medicare_wages"} <= set(correction.changed)

    response = client.get(reverse("payroll:w2c_pdf", args=[2026]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = pdf_pages(response.content)[0]
    assert "Form W-2c Corrected Wage and Tax Statement" in page and "Ana Quinones" in page
    assert "1 Wages, tips, other compensation\n$2,000.00\n$2,100.00" in page
    assert "Bea Okafor" not in "".join(pdf_pages(response.content))  # unchanged: no W-2c

    assert yearend.w2_issue(2026, calculator) == {"issued": 0, "corrected": 1}
    assert yearend.w2_corrections(2026) == []


def test_an_employee_downloads_only_their_own_w2_at_me(staff, client):
    ana, bea, _ = paid_year(staff)
    ana.user, bea.user = UserFactory(), UserFactory()
    ana.save()
    bea.save()
    url = reverse("payroll:my_w2", args=[2026])
    client.force_login(ana.user)
    assert url in client.get(reverse("payroll:my_pay")).content.decode()
    text = "".join(pdf_pages(client.get(url).content))
    assert "Ana Quinones" in text and "Bea Okafor" not in text
    assert client.get(reverse("payroll:my_w2", args=[2025])).status_code == 404  # nothing paid that year
    client.force_login(bea.user)
    text = "".join(pdf_pages(client.get(url).content))
    assert "Bea Okafor" in text and "Ana Quinones" not in text
    client.force_login(staff[0])  # payroll staff have no W-2 of their own here
    assert client.get(url).status_code == 404
    staff_pdf = client.get(reverse("payroll:w2_pdf", args=[2026]))
    assert staff_pdf.status_code == 200 and "Bea Okafor" in "".join(pdf_pages(staff_pdf.content))


def test_new_hire_reports_are_due_20_days_after_hire_and_listed_until_reported(staff, client):
    hired = EmployeeFactory(hire_date=date(2026, 11, 2), legal_name="Cara New", address=HOME,
                            mailing_address=SUBSTITUTE, ssn="123-45-6783")
    EmployeeFactory(hire_date=date(2026, 1, 5), new_hire_reported_on=date(2026, 1, 9))
    [listed] = [h for h in new_hires() if h.employee == hired]
    assert listed.due == date(2026, 11, 22)  # 20 days (s. 409.2576, Florida Statutes)

    [due] = new_hires_due(date(2026, 11, 22))
    assert due.due == date(2026, 11, 22) and due.overdue is False and "Cara" not in due.label
    assert f"employee no. {hired.pk} (hired Nov 2, 2026)" in due.label  # two hires of a day told apart
    [late] = new_hires_due(date(2026, 11, 23))
    assert late.overdue is True and late.url == reverse("payroll:new_hires")
    assert [f for f in filings_due(date(2026, 11, 23)) if "new-hire" in f.label] == [late]

    client.force_login(staff[0])
    csv_text = client.get(reverse("payroll:new_hires_csv")).content.decode()
    assert "Cara New" in csv_text and "123-45-6783" in csv_text and "2026-11-02" in csv_text
    assert "12 Secret Lane Tampa, FL 33601" in csv_text and "P.O. Box 915" not in csv_text  # the state asks where they live
    page = client.get(reverse("payroll:new_hires")).content.decode()
    assert "Cara New" in page and "Nov 22, 2026" in page

    bad = client.post(reverse("payroll:new_hires"), {"employee": hired.pk, "reported_on": "2026-10-01"})
    assert bad.status_code == 400 and "before the date of hire" in bad.content.decode()
    assert client.post(reverse("payroll:new_hires"), {"employee": "x"}).status_code == 400
    hired.refresh_from_db()
    assert hired.new_hire_reported_on is None

    assert client.post(reverse("payroll:new_hires"), {"employee": hired.pk, "reported_on": "2026-11-20"}).status_code == 302
    hired.refresh_from_db()
    assert hired.new_hire_reported_on == date(2026, 11, 20)
    assert AuditEvent.objects.filter(action="new_hire.reported", employee_id=hired.pk).exists()
    assert new_hires_due(date(2026, 12, 7)) == []


def test_marking_a_report_before_the_hire_date_is_refused_by_the_service(staff):
    hired = EmployeeFactory(hire_date=date(2026, 11, 2))
    with pytest.raises(DomainError, match="before the date of hire"):
        new_hire_mark_reported(hired.pk, date(2026, 11, 1), staff[0])


def test_the_admin_says_where_the_home_address_is_used_and_keeps_the_substitute_encrypted(staff, client):
    from django.db import connection

    from tests.payroll.test_admin_services import employee_form

    employee = EmployeeFactory(address=HOME)
    client.force_login(staff[0])
    url = reverse("admin:payroll_employee_change", args=[employee.pk])
    page = client.get(url).content.decode()
    assert "the Florida new-hire report and the W-4 file" in page
    assert client.post(url, employee_form(employee, mailing_address=SUBSTITUTE)).status_code == 302
    employee.refresh_from_db()
    assert mailing_address_lines(employee) == ["P.O. Box 915", "Tallahassee, FL 32302"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT mailing_address FROM payroll_employee WHERE id = %s", [employee.pk])
        stored = cursor.fetchone()[0]
    assert "P.O. Box" not in stored and stored  # encrypted at rest
