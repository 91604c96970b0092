from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from payroll.models import PayRun
from payroll.services.direct_deposit import payrun_nacha
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError


class Command(BaseCommand):
    help = "Write the NACHA direct-deposit file of an approved pay run (the same file as the download)."

    def add_arguments(self, parser):
        parser.add_argument("run_id", type=int)
        parser.add_argument("--output", required=True, help="Where to write the file.")

    def handle(self, *args, run_id, output, **options):
        run = PayRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"There is no pay run {run_id}.")
        try:
            text = payrun_nacha(run.pk)
        except DomainError as error:
            raise CommandError(error.message) from error
        Path(output).write_text(text)
        audit_record("nacha.generated", target=run, via="manage.py nacha_file")
        self.stdout.write(f"Wrote {len(text.splitlines())} records to {output}")
