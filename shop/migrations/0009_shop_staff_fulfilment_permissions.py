"""Shop staff see recipient lists, record shipments and manage organisation invitations."""
from django.db import migrations

from shop.platform.roles import SHOP_STAFF, grant_permissions

MODELS = ["recipientlist", "giftrecipient", "shipment", "organisationinvitation"]


def grant(apps, schema_editor):
    grant_permissions(apps, SHOP_STAFF, "shop", models=MODELS)


class Migration(migrations.Migration):
    dependencies = [("shop", "0008_gift_recipients_fulfilment")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
