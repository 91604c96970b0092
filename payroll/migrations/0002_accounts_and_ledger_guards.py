"""The ledger's accounts, and database guards: entries balance; nothing is updated or deleted."""
from django.db import migrations

from payroll.accounts import CHART, known_accounts


POSTGRES_GUARDS = """
CREATE OR REPLACE FUNCTION payroll_entry_balances() RETURNS trigger AS $$
DECLARE total numeric;
BEGIN
  SELECT COALESCE(SUM(amount), 0) INTO total FROM payroll_posting WHERE entry_id = NEW.entry_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'journal entry % does not balance: its postings sum to %', NEW.entry_id, total;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER payroll_posting_balanced AFTER INSERT ON payroll_posting
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payroll_entry_balances();

CREATE OR REPLACE FUNCTION payroll_ledger_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on % is not allowed; post a reversing entry', TG_OP, TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER payroll_posting_append_only BEFORE UPDATE OR DELETE ON payroll_posting
  FOR EACH ROW EXECUTE FUNCTION payroll_ledger_append_only();
CREATE TRIGGER payroll_entry_append_only BEFORE UPDATE OR DELETE ON payroll_journalentry
  FOR EACH ROW EXECUTE FUNCTION payroll_ledger_append_only();
"""

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS payroll_entry_append_only ON payroll_journalentry;
DROP TRIGGER IF EXISTS payroll_posting_append_only ON payroll_posting;
DROP TRIGGER IF EXISTS payroll_posting_balanced ON payroll_posting;
DROP FUNCTION IF EXISTS payroll_ledger_append_only();
DROP FUNCTION IF EXISTS payroll_entry_balances();
"""

# SQLite (the embedded default) guards updates only: its test flushes delete rows, and
# deletes are refused by the models themselves.
SQLITE_GUARDS = [
    f"CREATE TRIGGER payroll_{table}_no_update BEFORE UPDATE ON payroll_{table} "
    f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: post a reversing entry'); END"
    for table in ("posting", "journalentry")
]


def add_accounts(apps, schema_editor):
    known_accounts([row[0] for row in CHART], Account=apps.get_model("payroll", "Account"))


def add_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_GUARDS, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_GUARDS:
            schema_editor.execute(statement)


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif vendor == "sqlite":
        for table in ("posting", "journalentry"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS payroll_{table}_no_update")


class Migration(migrations.Migration):
    dependencies = [("payroll", "0001_ledger")]

    operations = [
        migrations.RunPython(add_accounts, migrations.RunPython.noop),
        migrations.RunPython(add_guards, drop_guards),
    ]
