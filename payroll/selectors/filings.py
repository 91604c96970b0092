"""Filings due, for the staff home. Part (c) adds the 941, deposits, RT-6 and 940 to
``filings_due``; this file holds part (d)'s new-hire reports (the lead merges the two)."""
from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from payroll.models import Employee
from payroll.selectors.people import new_hire_due_date


@dataclass(frozen=True)
class FilingDue:
    label: str
    due: date
    url: str
    overdue: bool


def new_hires_due(on: date) -> list[FilingDue]:
    """Florida new-hire reports not yet sent, earliest due first (one query). The labels name
    no one: the staff home is seen by every staff role, names only by payroll staff."""
    url = reverse("payroll:new_hires")
    rows = Employee.objects.filter(new_hire_reported_on__isnull=True, hire_date__lte=on).order_by("hire_date", "id")
    result = []
    for employee in rows:
        due = new_hire_due_date(employee.hire_date)
        result.append(FilingDue(label=f"Florida new-hire report (hired {employee.hire_date:%b %-d, %Y})", due=due, url=url,
                                overdue=on > due))
    return result


def filings_due(on: date) -> list[FilingDue]:
    """Every filing due (part (c) adds its own); sorted by due date."""
    return sorted(new_hires_due(on), key=lambda filing: filing.due)
