from django.core.management.base import BaseCommand, CommandError

from shop.services.statements import statements_start


class Command(BaseCommand):
    help = "Send every donor their giving statement for YEAR (via Celery, in batches). Statements already sent are skipped."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("Give a year such as 2026.")
        run = statements_start(year)
        self.stdout.write(self.style.SUCCESS(f"Statement run {run.pk} for {year}: {run.total} donors queued."))
