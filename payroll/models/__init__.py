from .ledger import Account, JournalEntry, Posting
from .payruns import PayAdjustment, PayRun, PayStub
from .people import AuditEvent, Consent, Employee, MakerAssignment, PayRate, WithholdingCertificate
from .time import MinimumWage, TimeEntry
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

__all__ = [
    "Account",
    "JournalEntry",
    "Posting",
    "PayAdjustment",
    "PayRun",
    "PayStub",
    "AuditEvent",
    "Consent",
    "Employee",
    "MakerAssignment",
    "PayRate",
    "WithholdingCertificate",
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
]
