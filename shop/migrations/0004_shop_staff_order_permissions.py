"""Shop staff see and fulfil orders, see payments, refunds and Stripe events."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    "view_order", "change_order", "view_orderline", "view_payment", "view_refund", "view_refundline",
    "view_stripeevent",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Shop staff")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="shop", codename__in=PERMISSIONS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Shop staff"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="shop", codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_orders_payments")]

    operations = [migrations.RunPython(grant, revoke)]
