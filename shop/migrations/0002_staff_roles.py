"""Create the staff roles as groups, with the shop permissions of shop staff."""
from django.db import migrations

from shop.platform.roles import SHOP_STAFF, SHOP_STAFF_MODELS, STAFF_ROLES, grant_permissions


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in STAFF_ROLES:
        Group.objects.get_or_create(name=name)
    grant_permissions(apps, SHOP_STAFF, "shop", models=SHOP_STAFF_MODELS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=STAFF_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
