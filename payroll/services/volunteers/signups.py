"""Volunteers' own use cases: the profile, the waiver, signing up (alone or with a party),
the waitlist and cancelling. Coordinators' use cases are in ``shifts``.

Capacity is kept under a row lock on the role (``select_for_update``; PostgreSQL), so
concurrent sign-ups never overfill it. SQLite has no row locks and allows one writer at
a time, so there sign-ups in this process take turns behind a lock instead of failing
with "database is locked" (the embedded default is a single process)."""
import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from payroll.models import Shift, ShiftRole, SignUp, Volunteer, WaiverAcceptance, WaiverVersion
from payroll.services.volunteers.notify import email, notify, site_link
from shop.platform import mail, sms
from shop.platform.errors import DomainError
from shop.models import OrganisationMember

_SQLITE_WRITER = threading.RLock()  # re-entrant: a service may call another inside it


class VolunteerError(DomainError):
    pass


class WaiverNeeded(VolunteerError):
    """The waiver is missing, outdated or expired: the page links to it."""


class BackgroundCheckNeeded(VolunteerError):
    """The role needs a cleared background check in date on the day, and there is none."""


class GuardianEmailError(VolunteerError):
    """The guardian's e-mail is the minor's own: the form shows it on that field."""


class TextNumberError(VolunteerError):
    """Texts were chosen but the phone number cannot get them: shown on the phone field."""


class TextConsentError(VolunteerError):
    """Texts were chosen without ticking the agreement: shown on that box."""


class RoleFull(VolunteerError):
    """No places left: the page offers the waitlist."""


@contextmanager
def one_writer():
    if connection.vendor == "sqlite":
        with _SQLITE_WRITER:
            yield
    else:
        yield


def when(moment: datetime, shift: Shift) -> str:
    """A time as people on the shift read it: in the shift's own time zone."""
    local = moment.astimezone(shift.zone)
    return f"{local:%a %b %-d, %-I:%M %p} {local.tzname()}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# -- the profile ------------------------------------------------------------------------


@transaction.atomic
def volunteer_save(user, *, full_name: str, email: str, phone: str, emergency_contact_name: str,
                   emergency_contact_phone: str, date_of_birth: date, skills=(), reminder_channel: str = "email",
                   texts_agree: bool = False) -> Volunteer:
    """Create or update the volunteer's profile. Texts need the volunteer's own agreement and a
    number a text can reach; choosing texts again after a STOP reply turns them back on."""
    today = timezone.localdate()
    if date_of_birth >= today:
        raise VolunteerError("The date of birth must be in the past.")
    if date_of_birth.year < today.year - 120:
        raise VolunteerError("Check the date of birth: that is more than 120 years ago.")
    if reminder_channel not in Volunteer.Channel.values:
        raise VolunteerError("Choose one of the listed reminder channels.")
    before = Volunteer.objects.filter(user=user).first()
    texts = {"text_number": "", "texts_agreed_at": None, "texts_stopped_at": None}
    if reminder_channel == Volunteer.Channel.SMS:
        try:
            number = sms.normalise(phone)
        except sms.NotANumber:
            raise TextNumberError("Texts need a mobile number, such as (904) 555-0134 or +44 7700 900123.") from None
        if not texts_agree:
            raise TextConsentError("Tick the box to agree to get text reminders, or choose e-mail.")
        kept = before is not None and before.texts_on and before.text_number == number
        texts = {"text_number": number, "texts_stopped_at": None,
                 "texts_agreed_at": before.texts_agreed_at if kept else timezone.now()}
    volunteer, _ = Volunteer.objects.update_or_create(user=user, defaults={
        "full_name": full_name.strip(), "email": email.strip(), "phone": phone.strip(),
        "emergency_contact_name": emergency_contact_name.strip(), "emergency_contact_phone": emergency_contact_phone.strip(),
        "date_of_birth": date_of_birth, "reminder_channel": reminder_channel, **texts,
    })
    volunteer.skills.set(skills)
    return volunteer


# -- the waiver -------------------------------------------------------------------------


def waiver_current(now: datetime | None = None) -> WaiverVersion | None:
    return WaiverVersion.objects.filter(published_at__lte=now or timezone.now()).order_by("-published_at", "-version").first()


def waiver_in_force(volunteer: Volunteer, now: datetime | None = None) -> WaiverAcceptance | None:
    """The volunteer's acceptance of the current version that has not expired, if any."""
    current = waiver_current(now)
    if current is None:
        return None
    return volunteer.waivers.filter(version=current, expires_at__gt=now or timezone.now()).order_by("-accepted_at").first()


def waiver_problem(volunteer: Volunteer, now: datetime | None = None) -> str:
    """Why the volunteer cannot sign up yet because of the waiver ("" when all is well)."""
    now = now or timezone.now()
    current = waiver_current(now)
    if current is None:
        return "Sign-ups open once the coordinators publish the volunteer waiver."
    if waiver_in_force(volunteer, now) is not None:
        return ""
    latest = volunteer.waivers.order_by("-accepted_at").first()
    if latest is None:
        return "Please read and sign the volunteer waiver before signing up."
    if latest.version_id != current.pk:
        return "The volunteer waiver has changed; please read and sign the new version before signing up."
    return f"Your waiver expired on {timezone.localtime(latest.expires_at):%b %-d, %Y}; please renew it before signing up."


@transaction.atomic
def waiver_accept(volunteer: Volunteer, *, version_id: int, signed_name: str, ip: str | None, guardian_name: str = "",
                  guardian_email: str = "", guardian_agrees: bool = False, now: datetime | None = None) -> WaiverAcceptance:
    """Record the volunteer's acceptance; a minor's needs their guardian's co-signature."""
    now = now or timezone.now()
    current = waiver_current(now)
    if current is None or current.pk != version_id:
        raise VolunteerError("The waiver changed while you were reading it; please read the current version and sign again.")
    if not signed_name.strip():
        raise VolunteerError("Type your full name to sign.")
    minor = volunteer.age_on(timezone.localdate(now)) < settings.VOLUNTEER_ADULT_AGE
    guardian = {}
    if minor:
        if not (guardian_name.strip() and guardian_email.strip() and guardian_agrees):
            raise VolunteerError(
                f"Volunteers under {settings.VOLUNTEER_ADULT_AGE} need a parent or guardian to co-sign: "
                "their name, e-mail and agreement are required."
            )
        own = {address.strip().casefold() for address in (volunteer.email, volunteer.user.email) if address}
        if guardian_email.strip().casefold() in own:
            raise GuardianEmailError("Give your parent or guardian's own e-mail address, not yours: "
                                     "the copy of the waiver goes to them.")
        guardian = {"guardian_name": guardian_name.strip(), "guardian_email": guardian_email.strip(), "guardian_signed_at": now}
    acceptance = WaiverAcceptance.objects.create(
        volunteer=volunteer, version=current, signed_name=signed_name.strip(), accepted_at=now, ip_address=ip or None,
        expires_at=now + timedelta(days=settings.VOLUNTEER_WAIVER_VALID_DAYS), minor_at_signing=minor, **guardian,
    )
    if minor:
        transaction.on_commit(lambda: _send_guardian_copy(acceptance.pk))
    return acceptance


def _send_guardian_copy(acceptance_id: int) -> None:
    acceptance = WaiverAcceptance.objects.select_related("volunteer", "version").get(pk=acceptance_id)
    mail.send(
        to=[acceptance.guardian_email], subject=f"You co-signed {acceptance.volunteer.full_name}'s volunteer waiver",
        from_email=settings.DEFAULT_FROM_EMAIL, template="payroll/email/guardian_waiver_copy",
        context={"acceptance": acceptance, "signed_at": timezone.localtime(acceptance.guardian_signed_at),
                 "expires_at": timezone.localtime(acceptance.expires_at)},
    )


# -- signing up -------------------------------------------------------------------------


def confirmed_places(role: ShiftRole) -> int:
    return role.signups.filter(status=SignUp.Status.CONFIRMED).aggregate(n=Sum("party_size"))["n"] or 0


def signup_check(volunteer: Volunteer, shift: Shift, party_size: int, now: datetime, role: ShiftRole | None = None) -> None:
    """Every rule but capacity, with a message the volunteer can act on (``role``: its
    background-check rule too)."""
    if shift.cancelled:
        raise VolunteerError("This shift was cancelled.")
    if now >= shift.starts_at:
        raise VolunteerError("This shift has already started.")
    if now >= shift.signup_closes_at:
        raise VolunteerError(f"Sign-ups for this shift closed at {when(shift.signup_closes_at, shift)}.")
    problem = waiver_problem(volunteer, now)
    if problem:
        raise WaiverNeeded(problem)
    if shift.organisation_id and not OrganisationMember.objects.filter(organisation_id=shift.organisation_id,
                                                                        user_id=volunteer.user_id).exists():
        raise VolunteerError(f"This shift is for members of {shift.organisation.name} only.")
    age = volunteer.age_on(shift.local_start.date())
    if age < shift.minimum_age:
        raise VolunteerError(f"This shift is for volunteers aged {shift.minimum_age} and over; you would be {age} on the day.")
    missing = set(shift.required_skills.all()) - set(volunteer.skills.all())
    if missing:
        names = ", ".join(sorted(s.name for s in missing))
        raise VolunteerError(f"This shift needs these skills: {names}. Add them to your profile if you have them.")
    if role is not None:
        from payroll.services.volunteers.background_checks import background_check_problem

        problem = background_check_problem(volunteer, role, shift.local_start.date())
        if problem:
            raise BackgroundCheckNeeded(problem)
    if party_size < 1:
        raise VolunteerError("A party has at least one person.")
    existing = SignUp.objects.filter(volunteer=volunteer, shift=shift, status__in=SignUp.ACTIVE).first()
    if existing is not None:
        where = "on the waitlist" if existing.status == SignUp.Status.WAITLISTED else "signed up"
        raise VolunteerError(f"You are already {where} for this shift.")
    clash = (SignUp.objects.filter(volunteer=volunteer, status__in=SignUp.ACTIVE, shift__status=Shift.Status.SCHEDULED,
                                   shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at)
             .exclude(shift=shift).select_related("shift").first())
    if clash is not None:
        raise VolunteerError(f"This overlaps “{clash.shift.title}” ({when(clash.shift.starts_at, clash.shift)} to "
                             f"{clash.shift.local_end:%-I:%M %p}), which you are "
                             f"{'waitlisted' if clash.status == SignUp.Status.WAITLISTED else 'signed up'} for.")


def signup_organisation_id(volunteer: Volunteer, shift: Shift) -> int | None:
    """Whose hours these are: the shift's organisation, or the volunteer's own (first by name)."""
    if shift.organisation_id:
        return shift.organisation_id
    membership = (OrganisationMember.objects.filter(user_id=volunteer.user_id)
                  .order_by("organisation__name").values_list("organisation_id", flat=True).first())
    return membership


def signup_create(volunteer_id: int, role_id: int, *, party_size: int = 1, members=None, waitlist: bool = False,
                  now: datetime | None = None) -> SignUp:
    """Sign up for a role, as one person or a party. A party never takes more places than
    are left; when none are left, ``waitlist`` joins the waitlist, otherwise ``RoleFull``.
    ``members`` (``groups.MemberDetails``) names the leader's guests: then the party is the
    leader and them, every one is held to the age rules and each is sent their waiver link."""
    from payroll.services.volunteers import groups

    now = now or timezone.now()
    members = list(members or [])
    if members:
        party_size = 1 + len(members)
    with one_writer(), transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer_id)  # one sign-up per person at a time
        role = ShiftRole.objects.select_for_update().get(pk=role_id)  # capacity: one sign-up per role at a time
        shift = Shift.objects.select_related("organisation").get(pk=role.shift_id)
        signup_check(volunteer, shift, party_size, now, role)
        groups.members_check(shift, members)
        if party_size > role.capacity:
            raise VolunteerError(f"{role.name} has {plural(role.capacity, 'place')} in all; a party of {party_size} is too big.")
        openings = role.capacity - confirmed_places(role)
        if party_size <= openings:
            status, stamps = SignUp.Status.CONFIRMED, {"confirmed_at": now}
        elif openings > 0:
            raise VolunteerError(f"Only {plural(openings, 'place')} left in {role.name}: a party of {party_size} does not fit. "
                                 f"Sign up {openings} or fewer, or choose another role.")
        elif not waitlist:
            raise RoleFull(f"{role.name} is full. Join the waitlist and we will e-mail you if a place opens.")
        else:
            status, stamps = SignUp.Status.WAITLISTED, {"waitlisted_at": now}
        signup = SignUp.objects.create(volunteer=volunteer, shift=shift, role=role, party_size=party_size, status=status,
                                       organisation_id=signup_organisation_id(volunteer, shift), **stamps)
        if members:
            groups.members_add(signup, members, now)
        return signup


def signup_cancel(signup_id: int, *, volunteer: Volunteer | None = None, now: datetime | None = None) -> list[SignUp]:
    """Cancel a sign-up: by the volunteer (``volunteer``, until the shift's deadline) or by a
    coordinator (no deadline). A freed place goes to the waitlist at once; returns who moved up."""
    now = now or timezone.now()
    with one_writer(), transaction.atomic():
        role_id = SignUp.objects.filter(pk=signup_id).values_list("role_id", flat=True).first()
        if role_id is None:
            raise VolunteerError("No such sign-up.")
        role = ShiftRole.objects.select_for_update().get(pk=role_id)
        signup = SignUp.objects.select_related("shift").get(pk=signup_id)
        if volunteer is not None and signup.volunteer_id != volunteer.pk:
            raise VolunteerError("No such sign-up.")
        if signup.status == SignUp.Status.CANCELLED:
            raise VolunteerError("This sign-up is already cancelled.")
        shift = signup.shift
        if volunteer is not None:
            if now >= shift.starts_at:
                raise VolunteerError("This shift has already started.")
            if signup.status == SignUp.Status.CONFIRMED and now >= shift.cancel_deadline:
                raise VolunteerError(f"Online cancellation closed at {when(shift.cancel_deadline, shift)}. "
                                     "Please tell the volunteer coordinator instead.")
        freed = signup.status == SignUp.Status.CONFIRMED
        signup.status, signup.cancelled_at = SignUp.Status.CANCELLED, now
        signup.save(update_fields=["status", "cancelled_at"])
        if freed and not shift.cancelled and now < shift.starts_at:
            return waitlist_promote(role, now)
        return []


def waitlist_promote(role: ShiftRole, now: datetime) -> list[SignUp]:
    """Give free places to the waitlist in order (first come; a party that does not fit
    waits while a smaller one behind it moves up). The role row must be locked."""
    openings = role.capacity - confirmed_places(role)
    promoted = []
    waiting = role.signups.filter(status=SignUp.Status.WAITLISTED).order_by("waitlisted_at", "id")
    for signup in waiting:
        if openings <= 0:
            break
        if signup.party_size > openings:
            continue
        signup.status, signup.confirmed_at = SignUp.Status.CONFIRMED, now
        signup.save(update_fields=["status", "confirmed_at"])
        openings -= signup.party_size
        promoted.append(signup)
        enqueue_notice(signup.pk, "promoted")
    return promoted


def enqueue_notice(signup_id: int, event: str) -> None:
    from payroll.tasks import send_volunteer_notice

    transaction.on_commit(lambda: send_volunteer_notice.delay(signup_id, event))


# -- what volunteers are told -----------------------------------------------------------

# Each notice's subject; its body is the template pair payroll/email/volunteer_<notice>.
NOTICES = {
    "promoted": "A place opened: you are signed up for {title}",
    "reminder_48h": "Reminder: {title} on {day}",
    "reminder_2h": "Starting soon: {title} at {time}",
}


def signup_notify(signup_id: int, event: str) -> bool:
    """Tell the volunteer about their sign-up. Promotions go by e-mail, reminders by the
    volunteer's preferred channel (changes and cancellations of a shift: ``changes``)."""
    signup = SignUp.objects.select_related("volunteer", "shift", "role").filter(pk=signup_id).first()
    if signup is None or event not in NOTICES:
        return False
    shift = signup.shift
    values = {
        "title": shift.title, "role": signup.role.name, "location": shift.location,
        "start": when(shift.starts_at, shift), "end": f"{shift.local_end:%-I:%M %p}", "day": f"{shift.local_start:%a %b %-d}",
        "time": f"{shift.local_start:%-I:%M %p}", "party_size": signup.party_size,
        "waitlisted": signup.status == SignUp.Status.WAITLISTED, "reason": shift.cancel_reason,
        "link": site_link(reverse("payroll:volunteer_home")), "shifts_link": site_link(reverse("payroll:volunteer_shifts")),
        "pass_link": site_link(reverse("payroll:volunteer_pass", args=[signup.pk])),
    }
    subject, template = NOTICES[event].format(**values), f"payroll/email/volunteer_{event}"
    if event.startswith("reminder"):
        notify(signup.volunteer, subject, template, values)
    else:
        email(signup.volunteer, subject, template, values)
    return True
