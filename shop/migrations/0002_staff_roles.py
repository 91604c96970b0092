"""Create the staff roles as groups, with the shop permissions of shop staff."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

from shop.roles import SHOP_STAFF, SHOP_STAFF_MODELS, STAFF_ROLES


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure shop's exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in STAFF_ROLES:
        Group.objects.get_or_create(name=name)
    shop_staff = Group.objects.get(name=SHOP_STAFF)
    shop_staff.permissions.add(
        *Permission.objects.filter(content_type__app_label="shop", content_type__model__in=SHOP_STAFF_MODELS)
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=STAFF_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
