"""The migration from consent flags to consent records (0026): each old grant becomes a record
from the day it was recorded, with no end date and no recipient named; a later revocation
closes it; and the way back restores the old rows."""
from datetime import date, datetime, timezone as tz

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.payroll.factories import EmployeeFactory

BEFORE = [("payroll", "0025_sms23_texts")]
AFTER = [("payroll", "0026_consent24_consent_records")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_consents_keep_their_dates_name_no_recipient_and_revocations_close_them():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    employee, other = EmployeeFactory(), EmployeeFactory()
    try:
        old = _migrate(BEFORE)
        Consent = old.get_model("payroll", "Consent")

        def row(who, kind, granted, when, note=""):
            made = Consent.objects.create(employee_id=who.pk, kind=kind, granted=granted, note=note)
            Consent.objects.filter(pk=made.pk).update(recorded_at=datetime(*when, 15, 0, tzinfo=tz.utc))
            return made.pk

        credit = row(employee, "name_credit", True, (2025, 3, 4))
        row(employee, "name_credit", False, (2025, 9, 10), note="By phone")
        transcript = row(employee, "transcript", True, (2026, 1, 5))
        story = row(other, "story", True, (2024, 6, 1))
        story_again = row(other, "story", True, (2024, 7, 1))
        row(other, "story", False, (2024, 8, 1))

        new = _migrate(AFTER)
        rows = {c.pk: c for c in new.get_model("payroll", "Consent").objects.all()}
        assert sorted(rows) == sorted([credit, transcript, story, story_again])  # revocations are not rows of their own
        assert (rows[credit].valid_from, rows[credit].valid_until, rows[credit].recipient_id) == (date(2025, 3, 4), None, None)
        assert rows[credit].revoked_at == datetime(2025, 9, 10, 15, 0, tzinfo=tz.utc)
        assert (rows[credit].revoke_note, rows[credit].categories) == ("By phone", "first_name")
        assert (rows[transcript].valid_from, rows[transcript].signed_on, rows[transcript].revoked_at) == (
            date(2026, 1, 5), date(2026, 1, 5), None)
        assert rows[transcript].categories == "identity,training" and rows[transcript].signed_how == ""
        assert rows[story].revoked_at == rows[story_again].revoked_at == datetime(2024, 8, 1, 15, 0, tzinfo=tz.utc)

        back = _migrate(BEFORE)
        old_rows = list(back.get_model("payroll", "Consent").objects.order_by("employee_id", "kind", "recorded_at", "id")
                        .values_list("employee_id", "kind", "granted"))
        assert old_rows == [(employee.pk, "name_credit", True), (employee.pk, "name_credit", False),
                            (employee.pk, "transcript", True),
                            (other.pk, "story", True), (other.pk, "story", True), (other.pk, "story", False)]
    finally:
        _migrate(leaves)


@pytest.mark.django_db
def test_a_migrated_consent_covers_the_organisations_own_use_only():
    """What the migration leaves (no recipient, no end date) works for the product credit and
    never for a transcript or referral, which need a new consent naming the partner."""
    from payroll.models import Consent, Partner
    from payroll.services.consent import consent_for

    employee = EmployeeFactory()
    partner = Partner.objects.create(name="Bayside Upholstery")
    Consent.objects.create(employee=employee, kind="name_credit", categories="first_name", valid_from=date(2025, 3, 4))
    Consent.objects.create(employee=employee, kind="transcript", categories="identity,training", valid_from=date(2025, 3, 4))
    assert consent_for(employee, "name_credit", None, on=date(2030, 1, 1)) is not None
    assert consent_for(employee, "transcript", partner, on=date(2026, 1, 1)) is None
    assert consent_for(employee, "transcript", None, on=date(2026, 1, 1)) is None
