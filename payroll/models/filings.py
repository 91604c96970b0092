"""Quarterly and annual filings: the organisation's payroll tax settings (rows effective from a
date) and the federal tax deposits staff record as paid (EFTPS is outside the product)."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

MONEY = {"max_digits": 12, "decimal_places": 2}


class PayrollSetting(models.Model):
    """The organisation's tax standing from ``effective_from`` until the next row's date."""

    effective_from = models.DateField(unique=True)
    # Form 940 instructions, "Who Must File Form 940?", tax-exempt organizations: organisations
    # described in section 501(c)(3) and exempt under 501(a) are not subject to FUTA tax and do
    # not file Form 940 (IRC 3306(c)(8)).
    section_501c3 = models.BooleanField(default=False, verbose_name="501(c)(3) organisation")
    # The rate the Florida Department of Revenue assigned (e.g. 0.027 for the 2.7% initial rate,
    # Florida Statutes 443.131(2)(a)); a fraction of wages.
    reemployment_tax_rate = models.DecimalField(
        max_digits=6, decimal_places=5, default=Decimal("0.027"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.054"))],
    )
    # Florida Statutes 443.1312: a nonprofit may elect to reimburse benefits paid instead of
    # paying the tax; it still files the RT-6 wage report, without tax.
    reimbursing_employer = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self):
        return f"Payroll settings from {self.effective_from:%b %-d, %Y}"


class TaxDeposit(models.Model):
    """A federal tax deposit (Form 941 taxes) recorded as made: one per liability period."""

    liability_start = models.DateField()  # the first and last pay date the deposit covers
    liability_end = models.DateField()
    due = models.DateField()
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    confirmation = models.CharField(
        max_length=15, validators=[RegexValidator(r"^\d{15}$", "An EFTPS confirmation number is 15 digits.")],
    )  # EFTPS acknowledgement number (15 digits)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["liability_start", "liability_end"], name="one_deposit_per_liability_period"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="tax_deposit_positive"),
            models.CheckConstraint(condition=models.Q(liability_end__gte=models.F("liability_start")),
                                   name="tax_deposit_period_order"),
        ]

    def __str__(self):
        return f"Federal tax deposit due {self.due:%b %-d, %Y}"
