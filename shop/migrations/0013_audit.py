"""The audit trail (moved here from payroll, which copies its rows over in its 0012).

On PostgreSQL a trigger makes the table append-only: UPDATE and DELETE are rejected
whoever asks (the application, the admin, or someone at a psql prompt with the app's role).
"""
import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION shop_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'shop_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS shop_auditevent_append_only ON shop_auditevent;
CREATE TRIGGER shop_auditevent_append_only
    BEFORE UPDATE OR DELETE ON shop_auditevent
    FOR EACH ROW EXECUTE FUNCTION shop_auditevent_append_only();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS shop_auditevent_append_only ON shop_auditevent;
DROP FUNCTION IF EXISTS shop_auditevent_append_only();
"""


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)  # no placeholders: the % is plpgsql's


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0012_circles_events"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False)),
                ("actor_email", models.CharField(blank=True, editable=False, help_text="The actor's e-mail address when the event happened.", max_length=254)),
                ("action", models.CharField(db_index=True, editable=False, max_length=60)),
                ("object_type", models.CharField(blank=True, editable=False, help_text="app_label.model, e.g. shop.order", max_length=60)),
                ("object_id", models.CharField(blank=True, editable=False, max_length=64)),
                ("employee_id", models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text="The survivor's record (payroll employee id), if any.", null=True)),
                ("ip_address", models.GenericIPAddressField(blank=True, editable=False, null=True)),
                ("detail", models.JSONField(blank=True, default=dict, editable=False, encoder=django.core.serializers.json.DjangoJSONEncoder)),
                ("actor", models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["-at", "-id"],
                "indexes": [models.Index(fields=["object_type", "object_id"], name="audit_object")],
            },
        ),
        migrations.RunPython(append_only, drop_append_only),
    ]
