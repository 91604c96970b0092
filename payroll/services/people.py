"""Survivor employees: records, rates, W-4s, bank details, maker credits (consents: ``payroll.services.consent``). Every change and
every staff read of a record is audited (who, what, when, from where)."""
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from payroll.models import (
    ChangeRequest,
    Consent,
    Employee,
    MakerAssignment,
    MinimumWage,
    PayRate,
    WithholdingCertificate,
)
from payroll.validators import normalize_ssn
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.models import Product
from shop.services.catalog import catalog_changed


class EmployeeError(DomainError):
    pass


def audit(actor, action: str, employee: Employee | None = None, ip: str | None = None, target=None, **detail) -> None:
    """Record who did what to (or saw) whose record, in the shop's audit trail (``shop.platform.audit``).
    Details never hold the personal data itself: ids, choices, counts."""
    audit_record(action, actor=actor, employee=employee, ip=ip, target=target, **detail)


def minimum_wage_on(day: date) -> Decimal | None:
    row = MinimumWage.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return row.rate if row else None


def rate_on(employee: Employee, kind: str, day: date) -> PayRate | None:
    return employee.rates.filter(kind=kind, effective_from__lte=day).order_by("-effective_from", "-id").first()


BANK_FIELDS = ("bank_routing", "bank_account", "bank_account_type")
REVEALABLE = {"ssn": "SSN", "bank_routing": "bank routing number", "bank_account": "bank account number"}


def employee_number_reveal(employee: Employee, field: str, actor, ip: str | None = None) -> str:
    """The full SSN, routing or account number, for a payroll staff member who asked to see
    it once (a POST): recorded in the audit trail (which number, never the number itself)."""
    if field not in REVEALABLE:
        raise EmployeeError("Choose the SSN, the routing number or the account number to reveal.")
    value = getattr(employee, field) or ""
    if not value:
        raise EmployeeError(f"There is no {REVEALABLE[field]} on file.")
    audit(actor, "employee.number_revealed", employee, ip=ip, field=field)
    return value


@transaction.atomic
def employee_save(employee: Employee, actor, changed: list[str]) -> Employee:
    """Save a record edited as a whole (the admin's form) under the services' rules: new bank
    details go through ``bank_details_set`` (validated, prenote due again, audited as their
    own event); other changes are audited by field name, never by value."""
    if employee.pk is None:
        employee.bank_prenote_sent = False
        employee.full_clean()
        employee.save()
        audit(actor, "employee.created", employee)
        return employee
    bank = [f for f in changed if f in BANK_FIELDS]
    other = sorted(f for f in changed if f not in BANK_FIELDS and f != "bank_prenote_sent")
    if other:
        employee.save(update_fields=other)
        audit(actor, "employee.changed", employee, fields=other)
    if bank:
        bank_details_set(employee, employee.bank_routing, employee.bank_account, employee.bank_account_type, actor, fields=bank)
    return employee


@transaction.atomic
def minimum_wage_set(effective_from: date, rate: Decimal, actor, note: str = "", row: MinimumWage | None = None) -> MinimumWage:
    """Add (or correct) a row of the dated minimum-wage table, audited."""
    row = row or MinimumWage()
    row.effective_from, row.rate, row.note = effective_from, rate, note
    row.full_clean()
    row.save()
    audit(actor, "minimum_wage.set", None, target=row, rate=rate, effective_from=effective_from)
    return row


@transaction.atomic
def employee_create(*, actor, legal_name: str, ssn: str, hire_date: date, **fields) -> Employee:
    employee = Employee(legal_name=legal_name.strip(), ssn=normalize_ssn(ssn), hire_date=hire_date, **fields)
    employee.full_clean()
    employee.save()
    audit(actor, "employee.created", employee)
    return employee


W4_HIRE_FIELDS = ("filing_status", "step2_checkbox", "step3_credits", "step4a_other_income", "step4b_deductions",
                  "step4c_extra_withholding", "exempt")


@transaction.atomic
def employee_hire(*, actor, person: dict, w4: dict, rate: Decimal, bank: dict | None = None,
                  confirmed_rate: bool = False) -> Employee:
    """A new employee from payroll staff's page, all or nothing: the record (identity, address,
    start date, I-9 date), the W-4 from the start date, the production rate from the start date
    and, when given, the bank details (a prenote is then due before the first deposit).
    Any refusal rolls the whole hire back."""
    person = dict(person)
    employee = employee_create(actor=actor, legal_name=person.pop("legal_name"), ssn=person.pop("ssn"),
                               hire_date=person.pop("hire_date"), **person)
    w4_record(employee, employee.hire_date, actor, **{f: w4[f] for f in W4_HIRE_FIELDS if f in w4})
    pay_rate_set(employee, PayRate.Kind.PRODUCTION, rate, employee.hire_date, actor, confirmed=confirmed_rate)
    if bank:
        bank_details_set(employee, bank["routing"], bank["account"], bank["account_type"], actor)
    return employee


class PayRateNeedsConfirmation(EmployeeError):
    """The rate looks like a typo (far above the others): kept only when someone confirms it."""


UNUSUAL_RATE_MULTIPLE = Decimal("3")  # "far above": more than this many times the median current rate


def current_rates(kind: str, today: date | None = None, exclude_employee: Employee | None = None) -> list[Decimal]:
    """The rate in force today for each employee (one kind), in one query."""
    today = today or timezone.localdate()
    rows = PayRate.objects.filter(kind=kind, effective_from__lte=today).order_by("employee_id", "-effective_from", "-id")
    if exclude_employee is not None and exclude_employee.pk:
        rows = rows.exclude(employee_id=exclude_employee.pk)
    latest = {}
    for employee_id, rate in rows.values_list("employee_id", "rate"):
        latest.setdefault(employee_id, rate)
    return list(latest.values())


def _median(values: list[Decimal]) -> Decimal | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def pay_rate_unusual(rate: Decimal, kind: str, employee: Employee | None = None) -> str:
    """Why a rate looks like a typo ("" if it does not): above the ceiling in settings, or
    more than three times the median of everyone else's current rate of that kind."""
    ceiling = settings.PAY_RATE_CONFIRM_ABOVE
    if rate > ceiling:
        return f"${rate} an hour is more than ${ceiling}, the highest rate we expect to pay."
    median = _median(current_rates(kind, exclude_employee=employee))
    if median and rate > UNUSUAL_RATE_MULTIPLE * median:
        return f"${rate} an hour is more than three times the usual {kind} rate (${median.quantize(Decimal('0.01'))})."
    return ""


def pay_rate_check(rate: Decimal, effective_from: date, kind: str = "production", employee: Employee | None = None,
                   confirmed: bool = False) -> None:
    """Refuse a rate below the minimum wage in force on the day it starts; ask for
    confirmation of one far above the others (a typo like $155.00 for $15.50)."""
    floor = minimum_wage_on(effective_from)
    if floor is not None and rate < floor:
        raise EmployeeError(f"${rate} an hour is below the minimum wage of ${floor} in force on {effective_from:%b %-d, %Y}.")
    if not confirmed:
        why = pay_rate_unusual(rate, kind, employee)
        if why:
            raise PayRateNeedsConfirmation(f"{why} Check it for a typo; if it is right, confirm it.")


@transaction.atomic
def pay_rate_set(employee: Employee, kind: str, rate: Decimal, effective_from: date, actor, confirmed: bool = False) -> PayRate:
    """A new hourly rate from a date. Below the minimum wage in force that day: refused.
    Far above the others: refused unless ``confirmed`` (the confirmation is audited)."""
    pay_rate_check(rate, effective_from, kind, employee, confirmed)
    # The same day again replaces that day's row (the only way to correct a typo before it is
    # used); the audit keeps what it was.
    replaced = PayRate.objects.filter(employee=employee, kind=kind, effective_from=effective_from).values_list("rate", flat=True).first()
    pay_rate, _ = PayRate.objects.update_or_create(
        employee=employee, kind=kind, effective_from=effective_from, defaults={"rate": rate, "created_by": actor}
    )
    unusual = bool(confirmed and pay_rate_unusual(rate, kind, employee))
    audit(actor, "pay_rate.set", employee, target=pay_rate, kind=kind, rate=str(rate), effective_from=effective_from.isoformat(),
          **({"confirmed_unusual": True} if unusual else {}), **({"replaced": str(replaced)} if replaced is not None else {}))
    return pay_rate


@transaction.atomic
def w4_record(employee: Employee, effective_from: date, actor, **fields) -> WithholdingCertificate:
    certificate = WithholdingCertificate(employee=employee, effective_from=effective_from, created_by=actor, **fields)
    certificate.full_clean()
    certificate.save()
    audit(actor, "w4.recorded", employee, target=certificate, effective_from=effective_from.isoformat(), filing_status=certificate.filing_status)
    return certificate


def w4_on(employee: Employee, day: date) -> WithholdingCertificate | None:
    return employee.w4s.filter(effective_from__lte=day).order_by("-effective_from", "-id").first()


@transaction.atomic
def bank_details_set(employee: Employee, routing: str, account: str, account_type: str, actor,
                     fields: list[str] | None = None) -> Employee:
    """New bank details: validated, encrypted, and a prenote is due before the first deposit.
    ``fields``: which of them changed, when the caller already applied them (the admin)."""
    if fields is None:
        fields = [f for f, new in zip(BANK_FIELDS, (routing.strip(), account.strip(), account_type)) if getattr(employee, f) != new]
    employee.bank_routing, employee.bank_account, employee.bank_account_type = routing.strip(), account.strip(), account_type
    try:
        employee.full_clean(exclude=["ssn"])
    except ValidationError as error:
        raise EmployeeError(" ".join(m for messages in error.message_dict.values() for m in messages)) from error
    employee.bank_prenote_sent = False
    employee.save(update_fields=["bank_routing", "bank_account", "bank_account_type", "bank_prenote_sent"])
    audit(actor, "bank.changed", employee, fields=sorted(fields), account_type=account_type)
    return employee


@transaction.atomic
def maker_assign(employee: Employee, product: Product, actor) -> None:
    MakerAssignment.objects.get_or_create(employee=employee, product=product)
    maker_credits_refresh(employee)
    audit(actor, "maker.assigned", employee, product=product.pk)


def maker_credits_refresh(employee: Employee) -> None:
    """Write (or clear) the first-name credit on every product the employee made."""
    from payroll.services.consent import consent_for

    product_ids = MakerAssignment.objects.filter(employee=employee).values("product_id")
    # Products made by several survivors show only the credit of those whose consent is in force
    # today (for the organisation's own use: naming no one outside).
    today = timezone.localdate()
    for product in Product.objects.filter(pk__in=product_ids):
        names = [
            maker.employee.display_name
            for maker in MakerAssignment.objects.filter(product=product).select_related("employee")
            if consent_for(maker.employee, Consent.Kind.NAME_CREDIT, None, on=today)
        ]
        Product.objects.filter(pk=product.pk).update(maker_credit=" & ".join(sorted(names))[:60] if names else "")
    catalog_changed()


# -- employees' own change requests (/me/), approved by payroll staff -------------------------

REQUEST_FIELDS = {
    ChangeRequest.Kind.W4: W4_HIRE_FIELDS,
    ChangeRequest.Kind.ADDRESS: ("address",),
    ChangeRequest.Kind.BANK: ("routing", "account", "account_type"),
}


def _payload(data: dict) -> str:
    import json

    return json.dumps({k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()})


def change_request_read(request: ChangeRequest) -> dict:
    import json

    return json.loads(request.payload)


@transaction.atomic
def change_request_submit(employee: Employee, kind: str, data: dict, actor) -> ChangeRequest:
    """The employee asks for a change; nothing on the record changes until payroll approves."""
    if kind not in REQUEST_FIELDS:
        raise EmployeeError("Ask to change your W-4, your address or your bank account.")
    if ChangeRequest.objects.select_for_update().filter(employee=employee, kind=kind, status=ChangeRequest.Status.PENDING).exists():
        raise EmployeeError("You already have a request of this kind waiting for payroll; it is decided first.")
    if kind == ChangeRequest.Kind.BANK:
        probe = Employee(bank_routing=data["routing"].strip(), bank_account=data["account"].strip(),
                         bank_account_type=data["account_type"])
        for field in ("bank_routing", "bank_account", "bank_account_type"):
            try:
                probe._meta.get_field(field).clean(getattr(probe, field), probe)
            except ValidationError as error:
                raise EmployeeError(" ".join(error.messages)) from error
    request = ChangeRequest.objects.create(employee=employee, kind=kind,
                                           payload=_payload({f: data.get(f) for f in REQUEST_FIELDS[kind]}))
    audit(actor, "change_request.submitted", employee, target=request, kind=kind)
    return request


@transaction.atomic
def change_request_decide(request_id: int, approve: bool, actor, note: str = "", today: date | None = None) -> ChangeRequest:
    """Payroll staff approve (the change goes through the people services) or decline."""
    request = ChangeRequest.objects.select_for_update().select_related("employee").get(pk=request_id)
    if request.status != ChangeRequest.Status.PENDING:
        raise EmployeeError(f"This request was already {request.get_status_display().lower()}.")
    employee, data = request.employee, change_request_read(request)
    if approve:
        if request.kind == ChangeRequest.Kind.W4:
            fields = {f: (Decimal(data[f]) if f.startswith("step") and f != "step2_checkbox" else data[f]) for f in W4_HIRE_FIELDS}
            w4_record(employee, today or timezone.localdate(), actor, **fields)
        elif request.kind == ChangeRequest.Kind.ADDRESS:
            employee.address = data["address"]
            employee_save(employee, actor, ["address"])
        else:
            bank_details_set(employee, data["routing"], data["account"], data["account_type"], actor)  # a prenote is due
    request.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.DECLINED
    request.note, request.decided_by, request.decided_at = note.strip()[:200], actor, timezone.now()
    request.save(update_fields=["status", "note", "decided_by", "decided_at"])
    audit(actor, "change_request.approved" if approve else "change_request.declined", employee, target=request, kind=request.kind)
    return request


# -- Florida new-hire report ------------------------------------------------------------------

# The fields the Florida State Directory of New Hires asks for (s. 409.2576, Florida Statutes;
# Florida Department of Revenue, "New Hire Reporting"): the employee's name, address, SSN and
# date of hire (date of birth if known); the employer's FEIN, name and address. The state takes
# reports online, as an electronic file or on paper; this CSV carries those fields one hire a
# row, to key in or upload. The home address is used here on purpose: the state asks where the
# employee lives, not where their mail goes.
NEW_HIRE_COLUMNS = ("employer_fein", "employer_name", "employer_address", "employee_name", "employee_ssn",
                    "employee_address", "date_of_birth", "date_of_hire")


def new_hire_rows(employees) -> list[list[str]]:
    org = settings.MENDED_ORG
    return [[org["EIN"], org["LEGAL_NAME"], org["ADDRESS"], e.legal_name, e.ssn, " ".join(e.address.split()),
             e.date_of_birth, e.hire_date.isoformat()] for e in employees]


def new_hire_mark_reported(employee_id: int, on: date, actor) -> Employee:
    """Record that the employee's new-hire report went to the state on ``on`` (audited)."""
    with transaction.atomic():
        employee = Employee.objects.select_for_update().get(pk=employee_id)
        if on < employee.hire_date:
            raise DomainError("The report date cannot be before the date of hire.")
        employee.new_hire_reported_on = on
        employee.save(update_fields=["new_hire_reported_on"])
        audit(actor, "new_hire.reported", employee, reported_on=on.isoformat())
    return employee
