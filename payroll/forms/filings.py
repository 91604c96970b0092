from django import forms

from shop.platform.form_fields import DateField, IntegerField


class QuarterForm(forms.Form):
    year = IntegerField(min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)], coerce=int)


class DepositForm(forms.Form):
    liability_start = DateField(widget=forms.HiddenInput)
    liability_end = DateField(widget=forms.HiddenInput)
    paid_on = DateField(label="Date paid")
    confirmation = forms.CharField(label="EFTPS confirmation number", max_length=25)
