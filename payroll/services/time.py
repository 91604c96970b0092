"""Time entries: entered by staff (or the employee), approved by payroll staff, locked in
an approved pay run. Hours are never paid below the minimum wage in force that day.

Every path that makes or changes an entry (the employee's page, the admin, training
attendance, the demo) goes through ``time_entry_add`` / ``time_entry_change``, so the same
rules hold everywhere: no future dates, at most 24 hours in a day (all entries of that day
together), a confirmation past 12, and hours dated in a period already paid go to the next
regular run, visibly (``after_period_paid``)."""
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from payroll.models import Employee, PayRun, TimeEntry
from payroll.services.people import EmployeeError, audit, minimum_wage_on, rate_on
from shop.platform.validators import MAX_ID, ascii_int, sane_date

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


# -- the timesheet grid: a pay period × employees × days, saved whole or not at all ---------------

GRID_KINDS = (TimeEntry.Kind.PRODUCTION, TimeEntry.Kind.TRAINING, TimeEntry.Kind.PTO)


def grid_cell_name(employee_id: int, day: date, kind: str) -> str:
    """The form field name of one cell: ``h-<employee>-<yyyymmdd>-<kind>``."""
    return f"h-{employee_id}-{day:%Y%m%d}-{kind}"


class TimeGridError(TimeEntryError):
    """The grid was not saved; ``cells`` maps each refused cell's name to its message."""

    def __init__(self, cells: dict[str, str]):
        self.cells = cells
        super().__init__(f"Nothing was saved: {len(cells)} cell{'s' if len(cells) != 1 else ''} need correcting.")


def time_grid_save(cells: dict[tuple[int, date, str], Decimal], actor, confirmed_long_day: bool = False) -> int:
    """Save every changed cell of the grid through ``time_entry_add`` / ``time_entry_change`` /
    ``time_entry_remove`` (the same rules as every other path), in one transaction: when any
    cell is refused, nothing is saved and ``TimeGridError`` names each refused cell.

    ``cells`` maps (employee id, day, kind) to the hours the grid now shows (0 clears the cell).
    A cell's hours are the sum of its entries; a changed cell keeps its first unpaid entry
    (changed) and removes the others. Lowered and cleared cells are saved before raised ones,
    so moving hours between kinds on one day is not refused as more than 24. Returns the
    number of cells changed.
    """
    errors: dict[str, str] = {}
    keys = {(employee_id, day) for employee_id, day, _kind in cells}
    employees = Employee.objects.in_bulk({employee_id for employee_id, _ in keys})
    days = {day for _, day in keys}
    existing: dict[tuple[int, date, str], list[TimeEntry]] = {}
    if days:
        rows = TimeEntry.objects.filter(employee_id__in=employees, date__gte=min(days), date__lte=max(days)).select_related("pay_run")
        for entry in rows.order_by("id"):
            existing.setdefault((entry.employee_id, entry.date, entry.kind), []).append(entry)
    plan = []
    for key, hours in cells.items():
        employee_id, day, kind = key
        name = grid_cell_name(employee_id, day, kind)
        if employee_id not in employees:
            errors[name] = "This person is not on the payroll."
            continue
        if kind not in GRID_KINDS:
            errors[name] = "Unknown kind of hours."
            continue
        entries = existing.get(key, [])
        current = sum((e.hours for e in entries), Decimal("0"))
        if hours == current:
            continue
        if any(e.locked for e in entries):
            errors[name] = "These hours were paid in an approved pay run; correct them with an off-cycle correction run."
            continue
        plan.append((hours - current, key, name, entries))
    with transaction.atomic():
        changed = 0
        for _delta, (employee_id, day, kind), name, entries in sorted(plan, key=lambda p: p[0]):
            hours = cells[(employee_id, day, kind)]
            try:
                with transaction.atomic():
                    for extra in entries[1:]:
                        time_entry_remove(extra.pk, actor)
                    if not hours:
                        if entries:
                            time_entry_remove(entries[0].pk, actor)
                    elif entries:
                        time_entry_change(entries[0].pk, actor, confirmed_long_day=confirmed_long_day, hours=hours)
                    else:
                        time_entry_add(employees[employee_id], day, hours, kind, actor, source="timesheet grid",
                                       confirmed_long_day=confirmed_long_day)
            except TimeEntryError as error:
                errors[name] = error.message
            except ValidationError as error:
                errors[name] = " ".join(error.messages)
            else:
                changed += 1
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise TimeGridError(errors)
    return changed


@transaction.atomic
def time_period_approve(period_start: date, period_end: date, actor) -> int:
    """Approve every entry of the period still waiting (those employees entered at /me/time/,
    and those entered in the grid). Paid entries are approved already."""
    waiting = TimeEntry.objects.filter(date__gte=period_start, date__lte=period_end, approved_at__isnull=True)
    return time_entries_approve(list(waiting.values_list("pk", flat=True)), actor)



# -- importing hours from a CSV file: every row or none --------------------------------------------

IMPORT_COLUMNS = ("employee", "date", "kind", "hours")
IMPORT_KINDS = {"regular": TimeEntry.Kind.PRODUCTION, "production": TimeEntry.Kind.PRODUCTION,
                "training": TimeEntry.Kind.TRAINING, "pto": TimeEntry.Kind.PTO}
IMPORT_MAX_ROWS = 5000


class TimeImportError(TimeEntryError):
    """The import was refused: ``rows`` is a list of (line number, message)."""

    def __init__(self, rows: list[tuple[int, str]]):
        self.rows = rows
        super().__init__(f"Nothing was imported: {len(rows)} problem{'s' if len(rows) != 1 else ''} in the file.")


class _DryRun(Exception):
    pass


def _employee_id(text: str) -> int | None:
    """The id typed in the employee column ("#12" or "12"): ASCII digits a database id can hold, else None."""
    number = ascii_int(text.lstrip("#"))
    return number if number is not None and 0 < number <= MAX_ID else None


def time_import(text: str, actor, *, commit: bool) -> list[TimeEntry]:
    """Add one time entry per row of the CSV (columns employee, date, kind, hours; employee is
    the employee's id), through ``time_entry_add``: all rows or none. With ``commit=False``
    everything is checked and rolled back (the preview). Raises ``TimeImportError`` listing
    every bad row with its line number."""
    from shop.platform.csv_export import CsvReadError, read_rows

    try:
        rows = read_rows(text, IMPORT_COLUMNS)
    except CsvReadError as error:
        raise TimeImportError([(1, str(error))]) from error
    if not rows:
        raise TimeImportError([(1, "The file has no rows of hours.")])
    if len(rows) > IMPORT_MAX_ROWS:
        raise TimeImportError([(1, f"At most {IMPORT_MAX_ROWS} rows at a time.")])
    employees = Employee.objects.in_bulk({_employee_id(row["employee"]) for _, row in rows} - {None})
    errors, made = [], []
    try:
        with transaction.atomic():
            for number, row in rows:
                employee = employees.get(_employee_id(row["employee"]))
                if employee is None:
                    errors.append((number, f"No employee number {row['employee'] or '(blank)'}."))
                    continue
                try:
                    day = date.fromisoformat(row["date"])
                    sane_date(day)
                except ValueError:
                    errors.append((number, f"The date {row['date'] or '(blank)'} is not a date like 2026-10-05."))
                    continue
                except ValidationError as error:
                    errors.append((number, " ".join(error.messages)))
                    continue
                kind = IMPORT_KINDS.get(row["kind"].lower())
                if kind is None:
                    errors.append((number, f"The kind {row['kind'] or '(blank)'} is not regular, training or pto."))
                    continue
                try:
                    hours = Decimal(row["hours"]) if row["hours"].isascii() else None  # Decimal() reads "٣" too
                except ArithmeticError:
                    hours = None
                if hours is None or not hours.is_finite() or hours.as_tuple().exponent < -2:
                    errors.append((number, f"The hours {row['hours'] or '(blank)'} are not a number like 7.5."))
                    continue
                try:
                    with transaction.atomic():
                        made.append(time_entry_add(employee, day, hours, kind, actor, source="hours import"))
                except TimeEntryError as error:
                    errors.append((number, error.message))
                except ValidationError as error:
                    errors.append((number, " ".join(error.messages)))
            if errors:
                raise TimeImportError(errors)
            if not commit:
                raise _DryRun
    except _DryRun:
        pass
    return made
