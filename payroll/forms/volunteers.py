"""Forms for volunteer work days: they parse and check input; the rules are in the services."""
import re
from datetime import date, timedelta

from django import forms
from django.core.validators import validate_email
from django.conf import settings

from payroll.models import BackgroundCheck, Skill, Volunteer
from payroll.models.volunteers import validate_time_zone
from payroll.services.volunteers.shifts import ShiftDetails
from shop.models import Organisation
from shop.platform.form_fields import DateField, IntegerField, ModelChoiceField, ModelMultipleChoiceField, TimeField
from shop.platform.validators import born

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
ROLE_LINE = re.compile(r"^\s*(?P<name>[^:()]{1,80}?)\s*:\s*(?P<capacity>[0-9]{1,3})(?P<notes>(\s*\([^()]{0,90}\))*)\s*$")
ROLE_NOTE = re.compile(r"\(\s*([^()]*?)\s*\)")
CHECK_NOTE = re.compile(r"^(background\s+)?check$", re.I)
WAS_NOTE = re.compile(r"^was\s+(?P<old>.{1,80})$", re.I)
CHECK_MARK = "(background check)"


class VolunteerProfileForm(forms.Form):
    full_name = forms.CharField(max_length=120)
    email = forms.EmailField(label="E-mail")
    phone = forms.CharField(max_length=30, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    emergency_contact_name = forms.CharField(max_length=120, label="Emergency contact")
    emergency_contact_phone = forms.CharField(max_length=30, label="Emergency contact's phone")
    date_of_birth = DateField(widget=DATE, help_text="For the age rules of some shifts.", window=False, validators=[born])
    skills = ModelMultipleChoiceField(queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple)
    reminder_channel = forms.ChoiceField(choices=Volunteer.Channel.choices, label="Send reminders by",
                                         widget=forms.RadioSelect)
    texts_agree = forms.BooleanField(
        required=False, label="I agree to get text reminders and shift changes at this number",
        help_text="About two texts per shift. Message and data rates may apply. Reply STOP to stop, HELP for help.")


class WaiverForm(forms.Form):
    version_id = IntegerField(widget=forms.HiddenInput)
    signed_name = forms.CharField(max_length=120, label="Type your full name to sign")
    agree = forms.BooleanField(label="I have read the waiver and agree to it")
    guardian_name = forms.CharField(max_length=120, required=False, label="Parent or guardian's full name")
    guardian_email = forms.EmailField(required=False, label="Parent or guardian's e-mail")
    guardian_agrees = forms.BooleanField(required=False, label="I am this volunteer's parent or guardian and I agree to the waiver for them")


class GroupMemberForm(forms.Form):
    full_name = forms.CharField(max_length=120, label="Full name")
    date_of_birth = DateField(label="Date of birth", window=False, validators=[born])
    email = forms.EmailField(required=False, label="E-mail (optional for under-18s)")


class SignUpForm(forms.Form):
    role = ModelChoiceField(queryset=None, empty_label=None)
    members = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Who is coming with you (optional)",
        help_text="One person a line: full name, date of birth (YYYY-MM-DD), e-mail (optional for under-18s). "
                  "Each gets their own link to sign the waiver.")
    waitlist = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_members(self):
        from payroll.services.volunteers.groups import MemberDetails

        members = []
        for number, line in enumerate(self.cleaned_data["members"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(",")]
            if len(parts) not in (2, 3) or not parts[0]:
                raise forms.ValidationError(f"Line {number}: write “full name, date of birth, e-mail”, e.g. "
                                            "“Leo Park, 2011-04-02, leo@example.org”.")
            try:
                birthday = date.fromisoformat(parts[1])
                born(birthday)
            except (ValueError, forms.ValidationError):
                raise forms.ValidationError(f"{parts[0]}: give the date of birth as YYYY-MM-DD, e.g. 2011-04-02.") from None
            email = parts[2] if len(parts) == 3 else ""
            if email:
                try:
                    validate_email(email)
                except forms.ValidationError:
                    raise forms.ValidationError(f"{parts[0]}: “{email}” is not an e-mail address.") from None
            members.append(MemberDetails(full_name=parts[0][:120], date_of_birth=birthday, email=email))
        if len(members) > 49:
            raise forms.ValidationError("A group has at most 50 people, you included.")
        return members

    def __init__(self, *args, shift, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = shift.roles.order_by("id")


def role_lines(text: str) -> list[dict]:
    """Each role line “name: places”, optionally followed by “(background check)” (only volunteers
    with a cleared check may take it) and “(was Old name)” (a rename: the role keeps its sign-ups)."""
    lines, bad = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = ROLE_LINE.match(line)
        notes = ROLE_NOTE.findall(match["notes"]) if match else []
        role = {"name": match["name"].strip(), "capacity": int(match["capacity"]), "checked": False, "was": ""} if match else None
        for note in notes:
            was = WAS_NOTE.match(note)
            if CHECK_NOTE.match(note):
                role["checked"] = True
            elif was:
                role["was"] = was["old"].strip()
            else:
                role = None
                break
        if role is None:
            bad.append(line.strip())
        else:
            lines.append(role)
    if bad:
        raise forms.ValidationError(f"Write each role as “name: places”, one per line, optionally followed by "
                                    f"“{CHECK_MARK}” or “(was old name)” (not “{bad[0][:60]}”).")
    if not lines:
        raise forms.ValidationError("Add at least one role, such as “Warehouse sorting: 10”.")
    return lines


def parse_roles(text: str) -> list[tuple[str, int]]:
    return [(role["name"], role["capacity"]) for role in role_lines(text)]


class ShiftForm(forms.Form):
    title = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    location = forms.CharField(max_length=200)
    time_zone = forms.CharField(max_length=64, initial=settings.TIME_ZONE, validators=[validate_time_zone])
    day = DateField(widget=DATE, label="Date")
    start_time = TimeField(widget=TIME)
    end_time = TimeField(widget=TIME)
    roles = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="One per line, “name: places”, e.g. Pop-up shop: 4. Add “(background check)” to a role "
                                      "only volunteers with a cleared check may take, e.g. Childcare: 2 (background check); "
                                      "rename a role with “(was old name)”, e.g. Shop floor: 4 (was Pop-up shop)")
    minimum_age = IntegerField(min_value=0, max_value=99, initial=0)
    required_skills = ModelMultipleChoiceField(queryset=Skill.objects.all(), required=False,
                                                     widget=forms.CheckboxSelectMultiple)
    organisation = ModelChoiceField(queryset=Organisation.objects.all(), required=False,
                                          label="Members of this organisation only")
    signup_cutoff_hours = IntegerField(min_value=0, max_value=720, initial=12, label="Sign-ups close (hours before)")
    cancel_deadline_hours = IntegerField(min_value=0, max_value=720, initial=24, label="Cancellation deadline (hours before)")

    def clean_roles(self):
        lines = role_lines(self.cleaned_data["roles"])
        self.checked_roles = frozenset(role["name"].casefold() for role in lines if role["checked"])
        self.renamed_from = {role["name"].casefold(): role["was"].casefold() for role in lines if role["was"]}
        return [(role["name"], role["capacity"]) for role in lines]

    def details(self) -> ShiftDetails:
        data = self.cleaned_data
        return ShiftDetails(
            title=data["title"], description=data["description"], location=data["location"], day=data["day"],
            start_time=data["start_time"], end_time=data["end_time"], roles=data["roles"], time_zone=data["time_zone"],
            minimum_age=data["minimum_age"], required_skills=tuple(data["required_skills"]), organisation=data["organisation"],
            signup_cutoff_hours=data["signup_cutoff_hours"], cancel_deadline_hours=data["cancel_deadline_hours"],
            checked_roles=self.checked_roles, renamed_from=self.renamed_from,
        )

    @classmethod
    def initial_for(cls, shift) -> dict:
        return {
            "title": shift.title, "description": shift.description, "location": shift.location, "time_zone": shift.time_zone,
            "day": shift.local_start.date(), "start_time": shift.local_start.time(), "end_time": shift.local_end.time(),
            "roles": "\n".join(f"{r.name}: {r.capacity}" + (f" {CHECK_MARK}" if r.requires_background_check else "")
                               for r in shift.roles.all()), "minimum_age": shift.minimum_age,
            "required_skills": list(shift.required_skills.all()), "organisation": shift.organisation,
            "signup_cutoff_hours": shift.signup_cutoff_hours, "cancel_deadline_hours": shift.cancel_deadline_hours,
        }


class NewShiftForm(ShiftForm):
    repeat_until = DateField(widget=DATE, required=False, label="Repeat weekly until (optional)")
    except_dates = forms.CharField(required=False, label="Except these dates",
                                   help_text="Dates with no shift, YYYY-MM-DD, separated by commas or spaces.")

    def clean_except_dates(self) -> list[date]:
        days = []
        for part in re.split(r"[\s,;]+", self.cleaned_data["except_dates"].strip()):
            if not part:
                continue
            try:
                days.append(date.fromisoformat(part))
            except ValueError as error:
                raise forms.ValidationError(f"“{part[:20]}” is not a date like 2026-05-04.") from error
        return days

    def clean(self):
        data = super().clean()
        if data.get("except_dates") and not data.get("repeat_until"):
            self.add_error("except_dates", "Exceptions are for a weekly series: give the last date too.")
        return data


class CopyShiftForm(forms.Form):
    day = DateField(widget=DATE, label="New date")


class CancelShiftForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, label="Reason (sent to everyone signed up)")


class MessageForm(forms.Form):
    subject = forms.CharField(max_length=150)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Message")


class HoursForm(forms.Form):
    checked_in = TimeField(widget=TIME, label="Checked in at")
    checked_out = TimeField(widget=TIME, label="Checked out at")


class RangeForm(forms.Form):
    start = DateField(widget=DATE)
    end = DateField(widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError("The end date is before the start date.")
            if end - start > timedelta(days=3 * 366):
                raise forms.ValidationError("Choose at most three years.")
        return data


class BackgroundCheckForm(forms.Form):
    volunteer = ModelChoiceField(queryset=Volunteer.objects.order_by("full_name", "id"))
    status = forms.ChoiceField(choices=BackgroundCheck.Status.choices)
    provider = forms.CharField(max_length=120, help_text="Who carried out the check.")
    provider_reference = forms.CharField(max_length=120, required=False, label="Provider's reference")
    checked_on = DateField(widget=DATE, label="Date of the check")
    expires_on = DateField(widget=DATE, required=False, label="Expires on", help_text="Required for a cleared check.")


PIN_INPUT = {"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*", "maxlength": "8"}


class KioskOpenForm(forms.Form):
    """The coordinator's PIN for the kiosk (typed twice): leaving kiosk mode asks for it."""

    pin = forms.CharField(label="PIN to leave kiosk mode (4 to 8 digits)", min_length=4, max_length=8,
                          widget=forms.PasswordInput(attrs=PIN_INPUT))
    pin_again = forms.CharField(label="The PIN again", max_length=8, widget=forms.PasswordInput(attrs=PIN_INPUT))

    def clean(self):
        data = super().clean()
        pin, again = data.get("pin", ""), data.get("pin_again", "")
        if pin and not re.fullmatch(r"[0-9]{4,8}", pin):
            self.add_error("pin", "Use 4 to 8 digits (0-9).")
        elif pin and again != pin:
            self.add_error("pin_again", "The two PINs differ.")
        return data


class KioskExitForm(forms.Form):
    pin = forms.CharField(label="Coordinator's PIN", max_length=8, widget=forms.PasswordInput(attrs=PIN_INPUT))


class KioskCheckForm(forms.Form):
    """One tap at the kiosk: a name's button (``signup``) or a check-in code (typed or scanned)."""

    action = forms.ChoiceField(choices=[("check-in", "Check in"), ("check-out", "Check out")])
    signup = IntegerField(required=False, min_value=1)
    code = forms.CharField(required=False, max_length=40, label="Check-in code")
