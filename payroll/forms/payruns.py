from decimal import Decimal

from django import forms

from payroll.models import PayRun
from shop.platform.form_fields import DateField, DecimalField


class PayRunCreateForm(forms.Form):
    kind = forms.ChoiceField(choices=PayRun.Kind.choices, initial=PayRun.Kind.REGULAR)
    period_start = DateField()
    period_end = DateField()
    pay_date = DateField()
    note = forms.CharField(max_length=200, required=False)

    def clean(self):
        from payroll.services.payruns import payrun_date_problems

        data = super().clean()
        if all(data.get(f) for f in ("period_start", "period_end", "pay_date")):
            for field, message in payrun_date_problems(data["period_start"], data["period_end"], data["pay_date"]).items():
                self.add_error(field, message)
        return data


class ApproveForm(forms.Form):
    """Approving a run; the reason is needed only when the funds do not cover it."""

    override_reason = forms.CharField(
        max_length=500, required=False, label="Why approve although the funds are short",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AdjustmentsForm(forms.Form):
    """One amount per person employed in the run's period (blank or 0: not paid in this run)."""

    note = forms.CharField(max_length=200, required=False, label="What the pay is for (shown to staff only)")

    def __init__(self, *args, employees=(), current=None, **kwargs):
        from payroll.services.payruns import MAX_ADJUSTMENT

        super().__init__(*args, **kwargs)
        current = current or {}
        self.employees = list(employees)
        for employee in self.employees:
            self.fields[f"amount_{employee.pk}"] = DecimalField(
                label=f"Employee {employee.pk} ({employee.display_name})", required=False, min_value=Decimal("0"),
                max_value=MAX_ADJUSTMENT, max_digits=9, decimal_places=2, initial=current.get(employee.pk),
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            )

    def amounts(self) -> dict[int, Decimal]:
        return {e.pk: self.cleaned_data.get(f"amount_{e.pk}") for e in self.employees}


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=200)


class OwnTimeEntryForm(forms.Form):
    """What an employee may record for themselves (paid time off is for payroll staff)."""

    date = DateField()
    hours = DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.25"), max_value=Decimal("24"))
    kind = forms.ChoiceField(choices=[("production", "Production"), ("training", "Training")])
    note = forms.CharField(max_length=200, required=False)
    # Shown only after the "more than 12 hours" warning (see the template).
    confirm_long_day = forms.BooleanField(required=False, label="Yes, I worked these hours that day")
