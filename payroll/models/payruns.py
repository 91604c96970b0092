"""Pay runs and pay stubs. A stub is a snapshot: later rate or W-4 changes never alter it."""
from django.conf import settings
from django.core.files.storage import storages
from django.db import models

from payroll.tax_lines import EMPLOYEE_LINES, EMPLOYER_LINES, TAX_LINES

from .people import Employee

MONEY = {"max_digits": 12, "decimal_places": 2}


def private_storage():
    """Storage that is never served publicly (see STORAGES["private"])."""
    return storages["private"]


class PayRun(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "Regular"
        BONUS = "bonus", "Off-cycle bonus"
        CORRECTION = "correction", "Off-cycle correction"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CALCULATING = "calculating", "Calculating"
        CALCULATED = "calculated", "Calculated"
        FAILED = "failed", "Calculation failed"  # last_error says why; it can be calculated again
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REGULAR)
    period_start = models.DateField()
    period_end = models.DateField()
    pay_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    note = models.CharField(max_length=200, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    calculated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    calculated_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # When staff said the direct-deposit file went to the bank (that is when prenotes count as sent).
    bank_file_sent_at = models.DateTimeField(null=True, blank=True)
    bank_file_sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pay_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="payrun_period_order"),
            models.UniqueConstraint(
                fields=["period_start", "period_end"], condition=models.Q(kind="regular") & ~models.Q(status="void"),
                name="one_regular_run_per_period",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} pay run {self.period_start:%b %-d}–{self.period_end:%b %-d, %Y}"

    @property
    def progress_percent(self):
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class PayStub(models.Model):
    pay_run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="stubs")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="stubs")
    # Hours and rates as paid.
    production_hours = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    production_rate = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    training_hours = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    training_rate = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    pto_hours = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    overtime_hours = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    production_pay = models.DecimalField(**MONEY, default=0)
    training_pay = models.DecimalField(**MONEY, default=0)
    pto_pay = models.DecimalField(**MONEY, default=0)
    overtime_premium = models.DecimalField(**MONEY, default=0)
    bonus = models.DecimalField(**MONEY, default=0)
    gross = models.DecimalField(**MONEY)
    # One amount column per tax line, named by its code: added below from payroll/tax_lines.py.
    deductions = models.DecimalField(**MONEY, default=0)
    net = models.DecimalField(**MONEY)
    # Year to date, this stub included.
    ytd = models.JSONField(default=dict)
    bank_masked = models.CharField(max_length=30, blank=True)
    paid_by_check = models.BooleanField(default=False)
    # The account is new: the bank file carries a zero-dollar test entry for it and the pay goes by check.
    prenote = models.BooleanField(default=False)
    pdf = models.FileField(upload_to="paystubs/%Y/", storage=private_storage, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pay_run", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["pay_run", "employee"], name="one_stub_per_employee_per_run"),
            models.CheckConstraint(condition=models.Q(net__gte=0), name="paystub_net_not_negative"),
            models.CheckConstraint(condition=models.Q(prenote=False) | models.Q(paid_by_check=True),
                                   name="paystub_prenote_paid_by_check"),
        ]

    @property
    def employee_taxes(self):
        return sum((getattr(self, line.code) for line in EMPLOYEE_LINES), 0)

    @property
    def employer_taxes(self):
        return sum((getattr(self, line.code) for line in EMPLOYER_LINES), 0)

    @property
    def employee_tax_amounts(self):
        """[(tax line, amount)] taken from this pay, in the definition's order (for pages)."""
        return [(line, getattr(self, line.code)) for line in EMPLOYEE_LINES]

    @property
    def employer_tax_amounts(self):
        """[(tax line, amount)] the employer paid on top of this pay."""
        return [(line, getattr(self, line.code)) for line in EMPLOYER_LINES]

    @property
    def tax_amounts(self):
        return [(line, getattr(self, line.code)) for line in TAX_LINES]


# The stub's tax columns, one per line of payroll/tax_lines.py. Created here so that a new tax
# line needs no edit of this class; ``makemigrations`` writes its column (and asks what past
# stubs hold: 0).
for _line in TAX_LINES:
    PayStub.add_to_class(_line.code, models.DecimalField(**MONEY))
del _line


class PayAdjustment(models.Model):
    """A bonus (or a correction's extra pay) for one employee in an off-cycle run."""

    pay_run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="adjustments")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="adjustment_positive")]


class IssuedW2(models.Model):
    """The figures of a W-2 as it was issued, so a later correction can be shown as a W-2c
    (previously reported against correct). One row per employee and year; never edited once
    written but by a new issue of that year (which records the W-2c's new figures)."""

    year = models.PositiveSmallIntegerField()
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="issued_w2s")
    boxes = models.JSONField(help_text="Box figures as strings of Decimal, by payroll.tax_lines.W2_COLUMNS.")
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "employee"], name="one_issued_w2_per_employee_year")]
        ordering = ["year", "employee_id"]
