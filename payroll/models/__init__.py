from .ledger import Account, JournalEntry, Posting
from .payruns import PayAdjustment, PayRun, PayStub
from .people import AuditEvent, Consent, Employee, MakerAssignment, PayRate, WithholdingCertificate
from .time import MinimumWage, TimeEntry

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
]
