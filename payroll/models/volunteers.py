"""Volunteer work days: volunteers (people, unpaid), the waiver they accept, shifts with
roles and capacities, sign-ups (individuals or a leader with a party), the waitlist,
check-in and check-out, and the reminders already sent.

Volunteers are not employees: nothing here links to payroll's people, time or pay."""
import secrets
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from shop.platform.form_fields import BirthDateField
from shop.platform.validators import time_zone


class WallClock(datetime):
    """A time in a shift's own zone; templates show it as it is (never converted to the
    site's zone, which ``convert_to_local_time = False`` tells Django's template engine)."""

    convert_to_local_time = False


def wall_clock(moment: datetime, zone) -> WallClock:
    local = moment.astimezone(zone)
    return WallClock(local.year, local.month, local.day, local.hour, local.minute, local.second, local.microsecond,
                     local.tzinfo, fold=local.fold)


def calendar_token() -> str:
    return secrets.token_urlsafe(24)


def validate_time_zone(value: str) -> None:
    """Kept under this name for the migrations that reference it; the rule is shop.platform.validators'."""
    time_zone(value)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Skill(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    """A volunteer's profile, one per user account."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "Text message"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer")
    full_name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=30)
    emergency_contact_name = models.CharField(max_length=120)
    emergency_contact_phone = models.CharField(max_length=30)
    date_of_birth = BirthDateField()  # its form fields are not held to the 2000-2100 window
    skills = models.ManyToManyField(Skill, blank=True, related_name="volunteers")
    reminder_channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.EMAIL)
    # Texts: the number they agreed to get texts at (E.164) and when; a STOP reply sets
    # ``texts_stopped_at`` and reminders go by e-mail until they choose texts again.
    text_number = models.CharField(max_length=16, blank=True)
    texts_agreed_at = models.DateTimeField(null=True, blank=True)
    texts_stopped_at = models.DateTimeField(null=True, blank=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=calendar_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name", "id"]

    def __str__(self):
        return self.full_name

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    @property
    def texts_on(self) -> bool:
        """Texts only to someone who chose them, agreed, and has not replied STOP since."""
        return (self.reminder_channel == self.Channel.SMS and bool(self.text_number)
                and self.texts_agreed_at is not None and self.texts_stopped_at is None)


class WaiverVersion(models.Model):
    """The waiver's text; the newest published version is the one volunteers accept."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    published_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-version"]

    def __str__(self):
        return f"Waiver v{self.version}"


class WaiverAcceptance(models.Model):
    """One acceptance of one waiver version; a minor's carries a guardian's co-signature."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="waivers")
    version = models.ForeignKey(WaiverVersion, on_delete=models.PROTECT, related_name="acceptances")
    signed_name = models.CharField(max_length=120)
    accepted_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    expires_at = models.DateTimeField()
    minor_at_signing = models.BooleanField(default=False)
    guardian_name = models.CharField(max_length=120, blank=True)
    guardian_email = models.EmailField(blank=True)
    guardian_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minor_at_signing=False)
                | (~models.Q(guardian_name="") & ~models.Q(guardian_email="") & models.Q(guardian_signed_at__isnull=False)),
                name="minor_waiver_has_guardian",
            ),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("accepted_at")), name="waiver_expires_after_acceptance"),
        ]


class ShiftSeries(models.Model):
    """A weekly series: one shift each week from the first date until ``until``, except
    the listed dates. The shifts are created up front and edited one by one."""

    title = models.CharField(max_length=120)
    first_date = models.DateField()
    until = models.DateField()
    exceptions = models.JSONField(default=list, blank=True, help_text="ISO dates with no shift.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "shift series"
        constraints = [models.CheckConstraint(condition=models.Q(until__gte=models.F("first_date")), name="series_until_after_first")]

    def __str__(self):
        return f"{self.title} (weekly to {self.until})"


class Shift(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    location = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone],
                                 help_text="The location's time zone; times are shown and exported in it.")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    minimum_age = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(99)])
    required_skills = models.ManyToManyField(Skill, blank=True, related_name="shifts")
    organisation = models.ForeignKey("shop.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="volunteer_shifts", help_text="Only this organisation's members may sign up.")
    series = models.ForeignKey(ShiftSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts")
    signup_cutoff_hours = models.PositiveSmallIntegerField(default=12, validators=[MaxValueValidator(24 * 30)],
                                                           help_text="Sign-ups close this many hours before the start.")
    cancel_deadline_hours = models.PositiveSmallIntegerField(default=24, validators=[MaxValueValidator(24 * 30)],
                                                             help_text="Volunteers may cancel until this many hours before the start.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")]

    def __str__(self):
        return f"{self.title} · {self.local_start:%a %b %-d, %Y %-I:%M %p}"

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> WallClock:
        return wall_clock(self.starts_at, self.zone)

    @property
    def local_end(self) -> WallClock:
        return wall_clock(self.ends_at, self.zone)

    @property
    def signup_closes_at(self) -> WallClock:
        return wall_clock(self.starts_at - timedelta(hours=self.signup_cutoff_hours), self.zone)

    @property
    def cancel_deadline(self) -> WallClock:
        return wall_clock(self.starts_at - timedelta(hours=self.cancel_deadline_hours), self.zone)

    @property
    def cancelled(self):
        return self.status == self.Status.CANCELLED


class ShiftRole(models.Model):
    """A job on a shift with its capacity (places, counting every member of a party)."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=80)
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    requires_background_check = models.BooleanField(
        default=False, help_text="Only volunteers with a cleared background check, in date on the day, may sign up.")

    class Meta:
        ordering = ["shift", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "name"], name="one_role_name_per_shift"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="role_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.capacity})"


class SignUp(models.Model):
    """A volunteer (alone, or leading a party of ``party_size``) on one role of a shift."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not marked"
        PRESENT = "present", "Present"
        NO_SHOW = "no_show", "No-show"

    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED)

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    role = models.ForeignKey(ShiftRole, on_delete=models.PROTECT, related_name="signups")
    party_size = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(50)])
    party_note = models.CharField(max_length=200, blank=True, help_text="Who is in the party (optional).")
    organisation = models.ForeignKey("shop.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     help_text="Whose hours these are in reports (the shift's or the volunteer's, at sign-up).")
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(max_length=8, choices=Attendance.choices, default=Attendance.UNKNOWN, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    needs_review = models.BooleanField(default=False, help_text="Signed out automatically: check the hours.")
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["shift", "status", "waitlisted_at", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "shift"], condition=~models.Q(status="cancelled"),
                                    name="one_active_signup_per_shift"),
            models.CheckConstraint(condition=models.Q(party_size__gte=1), name="signup_party_positive"),
            models.CheckConstraint(
                condition=models.Q(checked_out_at__isnull=True) | models.Q(checked_in_at__isnull=False, checked_out_at__gte=models.F("checked_in_at")),
                name="signup_checkout_after_checkin",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.role.name} · {self.get_status_display()}"

    @property
    def hours(self) -> Decimal:
        """Hours on site, from check-in to check-out (0 until both are recorded)."""
        if self.checked_in_at is None or self.checked_out_at is None:
            return Decimal("0.00")
        seconds = Decimal(int((self.checked_out_at - self.checked_in_at).total_seconds()))
        return (seconds / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def person_hours(self) -> Decimal:
        """Hours for the whole party (every member was there as long as the leader)."""
        return self.hours * self.party_size


class ReminderSent(models.Model):
    """A reminder that went out; the unique key makes a second beat run send nothing."""

    class Kind(models.TextChoices):
        H48 = "48h", "48 hours before"
        H2 = "2h", "2 hours before"

    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    channel = models.CharField(max_length=12, default="email")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["signup", "kind"], name="one_reminder_per_kind")]


class ShiftMessage(models.Model):
    """A coordinator's message to everyone on a shift (kept for the record)."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(max_length=150)
    body = models.TextField()
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]


class ShiftChange(models.Model):
    """One real change to a shift (time, place, role names) or its cancellation, as told
    to the people signed up or waitlisted: ``what`` lists each change in words. A save that
    changes nothing records nothing, so it tells nobody."""

    class Kind(models.TextChoices):
        CHANGED = "changed", "Changed"
        CANCELLED = "cancelled", "Cancelled"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    what = models.JSONField(default=list, blank=True, help_text="Each change in words, e.g. “Starts 5:00 PM (was 6:00 PM)”.")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shift", "id"]


class ChangeNotice(models.Model):
    """One person to tell about one change; ``sent_at`` is set in the transaction that sends
    it, so a retried task (or a second worker) sends each notice once."""

    change = models.ForeignKey(ShiftChange, on_delete=models.CASCADE, related_name="notices")
    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="change_notices")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["change", "id"]
        constraints = [models.UniqueConstraint(fields=["change", "signup"], name="one_notice_per_change_and_signup")]


class BackgroundCheck(models.Model):
    """A background check done outside the product (recorded, not integrated): who did it,
    their reference, when, until when it holds, and the outcome. A volunteer may have
    several over the years; the one that counts on a day is a cleared one in date then."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CLEARED = "cleared", "Cleared"
        NOT_CLEARED = "not_cleared", "Not cleared"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="background_checks")
    status = models.CharField(max_length=12, choices=Status.choices)
    provider = models.CharField(max_length=120, help_text="Who carried out the check.")
    provider_reference = models.CharField(max_length=120, blank=True)
    checked_on = models.DateField(help_text="The date of the check (or of the request, while pending).")
    expires_on = models.DateField(null=True, blank=True, help_text="A cleared check holds until this date.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["volunteer", "-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="cleared") | models.Q(expires_on__isnull=False),
                                   name="cleared_check_has_expiry"),
            models.CheckConstraint(condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=models.F("checked_on")),
                                   name="check_expires_after_date"),
        ]

    def __str__(self):
        return f"{self.get_status_display()} ({self.provider}, {self.checked_on})"


class Kiosk(models.Model):
    """A check-in device for one shift or one day, opened by a coordinator. The device's
    session is the kiosk's alone (``payroll/kiosk.py`` keeps it on the kiosk's pages); it
    ends when the coordinator types the PIN (kept as a password hash), logs in, or at
    ``expires_at``."""

    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.CASCADE, related_name="kiosks")
    day = models.DateField(null=True, blank=True, help_text="Every shift starting this day (when no shift is named).")
    pin_hash = models.CharField(max_length=128)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(shift__isnull=False, day__isnull=True)
                                   | models.Q(shift__isnull=True, day__isnull=False), name="kiosk_serves_a_shift_or_a_day"),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("opened_at")), name="kiosk_expires_after_opening"),
        ]

    def __str__(self):
        return f"Kiosk {self.pk} ({self.shift or self.day})"


class GroupMember(models.Model):
    """A named guest of a group sign-up (the leader is the sign-up's volunteer). Each signs
    the current waiver from their own link (no account): ``token_hash`` is the SHA-256 of
    the secret in that link, which is never stored; a minor's carries a guardian's co-signature."""

    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(max_length=120)
    date_of_birth = BirthDateField()
    email = models.EmailField(blank=True, help_text="Optional for a minor (the link goes to the leader).")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True)
    # Their waiver, signed from their own link.
    waiver_version = models.ForeignKey(WaiverVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_name = models.CharField(max_length=120, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    minor_at_signing = models.BooleanField(default=False)
    guardian_name = models.CharField(max_length=120, blank=True)
    guardian_email = models.EmailField(blank=True)
    guardian_signed_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signup", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minor_at_signing=False)
                | (~models.Q(guardian_name="") & ~models.Q(guardian_email="") & models.Q(guardian_signed_at__isnull=False)),
                name="minor_member_waiver_has_guardian",
            ),
        ]

    def __str__(self):
        return self.full_name

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)
