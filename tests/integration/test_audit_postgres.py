"""PostgreSQL's own guard on the audit trail: UPDATE and DELETE are refused by a trigger,
whoever sends them (the models refuse too; this is for SQL written behind them)."""
import pytest
from django.db import DatabaseError, connection, transaction

from shop.platform.audit import audit_record
from shop.models import AuditEvent


@pytest.mark.django_db
def test_postgresql_refuses_changing_or_deleting_an_audit_event_behind_the_model():
    assert connection.vendor == "postgresql"
    event = audit_record("test.event", target=("shop.order", 1))
    for sql in ("UPDATE shop_auditevent SET action = 'test.tampered' WHERE id = %s",
                "DELETE FROM shop_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="test.event").exists()


@pytest.mark.django_db
def test_postgresql_still_accepts_new_events():
    before = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO shop_auditevent (at, actor_email, action, object_type, object_id, detail) "
                       "VALUES (now(), '', 'test.raw', '', '', '{}')")
    assert AuditEvent.objects.count() == before + 1
