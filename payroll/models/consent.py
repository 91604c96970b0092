"""Consent as a record (issue 24): what of a participant's information may be shared, with
whom (a named partner or funder, or no one outside the organisation), for which use, from and
until which date, signed how and when, recorded by whom; revoked at once. Partners are data;
a referral to one is made only under a current consent naming it.

Every use checks ``payroll.services.consent.consent_for``; reads and changes are audited."""
from django.conf import settings
from django.db import models

from .people import Employee


class Partner(models.Model):
    """An organisation a participant's information may go to: a service partner, a funder or an employer."""

    class Kind(models.TextChoices):
        SERVICE = "service", "Service partner"
        FUNDER = "funder", "Funder"
        EMPLOYER = "employer", "Employer"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    services = models.CharField(max_length=200, blank=True, help_text="What they offer (housing, legal aid, ...).")
    contact = models.CharField(max_length=200, blank=True, help_text="Who to contact there, and how.")
    active = models.BooleanField(default=True, help_text="Inactive partners receive no new consents or referrals.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Consent(models.Model):
    """One consent a participant gave: in force from ``valid_from`` to ``valid_until`` (both
    days included) unless ``revoked_at``. ``recipient`` empty: only the organisation's own use
    (nothing leaves it). Consents recorded before issue 24 have no end date and no signature
    method (``signed_how`` empty); they name no recipient."""

    class Kind(models.TextChoices):  # the use a consent is for
        NAME_CREDIT = "name_credit", "First-name credit on products"
        STORY = "story", "Story"
        PHOTO = "photo", "Photo"
        TRANSCRIPT = "transcript", "Sharing the training transcript"
        REFERRAL = "referral", "Referral to a partner"

    class Category(models.TextChoices):  # what may be shared
        FIRST_NAME = "first_name", "First name"
        IDENTITY = "identity", "Full name and contact details"
        TRAINING = "training", "Training record (programs, hours, competencies, credentials)"
        EMPLOYMENT = "employment", "Employment and outcomes after training"
        SERVICE_NEEDS = "service_needs", "The services they need"
        STORY = "story", "Their story, in their words"
        PHOTO = "photo", "Photos"

    class Signed(models.TextChoices):
        PAPER = "paper", "On paper"
        E_SIGNATURE = "e_signature", "Electronic signature"
        VERBAL = "verbal", "Verbally, with a witness"

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField("use", max_length=12, choices=Kind.choices)
    categories = models.CharField(max_length=200, blank=True,
                                  help_text="What may be shared: Category values, comma-separated.")
    recipient = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="consents",
                                  help_text="Who may receive it; empty: no one outside the organisation.")
    purpose = models.CharField(max_length=200, blank=True, help_text="The purpose, in the participant's terms.")
    valid_from = models.DateField(null=True)
    valid_until = models.DateField(null=True, blank=True)
    signed_how = models.CharField(max_length=12, choices=Signed.choices, blank=True)
    witness = models.CharField(max_length=120, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revoke_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["employee", "kind", "-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="consent_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=~models.Q(signed_how="verbal") | ~models.Q(witness=""),
                                   name="verbal_consent_has_a_witness"),
        ]

    def __str__(self):
        return f"Consent {self.pk} ({self.get_kind_display()})"

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]

    def category_labels(self) -> list[str]:
        labels = dict(self.Category.choices)
        return [labels.get(c, c) for c in self.category_list]


class Referral(models.Model):
    """A participant referred to a partner for a service, under a consent naming that partner."""

    class Service(models.TextChoices):
        HOUSING = "housing", "Housing"
        LEGAL = "legal", "Legal aid"
        HEALTH = "health", "Health care"
        MENTAL_HEALTH = "mental_health", "Counselling and mental health"
        EDUCATION = "education", "Education"
        EMPLOYMENT = "employment", "Employment"
        FINANCIAL = "financial", "Financial help"
        CHILDCARE = "childcare", "Childcare"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        RECEIVED = "received", "Service received"
        PARTLY = "partly", "Partly received"
        NOT_RECEIVED = "not_received", "Not received"
        WITHDREW = "withdrew", "Participant withdrew"
        UNREACHABLE = "unreachable", "Could not be reached"

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="referrals")
    service = models.CharField(max_length=14, choices=Service.choices)
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    sent_on = models.DateField()
    responded_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "-sent_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="closed") | ~models.Q(outcome=""),
                                   name="closed_referral_has_an_outcome"),
        ]

    def __str__(self):
        return f"Referral {self.pk} to {self.partner}"
