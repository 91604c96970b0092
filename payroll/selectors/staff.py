"""The staff home (``/staff/``): each staff role's to-dos, each a link, in a fixed number of
queries whatever the number of runs, entries, sign-ups or orders."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from payroll.models import PayRun, Shift, SignUp, TimeEntry
from shop.platform.roles import PAYROLL_STAFF, PROGRAM_STAFF, SHOP_STAFF, VOLUNTEER_COORDINATOR, user_has_role


@dataclass(frozen=True)
class ToDo:
    role: str
    label: str
    url: str
    detail: str = ""
    urgent: bool = False


def _payroll_todos(user, today: date) -> list[ToDo]:
    todos: list[ToDo] = []
    S = PayRun.Status
    runs = (PayRun.objects.filter(status__in=[S.DRAFT, S.FAILED, S.CALCULATED])
            .select_related("calculated_by").order_by("pay_date", "id"))
    for run in runs:
        url = reverse("payroll:payrun", args=[run.pk])
        name = f"{run.get_kind_display().lower()} run, pay date {run.pay_date:%b} {run.pay_date.day}, {run.pay_date.year}"
        if run.status == S.CALCULATED:
            by = run.calculated_by
            if by is not None and by.pk == user.pk:
                detail, urgent = "calculated by you: a second person approves", False
            else:
                who = (by.get_full_name() or by.get_username()) if by is not None else "someone"
                detail, urgent = f"calculated by {who}: waiting for you to approve", True
            todos.append(ToDo(PAYROLL_STAFF, f"Approve the {name}", url, detail, urgent))
        else:
            detail = "calculation failed: calculate it again" if run.status == S.FAILED else "not calculated yet"
            todos.append(ToDo(PAYROLL_STAFF, f"Calculate the {name}", url, detail, run.status == S.FAILED))
    waiting = TimeEntry.objects.filter(approved_at__isnull=True, pay_run__isnull=True).count()
    if waiting:
        todos.append(ToDo(PAYROLL_STAFF, f"{waiting} time {'entry' if waiting == 1 else 'entries'} waiting for approval",
                          reverse("admin:payroll_timeentry_changelist") + "?approved_at__isempty=1"))
    from payroll.models import ChangeRequest

    asked = ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING).count()
    if asked:
        todos.append(ToDo(PAYROLL_STAFF, f"{asked} change request{'s' if asked != 1 else ''} from employees to decide",
                          reverse("payroll:change_requests")))
    for filing in filings(today):
        todos.append(ToDo(PAYROLL_STAFF, filing.label, filing.url,
                          f"due {filing.due:%b} {filing.due.day}, {filing.due.year}" + (" (overdue)" if filing.overdue else ""),
                          filing.overdue))
    for warning in fund_warnings_for(today):
        todos.append(ToDo(PAYROLL_STAFF, warning, reverse("payroll:wage_fund"), urgent=True))
    return todos


def filings(today: date) -> list:
    """Returns, deposits and new-hire reports due (``payroll.selectors.filings``), soonest first."""
    from payroll.selectors import filings as module

    return sorted(module.filings_due(today), key=lambda f: f.due)


def fund_warnings_for(today: date) -> list[str]:
    """The same fund-level check as the nightly alert (``payroll/services/reconcile.py``)."""
    from payroll.selectors.wage_fund import fund_balance, fund_warnings, next_payroll

    return fund_warnings(fund_balance("wage_fund"), fund_balance("training_fund"), next_payroll(today))


def _volunteer_todos(today: date) -> list[ToDo]:
    todos = []
    review = SignUp.objects.filter(needs_review=True).count()
    if review:
        todos.append(ToDo(VOLUNTEER_COORDINATOR, f"{review} sign-out{'s' if review != 1 else ''} to review (signed out automatically)",
                          reverse("payroll:coordinator_reports")))
    unmarked = SignUp.objects.filter(status=SignUp.Status.CONFIRMED, attendance=SignUp.Attendance.UNKNOWN,
                                     shift__ends_at__date__lt=today, shift__status=Shift.Status.SCHEDULED).count()
    if unmarked:
        todos.append(ToDo(VOLUNTEER_COORDINATOR,
                          f"{unmarked} past sign-up{'s' if unmarked != 1 else ''} with attendance not marked (present or no-show)",
                          reverse("payroll:coordinator_week")))
    from payroll.selectors.volunteers import EXPIRING_DAYS, background_checks_expiring

    expiring = background_checks_expiring(today).count()
    if expiring:
        todos.append(ToDo(VOLUNTEER_COORDINATOR,
                          f"{expiring} background check{'s' if expiring != 1 else ''} expiring within {EXPIRING_DAYS} days",
                          reverse("payroll:coordinator_background_checks"), "record the renewal once the provider reports it"))
    return todos


def _shop_todos(today: date) -> list[ToDo]:
    from shop.models import Invoice
    from shop.selectors.gifts.orders import gift_pipeline

    todos = []
    pipeline = reverse("shop:gift_pipeline")
    for _stage, orders in gift_pipeline(today):
        for order in orders:
            if "proof overdue" in order.flags:
                todos.append(ToDo(SHOP_STAFF, f"Proof overdue: gift order {order.number}",
                                  reverse("shop:gift_order_staff", args=[order.number]), str(order.organisation), True))
    overdue = list(Invoice.objects.filter(paid_at__isnull=True, due_on__lt=today).select_related("order").order_by("due_on"))
    for invoice in overdue:
        todos.append(ToDo(SHOP_STAFF, f"Invoice {invoice.number:06d} overdue",
                          reverse("shop:gift_order_staff", args=[invoice.order.number]),
                          f"due {invoice.due_on:%b} {invoice.due_on.day}, {invoice.due_on.year}", True))
    if not todos:
        return []
    return todos + [ToDo(SHOP_STAFF, "All gift orders", pipeline)]


# -- consent (issue 24): consents ending soon, for program staff --------------------------


def _consent_todos(today: date) -> list[ToDo]:
    """Consents in force that end within 30 days: ask the participant whether to renew (one query)."""
    from payroll.selectors.consent import EXPIRING_DAYS, consents_expiring

    todos = []
    for consent in consents_expiring(today):
        to = consent.recipient.name if consent.recipient_id else "no one outside"
        ends = consent.valid_until
        todos.append(ToDo(PROGRAM_STAFF, f"Consent no. {consent.pk} of participant no. {consent.employee_id} ends "
                                         f"{ends:%b} {ends.day}, {ends.year}",
                          reverse("payroll:consents", args=[consent.employee_id]),
                          f"{consent.get_kind_display()}, to {to}: ask whether to renew (within {EXPIRING_DAYS} days)",
                          (ends - today).days <= 7))
    return todos


# -- end consent --


def staff_home(user, today: date) -> dict[str, list[ToDo]]:
    """The to-dos of each staff role ``user`` holds, by role (roles they lack are absent)."""
    home: dict[str, list[ToDo]] = {}
    if user_has_role(user, PAYROLL_STAFF):
        home[PAYROLL_STAFF] = _payroll_todos(user, today)
    if user_has_role(user, SHOP_STAFF):
        home[SHOP_STAFF] = _shop_todos(today)
    if user_has_role(user, VOLUNTEER_COORDINATOR):
        home[VOLUNTEER_COORDINATOR] = _volunteer_todos(today)
    if user_has_role(user, PROGRAM_STAFF):
        home[PROGRAM_STAFF] = []
        home[PROGRAM_STAFF] += _consent_todos(today)  # consent (issue 24)
        home[PROGRAM_STAFF] += _casework_todos(user, today)  # casework (issue 24)
    return home


def _casework_todos(user, today: date) -> list[ToDo]:
    """Past sessions with no roster marked, rosters for this lead to approve, plan reviews due
    within two weeks or overdue (``payroll.selectors.casework.program_staff_due``)."""
    from payroll.selectors.casework import program_staff_due

    return [ToDo(PROGRAM_STAFF, due.label, due.url, due.detail, due.urgent) for due in program_staff_due(user, today)]
