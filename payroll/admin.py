from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from payroll.bank import mask
from payroll.models import (
    GoalDomain,
    Account,
    BackgroundCheck,
    Attendance,
    Cohort,
    Competency,
    Consent,
    Employee,
    JournalEntry,
    MinimumWage,
    PayRate,
    Posting,
    Program,
    TimeEntry,
    Shift,
    ShiftChange,
    ShiftRole,
    Skill,
    TrainingSession,
    Volunteer,
    WaiverAcceptance,
    WaiverVersion,
    WithholdingCertificate,
)
from payroll.services.people import (
    PayRateNeedsConfirmation,
    audit,
    employee_save,
    minimum_wage_set,
    pay_rate_check,
    pay_rate_set,
    w4_record,
)
from payroll.services.time import (
    TimeEntryNeedsConfirmation,
    time_entries_approve,
    time_entry_add,
    time_entry_change,
    time_entry_check,
    time_entry_remove,
)
from payroll.services.training.roster import roster_approve
from payroll.services.training.records import (
    SESSION_TIMING,
    attendance_record,
    attendance_update,
    session_delete,
    session_save,
)
from payroll.models import PayrollSetting, TaxDeposit
from payroll.services.filings import payroll_setting_add
from shop.admin.base import ModelAdmin, ReadOnlyAdmin, ReadOnlyInline, TabularInline
from shop.platform.errors import DomainError
from shop.platform.roles import PAYROLL_STAFF, user_has_role
from shop.platform.form_fields import ModelChoiceField


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind")


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = readonly_fields = ("account", "amount")


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("date", "memo", "source_type", "idempotency_key")
    list_filter = ("source_type", "date")
    search_fields = ("memo", "idempotency_key")
    date_hierarchy = "date"
    inlines = [PostingInline]
    readonly_fields = ("date", "memo", "source_type", "source_id", "idempotency_key", "reverses", "created_at")


def masked_name(name: str) -> str:
    """'Rosa Martinez' -> 'Ro••• M.': enough to tell people apart in a list, no more."""
    parts = (name or "").split()
    if not parts:
        return ""
    return f"{parts[0][:2]}••• {parts[-1][0]}." if len(parts) > 1 else f"{parts[0][:2]}•••"


# The numbers an admin form never shows: each is read as last four only, and replaced through a
# separate write-only field (blank keeps the number on file). "Reveal" is a POST (audited).
SECRET_FIELDS = {"ssn": "SSN", "bank_routing": "Bank routing number", "bank_account": "Bank account number"}


class EmployeeForm(forms.ModelForm):
    class Meta:
        model = Employee
        # The prenote state follows the bank details (services); the secret numbers are write-only below;
        # the new-hire report date is set by its service.
        exclude = ["created_at", "bank_prenote_sent", "new_hire_reported_on", *SECRET_FIELDS]
        widgets = {
            field: forms.TextInput(attrs={"autocomplete": "off"})
            for field in ("legal_name", "preferred_name", "date_of_birth", "email", "phone")
        }

    # Declared here so the admin lays them out; labels and help follow the record in __init__.
    # Never pre-filled: the page carries no number, only what the person types now.
    ssn_new = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    bank_routing_new = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    bank_account_new = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adding = self.instance.pk is None
        for name, label in SECRET_FIELDS.items():
            field = self.fields[f"{name}_new"]
            on_file = "" if adding else getattr(self.instance, name, "")
            field.label = label if adding else f"Replace {label[0].lower()}{label[1:]}"
            field.required = adding and name == "ssn"
            field.help_text = "Write-only: the number is never shown here." + (
                f" Leave blank to keep {mask(on_file)}." if on_file else "")

    def clean(self):
        data = super().clean()
        validators = {f.name: f.validators for f in Employee._meta.fields if f.name in SECRET_FIELDS}
        for name in SECRET_FIELDS:
            value = data.get(f"{name}_new")
            if not value:
                continue
            try:
                for validator in validators[name]:
                    validator(value)
            except forms.ValidationError as error:
                self.add_error(f"{name}_new", error)
                continue
            setattr(self.instance, name, value)
        return data

    def changed_model_fields(self) -> list[str]:
        """The model's field names that changed (a replaced number by its own name)."""
        names = []
        for name in self.changed_data:
            base = name.removesuffix("_new")
            if base in SECRET_FIELDS:
                if self.cleaned_data.get(name):
                    names.append(base)
            else:
                names.append(name)
        return names


class PayRateForm(forms.ModelForm):
    confirm_unusual = forms.BooleanField(required=False, label="Yes, this rate is right",
                                         help_text="Only needed for a rate far above the others.")

    class Meta:
        model = PayRate
        fields = ["kind", "rate", "effective_from"]

    def clean(self):
        data = super().clean()
        if data.get("rate") is not None and data.get("effective_from") and data.get("kind"):
            employee = self.instance.employee if self.instance.employee_id else None
            try:
                pay_rate_check(data["rate"], data["effective_from"], data["kind"], employee, data.get("confirm_unusual", False))
            except PayRateNeedsConfirmation as warning:
                self.add_error("confirm_unusual", f"{warning.message} Tick “Yes, this rate is right” to keep it.")
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return data


class HistoryInline(TabularInline):
    """Dated history rows (rates, W-4s, consents): a new row is added through its service
    (``EmployeeAdmin.save_formset``); a saved row is never changed or deleted."""

    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PayRateInline(HistoryInline):
    model = PayRate
    form = PayRateForm
    fields = ("kind", "rate", "effective_from", "confirm_unusual", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    admin_writes_through = ("payroll.services.people.pay_rate_set",)


W4_FIELDS = ("effective_from", "filing_status", "step2_checkbox", "step3_credits", "step4a_other_income", "step4b_deductions",
             "step4c_extra_withholding", "exempt")


class W4Inline(HistoryInline):
    template = "admin/edit_inline/stacked.html"
    model = WithholdingCertificate
    fields = (*W4_FIELDS, "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    admin_writes_through = ("payroll.services.people.w4_record",)


class ConsentInline(ReadOnlyInline):
    """Consents are recorded and revoked by program staff on the participant's consent page
    (``payroll.services.consent``); payroll staff see them here."""

    model = Consent
    fields = ("kind", "categories", "recipient", "valid_from", "valid_until", "signed_how", "signed_on", "revoked_at",
              "recorded_by", "recorded_at")
    readonly_fields = fields


@admin.register(Employee)
class EmployeeAdmin(ModelAdmin):
    """Lists show masked names only; opening a record is written to the audit log. Saves go
    through the people services: bank details reset the prenote, history rows are only added."""

    form = EmployeeForm
    # Only payroll staff (and superusers) open this admin: they see names; the numbers stay masked.
    list_display = ("id", "name", "status", "hire_date", "ssn_masked", "bank_masked")
    list_filter = ("status",)
    readonly_fields = ("ssn_on_file", "routing_on_file", "account_on_file", "bank_prenote_sent", "new_hire_reported_on",
                       "where_the_home_address_is_used")

    def _on_file(self, obj, field):
        from django.urls import reverse
        from django.utils.html import format_html

        value = getattr(obj, field, "") if obj is not None and obj.pk else ""
        if not value:
            return "—"
        # formaction: the button posts (with the admin form's CSRF token) to the audited reveal page.
        return format_html('{} <button type="submit" class="button" formmethod="post" formaction="{}" '
                           'formnovalidate name="field" value="{}">Reveal</button>', mask(value),
                           reverse("payroll:employee_reveal", args=[obj.pk]), field)

    @admin.display(description="SSN on file")
    def ssn_on_file(self, obj):
        return self._on_file(obj, "ssn")

    @admin.display(description="Routing number on file")
    def routing_on_file(self, obj):
        return self._on_file(obj, "bank_routing")

    @admin.display(description="Account number on file")
    def account_on_file(self, obj):
        return self._on_file(obj, "bank_account")
    inlines = [PayRateInline, W4Inline, ConsentInline]

    @admin.display(description="Where the home address is used")
    def where_the_home_address_is_used(self, obj):
        return ("Only where the law asks where the employee lives: the Florida new-hire report and the W-4 file. "
                "W-2s, W-2cs, pay stubs, paper checks and everything mailed use the substitute mailing address "
                "when one is set (payroll.selectors.people.mailing_address_lines).")
    admin_writes_through = ("payroll.services.people.employee_save", "payroll.services.people.bank_details_set")

    @admin.display(description="Name")
    def name(self, obj):
        return obj.staff_label

    @admin.display(description="SSN")
    def ssn_masked(self, obj):
        return mask(obj.ssn)

    @admin.display(description="Bank account")
    def bank_masked(self, obj):
        return mask(obj.bank_account) if obj.bank_account else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        employee = Employee.objects.filter(pk=object_id).first()
        if request.method == "GET" and employee is not None and self.has_view_or_change_permission(request, employee):
            audit(request.user, "employee.viewed", employee, ip=request.META.get("REMOTE_ADDR"))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        employee_save(obj, request.user, form.changed_model_fields() if change else [])

    def delete_model(self, request, obj):
        raise PermissionDenied  # has_delete_permission says no; this is the backstop

    def has_delete_permission(self, request, obj=None):
        return False  # pay history, W-2s and the audit trail point at the record; set an end date instead

    def save_formset(self, request, form, formset, change):
        """Only new rows reach here (saved rows are read-only): each through its service."""
        employee, created = form.instance, []
        for row in formset.forms:
            if row.instance.pk or not row.has_changed() or not row.cleaned_data:
                continue
            data = row.cleaned_data
            if formset.model is PayRate:
                created.append(pay_rate_set(employee, data["kind"], data["rate"], data["effective_from"], request.user,
                                            confirmed=data.get("confirm_unusual", False)))
            elif formset.model is WithholdingCertificate:
                created.append(w4_record(employee, data["effective_from"], request.user,
                                         **{f: data[f] for f in W4_FIELDS if f != "effective_from"}))
        # What the admin's change message reads (the services did the saving).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []


class EmployeeByName(ModelChoiceField):
    """A dropdown of employees by name, for payroll staff's forms (the admins only they open); an id
    past 64 bits is a field error (``shop.platform.form_fields``)."""

    def label_from_instance(self, obj):
        return f"{obj.staff_label} · employee {obj.pk}"


class EmployeeByMaskedName(ModelChoiceField):
    """The same dropdown for everyone else (program staff): the masked name and number the
    training pages show ("Ro••• M. (no. 3)"), never the legal name."""

    def label_from_instance(self, obj):
        return f"{masked_name(obj.legal_name)} (no. {obj.pk})"


class TimeEntryForm(forms.ModelForm):
    employee = EmployeeByName(queryset=Employee.objects.order_by("pk"))
    confirm_long_day = forms.BooleanField(required=False, label="Yes, these hours are right",
                                          help_text="Only needed past 12 hours in a day.")

    class Meta:
        model = TimeEntry
        fields = ["employee", "date", "hours", "kind", "note"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.instance.locked:
            raise forms.ValidationError("This entry was paid in an approved pay run; correct it with an off-cycle correction run.")
        if all(data.get(f) is not None for f in ("employee", "date", "hours", "kind")):
            try:
                time_entry_check(data["employee"], data["date"], data["hours"], data["kind"], exclude_entry_id=self.instance.pk,
                                 confirmed_long_day=data.get("confirm_long_day", False))
            except TimeEntryNeedsConfirmation as warning:
                self.add_error("confirm_long_day", warning.message)
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return data


@admin.register(TimeEntry)
class TimeEntryAdmin(ModelAdmin):
    """Hours are added, changed and removed through the time services (the same rules as
    the employee's page); an entry paid in an approved run cannot be changed here."""

    form = TimeEntryForm
    list_display = ("employee", "date", "hours", "kind", "approved_at", "pay_run", "after_period_paid")
    list_filter = ("kind", ("approved_at", admin.EmptyFieldListFilter), "date", "after_period_paid")
    readonly_fields = ("after_period_paid", "pay_run", "approved_by", "approved_at", "entered_by", "source")
    actions = ["approve"]
    admin_writes_through = ("payroll.services.time.time_entry_add", "payroll.services.time.time_entry_change",
                            "payroll.services.time.time_entry_remove")

    def save_model(self, request, obj, form, change):
        data, confirmed = form.cleaned_data, form.cleaned_data.get("confirm_long_day", False)
        if change:
            saved = time_entry_change(obj.pk, request.user, confirmed_long_day=confirmed,
                                      **{f: data[f] for f in ("date", "hours", "kind", "note")})
        else:
            saved = time_entry_add(data["employee"], data["date"], data["hours"], data["kind"], request.user,
                                   note=data["note"], confirmed_long_day=confirmed)
        obj.pk, obj.after_period_paid = saved.pk, saved.after_period_paid
        obj._state.adding = False
        if saved.after_period_paid:
            self.message_user(request, "That day's pay period is already paid: these hours will be paid in the next regular run.",
                              level=messages.WARNING)

    def delete_model(self, request, obj):
        time_entry_remove(obj.pk, request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.locked)

    @admin.action(description="Approve selected time entries")
    def approve(self, request, queryset):
        self.message_user(request, f"{time_entries_approve(list(queryset.values_list('pk', flat=True)), request.user)} approved.")


@admin.register(MinimumWage)
class MinimumWageAdmin(ModelAdmin):
    list_display = ("effective_from", "rate", "note")
    admin_writes_through = ("payroll.services.people.minimum_wage_set",)

    def save_model(self, request, obj, form, change):
        minimum_wage_set(obj.effective_from, obj.rate, request.user, note=obj.note, row=obj)

    def delete_model(self, request, obj):
        raise PermissionDenied

    def has_delete_permission(self, request, obj=None):
        return False  # past pay was checked against it; add a new dated row instead


@admin.register(PayrollSetting)
class PayrollSettingAdmin(ModelAdmin):
    """The organisation's tax standing by date: added only (filed returns were worked out from
    the rows in force then); a change is a new row from its date."""

    list_display = ("effective_from", "section_501c3", "reemployment_tax_rate", "reimbursing_employer", "note")
    fields = ("effective_from", "section_501c3", "reemployment_tax_rate", "reimbursing_employer", "note")
    admin_writes_through = ("payroll.services.filings.payroll_setting_add",)

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        row = payroll_setting_add(request.user, effective_from=obj.effective_from, section_501c3=obj.section_501c3,
                                  reemployment_tax_rate=obj.reemployment_tax_rate,
                                  reimbursing_employer=obj.reimbursing_employer, note=obj.note)
        obj.pk = row.pk

    def delete_model(self, request, obj):
        raise PermissionDenied

    def has_add_permission(self, request):
        return request.user.is_superuser  # the organisation's tax standing: superusers only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaxDeposit)
class TaxDepositAdmin(ReadOnlyAdmin):
    """Recorded on the filings page (payroll.services.filings.deposit_record)."""

    list_display = ("due", "liability_start", "liability_end", "amount", "paid_on", "confirmation")


# -- training (program staff): programs and cohorts; records go through the services ----


class CompetencyInline(TabularInline):
    model = Competency
    extra = 1


@admin.register(Program)
class ProgramAdmin(ModelAdmin):
    list_display = ("name", "lead", "required_hours", "active")
    list_filter = ("active",)
    inlines = [CompetencyInline]


@admin.register(Cohort)
class CohortAdmin(ModelAdmin):
    list_display = ("name", "program", "start_date", "end_date")
    list_filter = ("program",)


@admin.register(GoalDomain)
class GoalDomainAdmin(ModelAdmin):
    """The service plans' goal domains (casework); a domain with goals cannot be deleted: retire it."""

    list_display = ("name", "slug", "position", "active")
    list_filter = ("active",)


class AttendanceInline(TabularInline):
    """Attendance is saved through the training services, so paid hours follow it."""

    model = Attendance
    extra = 3
    can_delete = False  # mark the person absent instead: the paid entry follows (attendance_update)
    admin_writes_through = ("payroll.services.training.records.attendance_record", "payroll.services.training.records.attendance_update")
    fields = ("employee", "status", "minutes_attended", "time_entry")
    readonly_fields = ("time_entry",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "employee":  # payroll staff see names; everyone else never does
            kwargs["form_class"] = EmployeeByName if user_has_role(request.user, PAYROLL_STAFF) else EmployeeByMaskedName
            kwargs["queryset"] = Employee.objects.order_by("pk")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TrainingSession)
class TrainingSessionAdmin(ModelAdmin):
    list_display = ("date", "program", "topic", "trainer", "attendance_approved_at")
    list_filter = ("program", ("attendance_approved_at", admin.EmptyFieldListFilter))
    fields = ("program", "cohort", "date", "start_time", "end_time", "topic", "trainer", "attendance_approved_at", "approved_by")
    readonly_fields = ("attendance_approved_at", "approved_by")
    inlines = [AttendanceInline]
    actions = ["approve_attendance"]
    admin_writes_through = ("payroll.services.training.records.session_save", "payroll.services.training.records.session_delete",
                            "payroll.services.training.records.attendance_record", "payroll.services.training.records.attendance_update")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.attendance_approved_at:  # paid by these: see session_save
            return (*self.readonly_fields, *SESSION_TIMING)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        session_save(obj, request.user, form.changed_data if change else [])

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.attendance_approved_at)

    def delete_model(self, request, obj):
        session_delete(obj.pk, request.user)

    def delete_queryset(self, request, queryset):
        for session in queryset:
            self.delete_model(request, session)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attendance:
            return super().save_formset(request, form, formset, change)
        try:
            for row in formset.forms:
                if not row.has_changed() or not row.cleaned_data or row.cleaned_data.get("DELETE"):
                    continue
                data = row.cleaned_data
                if row.instance.pk:
                    attendance_update(row.instance.pk, data["status"], data["minutes_attended"], request.user)
                else:
                    attendance_record(form.instance, data["employee"], data["status"], data["minutes_attended"], request.user)
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)
        # What the admin's change message reads (the services did the saving).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description="Approve attendance: pay the training hours")
    def approve_attendance(self, request, queryset):
        for session in queryset:
            try:
                created = roster_approve(session.pk, request.user)  # the program lead's, as on the roster page
            except DomainError as error:
                self.message_user(request, f"{session}: {error.message}", level=messages.ERROR)
            else:
                self.message_user(request, f"{session}: {created} training time entr{'y' if created == 1 else 'ies'} added.")


# -- volunteer work days (volunteer coordinators): shifts are made on the coordinators' pages ----


@admin.register(Skill)
class SkillAdmin(ModelAdmin):
    search_fields = ("name",)


@admin.register(WaiverVersion)
class WaiverVersionAdmin(ModelAdmin):
    """A version's text is frozen once anyone accepted it: publish a new version instead."""

    list_display = ("version", "published_at", "acceptance_count")

    @admin.display(description="Accepted by")
    def acceptance_count(self, obj):
        return obj.acceptances.count()

    def get_readonly_fields(self, request, obj=None):
        return ("version", "text", "published_at") if obj is not None and obj.acceptances.exists() else ()


class WaiverAcceptanceInline(ReadOnlyInline):
    model = WaiverAcceptance
    fields = readonly_fields = ("version", "signed_name", "accepted_at", "ip_address", "expires_at", "minor_at_signing",
                                "guardian_name", "guardian_email", "guardian_signed_at")


class BackgroundCheckInline(ReadOnlyInline):
    """Recorded on the coordinators' page (/staff/volunteers/background-checks/), which audits it."""

    model = BackgroundCheck
    fields = readonly_fields = ("status", "provider", "provider_reference", "checked_on", "expires_on", "recorded_by",
                                "recorded_at")


@admin.register(Volunteer)
class VolunteerAdmin(ModelAdmin):
    list_display = ("full_name", "email", "phone", "created_at")
    search_fields = ("full_name", "email")
    readonly_fields = ("user", "created_at")
    filter_horizontal = ("skills",)
    inlines = [WaiverAcceptanceInline, BackgroundCheckInline]


class ShiftRoleInline(ReadOnlyInline):
    model = ShiftRole
    fields = readonly_fields = ("name", "capacity", "requires_background_check")


class ShiftChangeInline(ReadOnlyInline):
    """Each change told to the people on the shift (``payroll/services/volunteers/changes.py``)."""

    model = ShiftChange
    fields = readonly_fields = ("kind", "what", "made_by", "made_at")


@admin.register(Shift)
class ShiftAdmin(ModelAdmin):
    """Shifts are made, edited and copied on the coordinators' pages (which keep the capacity
    and waitlist rules); here staff fix wording and cancel through the service."""

    list_display = ("title", "starts_at", "location", "status", "organisation")
    list_filter = ("status", "organisation")
    search_fields = ("title", "location")
    date_hierarchy = "starts_at"
    fields = ("title", "description", "location", "time_zone", "starts_at", "ends_at", "minimum_age", "organisation",
              "series", "signup_cutoff_hours", "cancel_deadline_hours", "status", "cancelled_at", "cancel_reason")
    readonly_fields = ("time_zone", "starts_at", "ends_at", "minimum_age", "organisation", "series", "signup_cutoff_hours",
                       "cancel_deadline_hours", "status", "cancelled_at", "cancel_reason")
    inlines = [ShiftRoleInline, ShiftChangeInline]
    actions = ["cancel_shifts"]
    # (the action checks nothing itself: the service does)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel selected shifts (e-mails everyone signed up)", permissions=["change"])
    def cancel_shifts(self, request, queryset):
        from payroll.services.volunteers.shifts import shift_cancel

        for shift in queryset:
            try:
                told = shift_cancel(shift.pk, request.user, "")
            except DomainError as error:
                self.message_user(request, f"{shift}: {error.message}", level=messages.ERROR)
            else:
                self.message_user(request, f"{shift}: cancelled, {told} told.")
