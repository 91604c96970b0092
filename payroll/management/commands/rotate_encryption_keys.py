from django.core.management.base import BaseCommand
from django.db import connection, transaction

from payroll.models import Employee
from shop.crypto import EncryptedTextField, rotate


class Command(BaseCommand):
    help = "Re-encrypt personal data with the first key in FIELD_ENCRYPTION_KEYS (after adding a new key first)."

    def handle(self, *args, **options):
        fields = [f.column for f in Employee._meta.get_fields() if isinstance(f, EncryptedTextField)]
        count = 0
        with transaction.atomic():
            # Raw SQL: the tokens are rotated as they are, never decrypted into Python objects.
            table = Employee._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id, {', '.join(fields)} FROM {table}")
                rows = cursor.fetchall()
                for pk, *tokens in rows:
                    new = [rotate(t) if t else t for t in tokens]
                    sets = ", ".join(f"{f} = %s" for f in fields)
                    cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*new, pk])
                    count += 1
        self.stdout.write(f"Re-encrypted {count} employee record(s) with the newest key.")
