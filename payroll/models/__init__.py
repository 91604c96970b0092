from .casework import CaseNote, CaseNoteVersion, Goal, GoalDomain, GoalStep, ProgressNote, ServicePlan
from .filings import PayrollSetting, TaxDeposit
from .ledger import Account, JournalEntry, Posting
from .payruns import IssuedW2, PayAdjustment, PayRun, PayStub
from .consent import Consent, Partner, Referral
from .people import ChangeRequest, Employee, MakerAssignment, PayRate, WithholdingCertificate
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
    GroupMember,
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
    "CaseNote",
    "CaseNoteVersion",
    "Goal",
    "GoalDomain",
    "GoalStep",
    "ProgressNote",
    "ServicePlan",
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
    "Partner",
    "Referral",
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
    "GroupMember",
    "ShiftChange",
    "ShiftSeries",
    "SignUp",
    "Skill",
    "Kiosk",
    "Volunteer",
    "WaiverAcceptance",
    "WaiverVersion",
]
