"""Data rights, the volunteer's part: registered with shop's registry (``shop.data_rights``)
in ``PayrollConfig.ready``, so one export or erasure request covers the volunteer too.

Erasure anonymises the profile (name, e-mail, phone, emergency contact, date of birth,
skills, the calendar link), the names signed on waivers, the guardian's name and e-mail and
the IP address, and the party notes on sign-ups, and deletes the background checks recorded
(outcome, provider, reference, dates: a check on someone no longer named serves no purpose);
sign-ups still to come are cancelled (their places go to the waitlist). Kept, as the organisation's records of volunteer work: every
sign-up with its shift, role, party size, attendance and check-in/out times, so hours totals
and sign-up counts in the coordinators' reports do not change; and each waiver acceptance's
version, dates and whether a guardian co-signed (the record that a waiver was in force).

Minors: an erasure is requested by the volunteer or, for a minor, their parent or guardian
(staff check who is asking); it is carried out the same way. A minor's waiver keeps the
fact and time of the guardian's co-signature, with the guardian's name and e-mail replaced
by placeholders (the database requires a minor's waiver to name a guardian).

Employees are not erased this way: their pay, tax and training records are kept under
employment law and handled by payroll and program staff.
"""
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from payroll.models import BackgroundCheck, Employee, GroupMember, SignUp, Volunteer, WaiverAcceptance
from payroll.models.volunteers import calendar_token
from payroll.services.volunteers.signups import VolunteerError, signup_cancel
from shop.data_rights import Erasure, Subject, erased_email, is_erased_email, register
from shop.platform.roles import VOLUNTEER_COORDINATOR
from shop.services.data_rights import fields, iexact_any, value

ZERO = Decimal("0.00")
ERASED_BIRTH_DATE = date(1900, 1, 1)  # the field is required; this stands for "not known"
WORK_RETAINED = "retained: the organisation's records of volunteer work (hours and sign-ups)"


def _volunteers(subject: Subject):
    return Volunteer.objects.filter(Q(user_id__in=subject.user_ids) | iexact_any("email", subject.emails)).order_by("pk")


def volunteer_accounts(emails) -> list[int]:
    """The logins of the volunteer profiles held under these addresses."""
    return list(Volunteer.objects.filter(iexact_any("email", emails), user__isnull=False).values_list("user_id", flat=True))


def volunteer_export(subject: Subject):
    out = []
    for volunteer in _volunteers(subject).prefetch_related("skills"):
        signups = (SignUp.objects.filter(volunteer=volunteer).select_related("shift", "role", "organisation").prefetch_related("members")
                   .order_by("shift__starts_at", "pk"))
        worked = [s for s in signups if s.status == SignUp.Status.CONFIRMED and s.checked_out_at is not None]
        out.append({
            "profile": {
                **fields(volunteer, "full_name", "email", "phone", "emergency_contact_name", "emergency_contact_phone",
                         "date_of_birth", "reminder_channel", "text_number", "texts_agreed_at", "texts_stopped_at",
                         "created_at"),
                "skills": sorted(s.name for s in volunteer.skills.all()),
                "erased": is_erased_email(volunteer.email),
            },
            "waivers": [
                {**fields(w, "signed_name", "accepted_at", "ip_address", "expires_at", "minor_at_signing", "guardian_name",
                          "guardian_email", "guardian_signed_at"), "version": w.version.version}
                for w in WaiverAcceptance.objects.filter(volunteer=volunteer).select_related("version").order_by("accepted_at", "pk")
            ],
            "background_checks": [
                fields(c, "status", "provider", "provider_reference", "checked_on", "expires_on", "recorded_at")
                for c in BackgroundCheck.objects.filter(volunteer=volunteer).order_by("checked_on", "pk")
            ],
            "sign_ups": [
                {**fields(s, "status", "party_size", "party_note", "attendance", "created_at", "confirmed_at", "cancelled_at",
                          "checked_in_at", "checked_out_at"),
                 "shift": s.shift.title, "starts_at": value(s.shift.starts_at), "location": s.shift.location,
                 "role": s.role.name, "organisation": s.organisation.name if s.organisation else None,
                 "hours": value(s.hours), "person_hours": value(s.person_hours),
                 "group_members": [fields(m, "full_name", "date_of_birth", "email", "accepted_at", "minor_at_signing",
                                          "guardian_name", "guardian_email", "checked_in_at") for m in s.members.all()]}
                for s in signups
            ],
            "totals": {"shifts_worked": len(worked), "hours": value(sum((s.hours for s in worked), ZERO)),
                       "person_hours": value(sum((s.person_hours for s in worked), ZERO))},
        })
    return out


def _upcoming(volunteers):
    return SignUp.objects.filter(volunteer__in=volunteers, status__in=SignUp.ACTIVE, shift__starts_at__gt=timezone.now())


def volunteer_notes(subject: Subject) -> list[str]:
    upcoming = _upcoming(list(_volunteers(subject))).count()
    return [f"{upcoming} sign-up(s) for shifts still to come will be cancelled (their places go to the waitlist)."] if upcoming else []


def volunteer_refuse(subject: Subject) -> list[str]:
    employees = Employee.objects.filter(user_id__in=subject.user_ids).values_list("user_id", flat=True)
    return [f"Account #{pk} belongs to an employee: pay, tax and training records are kept under employment law and "
            "handled by payroll and program staff, not erased here." for pk in employees]


def volunteer_erase(subject: Subject, erasure: Erasure) -> None:
    volunteers = [v for v in _volunteers(subject) if not is_erased_email(v.email)]
    if not volunteers:
        return
    cancelled = 0
    for signup_id in _upcoming(volunteers).values_list("pk", flat=True):
        try:
            signup_cancel(signup_id)
            cancelled += 1
        except VolunteerError:
            pass  # cancelled meanwhile
    for volunteer in volunteers:
        Volunteer.objects.filter(pk=volunteer.pk).update(
            full_name=f"Erased volunteer #{volunteer.pk}", email=erased_email("volunteer", volunteer.pk), phone="",
            emergency_contact_name="", emergency_contact_phone="", date_of_birth=ERASED_BIRTH_DATE,
            calendar_token=calendar_token(), reminder_channel=Volunteer.Channel.EMAIL, text_number="",
            texts_agreed_at=None, texts_stopped_at=None,
        )
        volunteer.skills.clear()
        waivers = WaiverAcceptance.objects.filter(volunteer=volunteer)
        waivers.filter(minor_at_signing=False).update(signed_name=f"Erased volunteer #{volunteer.pk}", ip_address=None,
                                                      guardian_name="", guardian_email="")
        for waiver in waivers.filter(minor_at_signing=True):
            WaiverAcceptance.objects.filter(pk=waiver.pk).update(
                signed_name=f"Erased volunteer #{volunteer.pk}", ip_address=None, guardian_name="Erased guardian",
                guardian_email=erased_email("guardian", waiver.pk),
            )
        SignUp.objects.filter(volunteer=volunteer).update(party_note="")
        # The leader's named group members go with them: names, e-mails and guardians replaced
        # (the signed waiver stays as a record, as the leader's own does).
        for member in GroupMember.objects.filter(signup__volunteer=volunteer):
            GroupMember.objects.filter(pk=member.pk).update(
                full_name=f"Erased group member #{member.pk}", email="", signed_name=f"Erased group member #{member.pk}" if member.signed_name else "",
                ip_address=None, guardian_name="Erased guardian" if member.minor_at_signing else "",
                guardian_email=erased_email("member-guardian", member.pk) if member.minor_at_signing else "",
            )
    ids = [v.pk for v in volunteers]
    checks, _ = BackgroundCheck.objects.filter(volunteer_id__in=ids).delete()
    waivers = WaiverAcceptance.objects.filter(volunteer_id__in=ids).count()
    signups = SignUp.objects.filter(volunteer_id__in=ids).count()
    erasure.anonymise(f"{len(ids)} volunteer profile(s): name, e-mail, phone and texting number, emergency contact, date of birth "
                      f"and skills removed, calendar link replaced ({', '.join(f'Erased volunteer #{pk}' for pk in ids)}).",
                      len(ids), key="volunteers")
    erasure.anonymise(f"{waivers} signed waiver(s): signed name, guardian name and e-mail, IP address replaced.", waivers,
                      key="waivers")
    erasure.anonymise(f"{cancelled} sign-up(s) for shifts still to come cancelled.", cancelled, key="signups_cancelled")
    erasure.anonymise(f"{checks} background check record(s) deleted.", checks, key="background_checks")
    if signups:
        erasure.retain(f"{signups} sign-up(s) with shift, role, party size, attendance and hours ({WORK_RETAINED}).")
    if waivers:
        erasure.retain(f"{waivers} waiver acceptance(s): version, dates and whether a guardian co-signed (the record that "
                       "a waiver was in force).")


def register_volunteer_section() -> None:
    register("volunteer", title="Volunteer profile, waivers, sign-ups and hours", role=VOLUNTEER_COORDINATOR,
             export=volunteer_export, erase=volunteer_erase, refuse=volunteer_refuse, notes=volunteer_notes,
             accounts=volunteer_accounts)
