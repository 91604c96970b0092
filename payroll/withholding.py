"""US payroll taxes for one pay period: pure functions, no database, Decimal money only.

Federal income tax follows IRS Publication 15-T, Worksheet 1A (percentage method tables for
automated payroll systems, Forms W-4 from 2020 or later). Social Security, Medicare and state
unemployment are rate x wages up to a year-to-date wage base. Every figure that changes from
year to year lives in ``payroll/tax_tables/<year>.json``; this module holds no per-year numbers.

Rounding: ROUND_HALF_UP to the cent (``shop.platform.money.quantize``), once, at the end.

* Federal income tax is computed on the worksheet's unrounded figures and rounded once.
* The wage-base taxes (Social Security, Medicare, state unemployment) are rounded on a
  year-to-date basis: this period's tax is the rounded tax on wages to date *after* this
  payment less the rounded tax on wages to date *before* it. The first payment of the year
  gets exactly ``quantize(wages * rate)``; a later one can differ from that by one cent, and in
  exchange the year's total is always exactly the rounded tax on the year's taxable wages,
  so it can never exceed the annual maximum (for example $11,439.00 of Social Security in
  2026), which rounding each period separately does not guarantee.

Year to date (``ytd_wages_before``): the employee's wages *of that kind* paid by this employer
earlier in the same calendar year (by pay date), not counting this payment. Social Security
and Medicare want FICA wages; state unemployment wants that state's taxable wages.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType

from shop.platform.money import quantize

TABLES_DIR = Path(__file__).resolve().parent / "tax_tables"
FILING_STATUSES = ("single", "married_jointly", "head_of_household")
ZERO = Decimal(0)
ONE = Decimal(1)


class UnknownTaxYear(ValueError):
    """There is no ``payroll/tax_tables/<year>.json`` for the year asked about."""


# --------------------------------------------------------------------------- input checks


def _amount(name: str, value: object) -> Decimal:
    """A money amount as an exact Decimal: finite and not negative. Floats are refused."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(
            f"{name} must be a Decimal (got {type(value).__name__} {value!r}); money is never a float"
        )
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"{name} must be a finite amount, got {amount}")
    if amount < 0:
        raise ValueError(f"{name} must not be negative, got {amount}")
    return amount


def _rate(name: str, value: object) -> Decimal:
    rate = _amount(name, value)
    if rate > ONE:
        raise ValueError(f"{name} is a fraction (0.027 for 2.7%), got {rate}")
    return rate


# --------------------------------------------------------------------------- the year's data


@dataclass(frozen=True)
class _Row:
    at_least: Decimal
    tentative_amount: Decimal
    rate: Decimal


@dataclass(frozen=True)
class _YearData:
    year: int
    pay_periods: frozenset[int]
    line_1g: Mapping[str, Decimal]
    tables: Mapping[tuple[str, str], tuple[_Row, ...]]  # (schedule, filing status) -> rows
    social_security: Mapping[str, Decimal]
    medicare: Mapping[str, Decimal]


def _decimal(raw: object, where: str) -> Decimal:
    if not isinstance(raw, str):
        raise TypeError(f"{where}: amounts are written as strings in the tax table file, got {raw!r}")
    value = Decimal(raw)
    if not value.is_finite() or value < 0:
        raise ValueError(f"{where}: {raw!r} is not an amount")
    return value


def _parse_rows(raw_rows: list, where: str) -> tuple[_Row, ...]:
    rows = tuple(
        _Row(*(_decimal(cell, f"{where} row {i}") for cell in raw)) for i, raw in enumerate(raw_rows)
    )
    if not rows or rows[0].at_least != ZERO:
        raise ValueError(f"{where}: the first row must start at 0")
    if any(later.at_least <= earlier.at_least for earlier, later in pairwise(rows)):
        raise ValueError(f"{where}: thresholds must increase")
    if any(row.rate > ONE for row in rows):
        raise ValueError(f"{where}: rates are fractions (0.12 for 12%)")
    return rows


def tax_years() -> list[int]:
    """The years that have tax tables (``payroll/tax_tables/<year>.json``), oldest first."""
    return sorted(int(p.stem) for p in TABLES_DIR.glob("*.json") if p.stem.isdigit())


def tax_years_text() -> str:
    """'2026' or '2025 and 2026': for messages that say which years can be used."""
    years = [str(y) for y in tax_years()]
    return " and ".join([", ".join(years[:-1]), years[-1]]) if len(years) > 1 else (years[0] if years else "no year")


def require_tax_year(year: int) -> None:
    """Raise ``UnknownTaxYear`` unless ``year`` has tax tables."""
    _year_data(year)


@cache
def _year_data(year: int) -> _YearData:
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, got {type(year).__name__} {year!r}")
    path = TABLES_DIR / f"{year}.json"
    if not path.is_file():
        have = [str(y) for y in tax_years()]
        raise UnknownTaxYear(
            f"no payroll tax tables for {year}: add {path.relative_to(TABLES_DIR.parent.parent)} "
            f"(tables exist for: {', '.join(have) or 'no year'})"
        )
    raw = json.loads(path.read_text())
    if raw.get("year") != year:
        raise ValueError(f"{path.name} says it is for {raw.get('year')!r}, not {year}")
    fit = raw["federal_income_tax"]
    tables = {
        (schedule, status): _parse_rows(fit["tables"][schedule][status], f"{path.name} {schedule}/{status}")
        for schedule in ("standard", "step2_checkbox")
        for status in FILING_STATUSES
    }
    return _YearData(
        year=year,
        pay_periods=frozenset(int(n) for n in fit["pay_periods_per_year"].values()),
        line_1g=MappingProxyType(
            {s: _decimal(fit["worksheet_1a_line_1g"][s], f"{path.name} line 1g") for s in FILING_STATUSES}
        ),
        tables=MappingProxyType(tables),
        social_security=MappingProxyType(
            {k: _decimal(v, f"{path.name} social_security.{k}") for k, v in raw["social_security"].items()}
        ),
        medicare=MappingProxyType(
            {k: _decimal(v, f"{path.name} medicare.{k}") for k, v in raw["medicare"].items()}
        ),
    )


# --------------------------------------------------------------------------- Form W-4


@dataclass(frozen=True, kw_only=True)
class W4:
    """The withholding inputs of a 2020-or-later Form W-4.

    ``filing_status`` is Step 1(c): "single" (also married filing separately),
    "married_jointly" (also qualifying surviving spouse) or "head_of_household".
    ``step3_credits``, ``step4a_other_income`` and ``step4b_deductions`` are annual amounts;
    ``step4c_extra_withholding`` is per pay period. ``exempt`` means the employee wrote
    "Exempt" on the form: no federal income tax is withheld at all (Social Security and
    Medicare still are).
    """

    filing_status: str = "single"
    step2_checkbox: bool = False
    step3_credits: Decimal = field(default=ZERO)
    step4a_other_income: Decimal = field(default=ZERO)
    step4b_deductions: Decimal = field(default=ZERO)
    step4c_extra_withholding: Decimal = field(default=ZERO)
    exempt: bool = False

    def __post_init__(self):
        if self.filing_status not in FILING_STATUSES:
            raise ValueError(
                f"unknown W-4 filing status {self.filing_status!r}: use one of "
                f"{', '.join(FILING_STATUSES)} (married filing separately uses 'single')"
            )
        for flag in ("step2_checkbox", "exempt"):
            if not isinstance(getattr(self, flag), bool):
                raise TypeError(f"W4.{flag} must be True or False, got {getattr(self, flag)!r}")
        for name in ("step3_credits", "step4a_other_income", "step4b_deductions", "step4c_extra_withholding"):
            object.__setattr__(self, name, _amount(f"W4.{name}", getattr(self, name)))


# --------------------------------------------------------------------------- federal income tax


def federal_income_tax(wages: Decimal, pay_periods: int, w4: W4, year: int) -> Decimal:
    """Federal income tax to withhold this pay period (Pub. 15-T, Worksheet 1A).

    ``wages`` are this period's wages subject to federal income tax withholding (after pre-tax
    403(b)/401(k) deferrals and cafeteria-plan deductions); ``pay_periods`` is the number of
    pay periods a year from the publication's Table 3 (52, 26, 24, 12, ...).
    """
    data = _year_data(year)
    wages = _amount("wages", wages)
    if isinstance(pay_periods, bool) or not isinstance(pay_periods, int) or pay_periods not in data.pay_periods:
        raise ValueError(
            f"pay_periods must be one of {sorted(data.pay_periods)} (Pub. 15-T Table 3), got {pay_periods!r}"
        )
    if not isinstance(w4, W4):
        raise TypeError(f"w4 must be a W4, got {type(w4).__name__}")
    if w4.exempt:
        return quantize(ZERO)

    # Step 1: the adjusted annual wage amount.
    line_1c = wages * pay_periods
    line_1e = line_1c + w4.step4a_other_income
    line_1g = ZERO if w4.step2_checkbox else data.line_1g[w4.filing_status]
    line_1h = w4.step4b_deductions + line_1g
    line_1i = max(line_1e - line_1h, ZERO)

    # Step 2: the tentative withholding amount, from the row with at_least <= 1i < next row.
    schedule = "step2_checkbox" if w4.step2_checkbox else "standard"
    rows = data.tables[schedule, w4.filing_status]
    row = rows[bisect_right([r.at_least for r in rows], line_1i) - 1]
    line_2g = row.tentative_amount + (line_1i - row.at_least) * row.rate

    # Steps 2h and 3: 2g / 1b less 3a / 1b, not below zero. Written as one division,
    # max(2g - 3a, 0) / 1b, which is the same number, so that no digits are lost before the
    # final rounding.
    line_3c = max(line_2g - w4.step3_credits, ZERO) / pay_periods

    # Step 4: add the Step 4(c) extra withholding.
    return quantize(line_3c + w4.step4c_extra_withholding)


# --------------------------------------------------------------------------- wage-base taxes


def _period_share(wages: Decimal, ytd_wages_before: Decimal, ytd_tax: Callable[[Decimal], Decimal]) -> Decimal:
    """This period's tax: rounded tax on year-to-date wages after, less rounded tax before."""
    wages = _amount("wages", wages)
    ytd_wages_before = _amount("ytd_wages_before", ytd_wages_before)
    return quantize(ytd_tax(ytd_wages_before + wages)) - quantize(ytd_tax(ytd_wages_before))


def _capped(rate: Decimal, wage_base: Decimal) -> Callable[[Decimal], Decimal]:
    return lambda ytd: min(ytd, wage_base) * rate


def social_security(wages: Decimal, ytd_wages_before: Decimal, year: int) -> Decimal:
    """Employee Social Security (OASDI): 6.2% of wages up to the year's wage base."""
    ss = _year_data(year).social_security
    return _period_share(wages, ytd_wages_before, _capped(ss["employee_rate"], ss["wage_base"]))


def employer_social_security(wages: Decimal, ytd_wages_before: Decimal, year: int) -> Decimal:
    """Employer Social Security: 6.2% of wages up to the same wage base."""
    ss = _year_data(year).social_security
    return _period_share(wages, ytd_wages_before, _capped(ss["employer_rate"], ss["wage_base"]))


def medicare(wages: Decimal, ytd_wages_before: Decimal, year: int) -> Decimal:
    """Employee Medicare: 1.45% of all wages, plus the 0.9% Additional Medicare Tax on the
    part of the year's wages from this employer over $200,000 (whatever the filing status)."""
    m = _year_data(year).medicare

    def ytd_tax(ytd: Decimal) -> Decimal:
        over = max(ytd - m["additional_threshold"], ZERO)
        return ytd * m["employee_rate"] + over * m["additional_employee_rate"]

    return _period_share(wages, ytd_wages_before, ytd_tax)


def employer_medicare(wages: Decimal, ytd_wages_before: Decimal, year: int) -> Decimal:
    """Employer Medicare: 1.45% of all wages (the employer pays no Additional Medicare Tax)."""
    rate = _year_data(year).medicare["employer_rate"]
    return _period_share(wages, ytd_wages_before, lambda ytd: ytd * rate)


def state_unemployment(wages: Decimal, ytd_wages_before: Decimal, rate: Decimal, wage_base: Decimal) -> Decimal:
    """Employer state unemployment (in Florida, the reemployment tax): ``rate`` of wages up to
    ``wage_base`` a year, e.g. 0.027 on the first $7,000. Both are settings, not tables."""
    rate = _rate("rate", rate)
    wage_base = _amount("wage_base", wage_base)
    return _period_share(wages, ytd_wages_before, _capped(rate, wage_base))


# --------------------------------------------------------------------------- one pay period


class PeriodTaxes:
    """One pay period's amount for every tax line of ``payroll.tax_lines.TAX_LINES``, read by
    its code (``taxes.social_security``). Immutable; ``replace`` gives a changed copy."""

    __slots__ = ("amounts",)

    def __init__(self, **amounts: Decimal):
        from payroll.tax_lines import TAX_CODES

        if set(amounts) != set(TAX_CODES):
            missing, unknown = set(TAX_CODES) - set(amounts), set(amounts) - set(TAX_CODES)
            raise TypeError(f"PeriodTaxes needs exactly the tax lines' codes (missing {sorted(missing)}, "
                            f"unknown {sorted(unknown)})")
        object.__setattr__(self, "amounts", MappingProxyType({code: amounts[code] for code in TAX_CODES}))

    def __getattr__(self, name: str) -> Decimal:
        if name != "amounts" and name in self.amounts:
            return self.amounts[name]
        raise AttributeError(name)

    def __setattr__(self, name, value):
        raise AttributeError("PeriodTaxes is immutable; use replace()")

    def __eq__(self, other):
        return isinstance(other, PeriodTaxes) and dict(self.amounts) == dict(other.amounts)

    def __hash__(self):
        return hash(tuple(self.amounts.items()))

    def __repr__(self):
        return "PeriodTaxes(" + ", ".join(f"{k}={v!r}" for k, v in self.amounts.items()) + ")"

    def replace(self, **changes: Decimal) -> PeriodTaxes:
        return PeriodTaxes(**{**self.amounts, **changes})

    def _side(self, side: str) -> Decimal:
        from payroll.tax_lines import TAX_LINES

        return sum((self.amounts[line.code] for line in TAX_LINES if line.side == side), ZERO)

    @property
    def employee_withholding(self) -> Decimal:
        """What comes out of the employee's pay."""
        return self._side("employee")

    @property
    def employer_taxes(self) -> Decimal:
        """What the employer pays on top of the wages."""
        return self._side("employer")


def period_taxes(
    wages: Decimal,
    pay_periods: int,
    w4: W4,
    year: int,
    ytd_wages_before: Decimal,
    state_rate: Decimal,
    state_wage_base: Decimal,
    *,
    income_tax_wages: Decimal | None = None,
) -> PeriodTaxes:
    """All the taxes of one pay period: each line of ``payroll.tax_lines.TAX_LINES`` worked out
    by its own calculation function.

    ``wages`` and ``ytd_wages_before`` are FICA wages, also used for state unemployment.
    ``income_tax_wages`` defaults to ``wages``; pass it when they differ, e.g. a 403(b)
    elective deferral lowers income-tax wages but not FICA wages.
    """
    from payroll.tax_lines import TAX_LINES, TaxBase

    base = TaxBase(
        wages=wages, income_tax_wages=wages if income_tax_wages is None else income_tax_wages,
        pay_periods=pay_periods, w4=w4, year=year, ytd_wages_before=ytd_wages_before,
        state_rate=state_rate, state_wage_base=state_wage_base,
    )
    return PeriodTaxes(**{line.code: line.calculate(base) for line in TAX_LINES})


def social_security_wage_base(year: int) -> Decimal:
    """The most wages Social Security taxes in ``year`` (W-2 box 3 stops there)."""
    return _year_data(year).social_security["wage_base"]


def fica_rates(year: int) -> dict[str, Decimal]:
    """The year's Social Security and Medicare rates and thresholds (for Form 941's lines)."""
    data = _year_data(year)
    return {
        "social_security": data.social_security["employee_rate"] + data.social_security["employer_rate"],
        "social_security_wage_base": data.social_security["wage_base"],
        "medicare": data.medicare["employee_rate"] + data.medicare["employer_rate"],
        "additional_medicare": data.medicare["additional_employee_rate"],
        "additional_medicare_threshold": data.medicare["additional_threshold"],
    }
