"""Customer e-mails, each sent once: the order row records when it went out."""
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shop.platform import mail
from shop.models import Order
from shop.selectors.impact import order_hours_funded
from shop.selectors.orders import order_link

EMAILS = {
    "confirmation": ("confirmation_sent_at", "order_confirmation", "Thank you! Your order {number} is confirmed"),
    "shipped": ("shipped_email_sent_at", "order_shipped", "Your order {number} is on its way"),
}


@transaction.atomic
def order_send_email(order_id: int, kind: str) -> bool:
    """Send the order's ``kind`` e-mail unless it went out already. Returns True if sent now.

    The order row stays locked while sending, so two workers cannot both send it.
    """
    sent_field, template, subject = EMAILS[kind]
    order = Order.objects.select_for_update().get(pk=order_id)
    if getattr(order, sent_field) is not None:
        return False
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "discounts": list(order.discounts.all()),
        "link": order_link(order),
        "org": settings.MENDED_ORG,
        "hours": order_hours_funded(order),
    }
    mail.send(to=[order.email], subject=subject.format(number=order.number), template=f"shop/email/{template}",
              context=context)
    setattr(order, sent_field, timezone.now())
    order.save(update_fields=[sent_field])
    return True
