"""Reads about people for mailed documents and the state's new-hire report."""
from dataclasses import dataclass
from datetime import date, timedelta

from payroll.models import Employee

# Florida requires every new hire (and a rehire after 60 days apart) to be reported to the
# State Directory of New Hires within 20 days of the date of hire (s. 409.2576, Florida
# Statutes; Florida Department of Revenue, Child Support, "New Hire Reporting").
NEW_HIRE_REPORT_DAYS = 20


def mailing_address_lines(employee: Employee) -> list[str]:
    """The lines to print where a document is mailed or an address is shown on it: the
    substitute mailing address when one is set (e.g. Florida's Address Confidentiality
    Program), else the home address. Every mailed document (W-2s, pay stubs, ...) uses this."""
    chosen = employee.mailing_address.strip() or employee.address.strip()
    return [line.strip() for line in chosen.splitlines() if line.strip()]


@dataclass(frozen=True)
class NewHire:
    employee: Employee
    hire_date: date
    due: date
    reported_on: date | None

    def overdue(self, on: date) -> bool:
        return self.reported_on is None and on > self.due


def new_hire_due_date(hire_date: date) -> date:
    return hire_date + timedelta(days=NEW_HIRE_REPORT_DAYS)


def new_hires(since: date | None = None) -> list[NewHire]:
    """Every hire (since ``since``), newest first, with its report due date: one query."""
    employees = Employee.objects.order_by("-hire_date", "-id")
    if since is not None:
        employees = employees.filter(hire_date__gte=since)
    return [NewHire(e, e.hire_date, new_hire_due_date(e.hire_date), e.new_hire_reported_on) for e in employees]
