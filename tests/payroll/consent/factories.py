"""Partners and consents for the tests: a consent recorded through the service, in force
from ``valid_from`` (Sep 1, 2026) for 90 days unless told."""
from datetime import date, timedelta

from payroll.models import Consent, Partner
from payroll.services.consent import USE_NEEDS, consent_grant

FROM = date(2026, 9, 1)


def partner(name="Gulf Coast Legal Aid", **fields) -> Partner:
    return Partner.objects.create(name=name, **fields)


def grant(employee, use, recipient=None, *, valid_from=FROM, valid_until=None, categories=None, actor=None,
          today=None, **fields) -> Consent:
    return consent_grant(employee, use=use, categories=categories or USE_NEEDS[use], recipient=recipient,
                         valid_from=valid_from, valid_until=valid_until or valid_from + timedelta(days=89),
                         signed_how=fields.pop("signed_how", "paper"), signed_on=fields.pop("signed_on", valid_from),
                         actor=actor, today=today or valid_from, **fields)
