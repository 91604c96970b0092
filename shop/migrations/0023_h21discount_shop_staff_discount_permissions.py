"""Shop staff run the discount codes and see what each order's codes took off."""
from django.db import migrations

from shop.platform.roles import SHOP_STAFF, grant_permissions

PERMISSIONS = [
    "view_discountcode", "add_discountcode", "change_discountcode", "delete_discountcode", "view_orderdiscount", "view_orderdiscountline",
]


def grant(apps, schema_editor):
    grant_permissions(apps, SHOP_STAFF, "shop", codenames=PERMISSIONS)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=SHOP_STAFF):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="shop", codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("shop", "0022_h21discount_discount_codes")]

    operations = [migrations.RunPython(grant, revoke)]
