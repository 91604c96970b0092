"""The one list of payroll tax lines: what comes out of an employee's pay and what the
employer pays on top of it.

Everything that shows or adds up taxes reads ``TAX_LINES``: the calculation (which amounts a
stub gets, ``payroll.withholding.period_taxes``), the stub's columns (``PayStub``), its
year-to-date figures, the stub PDF, the pay run register, the employee's pay page, the W-2
export and the payroll reports. Adding a line (say a state income tax) is one entry here plus
its calculation function in ``payroll/withholding.py``, and the migration ``makemigrations``
writes for the new stub column (see docs/architecture.md, "Payroll tax lines").

No per-year figures live here: rates and wage bases are in ``payroll/tax_tables/<year>.json``
and settings; what the organisation's state calls its unemployment tax is in
``payroll/tax_tables/states.json``.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings

from payroll import withholding as w

EMPLOYEE = "employee"  # taken from the employee's pay
EMPLOYER = "employer"  # paid by the employer on top of the wages
STATES_FILE = Path(__file__).resolve().parent / "tax_tables" / "states.json"


@dataclass(frozen=True, kw_only=True)
class TaxBase:
    """What one pay period's taxes are worked out from (money as Decimal)."""

    wages: Decimal  # FICA wages, also the state's unemployment wages
    income_tax_wages: Decimal  # after pre-tax deferrals; equal to ``wages`` when there are none
    pay_periods: int
    w4: w.W4
    year: int
    ytd_wages_before: Decimal  # this year's wages paid before this payment
    state_rate: Decimal
    state_wage_base: Decimal


@dataclass(frozen=True)
class W2Boxes:
    """Where a line goes on Form W-2: its wages box and its tax box (CSV column names)."""

    wages_box: int
    wages_column: str
    tax_box: int
    tax_column: str
    wages: Callable[[Decimal, int], Decimal]  # (the year's gross, year) -> the wages box


@dataclass(frozen=True, kw_only=True)
class TaxLine:
    code: str  # the PayStub column, the key in PeriodTaxes and in a stub's year-to-date figures
    side: str  # EMPLOYEE or EMPLOYER
    calculate: Callable[[TaxBase], Decimal]
    name: str = ""  # as printed on the stub; empty: the organisation's state names it (states.json)
    register: str = ""  # the pay run register's column heading (defaults to the label)
    report: str = ""  # the payroll reports' row heading (defaults to the label)
    ytd: bool = False  # kept year to date on each stub (and shown there and on the pay page)
    w2: W2Boxes | None = None
    # Where Form 941 reports the line: "3" (income tax withheld) or "5" (Social Security and
    # Medicare, lines 5a-5d, both halves; what the stubs hold beyond 5e is line 7); "" not on 941.
    form_941: str = ""

    @property
    def label(self) -> str:
        return self.name or state_unemployment_name()

    @property
    def register_label(self) -> str:
        return self.register or self.label

    @property
    def report_label(self) -> str:
        return self.report or self.label


@cache
def _states() -> dict:
    return json.loads(STATES_FILE.read_text())


def state_unemployment_name(state: str | None = None) -> str:
    """What the organisation's state (``MENDED_ORG["STATE"]``) calls its unemployment tax."""
    state = (state or settings.MENDED_ORG.get("STATE") or "").upper()
    return _states()["states"].get(state, {}).get("unemployment_tax_name") or "State unemployment tax"


def _gross(gross: Decimal, year: int) -> Decimal:
    return gross


def _social_security_wages(gross: Decimal, year: int) -> Decimal:
    return min(gross, w.social_security_wage_base(year))


TAX_LINES: tuple[TaxLine, ...] = (
    TaxLine(
        code="federal_income_tax", side=EMPLOYEE, name="Federal income tax", register="Federal", ytd=True,
        calculate=lambda b: w.federal_income_tax(b.income_tax_wages, b.pay_periods, b.w4, b.year),
        w2=W2Boxes(1, "box1_wages", 2, "box2_federal_income_tax", _gross),
        form_941="3",
    ),
    TaxLine(
        code="social_security", side=EMPLOYEE, name="Social Security", register="Soc. Sec.", ytd=True,
        calculate=lambda b: w.social_security(b.wages, b.ytd_wages_before, b.year),
        w2=W2Boxes(3, "box3_social_security_wages", 4, "box4_social_security_tax", _social_security_wages),
        form_941="5",
    ),
    TaxLine(
        code="medicare", side=EMPLOYEE, name="Medicare", register="Medicare", ytd=True,
        calculate=lambda b: w.medicare(b.wages, b.ytd_wages_before, b.year),
        w2=W2Boxes(5, "box5_medicare_wages", 6, "box6_medicare_tax", _gross),
        form_941="5",
    ),
    TaxLine(
        code="employer_social_security", side=EMPLOYER, name="Social Security", register="Employer Soc. Sec.",
        report="Employer Social Security",
        calculate=lambda b: w.employer_social_security(b.wages, b.ytd_wages_before, b.year),
        form_941="5",
    ),
    TaxLine(
        code="employer_medicare", side=EMPLOYER, name="Medicare", register="Employer Medicare",
        report="Employer Medicare",
        calculate=lambda b: w.employer_medicare(b.wages, b.ytd_wages_before, b.year),
        form_941="5",
    ),
    TaxLine(
        code="state_unemployment", side=EMPLOYER,  # named by the organisation's state
        calculate=lambda b: w.state_unemployment(b.wages, b.ytd_wages_before, b.state_rate, b.state_wage_base),
    ),
)

EMPLOYEE_LINES = tuple(line for line in TAX_LINES if line.side == EMPLOYEE)
EMPLOYER_LINES = tuple(line for line in TAX_LINES if line.side == EMPLOYER)
TAX_CODES = tuple(line.code for line in TAX_LINES)
YTD_LINES = tuple(line for line in TAX_LINES if line.ytd)
W2_LINES = tuple(sorted((line for line in TAX_LINES if line.w2), key=lambda line: line.w2.wages_box))
# The W-2 export's amount columns, in box order.
W2_COLUMNS = tuple(column for line in W2_LINES for column in (line.w2.wages_column, line.w2.tax_column))
# Form 941's lines: federal income tax withheld (line 3) and both halves of Social Security and
# Medicare (lines 5a-5e, 7); their sum per pay date is the deposit liability (Pub 15 section 11).
FORM_941_LINES = tuple(line for line in TAX_LINES if line.form_941)
