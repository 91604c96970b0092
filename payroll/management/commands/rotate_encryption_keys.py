from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from payroll.models import Employee
from shop.platform.crypto import EncryptedTextField, rotate


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
        self.stdout.write(f"Re-encrypted {rotate_authenticators()} two-factor authenticator(s) with the newest key.")


def rotate_authenticators() -> int:
    """Authenticator-app secrets and recovery-code seeds (shop.platform.mfa.MendedMFAAdapter encrypts them)."""
    count = 0
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
            data = dict(authenticator.data)
            for key in ("secret", "seed"):
                if data.get(key):
                    data[key] = rotate(data[key])
            if data.get("migrated_codes"):
                data["migrated_codes"] = [rotate(code) for code in data["migrated_codes"]]
            if data != authenticator.data:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                count += 1
    return count
