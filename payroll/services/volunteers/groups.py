"""Groups by name: the leader names each member of a group sign-up; each member signs
the current waiver from their own secret link (no account), a minor's with a guardian's
co-signature; nobody unwaivered is checked in."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from payroll.models import GroupMember, Shift, SignUp, WaiverVersion
from payroll.models.volunteers import age_on
from payroll.services.volunteers.notify import site_link
from payroll.services.volunteers.signups import GuardianEmailError, VolunteerError, waiver_current
from shop.platform import mail


class MemberError(VolunteerError):
    """A named member breaks a rule (age, missing e-mail): shown on the members field."""


@dataclass(frozen=True)
class MemberDetails:
    full_name: str
    date_of_birth: date
    email: str = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def members_check(shift: Shift, members: list[MemberDetails]) -> None:
    """The age rules, and an e-mail for every adult, for each member by name."""
    day = shift.local_start.date()
    for member in members:
        name = member.full_name.strip()
        if not name:
            raise MemberError("Give each member's full name.")
        age = age_on(member.date_of_birth, day)
        if age < 0:
            raise MemberError(f"{name}: the date of birth is after the shift.")
        if age < shift.minimum_age:
            raise MemberError(f"{name} would be {age} on the day; this shift is for volunteers aged {shift.minimum_age} and over.")
        if age >= settings.VOLUNTEER_ADULT_AGE and not member.email.strip():
            raise MemberError(f"{name} is an adult: give their e-mail so they can sign their own waiver.")


def members_add(signup: SignUp, members: list[MemberDetails], now: datetime) -> list[tuple[GroupMember, str]]:
    """Create the members and queue each one's invitation (inside the sign-up's transaction).
    Returns each member with the secret of their link, which is kept nowhere else."""
    made = []
    for details in members:
        token = secrets.token_urlsafe(24)
        member = GroupMember.objects.create(signup=signup, full_name=details.full_name.strip(), date_of_birth=details.date_of_birth,
                                            email=details.email.strip(), token_hash=token_hash(token), invited_at=now)
        made.append((member, token))
    invites = [(member.pk, token) for member, token in made]
    transaction.on_commit(lambda: [_send_invite(pk, token) for pk, token in invites])
    return made


@transaction.atomic
def member_add(leader_volunteer_id: int, signup_id: int, details: MemberDetails, now: datetime | None = None) -> GroupMember:
    """The leader adds a member after signing up: one more place, if the role has one."""
    from payroll.services.volunteers.signups import confirmed_places, one_writer

    now = now or timezone.now()
    with one_writer():
        signup = (SignUp.objects.select_for_update().select_related("shift", "role")
                  .filter(pk=signup_id, volunteer_id=leader_volunteer_id).exclude(status=SignUp.Status.CANCELLED).first())
        if signup is None:
            raise VolunteerError("No such sign-up.")
        if now >= signup.shift.starts_at:
            raise VolunteerError("This shift has already started.")
        members_check(signup.shift, [details])
        role = type(signup.role).objects.select_for_update().get(pk=signup.role_id)
        if signup.status == SignUp.Status.CONFIRMED and confirmed_places(role) >= role.capacity:
            raise MemberError(f"{role.name} is full: there is no place for {details.full_name.strip()}.")
        signup.party_size += 1
        signup.save(update_fields=["party_size"])
        return members_add(signup, [details], now)[0][0]


def _send_invite(member_id: int, token: str) -> None:
    member = GroupMember.objects.select_related("signup__volunteer", "signup__shift").get(pk=member_id)
    leader = member.signup.volunteer
    to = member.email or leader.email  # a minor without an e-mail: the link goes to the leader
    shift = member.signup.shift
    mail.send(to=[to], subject=f"Please sign the volunteer waiver for {shift.title}", from_email=settings.DEFAULT_FROM_EMAIL,
              template="payroll/email/group_member_invite",
              context={"member": member, "leader": leader.full_name, "shift": shift,
                       "link": site_link(reverse("payroll:group_member_waiver", args=[token]))})


def member_for_token(token: str) -> GroupMember | None:
    if not token or len(token) > 64:
        return None
    return GroupMember.objects.select_related("signup__shift", "signup__volunteer").filter(
        token_hash=token_hash(token)).exclude(signup__status=SignUp.Status.CANCELLED).first()


def member_waiver_in_force(member: GroupMember, now: datetime | None = None, current: WaiverVersion | None = None) -> bool:
    now = now or timezone.now()
    current = current or waiver_current(now)
    return (current is not None and member.waiver_version_id == current.pk
            and member.expires_at is not None and member.expires_at > now)


def member_is_minor(member: GroupMember, now: datetime | None = None) -> bool:
    return member.age_on(timezone.localdate(now or timezone.now())) < settings.VOLUNTEER_ADULT_AGE


@transaction.atomic
def member_waiver_sign(token: str, *, version_id: int, signed_name: str, ip: str | None, guardian_name: str = "",
                       guardian_email: str = "", guardian_agrees: bool = False, now: datetime | None = None) -> GroupMember:
    """The member signs from their link. A link is for one signing: once the current waiver
    is signed, the same link signs nothing more (a new version needs the leader's new invite)."""
    now = now or timezone.now()
    found = member_for_token(token)
    if found is None:
        raise VolunteerError("This waiver link is not valid.")
    member = GroupMember.objects.select_for_update().get(pk=found.pk)
    current = waiver_current(now)
    if current is None or current.pk != version_id:
        raise VolunteerError("The waiver changed while you were reading it; please read the current version and sign again.")
    if member.accepted_at is not None:
        raise VolunteerError("This waiver link has already been used.")
    if not signed_name.strip():
        raise VolunteerError("Type your full name to sign.")
    minor = member_is_minor(member, now)
    guardian = {}
    if minor:
        if not (guardian_name.strip() and guardian_email.strip() and guardian_agrees):
            raise VolunteerError(f"Volunteers under {settings.VOLUNTEER_ADULT_AGE} need a parent or guardian to co-sign: "
                                 "their name, e-mail and agreement are required.")
        if member.email and guardian_email.strip().casefold() == member.email.strip().casefold():
            raise GuardianEmailError("Give the parent or guardian's own e-mail address, not the volunteer's: "
                                     "the copy of the waiver goes to them.")
        guardian = {"guardian_name": guardian_name.strip(), "guardian_email": guardian_email.strip(), "guardian_signed_at": now}
    member.waiver_version, member.signed_name, member.accepted_at = current, signed_name.strip(), now
    member.expires_at = now + timedelta(days=settings.VOLUNTEER_WAIVER_VALID_DAYS)
    member.ip_address, member.minor_at_signing = ip or None, minor
    for field, value in guardian.items():
        setattr(member, field, value)
    member.save()
    return member


@transaction.atomic
def member_check_in(member_id: int, actor, now: datetime | None = None) -> GroupMember:
    """Check one member in: their leader's place must be confirmed and their own waiver signed."""
    now = now or timezone.now()
    member = GroupMember.objects.select_for_update().select_related("signup__shift").filter(pk=member_id).first()
    if member is None:
        raise VolunteerError("No such group member.")
    signup, shift = member.signup, member.signup.shift
    if signup.status != SignUp.Status.CONFIRMED or shift.cancelled:
        raise VolunteerError("Only volunteers with a place on the shift can be checked in.")
    if member.checked_in_at is not None:
        raise VolunteerError(f"{member.full_name} is already checked in.")
    if now < shift.starts_at - timedelta(hours=2) or now > shift.ends_at:
        raise VolunteerError("Check-in opens two hours before the shift and closes when it ends.")
    if not member_waiver_in_force(member, now):
        raise VolunteerError(f"{member.full_name} has not signed the volunteer waiver: they cannot be checked in "
                             "until they sign it from their own link.")
    member.checked_in_at = now
    member.save(update_fields=["checked_in_at"])
    return member


def group_check_in(signup: SignUp, now: datetime) -> list[GroupMember]:
    """With the leader's check-in, check in every member whose waiver is in force; returns
    the members left out because theirs is not (they stay out until they sign)."""
    current = waiver_current(now)
    left_out = []
    for member in signup.members.select_for_update().filter(checked_in_at__isnull=True):
        if member_waiver_in_force(member, now, current):
            member.checked_in_at = now
            member.save(update_fields=["checked_in_at"])
        else:
            left_out.append(member)
    return left_out
