"""Job training: programs, cohorts, enrollments, sessions and attendance (paid through
time entries), competencies, credentials, and follow-ups after a participant leaves.

Reads of a participant's training record are audited (``shop.platform.audit``) with the action
``training.viewed``; superusers search the trail at /staff/audit/."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .people import Employee
from .time import TimeEntry


class Program(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    required_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    active = models.BooleanField(default=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The program lead, who approves the sessions' attendance (which pays it). Superusers may too.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Competency(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="competencies")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["program", "name"]
        verbose_name_plural = "competencies"
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="one_competency_name_per_program")]

    def __str__(self):
        return self.name


class Cohort(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=120)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["program", "-start_date"]

    def __str__(self):
        return f"{self.program} · {self.name}"


class Enrollment(models.Model):
    """One participation in a program; a person may have several over the years."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Outcome(models.TextChoices):
        EMPLOYED_ELSEWHERE = "employed_elsewhere", "Employed elsewhere"
        CONTINUING_WITH_US = "continuing_with_us", "Continuing with us"
        FURTHER_EDUCATION = "further_education", "Further education"
        OTHER = "other", "Other"

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="enrollments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrollments")
    start_date = models.DateField()
    target_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    exit_date = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=200, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, help_text="Free text removed after the retention period.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exit_date__isnull=True) | models.Q(exit_date__gte=models.F("start_date")),
                name="enrollment_exit_after_start",
            ),
        ]

    def __str__(self):
        return f"Enrollment {self.pk} in {self.program}"


class TrainingSession(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="sessions")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions",
        help_text="A cohort's session: its roster lists that cohort's participants (else everyone enrolled in the program).",
    )
    date = models.DateField(db_index=True)
    start_time = models.TimeField()
    end_time = models.TimeField()
    topic = models.CharField(max_length=200)
    trainer = models.CharField(max_length=120, blank=True)
    series = models.UUIDField(null=True, blank=True, db_index=True, editable=False,
                              help_text="Sessions created together as a weekly series share it.")
    attendance_approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-start_time"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_time__gt=models.F("start_time")), name="session_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.program} · {self.date} · {self.topic}"


class Attendance(models.Model):
    """Who came to a session and for how long. Approved attendance becomes a paid
    training time entry, linked here so it is created exactly once."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        LEFT_EARLY = "left_early", "Left early"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="training_attendances")
    enrollment = models.ForeignKey(Enrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attendances")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PRESENT)
    minutes_attended = models.PositiveIntegerField(
        default=0, blank=True, validators=[MaxValueValidator(24 * 60)],
        help_text="Leave blank (or 0) for someone present for the whole session: they are paid its scheduled length.",
    )
    time_entry = models.OneToOneField(
        TimeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="training_attendance"
    )

    class Meta:
        ordering = ["session", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "employee"], name="one_attendance_per_session_and_person")]


class CompetencySignoff(models.Model):
    class Level(models.TextChoices):
        INTRODUCED = "introduced", "Introduced"
        DEVELOPING = "developing", "Developing"
        COMPETENT = "competent", "Competent"
        CAN_TEACH = "can_teach", "Can teach others"

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="competency_signoffs")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="signoffs")
    level = models.CharField(max_length=12, choices=Level.choices)
    date = models.DateField()
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["employee", "-date", "-id"]


class Credential(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="credentials")
    name = models.CharField(max_length=120)
    issuer = models.CharField(max_length=120)
    date = models.DateField()
    expiry = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["employee", "-date", "-id"]


class FollowUp(models.Model):
    """A check-in 3, 6 or 12 months after a participant leaves a program."""

    class Employment(models.TextChoices):
        EMPLOYED_FULL_TIME = "full_time", "Employed full time"
        EMPLOYED_PART_TIME = "part_time", "Employed part time"
        SELF_EMPLOYED = "self_employed", "Self-employed"
        IN_EDUCATION = "education", "In education"
        NOT_EMPLOYED = "not_employed", "Not employed"

    EMPLOYED = (Employment.EMPLOYED_FULL_TIME, Employment.EMPLOYED_PART_TIME, Employment.SELF_EMPLOYED)

    class WageBand(models.TextChoices):
        UNDER_15 = "under_15", "Under $15 an hour"
        FROM_15 = "15_20", "$15–$20 an hour"
        FROM_20 = "20_25", "$20–$25 an hour"
        OVER_25 = "over_25", "Over $25 an hour"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="follow_ups")
    due_months = models.PositiveSmallIntegerField(choices=[(3, "3 months"), (6, "6 months"), (12, "12 months")])
    due_date = models.DateField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    employment_status = models.CharField(max_length=16, choices=Employment.choices, blank=True)
    hourly_wage_band = models.CharField(max_length=10, choices=WageBand.choices, blank=True)
    housing_stable = models.BooleanField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    could_not_reach = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["enrollment", "due_months"], name="one_follow_up_per_milestone")]
