"""Consent as a record (issue 24): recording and revoking consents, the partners they name,
and referrals to partners. ``consent_for`` is the one check every use of a participant's
information makes (the transcript, a referral, the first-name credit on products, a story or
photo): nothing goes anywhere without a consent in force that day, for that use, covering
the information the use shares, naming who receives it. Revoking stops every use at once.
Every change is audited (``consent.granted|revoked``, ``partner.saved``, ``referral.created|changed``)."""
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from payroll.models import Consent, Employee, Partner, Referral
from payroll.services.people import audit
from shop.platform.errors import DomainError

K, C = Consent.Kind, Consent.Category

# What each use shares: a consent covers the use only if it lets all of it be shared.
USE_NEEDS = {
    K.NAME_CREDIT: {C.FIRST_NAME},
    K.STORY: {C.STORY},
    K.PHOTO: {C.PHOTO},
    K.TRANSCRIPT: {C.IDENTITY, C.TRAINING},
    K.REFERRAL: {C.IDENTITY, C.SERVICE_NEEDS},
}
# Uses that always send the information to someone outside: the consent must name them. The
# others are the organisation's own (its products, site and materials) unless a recipient is named.
OUTSIDE_USES = {K.TRANSCRIPT, K.REFERRAL}


class ConsentError(DomainError):
    """A refused consent, partner or referral; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _day(value: date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def _labels(categories) -> str:
    labels = dict(C.choices)
    return " and ".join(labels[c] for c in sorted(categories))


def consent_for(employee: Employee | int, use: str, recipient: Partner | None = None, on: date | None = None) -> Consent | None:
    """The consent that lets ``use`` of the participant's information go to ``recipient`` on
    ``on`` (today), or None. ``recipient`` None: the organisation's own use, which a consent
    naming no one covers (an outside use always needs a recipient named). A consent naming a
    partner covers only that partner; a revoked consent, one not yet begun or past its end,
    one for another use, and one to an inactive partner cover nothing. One query."""
    on = on or timezone.localdate()
    if use not in USE_NEEDS or (recipient is None and use in OUTSIDE_USES):
        return None
    rows = Consent.objects.filter(employee_id=getattr(employee, "pk", employee), kind=use, revoked_at__isnull=True,
                                  valid_from__lte=on).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    if recipient is None:
        rows = rows.filter(recipient__isnull=True)
    else:
        rows = rows.filter(recipient_id=recipient.pk, recipient__active=True)
    for consent in rows.order_by("-valid_from", "-id"):
        if USE_NEEDS[use] <= set(consent.category_list):
            return consent
    return None


def consent_refusal(employee: Employee, use: str, recipient: Partner | None, on: date | None = None) -> str:
    """Why ``consent_for`` found nothing, in words staff can act on."""
    on = on or timezone.localdate()
    what = K(use).label.lower() if use in K.values else "this use"
    if recipient is None and use in OUTSIDE_USES:
        return f"Name who receives it: {what} needs a consent naming the recipient."
    if recipient is not None and not recipient.active:
        return f"{recipient.name} is inactive: nothing is shared with them."
    rows = Consent.objects.filter(employee=employee, kind=use)
    rows = rows.filter(recipient=recipient) if recipient else rows.filter(recipient__isnull=True)
    latest = rows.order_by("-valid_from", "-id").first()
    base = f"No current consent names {recipient.name} for {what}" if recipient else f"No current consent covers {what}"
    if latest is None:
        return f"{base}: record the participant's consent first."
    if latest.revoked_at is not None:
        return f"{base}: the participant revoked it on {_day(timezone.localdate(latest.revoked_at))}."
    if latest.valid_until is not None and latest.valid_until < on:
        return f"{base}: it ended on {_day(latest.valid_until)}; record a new one if they agree."
    if latest.valid_from is not None and latest.valid_from > on:
        return f"{base}: it starts on {_day(latest.valid_from)}."
    return f"{base}: the consent does not let {_labels(USE_NEEDS[use])} be shared."


def consent_required(employee: Employee, use: str, recipient: Partner | None, on: date | None = None,
                     field: str | None = "recipient") -> Consent:
    consent = consent_for(employee, use, recipient, on)
    if consent is None:
        raise ConsentError(consent_refusal(employee, use, recipient, on), field)
    return consent


def longest_until(valid_from: date) -> date:
    """The last day a consent starting ``valid_from`` may run to (``CONSENT_MAX_DAYS``, both days counted)."""
    return valid_from + timedelta(days=settings.CONSENT_MAX_DAYS - 1)


@transaction.atomic
def consent_grant(employee: Employee, *, use: str, categories, valid_from: date, valid_until: date, signed_how: str,
                  signed_on: date, actor, recipient: Partner | None = None, purpose: str = "", witness: str = "",
                  note: str = "", today: date | None = None) -> Consent:
    """Record a consent the participant gave: what, to whom, for which use, from and until when
    (at most ``CONSENT_MAX_DAYS``), how and when it was signed (verbally only with a witness)."""
    today = today or timezone.localdate()
    categories = set(categories)
    if use not in USE_NEEDS:
        raise ConsentError("Choose one of the listed uses.", "use")
    if not categories or not categories <= set(C.values):
        raise ConsentError("Tick what may be shared.", "categories")
    if not USE_NEEDS[use] <= categories:
        raise ConsentError(f"{K(use).label} shares {_labels(USE_NEEDS[use])}: the consent must let them be shared.",
                           "categories")
    if use in OUTSIDE_USES and recipient is None:
        raise ConsentError(f"{K(use).label} sends the information outside: name the partner or funder who receives it.",
                           "recipient")
    if recipient is not None and not recipient.active:
        raise ConsentError(f"{recipient.name} is inactive: reactivate them before naming them in a consent.", "recipient")
    if signed_how not in Consent.Signed.values:
        raise ConsentError("Say how the participant signed it.", "signed_how")
    witness = witness.strip()
    if signed_how == Consent.Signed.VERBAL and not witness:
        raise ConsentError("A verbal consent needs a witness: name who heard it.", "witness")
    if signed_on > today:
        raise ConsentError("A consent cannot be signed in the future.", "signed_on")
    if valid_from < signed_on:
        raise ConsentError("A consent starts on or after the day it was signed.", "valid_from")
    if valid_until < valid_from:
        raise ConsentError("A consent ends on or after the day it starts.", "valid_until")
    if valid_until > longest_until(valid_from):
        raise ConsentError(f"A consent runs at most {settings.CONSENT_MAX_DAYS} days: "
                           f"until {_day(longest_until(valid_from))} at the latest.", "valid_until")
    consent = Consent(employee=employee, kind=use, categories=",".join(sorted(categories)), recipient=recipient,
                      purpose=purpose.strip()[:200], valid_from=valid_from, valid_until=valid_until, signed_how=signed_how,
                      signed_on=signed_on, witness=witness[:120], note=note.strip()[:200],
                      recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    try:
        consent.full_clean(exclude=["recorded_by"])
    except ValidationError as error:
        raise ConsentError(" ".join(error.messages)) from error
    consent.save()
    if use == K.NAME_CREDIT:
        from payroll.services.people import maker_credits_refresh

        maker_credits_refresh(employee)
    audit(actor, "consent.granted", employee, target=consent, kind=use, recipient=recipient.pk if recipient else None,
          until=valid_until.isoformat())
    return consent


@transaction.atomic
def consent_revoke(consent_id: int, actor, note: str = "", ip: str | None = None) -> Consent:
    """The participant withdrew the consent: from this moment no use relies on it (a product
    credit it allowed is cleared in the same transaction)."""
    consent = Consent.objects.select_for_update().select_related("employee").filter(pk=consent_id).first()
    if consent is None:
        raise ConsentError("No such consent.")
    if consent.revoked_at is not None:
        raise ConsentError("This consent is already revoked.")
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    consent.revoke_note = note.strip()[:200]
    consent.save(update_fields=["revoked_at", "revoked_by", "revoke_note"])
    if consent.kind == K.NAME_CREDIT:
        from payroll.services.people import maker_credits_refresh

        maker_credits_refresh(consent.employee)
    audit(actor, "consent.revoked", consent.employee, ip=ip, target=consent, kind=consent.kind)
    return consent


def consents_ended_refresh(today: date) -> int:
    """Daily: clear the product credits whose consent ended (an end date passes without a
    write). Looks back a week so a missed day is caught; idempotent. Returns employees refreshed."""
    from payroll.services.people import maker_credits_refresh

    ids = (Consent.objects.filter(kind=K.NAME_CREDIT, valid_until__lt=today, valid_until__gte=today - timedelta(days=7))
           .values_list("employee_id", flat=True).distinct())
    employees = list(Employee.objects.filter(pk__in=list(ids)))
    for employee in employees:
        with transaction.atomic():
            maker_credits_refresh(employee)
    return len(employees)


# -- partners ---------------------------------------------------------------------------


@transaction.atomic
def partner_save(partner: Partner | None, *, name: str, kind: str, services: str = "", contact: str = "",
                 active: bool = True, actor) -> Partner:
    """Add a partner (``partner`` None) or change one. Their names are unique."""
    partner = partner or Partner()
    created = partner.pk is None
    partner.name, partner.kind = name.strip(), kind
    partner.services, partner.contact, partner.active = services.strip(), contact.strip(), active
    if not partner.name:
        raise ConsentError("Name the partner.", "name")
    if Partner.objects.filter(name__iexact=partner.name).exclude(pk=partner.pk).exists():
        raise ConsentError("A partner of that name is already listed.", "name")
    try:
        partner.full_clean(validate_unique=False)
        partner.save()
    except ValidationError as error:
        raise ConsentError(" ".join(error.messages)) from error
    except IntegrityError as error:
        raise ConsentError("A partner of that name is already listed.", "name") from error
    audit(actor, "partner.saved", None, target=partner, created=created, active=active)
    return partner


# -- referrals --------------------------------------------------------------------------

NEXT_STATUSES = {
    Referral.Status.SENT: {Referral.Status.ACCEPTED, Referral.Status.DECLINED, Referral.Status.CLOSED},
    Referral.Status.ACCEPTED: {Referral.Status.CLOSED},
    Referral.Status.DECLINED: {Referral.Status.CLOSED},
    Referral.Status.CLOSED: set(),
}


@transaction.atomic
def referral_create(employee: Employee, *, partner: Partner, service: str, sent_on: date, actor, note: str = "",
                    today: date | None = None) -> Referral:
    """Refer the participant to a partner, under the current consent naming that partner for referrals."""
    today = today or timezone.localdate()
    if service not in Referral.Service.values:
        raise ConsentError("Choose one of the listed services.", "service")
    if sent_on > today:
        raise ConsentError("A referral is recorded when it is sent: not a future date.", "sent_on")
    consent = consent_required(employee, K.REFERRAL, partner, on=sent_on, field="partner")
    referral = Referral.objects.create(employee=employee, partner=partner, consent=consent, service=service,
                                       sent_on=sent_on, note=note.strip()[:200],
                                       created_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit(actor, "referral.created", employee, target=referral, partner=partner.pk, consent=consent.pk, service=service)
    return referral


@transaction.atomic
def referral_update(referral_id: int, *, status: str, on: date, actor, outcome: str = "", outcome_note: str = "",
                    today: date | None = None) -> Referral:
    """The partner answered (accepted or declined) or the referral closed, with its outcome."""
    today = today or timezone.localdate()
    referral = Referral.objects.select_for_update().select_related("employee").filter(pk=referral_id).first()
    if referral is None:
        raise ConsentError("No such referral.")
    if status not in NEXT_STATUSES.get(referral.status, set()):
        allowed = ", ".join(sorted(Referral.Status(s).label.lower() for s in NEXT_STATUSES[referral.status]))
        raise ConsentError(f"A {referral.get_status_display().lower()} referral can become {allowed or 'nothing else'}.",
                           "status")
    if on < referral.sent_on or on > today:
        raise ConsentError(f"Give a date from the day it was sent ({_day(referral.sent_on)}) to today.", "on")
    if status == Referral.Status.CLOSED:
        if outcome not in Referral.Outcome.values:
            raise ConsentError("A closed referral records its outcome.", "outcome")
        referral.closed_on, referral.outcome, referral.outcome_note = on, outcome, outcome_note.strip()[:200]
    else:
        referral.responded_on = on
    referral.status = status
    referral.save()
    audit(actor, "referral.changed", referral.employee, target=referral, status=status, outcome=referral.outcome)
    return referral
