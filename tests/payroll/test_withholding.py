"""Payroll taxes for 2026: Pub. 15-T Worksheet 1A, Social Security, Medicare, state unemployment.

Every expected figure below was worked by hand from the worksheet and the 2026 tables, with the
arithmetic in the comment beside it; none is computed by the code under test. No database.
"""
import json
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payroll.withholding import (
    W4,
    PeriodTaxes,
    UnknownTaxYear,
    employer_medicare,
    employer_social_security,
    federal_income_tax,
    medicare,
    period_taxes,
    social_security,
    state_unemployment,
)

D = Decimal
TABLE_FILE = Path(__file__).resolve().parents[2] / "payroll" / "tax_tables" / "2026.json"
FL_RATE, FL_BASE = D("0.027"), D("7000")


def fit(wages, periods=26, **w4):
    return federal_income_tax(D(wages), periods, W4(**w4), 2026)


# --------------------------------------------------------------------------- the worked example


def test_worked_example_2000_biweekly_single():
    # 1c 2,000 x 26 = 52,000; 1i 52,000 - 8,600 = 43,400; row 19,900: 1,240 + 23,500 x 12% = 4,060;
    # 4,060 / 26 = 156.1538 -> 156.15
    assert fit("2000") == D("156.15")
    assert social_security(D("2000"), D("0"), 2026) == D("124.00")  # 2,000 x 6.2%
    assert medicare(D("2000"), D("0"), 2026) == D("29.00")  # 2,000 x 1.45%


def test_period_taxes_worked_example():
    taxes = period_taxes(D("2000"), 26, W4(), 2026, D("0"), FL_RATE, FL_BASE)
    assert taxes == PeriodTaxes(
        federal_income_tax=D("156.15"),
        social_security=D("124.00"),
        medicare=D("29.00"),
        employer_social_security=D("124.00"),
        employer_medicare=D("29.00"),
        state_unemployment=D("54.00"),  # 2,000 x 2.7%
    )
    assert taxes.employee_withholding == D("309.15")  # 156.15 + 124.00 + 29.00
    assert taxes.employer_taxes == D("207.00")  # 124.00 + 29.00 + 54.00


def test_period_taxes_403b_lowers_income_tax_wages_not_fica():
    # 2,000 gross, 200 to a 403(b). FIT on 1,800: 1c 46,800; 1i 38,200;
    # 1,240 + 18,300 x 12% = 3,436; / 26 = 132.1538 -> 132.15. FICA still on 2,000.
    taxes = period_taxes(D("2000"), 26, W4(), 2026, D("0"), FL_RATE, FL_BASE, income_tax_wages=D("1800"))
    assert taxes.federal_income_tax == D("132.15")
    assert taxes.social_security == D("124.00")
    assert taxes.medicare == D("29.00")


# --------------------------------------------------------------------------- filing statuses


def test_married_jointly_standard():
    # 3,000 x 26 = 78,000; - 12,900 = 65,100; row 44,100: 2,480 + 21,000 x 12% = 5,000;
    # / 26 = 192.3077 -> 192.31
    assert fit("3000", filing_status="married_jointly") == D("192.31")


def test_head_of_household_standard_monthly():
    # 4,000 x 12 = 48,000; - 8,600 = 39,400; row 33,250: 1,770 + 6,150 x 12% = 2,508; / 12 = 209.00
    assert fit("4000", 12, filing_status="head_of_household") == D("209.00")


def test_married_jointly_high_bracket_monthly():
    # 40,000 x 12 = 480,000; - 12,900 = 467,100; row 422,850: 82,048 + 44,250 x 32% = 96,208;
    # / 12 = 8,017.3333 -> 8,017.33
    assert fit("40000", 12, filing_status="married_jointly") == D("8017.33")


def test_head_of_household_top_bracket_weekly():
    # 15,000 x 52 = 780,000; - 8,600 = 771,400; row 656,150: 191,171 + 115,250 x 37% = 233,813.50;
    # / 52 = 4,496.4135 -> 4,496.41
    assert fit("15000", 52, filing_status="head_of_household") == D("4496.41")


# --------------------------------------------------------------------------- Step 2 checkbox


def test_step2_single():
    # 1g = 0, so 1i = 52,000; Step 2 single row 33,250: 2,900 + 18,750 x 22% = 7,025;
    # / 26 = 270.1923 -> 270.19
    assert fit("2000", step2_checkbox=True) == D("270.19")


def test_step2_married_jointly():
    # 1i = 78,000; Step 2 MFJ row 66,500: 5,800 + 11,500 x 22% = 8,330; / 26 = 320.3846 -> 320.38
    assert fit("3000", filing_status="married_jointly", step2_checkbox=True) == D("320.38")


def test_step2_head_of_household():
    # 1i = 48,000; Step 2 HOH row 45,800: 3,870 + 2,200 x 22% = 4,354; / 12 = 362.8333 -> 362.83
    assert fit("4000", 12, filing_status="head_of_household", step2_checkbox=True) == D("362.83")


# --------------------------------------------------------------------------- Steps 3 and 4


def test_step3_credits():
    # tentative annual 5,000 (MFJ case above); 2h 5,000 / 26 = 192.3077; 3b 4,400 / 26 = 169.2308;
    # 3c = 23.0769 -> 23.08
    assert fit("3000", filing_status="married_jointly", step3_credits=D("4400")) == D("23.08")


def test_step3_credits_larger_than_the_tax_give_zero():
    # 4,060 / 26 = 156.15 less 6,600 / 26 = 253.85 -> below zero -> 0
    assert fit("2000", step3_credits=D("6600")) == D("0.00")


def test_step3_credits_do_not_eat_step4c():
    # 3c = 0 as above, then + 4(c) 25 -> 25.00
    assert fit("2000", step3_credits=D("6600"), step4c_extra_withholding=D("25")) == D("25.00")


def test_step4a_other_income():
    # 1e 52,000 + 5,200 = 57,200; 1i 48,600; 1,240 + 28,700 x 12% = 4,684; / 26 = 180.1538 -> 180.15
    assert fit("2000", step4a_other_income=D("5200")) == D("180.15")


def test_step4b_deductions():
    # 1h 10,000 + 8,600 = 18,600; 1i 33,400; 1,240 + 13,500 x 12% = 2,860; / 26 = 110.00
    assert fit("2000", step4b_deductions=D("10000")) == D("110.00")


def test_step4c_extra_withholding():
    # 156.1538 + 50 = 206.1538 -> 206.15 (rounded once, at the end)
    assert fit("2000", step4c_extra_withholding=D("50")) == D("206.15")


# --------------------------------------------------------------------------- zero band, exempt


def test_zero_percent_band():
    # 500 x 26 = 13,000; - 8,600 = 4,400 < 7,500 -> 0% row -> 0
    assert fit("500") == D("0.00")


def test_zero_percent_band_still_adds_step4c():
    # 0 + 4(c) 20 = 20.00
    assert fit("500", step4c_extra_withholding=D("20")) == D("20.00")


def test_adjusted_wage_below_zero_is_zero():
    # 300 x 26 = 7,800 < 8,600 -> 1i = 0 -> 0
    assert fit("300") == D("0.00")


def test_zero_wages():
    assert fit("0") == D("0.00")


def test_exempt_withholds_no_income_tax_even_with_step4c():
    assert fit("5000", exempt=True, step4c_extra_withholding=D("50")) == D("0.00")


def test_exempt_still_pays_fica():
    taxes = period_taxes(D("5000"), 26, W4(exempt=True), 2026, D("0"), FL_RATE, FL_BASE)
    assert taxes.federal_income_tax == D("0.00")
    assert taxes.social_security == D("310.00")  # 5,000 x 6.2%
    assert taxes.medicare == D("72.50")  # 5,000 x 1.45%


# --------------------------------------------------------------------------- pay frequencies


def test_weekly():
    # 1,000 x 52 = 52,000 -> 4,060 as in the worked example; / 52 = 78.0769 -> 78.08
    assert fit("1000", 52) == D("78.08")


def test_semimonthly():
    # 5,000 x 24 = 120,000; - 12,900 = 107,100; row 44,100: 2,480 + 63,000 x 12% = 10,040;
    # / 24 = 418.3333 -> 418.33
    assert fit("5000", 24, filing_status="married_jointly") == D("418.33")


def test_monthly():
    # 10,000 x 12 = 120,000; - 8,600 = 111,400; row 57,900: 5,800 + 53,500 x 22% = 17,570;
    # / 12 = 1,464.1667 -> 1,464.17
    assert fit("10000", 12) == D("1464.17")


# --------------------------------------------------------------------------- rows and rounding


def test_exactly_at_a_threshold_uses_the_row_that_starts_there():
    # Step 2 single, 9,000 x 12 = 108,000 + 4(a) 938 = 108,938 = the 32% row's threshold:
    # 20,512 + 0 = 20,512; / 12 = 1,709.3333 -> 1,709.33. (The 24% row would give
    # 8,983 + 48,038 x 24% = 20,512.12 -> 1,709.34: the IRS rounded this table's thresholds.)
    assert fit("9000", 12, step2_checkbox=True, step4a_other_income=D("938")) == D("1709.33")


def test_one_cent_below_a_threshold_uses_the_row_below():
    # 1i = 108,937.99, 24% row: 8,983 + 48,037.99 x 24% = 20,512.1176; / 12 = 1,709.3431 -> 1,709.34
    assert fit("9000", 12, step2_checkbox=True, step4a_other_income=D("937.99")) == D("1709.34")


def test_standard_threshold_exactly():
    # 2,600 x 26 = 67,600; 1h 1,100 + 8,600 = 9,700; 1i = 57,900 = 22% row threshold:
    # 5,800 + 0 = 5,800; / 26 = 223.0769 -> 223.08
    assert fit("2600", step4b_deductions=D("1100")) == D("223.08")


def test_half_a_cent_rounds_up():
    # 2,341.70 x 12 = 28,100.40 + 4(a) 0.20 = 28,100.60; - 8,600 = 19,500.60 (10% row):
    # 12,000.60 x 10% = 1,200.06; / 12 = 100.005 exactly -> 100.01 (half up; half even gives 100.00)
    assert fit("2341.70", 12, step4a_other_income=D("0.20")) == D("100.01")


# --------------------------------------------------------------------------- Social Security


def test_social_security_crossing_the_wage_base():
    # 184,500 - 180,000 = 4,500 still taxable; 4,500 x 6.2% = 279.00
    assert social_security(D("10000"), D("180000"), 2026) == D("279.00")
    assert employer_social_security(D("10000"), D("180000"), 2026) == D("279.00")


def test_social_security_reaching_the_wage_base_exactly():
    # 174,500 + 10,000 = 184,500: all 10,000 taxable -> 620.00
    assert social_security(D("10000"), D("174500"), 2026) == D("620.00")


def test_social_security_past_the_wage_base():
    assert social_security(D("5000"), D("184500"), 2026) == D("0.00")
    assert social_security(D("5000"), D("190000"), 2026) == D("0.00")
    assert employer_social_security(D("5000"), D("190000"), 2026) == D("0.00")


def test_social_security_rounds_year_to_date():
    # after: 200.18 x 6.2% = 12.41116 -> 12.41; before: 100.09 x 6.2% = 6.20558 -> 6.21;
    # 12.41 - 6.21 = 6.20 (the first period took 6.21 for 6.20558, this one gives the cent back)
    assert social_security(D("100.09"), D("0"), 2026) == D("6.21")
    assert social_security(D("100.09"), D("100.09"), 2026) == D("6.20")


def test_social_security_a_year_of_high_salary_is_exactly_the_maximum():
    # 26 x 7,096.25 = 184,502.50 > 184,500. Rounding each period alone would give
    # 25 x 439.97 (7,096.25 x 6.2% = 439.9675) + 439.81 (7,093.75 x 6.2% = 439.8125) = 11,439.06,
    # more than the legal 184,500 x 6.2% = 11,439.00.
    ytd, total = D("0"), D("0")
    for _ in range(26):
        total += social_security(D("7096.25"), ytd, 2026)
        ytd += D("7096.25")
    assert total == D("11439.00")


# --------------------------------------------------------------------------- Medicare


def test_medicare_below_the_additional_threshold():
    assert medicare(D("10000"), D("0"), 2026) == D("145.00")  # 10,000 x 1.45%


def test_additional_medicare_crossing_period():
    # 1.45% x 10,000 = 145.00; over 200,000: 205,000 - 200,000 = 5,000 x 0.9% = 45.00; total 190.00
    assert medicare(D("10000"), D("195000"), 2026) == D("190.00")
    assert employer_medicare(D("10000"), D("195000"), 2026) == D("145.00")  # no additional


def test_additional_medicare_past_the_threshold():
    # 10,000 x (1.45% + 0.9%) = 145 + 90 = 235.00
    assert medicare(D("10000"), D("250000"), 2026) == D("235.00")
    assert employer_medicare(D("10000"), D("250000"), 2026) == D("145.00")


def test_additional_medicare_crossing_in_cents():
    # after 201,000.00: 2,914.50 + 1,000 x 0.9% = 2,923.50; before 199,999.99 x 1.45% = 2,899.999855
    # -> 2,900.00; 2,923.50 - 2,900.00 = 23.50
    assert medicare(D("1000.01"), D("199999.99"), 2026) == D("23.50")


def test_medicare_is_never_capped():
    assert medicare(D("1000"), D("5000000"), 2026) == D("23.50")  # 1,000 x 2.35%
    assert employer_medicare(D("1000"), D("5000000"), 2026) == D("14.50")  # 1,000 x 1.45%


# --------------------------------------------------------------------------- state unemployment


def test_florida_reemployment_tax():
    assert state_unemployment(D("2000"), D("0"), FL_RATE, FL_BASE) == D("54.00")  # 2,000 x 2.7%
    # 7,000 - 6,000 = 1,000 taxable x 2.7% = 27.00
    assert state_unemployment(D("2000"), D("6000"), FL_RATE, FL_BASE) == D("27.00")
    assert state_unemployment(D("2000"), D("7000"), FL_RATE, FL_BASE) == D("0.00")


def test_state_rate_and_base_are_inputs():
    # 0.1% new-employer style rate on a 9,000 base: 9,000 - 8,500 = 500 x 0.1% = 0.50
    assert state_unemployment(D("1000"), D("8500"), D("0.001"), D("9000")) == D("0.50")


# --------------------------------------------------------------------------- bad input


def test_unknown_filing_status():
    with pytest.raises(ValueError, match="married_filing_separately.*single"):
        W4(filing_status="married_filing_separately")


@pytest.mark.parametrize(
    "field", ["step3_credits", "step4a_other_income", "step4b_deductions", "step4c_extra_withholding"]
)
def test_negative_w4_amounts(field):
    with pytest.raises(ValueError, match=f"W4.{field} must not be negative"):
        W4(**{field: D("-1")})


def test_w4_refuses_floats_and_non_bool_flags():
    with pytest.raises(TypeError, match="float"):
        W4(step3_credits=2000.0)
    with pytest.raises(TypeError, match="step2_checkbox"):
        W4(step2_checkbox="yes")


def test_w4_is_frozen_keyword_only_with_empty_defaults():
    w4 = W4()
    assert (w4.filing_status, w4.step2_checkbox, w4.exempt) == ("single", False, False)
    assert w4.step3_credits == w4.step4a_other_income == w4.step4b_deductions == w4.step4c_extra_withholding == 0
    assert W4(step3_credits=2000).step3_credits == D("2000")  # ints are exact and become Decimals
    with pytest.raises(TypeError):
        W4("single")  # keyword only
    with pytest.raises(AttributeError):
        w4.exempt = True


def test_unknown_year():
    with pytest.raises(UnknownTaxYear, match=r"no payroll tax tables for 2025.*tax_tables/2025\.json.*2026"):
        federal_income_tax(D("2000"), 26, W4(), 2025)
    with pytest.raises(UnknownTaxYear, match="2027"):
        social_security(D("2000"), D("0"), 2027)
    with pytest.raises(ValueError):  # UnknownTaxYear is a ValueError
        medicare(D("2000"), D("0"), 1999)


def test_negative_or_float_wages():
    with pytest.raises(ValueError, match="wages must not be negative"):
        federal_income_tax(D("-1"), 26, W4(), 2026)
    with pytest.raises(ValueError, match="ytd_wages_before must not be negative"):
        social_security(D("100"), D("-1"), 2026)
    with pytest.raises(TypeError, match="float"):
        medicare(100.0, D("0"), 2026)
    with pytest.raises(ValueError, match="finite"):
        federal_income_tax(D("NaN"), 26, W4(), 2026)


@pytest.mark.parametrize("periods", [0, -26, 27, 365, True])
def test_bad_pay_periods(periods):
    with pytest.raises(ValueError, match="pay_periods must be one of"):
        federal_income_tax(D("2000"), periods, W4(), 2026)


def test_bad_state_settings():
    with pytest.raises(ValueError, match="fraction"):
        state_unemployment(D("100"), D("0"), D("2.7"), FL_BASE)
    with pytest.raises(ValueError, match="wage_base must not be negative"):
        state_unemployment(D("100"), D("0"), FL_RATE, D("-7000"))


# --------------------------------------------------------------------------- the table file


def test_table_file_rows_are_consistent():
    """Each tentative amount is the row above's plus its width x rate (within $1: the IRS rounds
    the Step 2 thresholds to whole dollars), and the rates are the 2026 brackets. Catches typos."""
    data = json.loads(TABLE_FILE.read_text())
    assert data["source"]["federal_income_tax"]
    rates = [D("0"), D("0.10"), D("0.12"), D("0.22"), D("0.24"), D("0.32"), D("0.35"), D("0.37")]
    for schedule in ("standard", "step2_checkbox"):
        for status in ("single", "married_jointly", "head_of_household"):
            rows = [[D(c) for c in row] for row in data["federal_income_tax"]["tables"][schedule][status]]
            assert [r[2] for r in rows] == rates, (schedule, status)
            for (at, base, rate), (next_at, next_base, _) in pairwise(rows):
                assert abs(base + (next_at - at) * rate - next_base) < 1, (schedule, status, next_at)


# --------------------------------------------------------------------------- properties

statuses = st.sampled_from(["single", "married_jointly", "head_of_household"])
dollars = st.integers(min_value=0, max_value=60_000_000).map(lambda c: D(c) / 100)
w4s = st.builds(
    W4,
    filing_status=statuses,
    step2_checkbox=st.booleans(),
    step3_credits=st.integers(min_value=0, max_value=2_000_000).map(lambda c: D(c) / 100),
    step4a_other_income=dollars,
    step4b_deductions=dollars,
    step4c_extra_withholding=st.integers(min_value=0, max_value=100_000).map(lambda c: D(c) / 100),
)
periods = st.sampled_from([2, 4, 12, 24, 26, 52, 260])
period_wages = st.integers(min_value=0, max_value=5_000_000).map(lambda c: D(c) / 100)


@settings(max_examples=300, deadline=None)
@given(wages=period_wages, n=periods, w4=w4s)
def test_withholding_is_whole_cents_and_never_negative(wages, n, w4):
    tax = federal_income_tax(wages, n, w4, 2026)
    assert tax >= w4.step4c_extra_withholding >= 0
    assert tax == tax.quantize(D("0.01"))


@settings(max_examples=300, deadline=None)
@given(a=period_wages, b=period_wages, n=periods, w4=w4s)
def test_withholding_does_not_fall_as_wages_rise(a, b, n, w4):
    low, high = sorted([a, b])
    # The one exception is the IRS's own: the Step 2 single table restarts at $108,938 at
    # $20,512, $0.12 a year below where the 24% row reaches, so a period can drop one cent there.
    slack = D("0.01") if (w4.step2_checkbox and w4.filing_status == "single") else D("0")
    assert federal_income_tax(high, n, w4, 2026) >= federal_income_tax(low, n, w4, 2026) - slack


@settings(max_examples=200, deadline=None)
@given(payments=st.lists(st.integers(min_value=0, max_value=3_000_000).map(lambda c: D(c) / 100), max_size=60))
def test_a_years_wage_base_taxes_never_exceed_the_annual_maximum(payments):
    ytd = D("0")
    ss = er_ss = med = er_med = suta = D("0")
    for wages in payments:
        ss += social_security(wages, ytd, 2026)
        er_ss += employer_social_security(wages, ytd, 2026)
        med += medicare(wages, ytd, 2026)
        er_med += employer_medicare(wages, ytd, 2026)
        suta += state_unemployment(wages, ytd, FL_RATE, FL_BASE)
        ytd += wages

    def cents(x):
        return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)

    # the year's total is the rounded tax on the year's wages, so never over 6.2% of 184,500
    assert ss == er_ss == cents(min(ytd, D("184500")) * D("0.062")) <= D("11439.00")
    assert med == cents(ytd * D("0.0145") + max(ytd - D("200000"), D("0")) * D("0.009"))
    assert er_med == cents(ytd * D("0.0145"))
    assert suta == cents(min(ytd, FL_BASE) * FL_RATE) <= D("189.00")  # 7,000 x 2.7%
