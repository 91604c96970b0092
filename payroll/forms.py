from decimal import Decimal

from django import forms

from payroll.models import PayRun


class PayRunCreateForm(forms.Form):
    kind = forms.ChoiceField(choices=PayRun.Kind.choices, initial=PayRun.Kind.REGULAR)
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    pay_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", "The period must end on or after the day it starts.")
        return data


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=200)


class OwnTimeEntryForm(forms.Form):
    """What an employee may record for themselves (paid time off is for payroll staff)."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.25"), max_value=Decimal("24"))
    kind = forms.ChoiceField(choices=[("production", "Production"), ("training", "Training")])
    note = forms.CharField(max_length=200, required=False)
    # Shown only after the "more than 12 hours" warning (see the template).
    confirm_long_day = forms.BooleanField(required=False, label="Yes, I worked these hours that day")
