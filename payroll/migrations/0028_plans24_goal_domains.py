"""The service plans' goal domains (data: program staff may add more in the admin), and the
program staff's permission to keep them."""
from django.db import migrations

from shop.platform.roles import PROGRAM_STAFF, grant_permissions

DOMAINS = [("employment", "Employment"), ("housing", "Housing"), ("education", "Education"),
           ("financial", "Financial"), ("health", "Health")]


def forwards(apps, schema_editor):
    GoalDomain = apps.get_model("payroll", "GoalDomain")
    for position, (slug, name) in enumerate(DOMAINS, start=1):
        GoalDomain.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    grant_permissions(apps, PROGRAM_STAFF, "payroll", models=["goaldomain"])


class Migration(migrations.Migration):
    dependencies = [("payroll", "0027_plans24_casework")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
