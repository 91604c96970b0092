from django import forms

from shop.forms.addresses import Autofill
from shop.models import Pledge
from shop.models.rates import US_STATES


class PledgeForm(Autofill, forms.Form):
    AUTOFILL = {"name": "name", "email": "email", "business_name": "organization", "city": "address-level2",
                "state": "address-level1"}

    kind = forms.ChoiceField(choices=Pledge.Kind.choices, widget=forms.RadioSelect, initial=Pledge.Kind.INDIVIDUAL,
                             label="I pledge as")
    name = forms.CharField(max_length=120, label="Your name")
    email = forms.EmailField(label="E-mail")
    business_name = forms.CharField(max_length=160, required=False, label="Business name (for a business pledge)")
    city = forms.CharField(max_length=100, required=False)
    state = forms.ChoiceField(choices=[("", "State (optional)")] + US_STATES, required=False)
    promise = forms.BooleanField(label="I will learn the signs of human trafficking and report what I see to the hotline.")

    def clean(self):
        data = super().clean()
        if data.get("kind") == Pledge.Kind.BUSINESS and not data.get("business_name", "").strip():
            self.add_error("business_name", "Give the business's name for its badge.")
        return data
