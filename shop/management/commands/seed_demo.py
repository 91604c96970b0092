from django.core.management.base import BaseCommand

from shop.demo import DEMO_PASSWORD, seed_demo
from shop.platform.facts import demo_seeded


class Command(BaseCommand):
    help = "Load the demo organisation's catalog, rates and staff logins. Safe to run again."

    def handle(self, *args, **options):
        products, orders, logins = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {products} products, {orders} new demo orders."))
        self.stdout.write("Logins (password for all: %s):" % DEMO_PASSWORD)
        for role, email in logins:
            self.stdout.write(f"  {role:<22} {email}")
        self.stdout.write(
            "  Payroll staff, program staff and the superuser must use two-factor authentication: at their first"
            " login they are asked to set up an authenticator app (see the README)."
        )
        from shop.demo.giftcards import DEMO_AMOUNT, DEMO_CODE

        self.stdout.write(f"Demo gift card to try at checkout: {DEMO_CODE} (${DEMO_AMOUNT} when new).")
        for _receiver, lines in demo_seeded.send(sender="shop"):
            for line in lines or []:
                self.stdout.write(line)
