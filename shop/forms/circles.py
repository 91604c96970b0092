"""Forms for giving circles: joining (the donate form, monthly only) and leaders' invitations."""
from django import forms

from shop.platform.errors import DomainError
from shop.forms.giving import DonateForm
from shop.services.circles import MAX_INVITATIONS_AT_ONCE, parse_addresses


class CircleJoinForm(DonateForm):
    """The donate form without the choice of frequency: a circle member gives monthly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["frequency"]
        self.fields["preset"].label = "Monthly amount"
        self.fields["other_amount"].label = "Other monthly amount ($)"


class InviteForm(forms.Form):
    addresses = forms.CharField(
        label="E-mail addresses", widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One or more, separated by commas or new lines (up to {MAX_INVITATIONS_AT_ONCE} at a time).",
    )

    def clean_addresses(self):
        try:
            return parse_addresses(self.cleaned_data["addresses"])
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
