"""Direct deposit for an approved run: a NACHA PPD file, the paper-check list, and "sent".

How each person is paid is fixed on their stub when the run is calculated (``paid_by_check``
and ``prenote``, see ``payruns._payment_method``), so the register, the stub, the paper-check
list and the bank file always agree. Making the file only reads: it is the same file every
time. Telling Mended the file went to the bank (``payrun_bank_file_sent``, a POST) is when the
new accounts' prenotes count as sent.
"""
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payroll.models import Employee, PayRun, PayStub
from payroll.nacha import NachaEntry, NachaError, build_ppd_file
from payroll.services.payruns import COUNTED, PayRunError
from shop.platform.audit import audit_record


def _company_id() -> str:
    return "1" + re.sub(r"\D", "", settings.MENDED_ORG["EIN"])[:9]


def deposit_plan(run: PayRun) -> tuple[list[PayStub], list[PayStub], list[PayStub]]:
    """(stubs deposited, stubs paid by paper check, stubs whose new account gets a prenote),
    as the stubs say; a prenote's stub is also in the paper checks."""
    deposits, checks, prenotes = [], [], []
    for stub in run.stubs.select_related("employee").order_by("employee_id"):
        if stub.paid_by_check or stub.net <= 0:
            checks.append(stub)
            if stub.prenote and stub.employee.has_bank_account:
                prenotes.append(stub)
        else:
            deposits.append(stub)
    return deposits, checks, prenotes


def _entry(employee: Employee, amount, prenote=False) -> NachaEntry:
    return NachaEntry(
        name=employee.legal_name, routing=employee.bank_routing, account=employee.bank_account,
        account_type=employee.bank_account_type or "checking", amount=amount, individual_id=f"EMP{employee.pk:05d}",
        prenote=prenote,
    )


def payrun_nacha(run_id: int) -> str:
    """The NACHA file for the run (the download and ``manage.py nacha_file`` write the same).

    It is made from the run alone, so every download is the same file: created when the run
    was approved, effective on the pay date (or the approval day, for a run approved late: the
    bank settles a past date on its next settlement day). Sending the same file twice is then
    caught by the bank as a duplicate, not paid twice.
    """
    run = PayRun.objects.get(pk=run_id)
    if run.status not in COUNTED:
        raise PayRunError("A direct-deposit file is made only for an approved run.")
    deposits, _, prenotes = deposit_plan(run)
    entries = [_entry(stub.employee, stub.net) for stub in deposits] + [
        _entry(stub.employee, 0, prenote=True) for stub in prenotes
    ]
    if not entries:
        raise PayRunError("Nobody in this run is paid by direct deposit; see the paper-check list.")
    created = timezone.localtime(run.approved_at or run.created_at)
    try:
        return build_ppd_file(
            immediate_destination=settings.PAYROLL_BANK_ROUTING,
            immediate_destination_name=settings.PAYROLL_BANK_NAME,
            immediate_origin=_company_id(),
            immediate_origin_name=settings.MENDED_ORG["LEGAL_NAME"],
            # The batch's company name and entry description are what the employee's bank
            # statement shows: the neutral payer name, never the program (issue 20).
            company_name=settings.PAYROLL_PAYER_NAME,
            company_id=_company_id(),
            company_entry_description=settings.PAYROLL_ENTRY_DESCRIPTION,
            effective_date=max(run.pay_date, created.date()),
            created_at=created,
            entries=entries,
        )
    except NachaError as error:
        raise PayRunError(f"The direct-deposit file cannot be made: {error}") from error


@transaction.atomic
def payrun_bank_file_sent(run_id: int, actor) -> PayRun:
    """Staff sent the run's direct-deposit file to the bank: recorded once; the new accounts in
    it have had their prenote, so their next pay is deposited."""
    run = PayRun.objects.select_for_update().get(pk=run_id)
    if run.status not in COUNTED:
        raise PayRunError("Only an approved run's direct-deposit file can be sent to the bank.")
    if run.bank_file_sent_at is not None:
        raise PayRunError(f"The direct-deposit file was already marked sent on {timezone.localtime(run.bank_file_sent_at):%b %-d, %Y at %-I:%M %p}.")
    deposits, _, prenotes = deposit_plan(run)
    if not deposits and not prenotes:
        raise PayRunError("Nobody in this run is paid by direct deposit, so there is no file to send.")
    Employee.objects.filter(pk__in=[stub.employee_id for stub in prenotes]).update(bank_prenote_sent=True)
    run.bank_file_sent_at, run.bank_file_sent_by = timezone.now(), actor
    run.save(update_fields=["bank_file_sent_at", "bank_file_sent_by"])
    audit_record("nacha.sent", actor=actor, target=run, deposits=len(deposits), prenotes=len(prenotes))
    return run
