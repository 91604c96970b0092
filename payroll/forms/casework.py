"""Forms of the service plan and case notes pages; each calls one casework service. A goal or
step chosen from another participant's plan is a field error (the choices are this plan's)."""
from django import forms

from payroll.models import CaseNote, Goal, GoalDomain, GoalStep, Program
from payroll.models.casework import GOAL_MAX_CHARS, NOTE_MAX_CHARS, PROGRESS_MAX_CHARS
from shop.platform.form_fields import DateField, ModelChoiceField

DATE = forms.DateInput(attrs={"type": "date"})


class ReviewForm(forms.Form):
    review_date = DateField(widget=DATE, required=False, label="Next review (blank: none planned)")


class GoalForm(forms.Form):
    domain = ModelChoiceField(queryset=GoalDomain.objects.filter(active=True))
    title = forms.CharField(max_length=GOAL_MAX_CHARS, label="Goal")
    target_date = DateField(widget=DATE, required=False)


class _OfThisPlan(forms.Form):
    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(plan__employee=employee).select_related("domain")
        self.fields["goal"].label_from_instance = lambda goal: f"{goal.domain.name}: {goal.title}"


class StepForm(_OfThisPlan):
    goal = ModelChoiceField(queryset=Goal.objects.none())
    text = forms.CharField(max_length=GOAL_MAX_CHARS, label="Step")
    target_date = DateField(widget=DATE, required=False)


class StepDoneForm(forms.Form):
    step = ModelChoiceField(queryset=GoalStep.objects.none(), widget=forms.HiddenInput)
    done_on = DateField(widget=DATE, required=False, label="Done on (blank: not done)")

    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = GoalStep.objects.filter(goal__plan__employee=employee)


class GoalStatusForm(_OfThisPlan):
    goal = ModelChoiceField(queryset=Goal.objects.none())
    status = forms.ChoiceField(choices=Goal.Status.choices)
    on = DateField(widget=DATE, label="On (achieved or dropped)", required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") in (Goal.Status.ACHIEVED, Goal.Status.DROPPED) and not data.get("on"):
            self.add_error("on", "Say on which day it was achieved or dropped.")
        return data


class ProgressForm(_OfThisPlan):
    goal = ModelChoiceField(queryset=Goal.objects.none())
    date = DateField(widget=DATE)
    text = forms.CharField(max_length=PROGRESS_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3}), label="Progress")


class CaseNoteForm(forms.Form):
    program = ModelChoiceField(queryset=Program.objects.none(), empty_label=None)
    confidentiality = forms.ChoiceField(choices=CaseNote.Confidentiality.choices, widget=forms.RadioSelect,
                                        initial=CaseNote.Confidentiality.TEAM, label="Who may read it")
    body = forms.CharField(max_length=NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 8, "aria-describedby": "body-help"}), label="Note",
                           help_text=f"At most {NOTE_MAX_CHARS:,} characters. It cannot be edited later, only "
                                     "corrected by a new version (the old one stays).")

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(pk__in=[p.pk for p in programs])
        self.fields["program"].choices = [(p.pk, p.name) for p in programs]


class CorrectionForm(forms.Form):
    body = forms.CharField(max_length=NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 8}), label="Corrected note")
    reason = forms.CharField(max_length=200, label="Why it is corrected")
