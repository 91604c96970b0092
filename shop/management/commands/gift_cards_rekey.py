from django.core.management.base import BaseCommand

from shop.services.giftcards import gift_cards_rekey


class Command(BaseCommand):
    help = ("After rotating DJANGO_SECRET_KEY: hash every gift card's code under the new key, so the old key "
            "can be dropped from DJANGO_SECRET_KEY_FALLBACKS. Safe to run again.")

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"{gift_cards_rekey()} gift cards re-keyed under the current key."))
