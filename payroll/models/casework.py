"""Casework (issue 24): a participant's service plan (goals in domains, with steps and dated
progress notes, and a review date) and confidential case notes kept as versions.

Everything a person writes here may describe a survivor, so its text is encrypted at rest
(``shop.platform.crypto.EncryptedTextField``), as the people records are. A case note is never
edited: a correction is a new ``CaseNoteVersion`` and the old ones stay."""
from django.conf import settings
from django.db import models

from shop.platform.crypto import EncryptedTextField

from .people import Employee
from .training import Program

NOTE_MAX_CHARS = 10_000
GOAL_MAX_CHARS = 300
PROGRESS_MAX_CHARS = 2_000


class GoalDomain(models.Model):
    """An area of a person's life a goal belongs to (employment, housing, ...): data, seeded by
    a migration, so a program can add its own."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ServicePlan(models.Model):
    """One participant's plan: its goals and when it is next reviewed with them."""

    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="service_plan")
    review_date = models.DateField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"Service plan {self.pk}"


class Goal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="goals")
    domain = models.ForeignKey(GoalDomain, on_delete=models.PROTECT, related_name="goals")
    title = EncryptedTextField()
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True, help_text="When it was achieved or dropped.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "domain__position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="open", closed_on__isnull=True)
                           | (~models.Q(status="open") & models.Q(closed_on__isnull=False))),
                name="goal_closed_on_matches_status",
            ),
        ]

    def __str__(self):
        return f"Goal {self.pk}"


class GoalStep(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = EncryptedTextField()
    target_date = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["goal", "id"]


class ProgressNote(models.Model):
    """A dated note of progress on a goal (what happened, not the plan itself)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress_notes")
    date = models.DateField()
    text = EncryptedTextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["goal", "-date", "-id"]


class CaseNote(models.Model):
    """A case note about a participant, in a program. Its text is its versions (the newest is
    current); who may read it is its confidentiality (``payroll.services.casework.may_read``)."""

    class Confidentiality(models.TextChoices):
        TEAM = "team", "Program team"
        RESTRICTED = "restricted", "Only the author and the program lead"

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="case_notes")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="case_notes")
    confidentiality = models.CharField(max_length=10, choices=Confidentiality.choices, default=Confidentiality.TEAM)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "-created_at", "-id"]

    def __str__(self):
        return f"Case note {self.pk}"


class CaseNoteVersion(models.Model):
    """One text of a note; never changed or deleted. Version 1 is the note as first written."""

    note = models.ForeignKey(CaseNote, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    body = EncryptedTextField()
    reason = models.CharField(max_length=200, blank=True, help_text="Why it was corrected (blank for the first).")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["note", "-number"]
        constraints = [models.UniqueConstraint(fields=["note", "number"], name="one_case_note_version_number")]
