"""Direct deposit for an approved run: a NACHA PPD file, and the paper-check list."""
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payroll.models import Employee, PayRun, PayStub
from payroll.nacha import NachaEntry, NachaError, build_ppd_file
from payroll.services.payruns import COUNTED, PayRunError


def _company_id() -> str:
    return "1" + re.sub(r"\D", "", settings.MENDED_ORG["EIN"])[:9]


def deposit_plan(run: PayRun, include_prenotes: bool) -> tuple[list[PayStub], list[PayStub], list[Employee]]:
    """(stubs deposited, stubs paid by check, employees getting a prenote).

    With prenotes on, an account that has not had one gets a zero-dollar test entry and
    that employee is paid by check this time; without, every account on file is paid.
    """
    deposits, checks, prenotes = [], [], []
    for stub in run.stubs.select_related("employee").order_by("employee_id"):
        employee = stub.employee
        if not employee.has_bank_account or stub.net <= 0:
            checks.append(stub)
        elif include_prenotes and not employee.bank_prenote_sent:
            prenotes.append(employee)
            checks.append(stub)
        else:
            deposits.append(stub)
    return deposits, checks, prenotes


@transaction.atomic
def payrun_nacha(run_id: int, include_prenotes: bool = False) -> str:
    """The NACHA file for the run (the download and ``manage.py nacha_file`` write the same)."""
    run = PayRun.objects.get(pk=run_id)
    if run.status not in COUNTED:
        raise PayRunError("A direct-deposit file is made only for an approved run.")
    deposits, _, prenotes = deposit_plan(run, include_prenotes)
    entries = [
        NachaEntry(
            name=stub.employee.legal_name, routing=stub.employee.bank_routing, account=stub.employee.bank_account,
            account_type=stub.employee.bank_account_type or "checking", amount=stub.net, individual_id=f"EMP{stub.employee_id:05d}",
        )
        for stub in deposits
    ] + [
        NachaEntry(
            name=e.legal_name, routing=e.bank_routing, account=e.bank_account, account_type=e.bank_account_type or "checking",
            amount=0, individual_id=f"EMP{e.pk:05d}", prenote=True,
        )
        for e in prenotes
    ]
    if not entries:
        raise PayRunError("Nobody in this run is paid by direct deposit; see the paper-check list.")
    # A file made after the pay date (a late run) settles as soon as the bank allows.
    effective = max(run.pay_date, timezone.localdate())
    try:
        text = build_ppd_file(
            immediate_destination=settings.PAYROLL_BANK_ROUTING,
            immediate_destination_name=settings.PAYROLL_BANK_NAME,
            immediate_origin=_company_id(),
            immediate_origin_name=settings.MENDED_ORG["LEGAL_NAME"],
            company_name=settings.MENDED_ORG["NAME"],
            company_id=_company_id(),
            company_entry_description="PAYROLL",
            effective_date=effective,
            created_at=timezone.localtime(),
            entries=entries,
        )
    except NachaError as error:
        raise PayRunError(f"The direct-deposit file cannot be made: {error}") from error
    if prenotes:
        Employee.objects.filter(pk__in=[e.pk for e in prenotes]).update(bank_prenote_sent=True)
    return text
