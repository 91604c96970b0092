"""Survivor employees. Every personal field is encrypted at rest and shown masked."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from payroll.bank import validate_account_number, validate_routing_number
from payroll.validators import validate_ssn
from shop.platform.crypto import EncryptedTextField

MONEY = {"max_digits": 10, "decimal_places": 2}


class Employee(models.Model):
    class Status(models.TextChoices):
        TRAINEE = "trainee", "Trainee"
        ARTISAN = "artisan", "Artisan"
        ALUMNI = "alumni", "Alumni"
        TERMINATED = "terminated", "Terminated"

    class AccountType(models.TextChoices):
        CHECKING = "checking", "Checking"
        SAVINGS = "savings", "Savings"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee",
        help_text="The login for the employee's own pay page.",
    )
    legal_name = EncryptedTextField()
    preferred_name = EncryptedTextField(blank=True, help_text="First or chosen name; shown on products only with consent.")
    date_of_birth = EncryptedTextField(blank=True, help_text="YYYY-MM-DD")
    ssn = EncryptedTextField("SSN", validators=[validate_ssn])
    address = EncryptedTextField(blank=True, help_text="Home address. Still used where the law asks for where the "
                                 "employee lives: the Florida new-hire report and the W-4 file. Everything mailed uses "
                                 "the mailing address below when it is set.")
    mailing_address = EncryptedTextField(
        blank=True, help_text="Substitute mailing address (e.g. Florida's Address Confidentiality Program). When set, "
        "W-2s, pay stubs and every mailed document show it instead of the home address.")
    new_hire_reported_on = models.DateField(
        null=True, blank=True, help_text="When the Florida new-hire report for this hire was sent (set by the service).")
    email = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    bank_routing = EncryptedTextField(blank=True, validators=[validate_routing_number])
    bank_account = EncryptedTextField(blank=True, validators=[validate_account_number])
    bank_account_type = models.CharField(max_length=10, choices=AccountType.choices, blank=True)
    bank_prenote_sent = models.BooleanField(default=False, help_text="A zero-dollar test entry went to the bank.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.TRAINEE)
    hire_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    i9_completed_on = models.DateField("Form I-9 completed on", null=True, blank=True,
                                       help_text="The day the employer completed Section 2 of Form I-9.")
    employee_can_enter_time = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Employee {self.pk}"

    @property
    def display_name(self):
        return self.preferred_name or self.legal_name.split(" ")[0]

    @property
    def staff_label(self) -> str:
        """The name payroll staff tell people apart by: the legal name, with the chosen name
        beside it when it differs. Only on payroll staff's pages; ``__str__`` stays "Employee N"
        so a name never lands in a log, an audit row or a page of another role by accident."""
        legal, chosen = (self.legal_name or "").strip(), (self.preferred_name or "").strip()
        if chosen and chosen != legal.split(" ")[0]:
            return f"{legal} ({chosen})"
        return legal or f"Employee {self.pk}"

    def mailing_lines(self) -> list[str]:
        """The address to mail to (``payroll.selectors.people.mailing_address_lines``)."""
        from payroll.selectors.people import mailing_address_lines

        return mailing_address_lines(self)

    @property
    def has_bank_account(self):
        return bool(self.bank_routing and self.bank_account)


class PayRate(models.Model):
    """An hourly rate for one kind of work, from a date on. Rows are history: never edited."""

    class Kind(models.TextChoices):
        PRODUCTION = "production", "Production"
        TRAINING = "training", "Training"

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="rates")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    rate = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    effective_from = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "kind", "-effective_from", "-id"]
        constraints = [models.UniqueConstraint(fields=["employee", "kind", "effective_from"], name="one_rate_per_kind_and_day")]


class WithholdingCertificate(models.Model):
    """A Form W-4 (2020 or later) as the employee filed it, from a date on. History, never edited."""

    class FilingStatus(models.TextChoices):
        SINGLE = "single", "Single or married filing separately"
        MARRIED_JOINTLY = "married_jointly", "Married filing jointly"
        HEAD_OF_HOUSEHOLD = "head_of_household", "Head of household"

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="w4s")
    effective_from = models.DateField()
    filing_status = models.CharField(max_length=20, choices=FilingStatus.choices, default=FilingStatus.SINGLE)
    step2_checkbox = models.BooleanField("Step 2 checkbox (multiple jobs)", default=False)
    step3_credits = models.DecimalField(**MONEY, default=0, validators=[MinValueValidator(0)])
    step4a_other_income = models.DecimalField(**MONEY, default=0, validators=[MinValueValidator(0)])
    step4b_deductions = models.DecimalField(**MONEY, default=0, validators=[MinValueValidator(0)])
    step4c_extra_withholding = models.DecimalField(**MONEY, default=0, validators=[MinValueValidator(0)])
    exempt = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "-effective_from", "-id"]
        verbose_name = "Form W-4"


class MakerAssignment(models.Model):
    """Which survivor made which product (kept in payroll; shop sees only the consented credit)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="products_made")
    product = models.ForeignKey("shop.Product", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "product"], name="one_assignment")]



class ChangeRequest(models.Model):
    """An employee's request, from /me/, to change their W-4, home address or bank account.
    Payroll staff approve it (the change then goes through the people services: a bank change
    starts a prenote) or decline it with a note. What was asked is encrypted like the record."""

    class Kind(models.TextChoices):
        W4 = "w4", "Form W-4"
        ADDRESS = "address", "Home address"
        BANK = "bank", "Bank account"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for payroll"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    payload = EncryptedTextField(help_text="What was asked, as JSON (encrypted).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.CharField(max_length=200, blank=True, help_text="Payroll's note when declining.")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["employee", "kind"], condition=models.Q(status="pending"),
                                               name="one_pending_change_request_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} request {self.pk}"
