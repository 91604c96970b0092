"""The timesheet grid's read: a pay period × employees × days, with totals and overtime.

Three queries whatever the size: the employees employed in the period, their entries in the
period, and nothing else (rates are not needed to show hours)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from payroll.models import Employee, TimeEntry
from payroll.services.payruns import OVERTIME_AFTER, pay_period_containing
from payroll.services.time import GRID_KINDS, grid_cell_name

ZERO = Decimal("0")


@dataclass
class GridCell:
    name: str
    day: date
    kind: str
    hours: Decimal
    locked: bool = False
    waiting: bool = False  # entered, not yet approved
    error: str = ""  # a refusal, when the grid was not saved
    raw: str | None = None  # what was typed, shown again with its error

    @property
    def shown(self) -> str:
        """The hours as people write them in a cell: 7.5, 10 (never 1E+1); blank for none."""
        return f"{self.hours.normalize():f}" if self.hours else ""


@dataclass
class GridLine:
    kind: str
    label: str
    cells: list[GridCell]
    total: Decimal


@dataclass
class GridWeek:
    monday: date
    worked: Decimal
    overtime: Decimal


@dataclass
class GridRow:
    employee: Employee
    name: str
    cells: dict[str, list[GridCell]] = field(default_factory=dict)  # kind -> a cell per day
    totals: dict[str, Decimal] = field(default_factory=dict)  # kind -> period total
    week_worked: list[Decimal] = field(default_factory=list)  # hours worked (not PTO) per workweek
    week_overtime: list[Decimal] = field(default_factory=list)  # over 40 in that workweek (FLSA)
    lines: list[GridLine] = field(default_factory=list)
    weeks: list[GridWeek] = field(default_factory=list)
    total: Decimal = ZERO
    overtime: Decimal = ZERO
    waiting: int = 0


@dataclass
class Grid:
    start: date
    end: date
    days: list[date]
    weeks: list[tuple[date, date]]
    rows: list[GridRow]
    day_totals: list[Decimal]
    kinds: list[tuple[str, str]]
    waiting: int
    previous: date
    next: date

    @property
    def total(self):
        return sum((row.total for row in self.rows), ZERO)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def employee_name(employee: Employee) -> str:
    """Payroll staff's name for a person: the legal name, with the chosen name beside it."""
    legal = employee.legal_name
    if employee.preferred_name and employee.preferred_name not in legal:
        return f"{legal} ({employee.preferred_name})"
    return legal


def time_grid(on: date, posted: dict[str, Decimal] | None = None, errors: dict[str, str] | None = None,
              raw: dict[str, str] | None = None) -> Grid:
    """The grid of the pay period holding ``on``. ``posted`` (cell name -> hours) overrides the
    saved hours, so a refused grid is shown again as it was typed, with its totals."""
    start, end, _pay_date = pay_period_containing(on)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    weeks = sorted({_monday(d) for d in days})
    employees = list(
        Employee.objects.filter(hire_date__lte=end).filter(Q(end_date__isnull=True) | Q(end_date__gte=start)).order_by("id")
    )
    hours = defaultdict(lambda: ZERO)
    locked, waiting = set(), set()
    for entry in TimeEntry.objects.filter(employee__in=employees, date__gte=start, date__lte=end).select_related("pay_run"):
        key = (entry.employee_id, entry.date, entry.kind)
        hours[key] += entry.hours
        if entry.locked:
            locked.add(key)
        if entry.approved_at is None:
            waiting.add(key)
    rows, day_totals = [], [ZERO] * len(days)
    for employee in employees:
        row = GridRow(employee=employee, name=employee_name(employee))
        worked = defaultdict(lambda: ZERO)
        for kind in GRID_KINDS:
            row.cells[kind] = []
            for i, day in enumerate(days):
                key = (employee.pk, day, kind)
                name = grid_cell_name(employee.pk, day, kind)
                value = posted[name] if posted is not None and name in posted else hours[key]
                row.cells[kind].append(GridCell(name, day, kind, value, key in locked, key in waiting,
                                                (errors or {}).get(name, ""), (raw or {}).get(name)))
                row.totals[kind] = row.totals.get(kind, ZERO) + value
                day_totals[i] += value
                if kind != TimeEntry.Kind.PTO:  # paid time off is not hours worked (FLSA)
                    worked[_monday(day)] += value
        row.week_worked = [worked[w] for w in weeks]
        row.week_overtime = [max(ZERO, w - OVERTIME_AFTER) for w in row.week_worked]
        row.lines = [GridLine(kind, TimeEntry.Kind(kind).label, row.cells[kind], row.totals[kind]) for kind in GRID_KINDS]
        row.weeks = [GridWeek(w, row.week_worked[i], row.week_overtime[i]) for i, w in enumerate(weeks)]
        row.total = sum(row.totals.values(), ZERO)
        row.overtime = sum(row.week_overtime, ZERO)
        row.waiting = len({k for k in waiting if k[0] == employee.pk})
        rows.append(row)
    return Grid(start=start, end=end, days=days, weeks=[(w, w + timedelta(days=6)) for w in weeks], rows=rows,
                day_totals=day_totals, kinds=[(k.value, k.label) for k in GRID_KINDS],
                waiting=sum(r.waiting for r in rows), previous=start - timedelta(days=14), next=end + timedelta(days=1))
