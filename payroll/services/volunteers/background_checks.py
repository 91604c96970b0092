"""Background checks: done outside the product (a screening provider), recorded here by a
coordinator, and audited. A role may require a cleared check; signing up for it needs a
cleared check that is still in date on the shift's day (``background_check_problem``)."""
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from payroll.models import BackgroundCheck, ShiftRole, Volunteer
from payroll.services.volunteers.signups import VolunteerError
from shop.platform.audit import audit_record
from shop.platform.validators import sane_date


def background_check_in_date(volunteer: Volunteer, day: date) -> BackgroundCheck | None:
    """The volunteer's cleared check that holds on ``day`` (checked on or before it, expiring after it)."""
    return (BackgroundCheck.objects.filter(volunteer=volunteer, status=BackgroundCheck.Status.CLEARED, checked_on__lte=day,
                                           expires_on__gt=day).order_by("-expires_on").first())


def background_check_problem(volunteer: Volunteer, role: ShiftRole, day: date) -> str:
    """Why the volunteer cannot take ``role`` on ``day`` for want of a check ("" when all is well)."""
    if not role.requires_background_check or background_check_in_date(volunteer, day) is not None:
        return ""
    latest = BackgroundCheck.objects.filter(volunteer=volunteer).order_by("-checked_on", "-id").first()
    needs = f"{role.name} needs a cleared background check"
    if latest is None:
        return f"{needs}, and we have none on record for you. Please ask the volunteer coordinator about one, or choose another role."
    if latest.status == BackgroundCheck.Status.PENDING:
        return f"{needs}; yours is still pending. You can sign up once it has cleared, or choose another role."
    if latest.status == BackgroundCheck.Status.NOT_CLEARED:
        return f"{needs}. Please choose another role, or talk to the volunteer coordinator."
    return (f"{needs} in date on the day; yours runs out on {latest.expires_on:%b %-d, %Y}. "
            "Please ask the volunteer coordinator to renew it, or choose another role.")


def _day(value: date, what: str) -> None:
    try:
        sane_date(value)
    except ValidationError as error:
        raise VolunteerError(f"{what}: {' '.join(error.messages)}") from error


@transaction.atomic
def background_check_record(volunteer_id: int, actor, *, status: str, provider: str, checked_on: date,
                            expires_on: date | None = None, provider_reference: str = "") -> BackgroundCheck:
    """Record a check's outcome as the provider reported it; audited (no personal data in the event)."""
    volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
    if volunteer is None:
        raise VolunteerError("No such volunteer.")
    if status not in BackgroundCheck.Status.values:
        raise VolunteerError("Choose pending, cleared or not cleared.")
    if not provider.strip():
        raise VolunteerError("Say who carried out the check.")
    _day(checked_on, "Date of the check")
    if expires_on is not None:
        _day(expires_on, "Expiry")
        if expires_on <= checked_on:
            raise VolunteerError("The expiry must be after the date of the check.")
    if status == BackgroundCheck.Status.CLEARED and expires_on is None:
        raise VolunteerError("A cleared check needs its expiry date (when it must be renewed).")
    check = BackgroundCheck.objects.create(volunteer=volunteer, status=status, provider=provider.strip()[:120],
                                           provider_reference=provider_reference.strip()[:120], checked_on=checked_on,
                                           expires_on=expires_on, recorded_by=actor if getattr(actor, "pk", None) else None)
    audit_record("volunteer.background_check_recorded", actor=actor, target=check, volunteer_id=volunteer.pk, status=status,
                 checked_on=checked_on.isoformat(), expires_on=expires_on.isoformat() if expires_on else "")
    return check
