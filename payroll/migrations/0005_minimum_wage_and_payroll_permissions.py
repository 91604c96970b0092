"""Florida's dated minimum wage, and what payroll staff may do in the admin."""
from datetime import date
from decimal import Decimal

from django.db import migrations

from shop.platform.roles import PAYROLL_STAFF, grant_permissions

FLORIDA = [
    (date(2023, 9, 30), Decimal("12.00")),
    (date(2024, 9, 30), Decimal("13.00")),
    (date(2025, 9, 30), Decimal("14.00")),
    (date(2026, 9, 30), Decimal("15.00")),
]
PAYROLL_MODELS = ["employee", "payrate", "withholdingcertificate", "consent", "makerassignment", "timeentry", "minimumwage", "payrun", "paystub", "payadjustment"]


def forwards(apps, schema_editor):
    MinimumWage = apps.get_model("payroll", "MinimumWage")
    for effective_from, rate in FLORIDA:
        MinimumWage.objects.update_or_create(effective_from=effective_from, defaults={"rate": rate, "note": "Florida (Amendment 2, 2020)"})
    grant_permissions(apps, PAYROLL_STAFF, "payroll", models=PAYROLL_MODELS)
    grant_permissions(apps, PAYROLL_STAFF, "payroll", codenames=["view_auditevent"])


class Migration(migrations.Migration):
    dependencies = [("payroll", "0004_people_time_payruns")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
