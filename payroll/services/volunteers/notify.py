"""How volunteers are told things: one channel per ``Volunteer.reminder_channel``.

E-mail is the only channel today. Every message is a template pair (``mail.send``), given
with its context; the volunteer is added to it as ``volunteer``. Another channel (say SMS)
is a class with ``send(volunteer, subject, template, context)`` registered in ``CHANNELS``
plus a choice on ``Volunteer.Channel``; it would send the text body of the same pair
(``mail.render``)."""
from django.conf import settings
from payroll.models import Volunteer
from shop.platform import mail


class EmailChannel:
    name = "email"

    def send(self, volunteer: Volunteer, subject: str, template: str, context: dict, attachments=()) -> None:
        mail.send(to=[volunteer.email], subject=subject, template=template, context={**context, "volunteer": volunteer},
                  from_email=settings.DEFAULT_FROM_EMAIL, attachments=attachments)


CHANNELS = {"email": EmailChannel()}


def notify(volunteer: Volunteer, subject: str, template: str, context: dict) -> str:
    """Send through the volunteer's preferred channel (e-mail if it is unknown); returns the channel used."""
    channel = CHANNELS.get(volunteer.reminder_channel, CHANNELS["email"])
    channel.send(volunteer, subject, template, context)
    return channel.name


def email(volunteer: Volunteer, subject: str, template: str, context: dict, attachments=()) -> None:
    """Always e-mail (changes, cancellations and promotions are e-mailed, as the issue asks);
    ``attachments`` as ``mail.send`` takes them."""
    CHANNELS["email"].send(volunteer, subject, template, context, attachments=attachments)


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
