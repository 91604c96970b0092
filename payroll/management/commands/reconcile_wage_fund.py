import sys

from django.core.management.base import BaseCommand

from payroll.services.reconcile import wage_fund_reconcile


class Command(BaseCommand):
    help = ("Compare the wage fund in the ledger with what paid orders, refunds and designated wage gifts say it must "
            "hold. Exits 1 on any difference.")

    def handle(self, *args, **options):
        report = wage_fund_reconcile()
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            sys.exit(1)
