"""Pay runs: draft → calculated → approved (by someone else) → paid; void by reversal.

Calculation reads everything it needs in a fixed number of queries (employees, rates,
W-4s, time, bonuses, year-to-date) and computes gross to net in memory, so a run for
500 people costs what a run for 5 does.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from payroll.models import Employee, PayAdjustment, PayRate, PayRun, PayStub, TimeEntry, WithholdingCertificate
from payroll.services.ledger import Leg, entry_post
from payroll.tax_lines import YTD_LINES
from payroll.withholding import W4, period_taxes, tax_years, tax_years_text
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.platform.money import ZERO, allocate, cents_sum, from_cents, quantize
from shop.templatetags.money import usd

PAY_PERIODS_PER_YEAR = 26
SUPPLEMENTAL_RATE = Decimal("0.22")  # Publication 15, optional flat rate for supplemental wages
OVERTIME_AFTER = Decimal("40")
# A stub's year-to-date figures: gross, every tax line kept year to date, net, training pay.
YTD_FIELDS = ("gross", *(line.code for line in YTD_LINES), "net", "training_pay")
COUNTED = (PayRun.Status.APPROVED, PayRun.Status.PAID)
S = PayRun.Status
RECALCULABLE = (S.DRAFT, S.CALCULATED, S.FAILED)  # and the states whose bonus amounts may change


class PayRunError(DomainError):
    pass


def pay_period_containing(day: date) -> tuple[date, date, date]:
    """(start, end, pay date) of the biweekly period that contains ``day``."""
    anchor = settings.PAY_PERIOD_ANCHOR
    start = anchor + timedelta(days=14 * ((day - anchor).days // 14))
    end = start + timedelta(days=13)
    return start, end, end + timedelta(days=settings.PAY_DATE_OFFSET_DAYS)


MAX_SPAN = timedelta(days=366)  # a period, and the time from its end to the pay date, are at most a year


def payrun_date_problems(period_start: date, period_end: date, pay_date: date) -> dict[str, str]:
    """What is wrong with a run's dates, by field (empty when they are fine).

    The pay date's year must have tax tables, the pay date cannot come before the period
    ends and neither gap is more than a year: so no date is far from a year the calculation
    knows, and a mistyped year (0001, 9999) is caught here, not halfway through a calculation.
    """
    problems = {}
    if period_end < period_start:
        problems["period_end"] = "The period must end on or after the day it starts."
    elif period_end - period_start > MAX_SPAN:
        problems["period_start"] = (f"A pay period is at most a year long; this one is {(period_end - period_start).days + 1}"
                                    " days. Check the years.")
    if pay_date < period_end:
        problems["pay_date"] = f"The pay date cannot be before the period ends ({period_end:%b %-d, %Y})."
    elif pay_date - period_end > MAX_SPAN:
        problems["pay_date"] = "The pay date must be within a year after the period ends. Check the years."
    elif pay_date.year not in tax_years():
        problems["pay_date"] = (f"There are no tax tables for {pay_date.year}, so pay dated then cannot be worked out. "
                                f"Tax tables exist for {tax_years_text()}.")
    return problems


@transaction.atomic
def payrun_create(actor, period_start: date, period_end: date, pay_date: date, kind: str = PayRun.Kind.REGULAR,
                  corrects: PayRun | None = None, note: str = "") -> PayRun:
    problems = payrun_date_problems(period_start, period_end, pay_date)
    if problems:
        raise PayRunError(" ".join(problems.values()))
    if kind == PayRun.Kind.REGULAR and PayRun.objects.filter(
        kind=kind, period_start=period_start, period_end=period_end
    ).exclude(status=S.VOID).exists():
        raise PayRunError(f"There is already a regular pay run for {period_start:%b %-d}–{period_end:%b %-d, %Y}.")
    run = PayRun.objects.create(
        kind=kind, period_start=period_start, period_end=period_end, pay_date=pay_date, corrects=corrects,
        note=note, created_by=actor,
    )
    audit_record("payrun.created", actor=actor, target=run, kind=kind, period_start=period_start,
                 period_end=period_end, pay_date=pay_date)
    return run


def payrun_employees(run: PayRun):
    """The people employed at some point of the run's period (who can be paid in it)."""
    return Employee.objects.filter(hire_date__lte=run.period_end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=run.period_start)
    ).order_by("pk")


MAX_ADJUSTMENT = Decimal("50000.00")


@transaction.atomic
def payrun_adjustments_set(run_id: int, actor, amounts: dict[int, Decimal], note: str = "") -> PayRun:
    """Replace the bonus (or extra pay) amounts of a run not yet approved: ``{employee id: amount}``,
    an amount of zero or none leaving that person out. The run goes back to draft, to be calculated."""
    run = PayRun.objects.select_for_update().get(pk=run_id)
    if run.status not in RECALCULABLE:
        raise PayRunError(f"This pay run is {run.get_status_display().lower()}; its amounts can no longer change.")
    allowed = set(payrun_employees(run).filter(pk__in=list(amounts)).values_list("pk", flat=True))
    rows = []
    for employee_id, amount in amounts.items():
        if amount in (None, ZERO):
            continue
        if isinstance(amount, float) or not isinstance(amount, Decimal) or not amount.is_finite():
            raise PayRunError("Amounts are dollars and cents, like 250.00.")
        if amount < 0 or amount != quantize(amount) or amount > MAX_ADJUSTMENT:
            raise PayRunError(f"Each amount is between $0.01 and {usd(MAX_ADJUSTMENT)}, to the cent.")
        if employee_id not in allowed:
            raise PayRunError("Someone in the list was not employed during this run's period.")
        rows.append(PayAdjustment(pay_run=run, employee_id=employee_id, amount=amount, note=note[:200]))
    PayAdjustment.objects.filter(pay_run=run).delete()
    PayAdjustment.objects.bulk_create(rows)
    # Stubs worked out from the old amounts are no longer right.
    run.stubs.all().delete()
    TimeEntry.objects.filter(pay_run=run).update(pay_run=None)
    run.status, run.last_error, run.progress_done, run.progress_total = S.DRAFT, "", 0, 0
    run.save(update_fields=["status", "last_error", "progress_done", "progress_total"])
    audit_record("payrun.amounts_set", actor=actor, target=run, people=len(rows), total=sum((r.amount for r in rows), ZERO))
    return run


# -- gross to net -------------------------------------------------------------------------


def _rate(rates: list[PayRate], kind: str, day: date) -> Decimal:
    for rate in rates:  # newest first
        if rate.kind == kind and rate.effective_from <= day:
            return rate.rate
    raise PayRunError(f"There is no {kind} pay rate in force on {day:%b %-d, %Y}.")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Pay:
    employee: Employee
    production_hours: Decimal = ZERO
    training_hours: Decimal = ZERO
    pto_hours: Decimal = ZERO
    overtime_hours: Decimal = ZERO
    production_pay: Decimal = ZERO
    training_pay: Decimal = ZERO
    pto_pay: Decimal = ZERO
    overtime_premium: Decimal = ZERO
    bonus: Decimal = ZERO
    production_rate: Decimal = ZERO
    training_rate: Decimal = ZERO
    entry_ids: list[int] = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        return self.production_pay + self.training_pay + self.pto_pay + self.overtime_premium + self.bonus


def gross_pay(employee: Employee, rates: list[PayRate], period: tuple[date, date], entries: list[TimeEntry],
              week_entries: list[TimeEntry], bonus: Decimal = ZERO) -> Pay:
    """Hours × rate by kind, plus the FLSA overtime premium, plus any bonus.

    Overtime is counted per workweek (Monday to Sunday) over all hours worked that week,
    including days in the neighbouring pay period: the hours past 40 that fall in this
    period earn half the week's regular rate on top (the regular rate is the week's
    straight-time pay over its hours, so mixed production and training rates are
    weighted as the FLSA requires). Paid time off is not hours worked.
    """
    start, end = period
    pay = Pay(employee)
    exact = defaultdict(lambda: ZERO)  # unrounded pay by kind; rounded once at the end
    for entry in entries:
        kind = entry.kind
        rate = _rate(rates, "production" if kind == TimeEntry.Kind.PTO else kind, entry.date)
        exact[kind] += entry.hours * rate
        setattr(pay, f"{kind}_hours", getattr(pay, f"{kind}_hours") + entry.hours)
        pay.entry_ids.append(entry.pk)
    premium = ZERO
    by_week = defaultdict(list)
    for entry in week_entries:
        if entry.kind != TimeEntry.Kind.PTO:
            by_week[_monday(entry.date)].append(entry)
    for week in sorted(by_week):
        worked = sorted(by_week[week], key=lambda e: (e.date, e.pk))
        hours = sum((e.hours for e in worked), ZERO)
        if hours <= OVERTIME_AFTER:
            continue
        straight = sum((e.hours * _rate(rates, e.kind, e.date) for e in worked), ZERO)
        regular_rate = straight / hours
        running = ZERO
        for e in worked:
            before, running = running, running + e.hours
            over = max(ZERO, running - max(before, OVERTIME_AFTER))
            if over and start <= e.date <= end:
                pay.overtime_hours += over
                premium += over * regular_rate / 2
    pay.production_pay = quantize(exact[TimeEntry.Kind.PRODUCTION])
    pay.training_pay = quantize(exact[TimeEntry.Kind.TRAINING])
    pay.pto_pay = quantize(exact[TimeEntry.Kind.PTO])
    pay.overtime_premium = quantize(premium)
    pay.bonus = quantize(bonus)
    pay.production_rate = _rate_or_zero(rates, "production", end)
    pay.training_rate = _rate_or_zero(rates, "training", end)
    return pay


def _rate_or_zero(rates, kind, day):
    try:
        return _rate(rates, kind, day)
    except PayRunError:
        return ZERO


def _w4(certificates: list[WithholdingCertificate], day: date) -> W4:
    for c in certificates:  # newest first
        if c.effective_from <= day:
            return W4(
                filing_status=c.filing_status, step2_checkbox=c.step2_checkbox, step3_credits=c.step3_credits,
                step4a_other_income=c.step4a_other_income, step4b_deductions=c.step4b_deductions,
                step4c_extra_withholding=c.step4c_extra_withholding, exempt=c.exempt,
            )
    return W4()  # no W-4 on file: single, nothing else (as the IRS says to withhold)


def _year_to_date(run: PayRun, employee_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    rows = (
        PayStub.objects.filter(
            employee_id__in=employee_ids, pay_run__status__in=COUNTED, pay_run__pay_date__year=run.pay_date.year
        )
        # Runs paid before this one (or on the same day and created earlier).
        .filter(Q(pay_run__pay_date__lt=run.pay_date) | Q(pay_run__pay_date=run.pay_date, pay_run_id__lt=run.pk))
        .values("employee_id")
        .annotate(**{f: cents_sum(f) for f in YTD_FIELDS})
    )
    return {r["employee_id"]: {f: from_cents(int(r[f] or 0)) for f in YTD_FIELDS} for r in rows}


def _progress(run_id: int, done: int, total: int) -> None:
    PayRun.objects.filter(pk=run_id).update(progress_done=done, progress_total=total)


@transaction.atomic
def payrun_calculate(run_id: int, actor) -> PayRun:
    """Work out every employee's pay for the run and write the stubs (replacing a draft's)."""
    run = PayRun.objects.select_for_update().get(pk=run_id)
    if run.status not in RECALCULABLE + (S.CALCULATING,):
        raise PayRunError(f"This pay run is {run.get_status_display().lower()}; it cannot be recalculated.")
    problems = payrun_date_problems(run.period_start, run.period_end, run.pay_date)
    if problems:  # a run made before these checks, or through the admin
        raise PayRunError(" ".join(problems.values()) + " Void this run and create it again with the right dates.")
    run.stubs.all().delete()
    TimeEntry.objects.filter(pay_run=run).update(pay_run=None)

    start, end = run.period_start, run.period_end
    bonuses = defaultdict(lambda: ZERO)
    for adjustment in PayAdjustment.objects.filter(pay_run=run):
        bonuses[adjustment.employee_id] += adjustment.amount
    employees = payrun_employees(run)
    if run.kind == PayRun.Kind.BONUS:
        employees = employees.filter(pk__in=list(bonuses))
    employees = list(employees)
    ids = [e.pk for e in employees]
    rates, certificates, entries, week_entries = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    for rate in PayRate.objects.filter(employee_id__in=ids).order_by("-effective_from", "-id"):
        rates[rate.employee_id].append(rate)
    for certificate in WithholdingCertificate.objects.filter(employee_id__in=ids).order_by("-effective_from", "-id"):
        certificates[certificate.employee_id].append(certificate)
    approved = TimeEntry.objects.filter(employee_id__in=ids, approved_at__isnull=False)
    if run.kind != PayRun.Kind.BONUS:
        in_period = Q(date__range=(start, end))
        if run.kind == PayRun.Kind.REGULAR:  # hours entered after their own period was paid
            in_period |= Q(date__lt=start, after_period_paid=True)
        for entry in approved.filter(in_period, pay_run__isnull=True):
            entries[entry.employee_id].append(entry)
    for entry in approved.filter(date__range=(_monday(start), _monday(end) + timedelta(days=6))).exclude(
        pay_run__status=S.VOID
    ):
        week_entries[entry.employee_id].append(entry)
    ytd = _year_to_date(run, ids)

    _progress(run.pk, 0, len(employees))
    stubs, paid_entries, negative = [], [], []
    step = max(1, len(employees) // 10)
    for n, employee in enumerate(employees, start=1):
        period_entries = entries.get(employee.pk, [])
        week = week_entries.get(employee.pk, []) if run.kind != PayRun.Kind.BONUS else []
        pay = gross_pay(employee, rates[employee.pk], (start, end), period_entries, week, bonuses[employee.pk])
        if pay.gross == 0:
            continue
        before = ytd.get(employee.pk, {f: ZERO for f in YTD_FIELDS})
        w4 = _w4(certificates[employee.pk], run.pay_date)
        taxes = period_taxes(
            pay.gross, PAY_PERIODS_PER_YEAR, w4, run.pay_date.year,
            before["gross"], settings.STATE_UNEMPLOYMENT_RATE, settings.STATE_UNEMPLOYMENT_WAGE_BASE,
        )
        if run.kind == PayRun.Kind.BONUS:
            # Supplemental wages paid alone: the IRS's optional flat rate, not a 26-a-year paycheck.
            taxes = taxes.replace(federal_income_tax=ZERO if w4.exempt else quantize(pay.gross * SUPPLEMENTAL_RATE))
        net = pay.gross - taxes.employee_withholding
        if net < 0:
            negative.append(f"employee {employee.pk} (net {net})")
            continue
        stub = PayStub(
            pay_run=run, employee=employee, production_hours=pay.production_hours, production_rate=pay.production_rate,
            training_hours=pay.training_hours, training_rate=pay.training_rate, pto_hours=pay.pto_hours,
            overtime_hours=pay.overtime_hours, production_pay=pay.production_pay, training_pay=pay.training_pay,
            pto_pay=pay.pto_pay, overtime_premium=pay.overtime_premium, bonus=pay.bonus, gross=pay.gross,
            net=net, **taxes.amounts, **_payment_method(employee),
        )
        stub.ytd = {f: str(before[f] + getattr(stub, f)) for f in YTD_FIELDS}
        stubs.append(stub)
        paid_entries += pay.entry_ids
        if n % step == 0:
            _progress(run.pk, n, len(employees))
    if negative:
        raise PayRunError("The run would pay a negative net to " + ", ".join(negative) + "; fix their deductions or hours.")
    PayStub.objects.bulk_create(stubs)
    TimeEntry.objects.filter(pk__in=paid_entries).update(pay_run=run)
    run.status, run.calculated_by, run.calculated_at, run.last_error = S.CALCULATED, actor, timezone.now(), ""
    run.progress_done = run.progress_total = len(employees)
    run.save(update_fields=["status", "calculated_by", "calculated_at", "last_error", "progress_done", "progress_total"])
    audit_record("payrun.calculated", actor=actor, target=run, stubs=len(stubs), gross=sum((s.gross for s in stubs), ZERO))
    return run


def _payment_method(employee: Employee) -> dict:
    """How this pay reaches the employee, fixed on the stub when it is calculated.

    No bank details: a paper check. A new account (no prenote yet, with prenotes on): the bank
    file carries a zero-dollar test entry for it and this pay goes by paper check. Otherwise a
    deposit to the account, shown masked.
    """
    from payroll.bank import mask

    if not employee.has_bank_account:
        return {"paid_by_check": True, "prenote": False, "bank_masked": ""}
    if settings.PAYROLL_PRENOTES and not employee.bank_prenote_sent:
        return {"paid_by_check": True, "prenote": True, "bank_masked": ""}
    return {"paid_by_check": False, "prenote": False, "bank_masked": mask(employee.bank_account)}


def payrun_start_calculation(run_id: int, actor) -> None:
    """Mark the run as calculating and hand the work to a Celery task (the page polls)."""
    from payroll.tasks import calculate_pay_run

    with transaction.atomic():
        run = PayRun.objects.select_for_update().get(pk=run_id)
        # "Calculating" too: a calculation whose worker was lost can always be started again (the
        # calculation locks the run and replaces its stubs, so two in a row give the same result).
        if run.status not in RECALCULABLE + (S.CALCULATING,):
            raise PayRunError(f"This pay run is {run.get_status_display().lower()}; it cannot be recalculated.")
        run.status, run.progress_done, run.progress_total, run.last_error = S.CALCULATING, 0, 0, ""
        run.save(update_fields=["status", "progress_done", "progress_total", "last_error"])
        audit_record("payrun.calculation_started", actor=actor, target=run)
        transaction.on_commit(lambda: calculate_pay_run.delay(run_id, getattr(actor, "pk", None)))


def payrun_record_failure(run_id: int, message: str) -> None:
    """A calculation that stopped: the run is "calculation failed" with the reason, and can be
    calculated again (the failed attempt's writes were rolled back with its transaction)."""
    updated = PayRun.objects.filter(pk=run_id, status=S.CALCULATING).update(status=S.FAILED, last_error=message[:2000])
    if updated:
        audit_record("payrun.calculation_failed", target=("payroll.payrun", run_id), reason=message[:200])


# -- approval, funding, payment, void -------------------------------------------------


@dataclass(frozen=True)
class RunTotals:
    gross: Decimal
    employee_taxes: Decimal
    employer_taxes: Decimal
    net: Decimal
    training_cost: Decimal
    production_cost: Decimal

    @property
    def cost(self) -> Decimal:
        return self.gross + self.employer_taxes


def payrun_totals(run: PayRun) -> RunTotals:
    stubs = list(run.stubs.all())
    gross = sum((s.gross for s in stubs), ZERO)
    employer = sum((s.employer_taxes for s in stubs), ZERO)
    training_gross = sum((s.training_pay for s in stubs), ZERO)
    # Employer taxes follow the wages they are on.
    production_cost, training_cost = allocate(gross + employer, [gross - training_gross, training_gross]) if stubs else (ZERO, ZERO)
    return RunTotals(
        gross=gross,
        employee_taxes=sum((s.employee_taxes for s in stubs), ZERO),
        employer_taxes=employer,
        net=sum((s.net for s in stubs), ZERO),
        training_cost=training_cost,
        production_cost=production_cost,
    )


@dataclass(frozen=True)
class Funding:
    wage_balance: Decimal
    training_balance: Decimal
    wage_short: Decimal  # how much the wage fund lacks for this run (zero when it covers it)
    training_short: Decimal

    @property
    def covered(self) -> bool:
        return not (self.wage_short or self.training_short)

    @property
    def shortfall(self) -> Decimal:
        return self.wage_short + self.training_short


def payrun_funding(totals: RunTotals) -> Funding:
    """Whether the wage and training funds cover a run's cost (the run page and approval agree)."""
    from payroll.selectors.wage_fund import fund_balance

    wage, training = fund_balance("wage_fund"), fund_balance("training_fund")
    return Funding(wage, training, max(ZERO, totals.production_cost - wage), max(ZERO, totals.training_cost - training))


@transaction.atomic
def payrun_approve(run_id: int, actor, override_reason: str = "") -> PayRun:
    """A second payroll staff member approves: the run is frozen and its cost drawn from the funds.

    A run the funds do not cover is approved only with ``override_reason`` (why it is paid
    anyway), which goes into the audit trail; without it the approval is refused.
    """
    from payroll.models import Account

    run = PayRun.objects.select_for_update().get(pk=run_id)
    if run.status != S.CALCULATED:
        raise PayRunError(f"Only a calculated run can be approved; this one is {run.get_status_display().lower()}.")
    if run.calculated_by_id is not None and run.calculated_by_id == getattr(actor, "pk", None):
        raise PayRunError("Someone other than the person who calculated the run must approve it.")
    totals = payrun_totals(run)
    if totals.gross <= 0:
        what = "enter the bonus amounts" if run.kind == PayRun.Kind.BONUS else "approve the hours or enter the amounts"
        raise PayRunError(f"This run pays nobody yet, so there is nothing to approve: {what}, then recalculate it.")
    # Two approvals at once must not both spend the same balance: the fund accounts are locked.
    list(Account.objects.select_for_update().filter(code__in=("wage_fund", "training_fund")).order_by("pk"))
    funding = payrun_funding(totals)
    reason = (override_reason or "").strip()
    if not funding.covered:
        if not reason:
            raise PayRunError(
                f"The funds are {usd(funding.shortfall)} short of this run's cost. To approve it anyway, "
                "say why in the box next to Approve; that reason is kept in the audit trail."
            )
        audit_record("payrun.approved_over_shortfall", actor=actor, target=run, reason=reason[:500],
                     shortfall=funding.shortfall, wage_fund_short=funding.wage_short,
                     training_fund_short=funding.training_short)
    on = run.pay_date
    entry_post(
        key=f"payrun:{run.pk}:wages", on=on, memo=f"Wages, {run}", source_type="payrun", source_id=run.pk,
        legs=[
            Leg("wage_expense", totals.gross),
            Leg("employer_tax_expense", totals.employer_taxes),
            Leg("payroll_liabilities", -(totals.employee_taxes + totals.employer_taxes)),
            Leg("payroll_cash", -totals.net),
        ],
    )
    entry_post(
        key=f"payrun:{run.pk}:fund-draw", on=on, memo=f"Funds released for {run}", source_type="payrun", source_id=run.pk,
        legs=[
            Leg("wage_fund", totals.production_cost),
            Leg("training_fund", totals.training_cost),
            Leg("net_assets_released", -totals.cost),
        ],
    )
    run.status, run.approved_by, run.approved_at = S.APPROVED, actor, timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record("payrun.approved", actor=actor, target=run, gross=totals.gross, net=totals.net, cost=totals.cost)
    from payroll.tasks import generate_pay_stubs

    transaction.on_commit(lambda: generate_pay_stubs.delay(run.pk))
    return run


@transaction.atomic
def payrun_mark_paid(run_id: int, actor) -> PayRun:
    run = PayRun.objects.select_for_update().get(pk=run_id)
    if run.status != S.APPROVED:
        raise PayRunError("Only an approved run can be marked paid.")
    run.status, run.paid_at = S.PAID, timezone.now()
    run.save(update_fields=["status", "paid_at"])
    audit_record("payrun.paid", actor=actor, target=run)
    return run


@transaction.atomic
def payrun_void(run_id: int, actor, reason: str) -> PayRun:
    """Void an approved or paid run by reversing its entries; its hours can be paid again."""
    from payroll.models import JournalEntry

    run = PayRun.objects.select_for_update().get(pk=run_id)
    if run.status not in (S.APPROVED, S.PAID):
        raise PayRunError("Only an approved or paid run can be voided; a draft can simply be recalculated.")
    if not reason.strip():
        raise PayRunError("Say why the run is voided.")
    for entry in JournalEntry.objects.filter(source_type="payrun", source_id=run.pk, reverses__isnull=True).prefetch_related("postings__account"):
        entry_post(
            key=f"{entry.idempotency_key}:void", on=timezone.localdate(), memo=f"Void: {entry.memo} ({reason.strip()})",
            source_type="payrun-void", source_id=run.pk, reverses=entry,
            legs=[Leg(p.account.code, -p.amount) for p in entry.postings.all()],
        )
    TimeEntry.objects.filter(pay_run=run).update(pay_run=None)
    run.status, run.voided_at, run.note = S.VOID, timezone.now(), (run.note + f" Voided: {reason.strip()}").strip()
    run.save(update_fields=["status", "voided_at", "note"])
    audit_record("payrun.voided", actor=actor, target=run)
    return run
