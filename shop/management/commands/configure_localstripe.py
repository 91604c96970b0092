import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

WEBHOOK_PATH = "/stripe/webhook/"


class Command(BaseCommand):
    help = "Point a local localstripe server's webhooks at this site (development and tests only)."

    def add_arguments(self, parser):
        parser.add_argument("--site", default=settings.SITE_URL, help="Base URL of this running site (SITE_URL).")

    def handle(self, *args, site, **options):
        base = settings.STRIPE_API_BASE.rstrip("/")
        if "api.stripe.com" in base:
            raise CommandError("STRIPE_API_BASE is Stripe itself; configure webhooks in the Stripe dashboard.")
        url = site.rstrip("/") + WEBHOOK_PATH
        body = urllib.parse.urlencode({"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET}).encode()
        try:
            urllib.request.urlopen(f"{base}/_config/webhooks/mended", data=body, timeout=5).close()
        except (urllib.error.URLError, OSError) as error:
            raise CommandError(f"localstripe did not accept the webhook at {base}: {error}") from error
        self.stdout.write(f"localstripe at {base} delivers webhooks to {url}")
