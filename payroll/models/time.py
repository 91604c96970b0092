"""Hours worked, and the minimum wage they are paid at least at."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .people import Employee


class MinimumWage(models.Model):
    """The minimum hourly wage in force from a date (a dated table, e.g. Florida's)."""

    effective_from = models.DateField(unique=True)
    rate = models.DecimalField(max_digits=6, decimal_places=2)
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self):
        return f"${self.rate} from {self.effective_from}"


class TimeEntry(models.Model):
    class Kind(models.TextChoices):
        PRODUCTION = "production", "Production"
        TRAINING = "training", "Training"
        PTO = "pto", "Paid time off"

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="time_entries")
    date = models.DateField(db_index=True)
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))]
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PRODUCTION)
    note = models.CharField(max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    pay_run = models.ForeignKey("payroll.PayRun", null=True, blank=True, on_delete=models.PROTECT, related_name="time_entries")
    source = models.CharField(max_length=40, blank=True, help_text="e.g. training session attendance")
    after_period_paid = models.BooleanField(
        default=False, help_text="Dated in a pay period already paid: paid in the next regular run instead.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "date", "id"]
        verbose_name_plural = "time entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0, hours__lte=24), name="time_entry_hours_in_a_day"),
        ]

    @property
    def locked(self):
        return self.pay_run_id is not None and self.pay_run.status in ("approved", "paid")
