from django.db import migrations

from shop.platform.roles import VOLUNTEER_COORDINATOR, grant_permissions

# Volunteer data only: no survivor, pay, ledger or training model.
VOLUNTEER_MODELS = ["skill", "volunteer", "waiverversion", "waiveracceptance", "shiftseries", "shift", "shiftrole",
                    "signup", "remindersent", "shiftmessage"]
READ_ONLY = ["waiveracceptance", "remindersent", "shiftmessage"]  # records of what happened


def forwards(apps, schema_editor):
    grant_permissions(apps, VOLUNTEER_COORDINATOR, "payroll", models=[m for m in VOLUNTEER_MODELS if m not in READ_ONLY])
    grant_permissions(apps, VOLUNTEER_COORDINATOR, "payroll", codenames=[f"view_{m}" for m in READ_ONLY])


class Migration(migrations.Migration):
    dependencies = [("payroll", "0010_volunteers")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
