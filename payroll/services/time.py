"""Time entries: entered by staff (or the employee), approved by payroll staff, locked in
an approved pay run. Hours are never paid below the minimum wage in force that day.

Every path that makes or changes an entry (the employee's page, the admin, training
attendance, the demo) goes through ``time_entry_add`` / ``time_entry_change``, so the same
rules hold everywhere: no future dates, at most 24 hours in a day (all entries of that day
together), a confirmation past 12, and hours dated in a period already paid go to the next
regular run, visibly (``after_period_paid``)."""
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from payroll.models import Employee, PayRun, TimeEntry
from payroll.services.people import EmployeeError, audit, minimum_wage_on, rate_on

LOCKED_RUN_STATUSES = ("approved", "paid")
LONG_DAY = Decimal("12")  # more than this in one day asks "is that right?"
FULL_DAY = Decimal("24")


class TimeEntryError(EmployeeError):
    pass


class TimeEntryNeedsConfirmation(TimeEntryError):
    """More than 12 hours in a day: kept only when the person confirms it."""


def _rate_kind(kind: str) -> str:
    return "production" if kind == TimeEntry.Kind.PTO else kind


def _hours(hours: Decimal) -> str:
    """21.50 -> "21.5", 25.00 -> "25" (as people write hours)."""
    return f"{hours.quantize(Decimal('0.01')).normalize():f}"


def day_total(employee: Employee, day: date, exclude_entry_id: int | None = None) -> Decimal:
    """Hours already recorded for the person on that day (every kind)."""
    rows = TimeEntry.objects.filter(employee=employee, date=day)
    if exclude_entry_id:
        rows = rows.exclude(pk=exclude_entry_id)
    return rows.aggregate(h=Sum("hours"))["h"] or Decimal("0")


def paid_run_for(day: date) -> PayRun | None:
    """The approved or paid regular run whose period holds ``day`` (its hours are settled)."""
    return (
        PayRun.objects.filter(kind=PayRun.Kind.REGULAR, status__in=LOCKED_RUN_STATUSES, period_start__lte=day, period_end__gte=day)
        .order_by("-pay_date")
        .first()
    )


def time_entry_check(employee: Employee, day: date, hours: Decimal, kind: str, exclude_entry_id: int | None = None,
                     confirmed_long_day: bool = False) -> None:
    """The rules a time entry must meet, whoever enters it (service, admin or import)."""
    if day > timezone.localdate():
        raise TimeEntryError(f"{day:%b %-d, %Y} is in the future; hours are entered once they are worked.")
    if day < employee.hire_date or (employee.end_date and day > employee.end_date):
        raise TimeEntryError(f"{day:%b %-d, %Y} is outside this person's employment.")
    if not (Decimal("0") < hours <= FULL_DAY):
        raise TimeEntryError("Hours must be more than 0 and at most 24 in a day.")
    total = day_total(employee, day, exclude_entry_id) + hours
    if total > FULL_DAY:
        raise TimeEntryError(f"That makes {_hours(total)} hours on {day:%b %-d, %Y}; a day has only 24. Check the hours already entered for that day.")
    if total > LONG_DAY and not confirmed_long_day:
        raise TimeEntryNeedsConfirmation(
            f"That makes {_hours(total)} hours on {day:%b %-d, %Y}, more than 12. If that is right, confirm it and save again."
        )
    rate = rate_on(employee, _rate_kind(kind), day)
    if rate is None:
        raise TimeEntryError(f"There is no {_rate_kind(kind)} pay rate in force on {day:%b %-d, %Y}; set one first.")
    floor = minimum_wage_on(day)
    if floor is not None and rate.rate < floor:
        raise TimeEntryError(
            f"The {_rate_kind(kind)} rate ${rate.rate} is below the minimum wage of ${floor} in force on {day:%b %-d, %Y}; raise it first."
        )


@transaction.atomic
def time_entry_add(employee: Employee, day: date, hours: Decimal, kind: str, actor, note: str = "", source: str = "",
                   confirmed_long_day: bool = False) -> TimeEntry:
    """Record hours. A day whose pay period is already paid is not reopened: the entry is
    marked to be paid in the next regular run."""
    Employee.objects.select_for_update().filter(pk=employee.pk).first()  # one writer per person: the day total holds
    time_entry_check(employee, day, hours, kind, confirmed_long_day=confirmed_long_day)
    entry = TimeEntry(employee=employee, date=day, hours=hours, kind=kind, note=note, entered_by=actor, source=source,
                      after_period_paid=paid_run_for(day) is not None)
    entry.full_clean()
    entry.save()
    audit(actor, "time.entered", employee, target=entry, day=day, hours=hours, kind=kind,
          **({"after_period_paid": True} if entry.after_period_paid else {}))
    return entry


@transaction.atomic
def time_entry_change(entry_id: int, actor, confirmed_long_day: bool = False, **fields) -> TimeEntry:
    """Change an entry not yet paid (date, hours, kind, note), under the same rules as a new one."""
    entry = TimeEntry.objects.select_for_update(of=("self",)).select_related("pay_run", "employee").get(pk=entry_id)
    if entry.locked:
        raise TimeEntryError("This time entry was paid in an approved pay run; correct it with an off-cycle correction run.")
    changed = sorted(name for name, value in fields.items() if getattr(entry, name) != value)
    for name, value in fields.items():
        setattr(entry, name, value)
    time_entry_check(entry.employee, entry.date, entry.hours, entry.kind, exclude_entry_id=entry.pk,
                     confirmed_long_day=confirmed_long_day)
    entry.after_period_paid = paid_run_for(entry.date) is not None
    entry.full_clean()
    entry.save()
    audit(actor, "time.changed", entry.employee, target=entry, fields=changed, day=entry.date, hours=entry.hours, kind=entry.kind)
    return entry


@transaction.atomic
def time_entries_approve(entry_ids: list[int], actor) -> int:
    waiting = TimeEntry.objects.filter(pk__in=entry_ids, approved_at__isnull=True)
    approved = sorted(waiting.values_list("pk", flat=True))
    count = waiting.update(approved_by=actor, approved_at=timezone.now())
    if count:
        audit(actor, "time.approved", None, entries=approved[:200], count=count)
    return count


@transaction.atomic
def time_entry_remove(entry_id: int, actor=None) -> None:
    entry = TimeEntry.objects.select_for_update(of=("self",)).select_related("pay_run").get(pk=entry_id)
    if entry.pay_run_id and entry.pay_run.status in LOCKED_RUN_STATUSES:
        raise TimeEntryError("This time entry was paid in an approved pay run; correct it with an off-cycle correction run.")
    audit(actor, "time.removed", entry.employee_id, target=entry, day=entry.date, hours=entry.hours, kind=entry.kind)
    entry.delete()
