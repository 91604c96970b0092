"""Time entries: entered by staff (or the employee), approved by payroll staff, locked in
an approved pay run. Hours are never paid below the minimum wage in force that day."""
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from payroll.models import Employee, TimeEntry
from payroll.services.people import EmployeeError, audit, minimum_wage_on, rate_on

LOCKED_RUN_STATUSES = ("approved", "paid")


class TimeEntryError(EmployeeError):
    pass


def _rate_kind(kind: str) -> str:
    return "production" if kind == TimeEntry.Kind.PTO else kind


def time_entry_check(employee: Employee, day: date, hours: Decimal, kind: str) -> None:
    """The rules a time entry must meet, whoever enters it (service, admin or import)."""
    if day < employee.hire_date or (employee.end_date and day > employee.end_date):
        raise TimeEntryError(f"{day:%b %-d, %Y} is outside this person's employment.")
    if not (Decimal("0") < hours <= Decimal("24")):
        raise TimeEntryError("Hours must be more than 0 and at most 24 in a day.")
    rate = rate_on(employee, _rate_kind(kind), day)
    if rate is None:
        raise TimeEntryError(f"There is no {_rate_kind(kind)} pay rate in force on {day:%b %-d, %Y}; set one first.")
    floor = minimum_wage_on(day)
    if floor is not None and rate.rate < floor:
        raise TimeEntryError(
            f"The {_rate_kind(kind)} rate ${rate.rate} is below the minimum wage of ${floor} in force on {day:%b %-d, %Y}; raise it first."
        )


@transaction.atomic
def time_entry_add(employee: Employee, day: date, hours: Decimal, kind: str, actor, note: str = "", source: str = "") -> TimeEntry:
    time_entry_check(employee, day, hours, kind)
    entry = TimeEntry(employee=employee, date=day, hours=hours, kind=kind, note=note, entered_by=actor, source=source)
    entry.full_clean()
    entry.save()
    audit(actor, "time.entered", employee, target=entry, day=day, hours=hours, kind=kind)
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
def time_entry_remove(entry_id: int) -> None:
    entry = TimeEntry.objects.select_for_update(of=("self",)).select_related("pay_run").get(pk=entry_id)
    if entry.pay_run_id and entry.pay_run.status in LOCKED_RUN_STATUSES:
        raise TimeEntryError("This time entry was paid in an approved pay run; correct it with an off-cycle correction run.")
    audit(None, "time.removed", entry.employee_id, target=entry, day=entry.date, hours=entry.hours, kind=entry.kind)
    entry.delete()
