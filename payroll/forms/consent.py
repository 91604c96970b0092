"""Forms program staff fill in for consents, partners and referrals; each calls one service
(``payroll.services.consent``), whose refusals come back as errors on the field they name."""
from django import forms

from payroll.models import Consent, Partner, Referral
from shop.platform.form_fields import DateField, ModelChoiceField

DATE = forms.DateInput(attrs={"type": "date"})


class PartnerChoice(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_kind_display().lower()})"


class ConsentForm(forms.Form):
    use = forms.ChoiceField(choices=Consent.Kind.choices, label="For what use")
    categories = forms.MultipleChoiceField(choices=Consent.Category.choices, widget=forms.CheckboxSelectMultiple,
                                           label="What may be shared")
    recipient = PartnerChoice(queryset=Partner.objects.filter(active=True), required=False,
                              empty_label="No one outside the organisation", label="With whom")
    purpose = forms.CharField(max_length=200, required=False, label="Purpose, in the participant's words")
    valid_from = DateField(widget=DATE, label="From")
    valid_until = DateField(widget=DATE, label="Until")
    signed_how = forms.ChoiceField(choices=Consent.Signed.choices, widget=forms.RadioSelect, label="Signed")
    witness = forms.CharField(max_length=120, required=False, label="Witness (for a verbal consent)")
    signed_on = DateField(widget=DATE, label="Signed on")
    note = forms.CharField(max_length=200, required=False)


class RevokeForm(forms.Form):
    note = forms.CharField(max_length=200, required=False, label="How they withdrew it (optional)")


class PartnerForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=Partner.Kind.choices)
    services = forms.CharField(max_length=200, required=False, label="What they offer")
    contact = forms.CharField(max_length=200, required=False, label="Who to contact")
    active = forms.BooleanField(required=False, initial=True)


class ReferralForm(forms.Form):
    partner = PartnerChoice(queryset=Partner.objects.filter(active=True), label="Refer to")
    service = forms.ChoiceField(choices=Referral.Service.choices, label="For")
    sent_on = DateField(widget=DATE, label="Sent on")
    note = forms.CharField(max_length=200, required=False)


class ReferralUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, label) for s, label in Referral.Status.choices if s != Referral.Status.SENT])
    on = DateField(widget=DATE, label="On")
    outcome = forms.ChoiceField(choices=[("", "—")] + list(Referral.Outcome.choices), required=False,
                                label="Outcome (when closing)")
    outcome_note = forms.CharField(max_length=200, required=False, label="Outcome note")
