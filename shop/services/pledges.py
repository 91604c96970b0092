"""The pledge: anyone may promise to learn to spot and report trafficking. One pledge per
e-mail address; a second from the same address is acknowledged, not counted again."""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shop.platform import mail
from shop.platform.errors import DomainError
from shop.models import Pledge

LEARNING_RESOURCES = [
    ("Recognising the signs of human trafficking (U.S. Department of Homeland Security, Blue Campaign)",
     "https://www.dhs.gov/blue-campaign/indicators-human-trafficking"),
    ("National Human Trafficking Hotline: what to expect when you call",
     "https://humantraffickinghotline.org/en/contact-us"),
    ("Polaris Project: myths, facts and statistics", "https://polarisproject.org/myths-facts-and-statistics/"),
]


class PledgeError(DomainError):
    pass


def pledge_take(*, kind: str, name: str, email: str, business_name: str = "", city: str = "", state: str = "") -> tuple[Pledge, bool]:
    """Record a pledge, or return the one already made with this address. Returns (pledge, new)."""
    email = email.strip().lower()
    if kind == Pledge.Kind.BUSINESS and not business_name.strip():
        raise PledgeError("Give the business's name for its badge.")
    existing = Pledge.objects.filter(email__iexact=email).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            pledge = Pledge.objects.create(kind=kind, name=name.strip(), email=email, business_name=business_name.strip(),
                                           city=city.strip(), state=state)
            from shop.tasks import send_pledge_confirmation

            transaction.on_commit(lambda: send_pledge_confirmation.delay(pledge.pk))
    except IntegrityError:  # the same address, a moment earlier, from another request
        return Pledge.objects.get(email__iexact=email), False
    return pledge, True


def pledge_send_confirmation(pledge_id: int) -> bool:
    """The thank-you with the learning resources and the hotline; sent once."""
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().get(pk=pledge_id)
        if pledge.confirmation_sent_at:
            return False
        badge_link = None
        if pledge.kind == Pledge.Kind.BUSINESS:
            badge_link = settings.SITE_URL.rstrip("/") + reverse("shop:pledge_badge", args=[pledge.badge])
        mail.send(to=[pledge.email], subject="Thank you for taking the pledge", template="shop/email/pledge_confirmation",
                  context={"pledge": pledge, "resources": LEARNING_RESOURCES, "badge_link": badge_link})
        pledge.confirmation_sent_at = timezone.now()
        pledge.save(update_fields=["confirmation_sent_at"])
    return True


def pledge_count() -> int:
    return Pledge.objects.count()
