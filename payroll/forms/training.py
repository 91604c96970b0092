"""Forms program staff fill in on a participant's record; each calls one training service."""
from django import forms

from payroll.models import Attendance, Cohort, Competency, CompetencySignoff, Enrollment, FollowUp, Program
from shop.platform.form_fields import DateField, IntegerField, ModelChoiceField, TimeField

DATE = forms.DateInput(attrs={"type": "date"})


class EnrollForm(forms.Form):
    program = ModelChoiceField(queryset=Program.objects.filter(active=True))
    cohort = ModelChoiceField(queryset=Cohort.objects.select_related("program"), required=False)
    start_date = DateField(widget=DATE)
    target_end = DateField(widget=DATE, required=False)


class ExitForm(forms.Form):
    enrollment = ModelChoiceField(queryset=Enrollment.objects.none())
    status = forms.ChoiceField(choices=[(Enrollment.Status.COMPLETED, "Completed"), (Enrollment.Status.WITHDRAWN, "Withdrawn")])
    exit_date = DateField(widget=DATE)
    outcome = forms.ChoiceField(choices=Enrollment.Outcome.choices)
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = Enrollment.objects.filter(employee=employee, exit_date__isnull=True)


class SignoffForm(forms.Form):
    competency = ModelChoiceField(queryset=Competency.objects.select_related("program"))
    level = forms.ChoiceField(choices=CompetencySignoff.Level.choices)
    date = DateField(widget=DATE)
    note = forms.CharField(max_length=200, required=False)


class CredentialForm(forms.Form):
    name = forms.CharField(max_length=120)
    issuer = forms.CharField(max_length=120)
    date = DateField(widget=DATE)
    expiry = DateField(widget=DATE, required=False)


class FollowUpForm(forms.Form):
    follow_up = ModelChoiceField(queryset=FollowUp.objects.none())
    could_not_reach = forms.BooleanField(required=False, label="Could not reach")
    employment_status = forms.ChoiceField(choices=[("", "—")] + list(FollowUp.Employment.choices), required=False)
    hourly_wage_band = forms.ChoiceField(choices=[("", "—")] + list(FollowUp.WageBand.choices), required=False)
    housing_stable = forms.NullBooleanField(required=False)
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follow_up"].queryset = FollowUp.objects.filter(enrollment__employee=employee, done_at__isnull=True)


class RosterRowForm(forms.Form):
    """One person's row on a session's roster (prefix ``p<employee id>``); blank minutes: the
    whole session. The session's rules (minutes within its length) are the roster service's."""

    status = forms.ChoiceField(choices=Attendance.Status.choices, widget=forms.RadioSelect)
    minutes = IntegerField(min_value=0, max_value=24 * 60, required=False,
                           widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "minutes"}))


class SessionSeriesForm(forms.Form):
    """A program's new session, or a weekly series of them (``until`` set)."""

    cohort = ModelChoiceField(queryset=Cohort.objects.none(), required=False, empty_label="Whole program")
    first = DateField(widget=DATE, label="Date (the first, for a series)")
    until = DateField(widget=DATE, required=False, label="Repeat weekly until (blank: one session)")
    start_time = TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    topic = forms.CharField(max_length=200)
    trainer = forms.CharField(max_length=120, required=False)

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.filter(program=program)

    def clean(self):
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", "A session ends after it starts.")
        return data
