from .filings import PayrollSetting, TaxDeposit
from .ledger import Account, JournalEntry, Posting
from .payruns import IssuedW2, PayAdjustment, PayRun, PayStub
from .people import ChangeRequest, Consent, Employee, MakerAssignment, PayRate, WithholdingCertificate
from .time import MinimumWage, TimeEntry

# The audit trail lives in the shop app (shop.models.audit) since every app writes to it;
# still importable from here for payroll's code and tests.
from shop.models import AuditEvent  # noqa: E402
from .training import (
    Attendance,
    Cohort,
    Competency,
    CompetencySignoff,
    Credential,
    Enrollment,
    FollowUp,
    Program,
    TrainingSession,
)
from .volunteers import (
    BackgroundCheck,
    ChangeNotice,
    Kiosk,
    ReminderSent,
    Shift,
    ShiftMessage,
    ShiftRole,
    ShiftChange,
    ShiftSeries,
    SignUp,
    Skill,
    Volunteer,
    WaiverAcceptance,
    WaiverVersion,
)

__all__ = [
    "PayrollSetting",
    "TaxDeposit",
    "Account",
    "JournalEntry",
    "Posting",
    "IssuedW2",
    "PayAdjustment",
    "PayRun",
    "PayStub",
    "AuditEvent",
    "Consent",
    "Employee",
    "MakerAssignment",
    "PayRate",
    "WithholdingCertificate",
    "ChangeRequest",
    "MinimumWage",
    "TimeEntry",
    "Attendance",
    "Cohort",
    "Competency",
    "CompetencySignoff",
    "Credential",
    "Enrollment",
    "FollowUp",
    "Program",
    "TrainingSession",
    "BackgroundCheck",
    "ChangeNotice",
    "ReminderSent",
    "Shift",
    "ShiftMessage",
    "ShiftRole",
    "ShiftChange",
    "ShiftSeries",
    "SignUp",
    "Skill",
    "Kiosk",
    "Volunteer",
    "WaiverAcceptance",
    "WaiverVersion",
]
