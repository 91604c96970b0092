from django import forms
from django.contrib import admin, messages

from payroll.bank import mask
from payroll.models import (
    Account,
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
    ShiftRole,
    Skill,
    TrainingSession,
    Volunteer,
    WaiverAcceptance,
    WaiverVersion,
    WithholdingCertificate,
)
from payroll.services.people import audit, maker_credits_refresh, pay_rate_check
from payroll.services.time import time_entries_approve, time_entry_check
from payroll.services.training import attendance_record, attendance_update, session_attendance_approve
from shop.admin import ReadOnlyAdmin, ReadOnlyInline
from shop.errors import DomainError


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


class EmployeeForm(forms.ModelForm):
    class Meta:
        model = Employee
        exclude = ["created_at"]
        widgets = {
            field: forms.TextInput(attrs={"autocomplete": "off"})
            for field in ("legal_name", "preferred_name", "date_of_birth", "ssn", "email", "phone", "bank_routing", "bank_account")
        }


class PayRateForm(forms.ModelForm):
    class Meta:
        model = PayRate
        fields = ["kind", "rate", "effective_from"]

    def clean(self):
        data = super().clean()
        if data.get("rate") is not None and data.get("effective_from"):
            try:
                pay_rate_check(data["rate"], data["effective_from"])
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return data


class PayRateInline(admin.TabularInline):
    model = PayRate
    form = PayRateForm
    extra = 0
    fields = ("kind", "rate", "effective_from", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")


class W4Inline(admin.StackedInline):
    model = WithholdingCertificate
    extra = 0
    readonly_fields = ("created_by", "created_at")


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ("recorded_by", "recorded_at")


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    """Lists show masked names only; opening a record is written to the audit log."""

    form = EmployeeForm
    list_display = ("id", "masked_name", "status", "hire_date", "ssn_masked", "bank_masked")
    list_filter = ("status",)
    inlines = [PayRateInline, W4Inline, ConsentInline]

    @admin.display(description="Name")
    def masked_name(self, obj):
        return masked_name(obj.legal_name)

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
        super().save_model(request, obj, form, change)
        ip = request.META.get("REMOTE_ADDR")
        if not change:
            audit(request.user, "employee.created", obj, ip=ip)
            return
        # Which fields changed (never their values); bank details are their own event.
        bank = sorted(f for f in form.changed_data if f in BANK_FIELDS)
        other = sorted(f for f in form.changed_data if f not in BANK_FIELDS)
        if other:
            audit(request.user, "employee.changed", obj, ip=ip, fields=other)
        if bank:
            audit(request.user, "bank.changed", obj, ip=ip, fields=bank, account_type=obj.bank_account_type)

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if hasattr(instance, "created_by_id") and not instance.created_by_id:
                instance.created_by = request.user
            if hasattr(instance, "recorded_by_id") and not instance.recorded_by_id:
                instance.recorded_by = request.user
            instance.save()
            audit(request.user, _inline_event(instance), form.instance, ip=request.META.get("REMOTE_ADDR"), target=instance)
        formset.save_m2m()
        maker_credits_refresh(form.instance)


BANK_FIELDS = ("bank_routing", "bank_account", "bank_account_type", "bank_prenote_sent")


def _inline_event(instance) -> str:
    """The audit action for a row saved on the employee page: the same names the services use."""
    if isinstance(instance, PayRate):
        return "pay_rate.set"
    if isinstance(instance, WithholdingCertificate):
        return "w4.recorded"
    if isinstance(instance, Consent):
        return "consent.granted" if instance.granted else "consent.revoked"
    return f"{instance._meta.model_name}.saved"


class TimeEntryForm(forms.ModelForm):
    class Meta:
        model = TimeEntry
        fields = ["employee", "date", "hours", "kind", "note"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.instance.locked:
            raise forms.ValidationError("This entry was paid in an approved pay run; correct it with an off-cycle correction run.")
        if all(data.get(f) is not None for f in ("employee", "date", "hours", "kind")):
            try:
                time_entry_check(data["employee"], data["date"], data["hours"], data["kind"])
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return data


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin):
    form = TimeEntryForm
    list_display = ("employee", "date", "hours", "kind", "approved_at", "pay_run")
    list_filter = ("kind", ("approved_at", admin.EmptyFieldListFilter), "date")
    actions = ["approve"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)
        audit(request.user, "time.changed" if change else "time.entered", obj.employee, ip=request.META.get("REMOTE_ADDR"),
              target=obj, fields=sorted(form.changed_data), day=obj.date, hours=obj.hours, kind=obj.kind)

    def delete_model(self, request, obj):
        audit(request.user, "time.removed", obj.employee, ip=request.META.get("REMOTE_ADDR"), target=obj,
              day=obj.date, hours=obj.hours, kind=obj.kind)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.locked)

    @admin.action(description="Approve selected time entries")
    def approve(self, request, queryset):
        self.message_user(request, f"{time_entries_approve(list(queryset.values_list('pk', flat=True)), request.user)} approved.")


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "rate", "note")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(request.user, "minimum_wage.set", None, ip=request.META.get("REMOTE_ADDR"), target=obj,
              rate=obj.rate, effective_from=obj.effective_from)


# -- training (program staff): programs and cohorts; records go through the services ----


class CompetencyInline(admin.TabularInline):
    model = Competency
    extra = 1


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "required_hours", "active")
    list_filter = ("active",)
    inlines = [CompetencyInline]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "program", "start_date", "end_date")
    list_filter = ("program",)


class AttendanceInline(admin.TabularInline):
    """Attendance is saved through the training services, so paid hours follow it."""

    model = Attendance
    extra = 3
    fields = ("employee", "status", "minutes_attended", "time_entry")
    readonly_fields = ("time_entry",)


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("date", "program", "topic", "trainer", "attendance_approved_at")
    list_filter = ("program", ("attendance_approved_at", admin.EmptyFieldListFilter))
    fields = ("program", "date", "start_time", "end_time", "topic", "trainer", "attendance_approved_at", "approved_by")
    readonly_fields = ("attendance_approved_at", "approved_by")
    inlines = [AttendanceInline]
    actions = ["approve_attendance"]

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
                created = session_attendance_approve(session.pk, request.user)
            except DomainError as error:
                self.message_user(request, f"{session}: {error.message}", level=messages.ERROR)
            else:
                self.message_user(request, f"{session}: {len(created)} training time entr{'y' if len(created) == 1 else 'ies'} added.")


# -- volunteer work days (volunteer coordinators): shifts are made on the coordinators' pages ----


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(WaiverVersion)
class WaiverVersionAdmin(admin.ModelAdmin):
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


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "phone", "created_at")
    search_fields = ("full_name", "email")
    readonly_fields = ("user", "created_at")
    filter_horizontal = ("skills",)
    inlines = [WaiverAcceptanceInline]


class ShiftRoleInline(ReadOnlyInline):
    model = ShiftRole
    fields = readonly_fields = ("name", "capacity")


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
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
    inlines = [ShiftRoleInline]
    actions = ["cancel_shifts"]
    # (the action checks nothing itself: the service does)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel selected shifts (e-mails everyone signed up)", permissions=["change"])
    def cancel_shifts(self, request, queryset):
        from payroll.services.volunteer_shifts import shift_cancel

        for shift in queryset:
            try:
                told = shift_cancel(shift.pk, request.user, "")
            except DomainError as error:
                self.message_user(request, f"{shift}: {error.message}", level=messages.ERROR)
            else:
                self.message_user(request, f"{shift}: cancelled, {told} told.")
