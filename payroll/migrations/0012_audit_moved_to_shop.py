"""payroll's audit events move to the shop's audit trail (shop 0013), which every app writes."""
from django.conf import settings
from django.db import migrations


def copy_to_shop(apps, schema_editor):
    Old = apps.get_model("payroll", "AuditEvent")
    New = apps.get_model("shop", "AuditEvent")
    New.objects.bulk_create(
        New(
            at=event.at,
            actor_id=event.actor_id,
            actor_email=event.actor.email if event.actor_id else "",
            action=event.action,
            object_type="payroll.employee" if event.employee_id else "",
            object_id=str(event.employee_id or ""),
            employee_id=event.employee_id,
            ip_address=event.ip_address,
            detail=event.detail,
        )
        for event in Old.objects.select_related("actor").order_by("at", "id").iterator()
    )


def copy_back(apps, schema_editor):
    Old = apps.get_model("payroll", "AuditEvent")
    New = apps.get_model("shop", "AuditEvent")
    Employee = apps.get_model("payroll", "Employee")
    employees = set(Employee.objects.values_list("pk", flat=True))
    users = set(apps.get_model(*settings.AUTH_USER_MODEL.split(".")).objects.values_list("pk", flat=True))
    Old.objects.bulk_create(
        Old(actor_id=event.actor_id if event.actor_id in users else None, employee_id=event.employee_id if event.employee_id in employees else None,
            action=event.action[:40], detail=event.detail, ip_address=event.ip_address, at=event.at)
        for event in New.objects.order_by("at", "id").iterator()
    )


class Migration(migrations.Migration):

    dependencies = [
        ("payroll", "0011_volunteer_coordinator_permissions"),
        ("shop", "0013_audit"),
    ]

    operations = [
        migrations.RunPython(copy_to_shop, copy_back),
        migrations.DeleteModel(name="AuditEvent"),
    ]
