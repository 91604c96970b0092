"""Shop staff read gifts by claim link (campaigns, claims) and organisations' account credit in
the admin (written only by the services)."""
from django.db import migrations

from shop.platform.roles import SHOP_STAFF, grant_permissions

PERMISSIONS = ["view_claimcampaign", "view_giftclaim", "view_organisationcredit"]


def grant(apps, schema_editor):
    grant_permissions(apps, SHOP_STAFF, "shop", codenames=PERMISSIONS)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=SHOP_STAFF):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="shop", codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("shop", "0034_credit22_credit_applied")]

    operations = [migrations.RunPython(grant, revoke)]
