from django import forms


class QuarterForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)], coerce=int)


class DepositForm(forms.Form):
    liability_start = forms.DateField(widget=forms.HiddenInput)
    liability_end = forms.DateField(widget=forms.HiddenInput)
    paid_on = forms.DateField(label="Date paid", widget=forms.DateInput(attrs={"type": "date"}))
    confirmation = forms.CharField(label="EFTPS confirmation number", max_length=25)
