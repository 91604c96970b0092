from django.core.management.base import BaseCommand, CommandError

from shop.services.statements import StatementError, statements_preview, statements_start


class Command(BaseCommand):
    help = "Send (for a year that has ended) every donor their giving statement for YEAR (via Celery, in batches). Statements already sent are skipped."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--preview", action="store_true", help="Show how many would be sent, and a sample; send nothing.")

    def handle(self, *args, year, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("Give a year such as 2026.")
        try:
            preview = statements_preview(year)
            if options.get("preview"):
                self.stdout.write(f"{year}: {preview.to_send} statements to send ({preview.donors} donors gave).")
                for name, email, gifts, total in preview.sample:
                    self.stdout.write(f"  {name} <{email}>: {gifts} gifts, ${total:,}")
                return
            run = statements_start(year)
        except StatementError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Statement run {run.pk} for {year}: {run.total} donors queued."))
