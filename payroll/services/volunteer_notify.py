"""How volunteers are told things: one channel per ``Volunteer.reminder_channel``.

E-mail is the only channel today. Another (say SMS) is a class with ``send(volunteer,
subject, body)`` registered in ``CHANNELS`` plus a choice on ``Volunteer.Channel``."""
from django.conf import settings
from payroll.models import Volunteer
from shop import mail


class EmailChannel:
    name = "email"

    def send(self, volunteer: Volunteer, subject: str, body: str) -> None:
        mail.send(to=[volunteer.email], subject=subject, text=body, from_email=settings.DEFAULT_FROM_EMAIL)


CHANNELS = {"email": EmailChannel()}


def notify(volunteer: Volunteer, subject: str, body: str) -> str:
    """Send through the volunteer's preferred channel (e-mail if it is unknown); returns the channel used."""
    channel = CHANNELS.get(volunteer.reminder_channel, CHANNELS["email"])
    channel.send(volunteer, subject, body)
    return channel.name


def email(volunteer: Volunteer, subject: str, body: str) -> None:
    """Always e-mail (cancellations and promotions are e-mailed, as the issue asks)."""
    CHANNELS["email"].send(volunteer, subject, body)


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
