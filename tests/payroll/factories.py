from datetime import date
from decimal import Decimal

import factory

from payroll.models import Employee, PayRate, PayRun, PayStub, WithholdingCertificate


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    legal_name = factory.Sequence(lambda n: f"Rosa Example{n}")
    preferred_name = factory.Sequence(lambda n: f"Rosa{n}")
    ssn = factory.Sequence(lambda n: f"123-45-{1000 + n:04d}")
    hire_date = date(2025, 6, 2)
    status = Employee.Status.ARTISAN
    bank_routing = "021000021"
    bank_account = factory.Sequence(lambda n: f"{100200300 + n}")
    bank_account_type = Employee.AccountType.CHECKING
    bank_prenote_sent = True


class PayRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayRate

    employee = factory.SubFactory(EmployeeFactory)
    kind = PayRate.Kind.PRODUCTION
    rate = Decimal("25.00")
    effective_from = date(2026, 1, 1)


class W4Factory(factory.django.DjangoModelFactory):
    class Meta:
        model = WithholdingCertificate

    employee = factory.SubFactory(EmployeeFactory)
    effective_from = date(2026, 1, 1)


class PayRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayRun

    kind = PayRun.Kind.BONUS  # off-cycle: no one-regular-run-per-period clash between factories
    period_start = date(2026, 10, 5)
    period_end = date(2026, 10, 18)
    pay_date = date(2026, 10, 23)


class PayStubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayStub

    pay_run = factory.SubFactory(PayRunFactory)
    employee = factory.SubFactory(EmployeeFactory)
    gross = Decimal("2000.00")
    federal_income_tax = Decimal("156.15")
    social_security = Decimal("124.00")
    medicare = Decimal("29.00")
    net = Decimal("1690.85")
    employer_social_security = Decimal("124.00")
    employer_medicare = Decimal("29.00")
    state_unemployment = Decimal("54.00")
