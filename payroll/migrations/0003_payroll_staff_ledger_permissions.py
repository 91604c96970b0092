"""Payroll staff read the ledger."""
from django.db import migrations

from shop.platform.roles import PAYROLL_STAFF, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(apps, PAYROLL_STAFF, "payroll", codenames=["view_account", "view_journalentry", "view_posting"])


class Migration(migrations.Migration):
    dependencies = [("payroll", "0002_accounts_and_ledger_guards"), ("shop", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
