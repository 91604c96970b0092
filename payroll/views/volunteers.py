"""Volunteers' own pages: profile, waiver, shifts and sign-ups, history and hours, the
certificate and the calendar. A volunteer reaches only their own sign-ups (others: 404)."""
from functools import partial, wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payroll.forms.volunteers import GroupMemberForm, SignUpForm, VolunteerProfileForm, WaiverForm
from payroll.models import SignUp, Volunteer
from payroll.models.volunteers import calendar_token
from payroll.selectors.volunteers import hours_history, open_shifts, shift_for_volunteer, volunteer_page
from payroll.services.volunteers import notify
from payroll.services.volunteers.documents import hours_certificate_pdf, shift_ics, volunteer_feed
from payroll.services.volunteers.groups import MemberDetails, MemberError, member_add, member_for_token, member_is_minor, member_waiver_sign
from payroll.services.volunteers.kiosk import checkin_code, checkin_qr_svg
from payroll.services.volunteers.signups import (
    GuardianEmailError,
    TextConsentError,
    TextNumberError,
    RoleFull,
    WaiverNeeded,
    signup_cancel,
    signup_create,
    volunteer_save,
    waiver_accept,
    waiver_current,
    waiver_in_force,
    waiver_problem,
)
from shop.platform import sms
from shop.platform.errors import DomainError
from shop.platform.security import download, no_store, private_page


def volunteer_required(view):
    """Logged in with a volunteer profile (``request.volunteer``); others make one first."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.volunteer = Volunteer.objects.filter(user=request.user).first()
        if request.volunteer is None:
            messages.info(request, "Tell us a little about yourself first.")
            return redirect("payroll:volunteer_profile")
        return view(request, *args, **kwargs)

    return wrapped


@volunteer_required
def home(request):
    volunteer = request.volunteer
    feed = request.build_absolute_uri(reverse("payroll:volunteer_feed", args=[volunteer.calendar_token]))
    context = {"volunteer": volunteer, "page": volunteer_page(volunteer), "waiver_problem": waiver_problem(volunteer),
               "waiver": waiver_in_force(volunteer), "feed_url": feed}
    return no_store(render(request, "payroll/volunteers/home.html", context))


@login_required
def profile(request):
    volunteer = Volunteer.objects.filter(user=request.user).first()
    if volunteer:
        initial = {f: getattr(volunteer, f) for f in ("full_name", "email", "phone", "emergency_contact_name",
                                                     "emergency_contact_phone", "date_of_birth", "reminder_channel")}
        initial["skills"] = list(volunteer.skills.all())
        initial["texts_agree"] = volunteer.texts_on
    else:
        initial = {"email": request.user.email, "full_name": request.user.get_full_name()}
    form = VolunteerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer_save(request.user, **form.cleaned_data)
        except TextNumberError as error:
            form.add_error("phone", error.message)
        except TextConsentError as error:
            form.add_error("texts_agree", error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect("payroll:volunteer_home" if volunteer else "payroll:volunteer_waiver")
    response = render(request, "payroll/volunteers/profile.html", {"form": form, "volunteer": volunteer},
                      status=400 if form.errors else 200)
    return no_store(response)


def _waiver_signing(request, sign):
    """The waiver form of both signers (a volunteer, a group member by their link): the
    current version, the form, and on a valid POST ``sign`` (the service that records the
    signature) called with the form's fields and the IP. A refusal lands on the form.
    Returns ``(form, current, signed)``."""
    current = waiver_current()
    form = WaiverForm(request.POST or None, initial={"version_id": current.pk if current else None})
    if request.method == "POST" and current is not None and form.is_valid():
        data = form.cleaned_data
        try:
            sign(version_id=data["version_id"], signed_name=data["signed_name"],
                 ip=request.META.get("REMOTE_ADDR"), guardian_name=data["guardian_name"],
                 guardian_email=data["guardian_email"], guardian_agrees=data["guardian_agrees"])
        except GuardianEmailError as error:
            form.add_error("guardian_email", error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return form, current, True
    return form, current, False


@volunteer_required
def waiver(request):
    volunteer = request.volunteer
    form, current, signed = _waiver_signing(request, partial(waiver_accept, volunteer))
    if signed:
        messages.success(request, "Thank you: your waiver is signed.")
        return redirect(request.GET.get("next") if _safe_next(request) else "payroll:volunteer_shifts")
    context = {"form": form, "current": current, "in_force": waiver_in_force(volunteer), "problem": waiver_problem(volunteer),
               "minor": volunteer.age_on(timezone.localdate()) < settings.VOLUNTEER_ADULT_AGE}
    return no_store(render(request, "payroll/volunteers/waiver.html", context, status=400 if form.errors else 200))


def _safe_next(request) -> bool:
    target = request.GET.get("next", "")
    return target.startswith("/volunteer/") and "//" not in target


@login_required
def shifts(request):
    return render(request, "payroll/volunteers/shifts.html", {"shifts": open_shifts(request.user)})


def _shift_page(request, shift, form=None, status=200, full=None):
    volunteer = Volunteer.objects.filter(user=request.user).first()
    mine = list(SignUp.objects.filter(shift=shift, volunteer=volunteer).exclude(status=SignUp.Status.CANCELLED)
                .select_related("role")) if volunteer else []
    problem = waiver_problem(volunteer) if volunteer else ""
    # One click onto a full role's waitlist (for one person; a party uses the form below).
    can_wait = bool(volunteer) and not mine and not problem and not shift.cancelled and timezone.now() < shift.signup_closes_at
    context = {"shift": shift, "volunteer": volunteer, "mine": mine, "form": form or SignUpForm(shift=shift),
               "full": full, "waiver_problem": problem, "can_wait": can_wait}
    return render(request, "payroll/volunteers/shift.html", context, status=status)


@login_required
def shift_detail(request, shift_id):
    shift = shift_for_volunteer(shift_id, request.user)
    if shift is None:
        raise Http404("No such shift")
    return _shift_page(request, shift)


@require_POST
@volunteer_required
def signup(request, shift_id):
    shift = shift_for_volunteer(shift_id, request.user)
    if shift is None:
        raise Http404("No such shift")
    form = SignUpForm(request.POST, shift=shift)
    if not form.is_valid():
        return _shift_page(request, shift, form, status=400)
    data = form.cleaned_data
    try:
        made = signup_create(request.volunteer.pk, data["role"].pk, members=data["members"], waitlist=data["waitlist"])
    except RoleFull as error:
        offer = SignUpForm(initial={**data, "members": request.POST.get("members", ""), "waitlist": True}, shift=shift)
        return _shift_page(request, shift_for_volunteer(shift_id, request.user), offer, full=error.message)
    except WaiverNeeded as error:
        messages.warning(request, error.message)
        return redirect(reverse("payroll:volunteer_waiver") + f"?next={reverse('payroll:volunteer_shift', args=[shift_id])}")
    except MemberError as error:
        form.add_error("members", error.message)
        return _shift_page(request, shift, form, status=400)
    except DomainError as error:
        form.add_error(None, error.message)
        return _shift_page(request, shift, form, status=400)
    if made.status == SignUp.Status.WAITLISTED:
        messages.info(request, f"You are on the waitlist for {made.role.name}. We will e-mail you if a place opens.")
    else:
        messages.success(request, f"You are signed up for {made.role.name}. See you there!")
    return redirect("payroll:volunteer_home")


@login_required
def cancel(request, signup_id):
    """GET: the confirmation page (what is cancelled, and the deadline); POST: cancel. Anyone
    else's sign-up (or none, for someone without a profile) is a 404, never a redirect."""
    signup = (SignUp.objects.filter(pk=signup_id, volunteer__user=request.user).exclude(status=SignUp.Status.CANCELLED)
              .select_related("shift", "role", "volunteer").first())
    if signup is None:
        raise Http404("No such sign-up")
    request.volunteer = signup.volunteer
    if request.method != "POST":
        return no_store(render(request, "payroll/volunteers/cancel.html", {"signup": signup, "shift": signup.shift}))
    try:
        signup_cancel(signup_id, volunteer=request.volunteer)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Cancelled. Thank you for letting us know.")
    return redirect("payroll:volunteer_home")


@login_required
def checkin_pass(request, signup_id):
    """The volunteer's check-in pass for one confirmed sign-up: the QR code the kiosk scans,
    and the same code to type. Anyone else's sign-up is a 404."""
    signup = (SignUp.objects.filter(pk=signup_id, volunteer__user=request.user, status=SignUp.Status.CONFIRMED)
              .select_related("shift", "role").first())
    if signup is None:
        raise Http404("No such sign-up")
    code = checkin_code(signup)
    context = {"signup": signup, "shift": signup.shift, "code": code, "qr": checkin_qr_svg(code)}
    return no_store(render(request, "payroll/volunteers/pass.html", context))


@login_required
def shift_calendar(request, shift_id):
    shift = shift_for_volunteer(shift_id, request.user)
    if shift is None:
        raise Http404("No such shift")
    response = HttpResponse(shift_ics(shift), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="shift-{shift.pk}.ics"'
    return response


@volunteer_required
def certificate(request):
    history, total = hours_history(request.volunteer)
    return download(hours_certificate_pdf(request.volunteer, history, total), "volunteer-hours.pdf")


@private_page
def feed(request, token):
    """The volunteer's shifts for their calendar app: the secret link is the key."""
    volunteer = Volunteer.objects.filter(calendar_token=token).first()
    if volunteer is None:
        raise Http404("No such calendar")
    return no_store(HttpResponse(volunteer_feed(volunteer), content_type="text/calendar; charset=utf-8"))


@require_POST
@volunteer_required
def feed_reset(request):
    Volunteer.objects.filter(pk=request.volunteer.pk).update(calendar_token=calendar_token())
    messages.success(request, "Your calendar link changed; the old one no longer works.")
    return redirect("payroll:volunteer_home")


@csrf_exempt
@require_POST
def texts_reply(request):
    """Twilio's webhook for replies to our texts (STOP, START, HELP). Only a request signed
    with our auth token may change anything; the answer is TwiML."""
    url = settings.SITE_URL.rstrip("/") + request.path
    if not sms.signature_valid(url, request.POST.dict(), request.headers.get("X-Twilio-Signature", "")):
        return HttpResponseForbidden("The signature does not match.", content_type="text/plain")
    try:
        number = sms.normalise(request.POST.get("From", ""))
    except sms.NotANumber:
        return HttpResponseBadRequest("From is not a phone number.", content_type="text/plain")
    answer = notify.texts_reply(number, request.POST.get("Body", ""))
    body = f"<Message>{escape(answer)}</Message>" if answer else ""
    return HttpResponse(f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', content_type="text/xml")


def group_member_waiver(request, token):
    """A group member's own waiver link (no account: the secret in the link is the key).
    An unknown link is a 404; a used one says so and signs nothing."""
    member = member_for_token(token)
    if member is None:
        raise Http404("No such waiver link")
    form, current, signed = _waiver_signing(request, partial(member_waiver_sign, token))
    if signed:
        member.refresh_from_db()
    context = {"form": form, "current": current, "member": member, "minor": member_is_minor(member),
               "shift": member.signup.shift, "leader": member.signup.volunteer.full_name}
    response = render(request, "payroll/volunteers/member_waiver.html", context, status=400 if form.errors else 200)
    response["Referrer-Policy"] = "no-referrer"
    return no_store(response)


@require_POST
@volunteer_required
def member_new(request, signup_id):
    """The leader adds a named member to their own sign-up (their link goes out by e-mail)."""
    if not SignUp.objects.filter(pk=signup_id, volunteer=request.volunteer).exclude(status=SignUp.Status.CANCELLED).exists():
        raise Http404("No such sign-up")
    form = GroupMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()))
        return redirect("payroll:volunteer_home")
    data = form.cleaned_data
    try:
        member = member_add(request.volunteer.pk, signup_id, MemberDetails(data["full_name"], data["date_of_birth"], data["email"]))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{member.full_name} is in your group; we e-mailed their waiver link.")
    return redirect("payroll:volunteer_home")
