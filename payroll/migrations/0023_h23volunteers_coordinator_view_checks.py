from django.db import migrations

from shop.platform.roles import VOLUNTEER_COORDINATOR, grant_permissions

# Read-only in the admin (a volunteer's checks, a shift's changes and who was told): checks are
# recorded on the coordinators' page (audited), changes by editing the shift.
READ_ONLY = ["backgroundcheck", "shiftchange", "changenotice"]


def forwards(apps, schema_editor):
    grant_permissions(apps, VOLUNTEER_COORDINATOR, "payroll", codenames=[f"view_{m}" for m in READ_ONLY])


class Migration(migrations.Migration):
    dependencies = [("payroll", "0022_h23volunteers_change_notices_background_checks")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
