"""One definition of the payroll tax lines (issue 17): every place that shows or adds up taxes
shows every line of ``payroll.tax_lines.TAX_LINES``, and the state's unemployment tax is named
from the tax tables for the organisation's state."""
import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import models
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from payroll.models import PayStub
from payroll.services.paystubs import pay_stub_pdf
from payroll.services.payruns import YTD_FIELDS
from payroll.tax_lines import (
    EMPLOYEE,
    EMPLOYEE_LINES,
    EMPLOYER,
    EMPLOYER_LINES,
    TAX_CODES,
    TAX_LINES,
    W2_COLUMNS,
    W2_LINES,
    state_unemployment_name,
)
from payroll.withholding import W4, PeriodTaxes, period_taxes
from shop.platform import roles
from shop.templatetags.money import usd
from tests.support.factories import UserFactory
from tests.payroll.factories import EmployeeFactory, PayRunFactory, PayStubFactory

pytestmark = pytest.mark.django_db
D = Decimal

# A different amount on every line (cents 01, 02, ...), so each one can be found on its own.
AMOUNTS = {code: D("100.00") + D(i) + D(i) / 100 for i, code in enumerate(TAX_CODES, start=1)}


def stub_with_distinct_amounts(**kwargs):
    employee_taxes = sum((AMOUNTS[line.code] for line in EMPLOYEE_LINES), D(0))
    stub = PayStubFactory(gross=D("2000.00"), net=D("2000.00") - employee_taxes, **AMOUNTS, **kwargs)
    stub.ytd = {"gross": "4000.00", "net": str(2 * stub.net),
                **{line.code: str(2 * AMOUNTS[line.code]) for line in TAX_LINES if line.ytd}}
    stub.save()
    return stub


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


# --------------------------------------------------------------------------- the definition


def test_the_definition_is_consistent_with_the_stub_and_the_calculation():
    assert len(set(TAX_CODES)) == len(TAX_CODES)
    assert {line.side for line in TAX_LINES} == {EMPLOYEE, EMPLOYER}
    assert EMPLOYEE_LINES + EMPLOYER_LINES == tuple(sorted(TAX_LINES, key=lambda line: line.side != EMPLOYEE))
    for line in TAX_LINES:  # each line is a money column of the stub, with a label
        field = PayStub._meta.get_field(line.code)
        assert isinstance(field, models.DecimalField) and (field.max_digits, field.decimal_places) == (12, 2)
        assert line.label and line.register_label and line.report_label
    # The calculation gives exactly the lines, and the sides add up from them.
    taxes = period_taxes(D("2000"), 26, W4(), 2026, D("0"), D("0.027"), D("7000"))
    assert list(taxes.amounts) == list(TAX_CODES)
    assert taxes.employee_withholding == sum((taxes.amounts[line.code] for line in EMPLOYEE_LINES), D(0))
    assert taxes.employer_taxes == sum((taxes.amounts[line.code] for line in EMPLOYER_LINES), D(0))
    # Year to date: gross, net, training pay and exactly the lines marked ytd.
    assert set(YTD_FIELDS) == {"gross", "net", "training_pay"} | {line.code for line in TAX_LINES if line.ytd}
    # W-2: every line with boxes, the boxes numbered 1 to 6 without a gap or a repeat.
    boxes = [n for line in W2_LINES for n in (line.w2.wages_box, line.w2.tax_box)]
    assert boxes == list(range(1, len(boxes) + 1)) and len(W2_COLUMNS) == len(boxes)


def test_period_taxes_wants_every_line_and_nothing_else():
    with pytest.raises(TypeError, match="missing"):
        PeriodTaxes(federal_income_tax=D("1.00"))
    taxes = PeriodTaxes(**AMOUNTS)
    with pytest.raises(TypeError, match="unknown"):
        taxes.replace(state_income_tax=D("1.00"))
    assert taxes.replace(federal_income_tax=D("0.00")).federal_income_tax == D("0.00")
    assert taxes.federal_income_tax == AMOUNTS["federal_income_tax"]  # the original is unchanged
    with pytest.raises(AttributeError):
        taxes.federal_income_tax = D("0")


def test_the_state_unemployment_tax_is_named_by_the_organisations_state():
    assert state_unemployment_name("FL") == "Florida reemployment tax"  # payroll/tax_tables/states.json
    assert state_unemployment_name("ZZ") == "State unemployment tax"
    line = next(line for line in TAX_LINES if line.code == "state_unemployment")
    assert line.label == state_unemployment_name(settings.MENDED_ORG["STATE"])
    with override_settings(MENDED_ORG={**settings.MENDED_ORG, "STATE": "GA"}):
        assert line.label == "State unemployment tax"


# --------------------------------------------------------------------------- where lines are shown


def test_the_stub_pdf_shows_every_line_of_the_definition():
    stub = stub_with_distinct_amounts(pay_run=PayRunFactory(status="paid"))
    text = pdf_text(pay_stub_pdf(stub))
    for line in EMPLOYEE_LINES:  # this period and year to date
        assert f"{line.label} {usd(AMOUNTS[line.code])} {usd(2 * AMOUNTS[line.code])}" in text, line.code
    employer = ", ".join(f"{line.label} {usd(AMOUNTS[line.code])}" for line in EMPLOYER_LINES)
    assert f"Employer taxes paid on your behalf (not taken from your pay): {employer}." in text
    assert "Florida reemployment tax" in text  # the default organisation is in Florida


def test_the_stub_pdf_names_another_states_unemployment_tax_from_the_tables():
    stub = stub_with_distinct_amounts(pay_run=PayRunFactory(status="paid"))
    with override_settings(MENDED_ORG={**settings.MENDED_ORG, "STATE": "GA"}):
        text = pdf_text(pay_stub_pdf(stub))
    assert f"State unemployment tax {usd(AMOUNTS['state_unemployment'])}" in text
    assert "Florida" not in text


def test_the_register_shows_every_line_of_the_definition(client):
    run = PayRunFactory(status="calculated")
    stub = stub_with_distinct_amounts(pay_run=run)
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    page = client.get(reverse("payroll:payrun", args=[run.pk])).content.decode()
    register = page[page.index('class="cart register"'):]
    headings = re.findall(r'<th scope="col">([^<]*)</th>', register[:register.index("</thead>")])
    row = register[register.index("<tbody>"):register.index("</tbody>")]
    cells = re.findall(r"<td>([^<]*)</td>", row)
    for line in TAX_LINES:
        assert line.register_label in headings, line.code
        assert usd(AMOUNTS[line.code]) in cells, line.code
    # Each amount sits under its own heading.
    for line in TAX_LINES:
        column = headings.index(line.register_label)
        assert re.findall(r"<td>(.*?)</td>", row, re.S)[column] == usd(AMOUNTS[line.code]), line.code
    assert usd(stub.net) in cells


def test_the_w2_export_has_the_boxes_of_every_line_of_the_definition(client):
    stub = stub_with_distinct_amounts(pay_run=PayRunFactory(status="paid"))
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    response = client.get(reverse("payroll:w2_export", args=[2026]))
    header, row = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == ["employee_id", "legal_name", "ssn", *W2_COLUMNS]
    values = dict(zip(header, row))
    for line in W2_LINES:
        assert values[line.w2.tax_column] == str(AMOUNTS[line.code]), line.code
        assert values[line.w2.wages_column] == "2000.00", line.code
    assert values["employee_id"] == str(stub.employee_id)


def test_the_w2_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(client):
    employee = EmployeeFactory(legal_name='=HYPERLINK("http://evil.example","x")')
    PayStubFactory(pay_run=PayRunFactory(status="paid"), employee=employee)
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    response = client.get(reverse("payroll:w2_export", args=[2026]))
    (_header, row) = list(csv.reader(io.StringIO(response.content.decode())))
    assert row[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert row[3] == "2000.00"  # numbers are written as they are


def test_the_reports_show_every_employer_line(client):
    stub_with_distinct_amounts(pay_run=PayRunFactory(status="paid"))
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    page = client.get(reverse("payroll:reports"), {"year": "2026"}).content.decode()
    for line in EMPLOYER_LINES:
        assert f'<th scope="row">{line.report_label}</th><td>{usd(AMOUNTS[line.code])}</td>' in page, line.code
    employer = sum((AMOUNTS[line.code] for line in EMPLOYER_LINES), D(0))
    assert usd(D("2000.00") + employer) in page  # payroll cost: gross and every employer line


def test_the_pay_page_shows_the_years_figure_for_every_year_to_date_line(client):
    user = UserFactory()
    this_year = timezone.localdate().year
    stub_with_distinct_amounts(pay_run=PayRunFactory(status="paid", pay_date=date(this_year, 1, 9)),
                               employee=EmployeeFactory(user=user))
    client.force_login(user)
    page = " ".join(client.get(reverse("payroll:my_pay")).content.decode().split())
    for line in TAX_LINES:
        shown = (f'<span class="stat-label">{line.label} {this_year}</span>'
                 f'<span class="stat-value">{usd(2 * AMOUNTS[line.code])}</span>')
        assert (shown in page) == line.ytd, line.code
