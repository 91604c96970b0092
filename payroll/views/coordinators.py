"""Volunteer coordinators' pages: the week, shifts (new, edit, copy, cancel, message), the
roster, reports and the hours CSV (the kiosk: views/kiosk.py). Volunteer data only: nothing here
reads survivors, pay or training."""
from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from payroll.forms.volunteers import (
    BackgroundCheckForm,
    CancelShiftForm,
    CopyShiftForm,
    HoursForm,
    MessageForm,
    NewShiftForm,
    RangeForm,
    ShiftForm,
)
from payroll.models import GroupMember, Shift, SignUp
from payroll.selectors.volunteers import (
    background_checks_expiring,
    background_checks_recent,
    hours_report,
    needs_review,
    no_shows,
    roster,
    week_of,
    week_view,
)
from payroll.services.volunteers import groups, shifts
from payroll.services.volunteers.background_checks import background_check_record
from payroll.services.volunteers.signups import signup_cancel
from shop.platform.csv_export import csv_response
from shop.platform.errors import DomainError
from shop.platform.roles import VOLUNTEER_COORDINATOR, role_required
from shop.platform.validators import date_param
from shop.platform.security import no_store

coordinator_required = role_required(VOLUNTEER_COORDINATOR)


def _shift_or_404(shift_id) -> Shift:
    shift = Shift.objects.prefetch_related("roles", "required_skills").select_related("organisation").filter(pk=shift_id).first()
    if shift is None:
        raise Http404("No such shift")
    return shift


@coordinator_required
def week(request):
    monday = week_of(date_param(request.GET.get("week", "")) or timezone.localdate())
    context = {"days": week_view(monday), "monday": monday, "previous": monday - timedelta(days=7),
               "next": monday + timedelta(days=7), "review_count": len(needs_review())}
    return no_store(render(request, "payroll/volunteers/week.html", context))


@coordinator_required
def shift_new(request):
    form = NewShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = shifts.shift_create(form.details(), request.user, repeat_until=form.cleaned_data["repeat_until"],
                                       except_dates=form.cleaned_data["except_dates"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{len(made)} shift{'s' if len(made) != 1 else ''} scheduled.")
            return redirect("payroll:coordinator_shift", made[0].pk)
    return no_store(render(request, "payroll/volunteers/shift_form.html", {"form": form, "title": "New shift"},
                           status=400 if form.errors else 200))


@coordinator_required
def shift_roster(request, shift_id):
    data = roster(shift_id)
    if data is None:
        raise Http404("No such shift")
    context = {**data, "message_form": MessageForm(), "cancel_form": CancelShiftForm(), "hours_form": HoursForm()}
    return no_store(render(request, "payroll/volunteers/roster.html", context))


@coordinator_required
def shift_edit(request, shift_id):
    shift = _shift_or_404(shift_id)
    form = ShiftForm(request.POST or None, initial=ShiftForm.initial_for(shift))
    if request.method == "POST" and form.is_valid():
        try:
            shifts.shift_update(shift.pk, form.details(), request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Shift saved.")
            return redirect("payroll:coordinator_shift", shift.pk)
    return no_store(render(request, "payroll/volunteers/shift_form.html", {"form": form, "shift": shift, "title": "Edit shift"},
                           status=400 if form.errors else 200))


@coordinator_required
def shift_copy(request, shift_id):
    shift = _shift_or_404(shift_id)
    form = CopyShiftForm(request.POST or None, initial={"day": shift.local_start.date() + timedelta(days=7)})
    if request.method == "POST" and form.is_valid():
        try:
            copy = shifts.shift_copy(shift.pk, form.cleaned_data["day"], request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Copied. Nobody is signed up for the copy yet.")
            return redirect("payroll:coordinator_shift", copy.pk)
    return no_store(render(request, "payroll/volunteers/shift_copy.html", {"form": form, "shift": shift},
                           status=400 if form.errors else 200))


@require_POST
@coordinator_required
def shift_cancel(request, shift_id):
    shift = _shift_or_404(shift_id)
    form = CancelShiftForm(request.POST)
    if form.is_valid():
        try:
            told = shifts.shift_cancel(shift.pk, request.user, form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Shift cancelled; {told} {'person' if told == 1 else 'people'} will be e-mailed.")
    else:
        messages.error(request, "Keep the reason under 200 characters.")
    return redirect("payroll:coordinator_shift", shift.pk)


@require_POST
@coordinator_required
def shift_message(request, shift_id):
    shift = _shift_or_404(shift_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message = shifts.shift_message(shift.pk, request.user, form.cleaned_data["subject"], form.cleaned_data["body"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Message sent to {message.recipients}.")
            return redirect("payroll:coordinator_shift", shift.pk)
    context = {**roster(shift.pk), "message_form": form, "cancel_form": CancelShiftForm(), "hours_form": HoursForm()}
    return no_store(render(request, "payroll/volunteers/roster.html", context, status=400))


SIGNUP_ACTIONS = ("check-in", "check-out", "no-show", "hours", "remove")


@require_POST
@coordinator_required
def signup_action(request, signup_id, action):
    signup = SignUp.objects.select_related("shift").filter(pk=signup_id).first()
    if signup is None or action not in SIGNUP_ACTIONS:
        raise Http404("No such sign-up or action")
    try:
        if action == "check-in":
            done = shifts.check_in(signup.pk, request.user)
            messages.success(request, f"{signup.volunteer.full_name} checked in.")
            for member in done.members_left_out:
                messages.error(request, f"{member.full_name} was not checked in: their volunteer waiver is not signed.")
        elif action == "check-out":
            done = shifts.check_out(signup.pk, request.user)
            messages.success(request, f"{signup.volunteer.full_name} checked out: {done.hours} hours.")
        elif action == "no-show":
            shifts.mark_no_show(signup.pk, request.user)
            messages.success(request, f"{signup.volunteer.full_name} marked as a no-show.")
        elif action == "hours":
            form = HoursForm(request.POST)
            if not form.is_valid():
                raise DomainError("Give both times, like 09:00 and 13:30.")
            day, zone = signup.shift.local_start.date(), signup.shift.zone
            shifts.hours_correct(signup.pk, request.user, datetime.combine(day, form.cleaned_data["checked_in"], zone),
                                 datetime.combine(day, form.cleaned_data["checked_out"], zone))
            messages.success(request, "Hours corrected.")
        elif action == "remove":
            promoted = signup_cancel(signup.pk)
            messages.success(request, "Removed from the shift." + (f" {len(promoted)} moved up from the waitlist." if promoted else ""))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("payroll:coordinator_shift", signup.shift_id)


@require_POST
@coordinator_required
def member_check_in(request, member_id):
    """Check in one named member of a group (refused while their own waiver is unsigned)."""
    member = GroupMember.objects.select_related("signup").filter(pk=member_id).first()
    if member is None:
        raise Http404("No such group member")
    try:
        groups.member_check_in(member.pk, request.user)
        messages.success(request, f"{member.full_name} checked in.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("payroll:coordinator_shift", member.signup.shift_id)


def _range(request) -> RangeForm:
    today = timezone.localdate()
    if "start" in request.GET or "end" in request.GET:
        return RangeForm(request.GET)
    return RangeForm({"start": today.replace(day=1).isoformat(), "end": today.isoformat()})


@coordinator_required
def reports(request):
    form = _range(request)
    context = {"form": form, "review": needs_review()}
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        context.update(no_shows=no_shows(start, end), hours=hours_report(start, end), start=start, end=end)
    return no_store(render(request, "payroll/volunteers/reports.html", context, status=200 if form.is_valid() else 400))


@coordinator_required
def hours_csv(request):
    form = _range(request)
    if not form.is_valid():
        return no_store(render(request, "payroll/volunteers/reports.html", {"form": form, "review": needs_review()}, status=400))
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    report = hours_report(start, end)
    rows = [["volunteer", row.name, row.email, row.shifts, row.hours, row.person_hours] for row in report["volunteers"]]
    rows += [["organisation", row.name, "", row.shifts, row.hours, row.person_hours] for row in report["organisations"]]
    return csv_response(f"volunteer-hours-{start}-to-{end}.csv", ["section", "name", "email", "shifts", "hours", "person_hours"],
                        rows)


@coordinator_required
def background_checks(request):
    """Record a background check's outcome (done outside the product); lists those expiring soon."""
    form = BackgroundCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check = background_check_record(data["volunteer"].pk, request.user, status=data["status"], provider=data["provider"],
                                            provider_reference=data["provider_reference"], checked_on=data["checked_on"],
                                            expires_on=data["expires_on"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Recorded: {check.volunteer.full_name}'s check, {check.get_status_display().lower()}.")
            return redirect("payroll:coordinator_background_checks")
    today = timezone.localdate()
    context = {"form": form, "expiring": background_checks_expiring(today), "recent": background_checks_recent()}
    return no_store(render(request, "payroll/volunteers/background_checks.html", context, status=400 if form.errors else 200))
