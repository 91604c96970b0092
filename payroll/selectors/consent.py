"""Reads for the consent, partner and referral pages and the staff home, each a fixed number of queries."""
from datetime import date, timedelta

from django.db.models import Q

from payroll.models import Consent, Employee, Partner, Referral

EXPIRING_DAYS = 30  # a consent ending within this many days is on the program staff's home


def consent_status(consent: Consent, today: date) -> str:
    """In force, revoked, ended or not yet begun, on ``today``."""
    if consent.revoked_at is not None:
        return "revoked"
    if consent.valid_until is not None and consent.valid_until < today:
        return "ended"
    if consent.valid_from is not None and consent.valid_from > today:
        return "not yet"
    return "in force"


def participant_consents(employee_id: int, today: date) -> dict | None:
    """A participant, their consents (newest first, with status) and referrals. Three queries."""
    employee = Employee.objects.filter(pk=employee_id).first()
    if employee is None:
        return None
    consents = list(Consent.objects.filter(employee=employee).select_related("recipient", "recorded_by", "revoked_by")
                    .order_by("-recorded_at", "-id"))
    for consent in consents:
        consent.status = consent_status(consent, today)
    referrals = list(Referral.objects.filter(employee=employee).select_related("partner", "consent")
                     .order_by("-sent_on", "-id"))
    return {"employee": employee, "consents": consents, "referrals": referrals}


def transcript_recipients(employee_id: int, today: date) -> list[Partner]:
    """The partners a transcript may go to today (a current transcript consent names them;
    ``consent_for`` decides each download). One query."""
    from payroll.services.consent import USE_NEEDS

    rows = (Consent.objects.filter(employee_id=employee_id, kind=Consent.Kind.TRANSCRIPT, revoked_at__isnull=True,
                                   valid_from__lte=today, recipient__active=True)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)).select_related("recipient")
            .order_by("recipient__name"))
    partners = {}
    for consent in rows:
        if USE_NEEDS[Consent.Kind.TRANSCRIPT] <= set(consent.category_list):
            partners.setdefault(consent.recipient_id, consent.recipient)
    return list(partners.values())


def consents_expiring(today: date, days: int = EXPIRING_DAYS) -> list[Consent]:
    """Consents in force that end within ``days`` (today included), soonest first. One query."""
    return list(Consent.objects.filter(revoked_at__isnull=True, valid_from__lte=today,
                                       valid_until__range=(today, today + timedelta(days=days)))
                .select_related("recipient").order_by("valid_until", "id"))


def partner_list() -> list[Partner]:
    """Every partner, active first. One query."""
    return list(Partner.objects.order_by("-active", "name"))


def referral_detail(referral_id: int) -> Referral | None:
    """One referral with its partner, consent and participant. One query."""
    return Referral.objects.select_related("partner", "consent", "employee", "created_by").filter(pk=referral_id).first()
