"""Shop staff run the gift-box catalogue and set organisations' payment terms."""
from django.db import migrations

from shop.platform.roles import SHOP_STAFF, grant_permissions

MODELS = ["boxsize", "palettecolour", "volumetier", "classicbox", "classicboxitem", "organisation", "organisationmember",
          "giftdesign", "giftdesignitem"]


def grant(apps, schema_editor):
    grant_permissions(apps, SHOP_STAFF, "shop", models=MODELS)


class Migration(migrations.Migration):
    dependencies = [("shop", "0005_gift_boxes")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
