"""Survivor-safe delivery on the money side (issue 20): the NACHA batch's company name and
entry description (what a survivor's bank statement shows) and the pay e-mails are neutral."""
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings

from payroll.services import payruns
from payroll.services.direct_deposit import payrun_nacha
from payroll.services.paystubs import pay_stubs_generate
from payroll.services.time import time_entries_approve, time_entry_add
from payroll.services.ledger import Leg, entry_post
from shop.platform import roles
from tests.payroll.factories import EmployeeFactory, PayRateFactory, PayStubFactory, W4Factory
from tests.support import nacha_reader
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
START, END, PAY_DATE = date(2026, 10, 5), date(2026, 10, 18), date(2026, 10, 23)
# Words that would tell whoever sees a bank statement or a phone's lock screen what the payer is.
REVEALING = ("traffick", "survivor", "mended", "program", "hotline", "rescue")


def approved_run():
    calculator, approver = UserFactory(roles=[roles.PAYROLL_STAFF]), UserFactory(roles=[roles.PAYROLL_STAFF])
    entry_post(key="seed-fund", on=START, memo="seed", source_type="test", source_id=None,
               legs=[Leg("shop_revenue_clearing", D("20000")), Leg("wage_fund", D("-20000"))])
    employee = EmployeeFactory()
    PayRateFactory(employee=employee, rate=D("20.00"))
    W4Factory(employee=employee)
    time_entries_approve([time_entry_add(employee, START, D("8"), "production", calculator).pk], calculator)
    run = payruns.payrun_create(calculator, START, END, PAY_DATE)
    payruns.payrun_calculate(run.pk, calculator)
    payruns.payrun_approve(run.pk, approver)
    return run


def test_bank_statement_shows_the_neutral_default_payer():
    batch = nacha_reader.read_nacha(payrun_nacha(approved_run().pk)).batches[0]
    assert batch.header["company_name"] == "MT PAYROLL".ljust(16)
    assert batch.header["company_entry_description"] == "PAYROLL".ljust(10)
    for word in REVEALING:
        assert word not in (batch.header["company_name"] + batch.header["company_entry_description"]).lower()


@override_settings(PAYROLL_PAYER_NAME="Harbor Goods LLC", PAYROLL_ENTRY_DESCRIPTION="WAGES")
def test_bank_statement_names_come_from_the_organisation_settings():
    batch = nacha_reader.read_nacha(payrun_nacha(approved_run().pk)).batches[0]
    assert batch.header["company_name"] == "HARBOR GOODS LLC"
    assert batch.header["company_entry_description"] == "WAGES     "


@override_settings(PAYROLL_PAYER_NAME="Harbor Goods LLC")
def test_pay_stub_email_is_neutral():
    user = UserFactory(email="rosa@example.org")
    stub = PayStubFactory(employee=EmployeeFactory(user=user))
    assert pay_stubs_generate(stub.pay_run_id) == 1
    [message] = mail.outbox
    html = message.alternatives[0][0]
    for part in (message.subject, message.body, html):
        for word in REVEALING:
            assert word not in part.lower(), (word, part)
    assert "Harbor Goods LLC" in message.body and "Harbor Goods LLC" in html
    assert "100 Harbor Street" not in html  # the organisation's address is left off too
