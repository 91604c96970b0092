from django.db import migrations

from shop.platform.roles import PROGRAM_STAFF, grant_permissions

TRAINING_MODELS = ["program", "competency", "cohort", "enrollment", "trainingsession", "attendance",
                   "competencysignoff", "credential", "followup"]


def forwards(apps, schema_editor):
    grant_permissions(apps, PROGRAM_STAFF, "payroll", models=TRAINING_MODELS)


class Migration(migrations.Migration):
    dependencies = [("payroll", "0007_training")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
