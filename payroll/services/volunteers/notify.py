"""How volunteers are told things: one channel per ``Volunteer.reminder_channel``.

E-mail, or a text message for a volunteer who chose texts, agreed and has not replied STOP
(``Volunteer.texts_on``; anyone else gets e-mail). Every message is a template name: e-mail
renders its pair ``<name>.txt``/``.html`` (``mail.send``); a text renders
``payroll/sms/<last part of the name>.txt``, a short version of the same message. Texts go
through ``shop.platform.sms`` (console by default, Twilio in production)."""
import re

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone

from payroll.models import Volunteer
from shop.platform import mail, sms


class EmailChannel:
    name = "email"

    def send(self, volunteer: Volunteer, subject: str, template: str, context: dict, attachments=()) -> None:
        mail.send(to=[volunteer.email], subject=subject, template=template, context={**context, "volunteer": volunteer},
                  from_email=settings.DEFAULT_FROM_EMAIL, attachments=attachments)


class TextChannel:
    name = "sms"

    def send(self, volunteer: Volunteer, subject: str, template: str, context: dict, attachments=()) -> None:
        sms.send(volunteer.text_number, text_body(template, {**context, "volunteer": volunteer}))


CHANNELS = {"email": EmailChannel(), "sms": TextChannel()}


def text_body(template: str, context: dict) -> str:
    """The text version of a message, on one line (never HTML-escaped)."""
    name = "payroll/sms/" + template.rsplit("/", 1)[-1] + ".txt"
    body = get_template(name).template.render(Context({"org": settings.MENDED_ORG, **context}, autoescape=False))
    return re.sub(r"\s+", " ", body).strip()


def channel_for(volunteer: Volunteer) -> str:
    return "sms" if volunteer.texts_on else "email"


def notify(volunteer: Volunteer, subject: str, template: str, context: dict) -> str:
    """Send through the volunteer's channel; returns the channel used."""
    channel = CHANNELS[channel_for(volunteer)]
    channel.send(volunteer, subject, template, context)
    return channel.name


def email(volunteer: Volunteer, subject: str, template: str, context: dict, attachments=()) -> None:
    """Always e-mail (promotions, and changes, whose calendar file only e-mail can carry);
    ``attachments`` as ``mail.send`` takes them."""
    CHANNELS["email"].send(volunteer, subject, template, context, attachments=attachments)


def text_if_chosen(volunteer: Volunteer, subject: str, template: str, context: dict) -> bool:
    """A text as well, for those who chose texts (a change notice goes both ways: the text
    at once, the e-mail with the new calendar file)."""
    if not volunteer.texts_on:
        return False
    CHANNELS["sms"].send(volunteer, subject, template, context)
    return True


HELP_TEXT = ("{org}: volunteer reminders. Reply STOP to stop texts, START to get them again. "
             "Help: {support}")


def texts_reply(number: str, body: str, now=None) -> str:
    """A reply to one of our texts: STOP turns texts off for every volunteer at that number
    at once (reminders fall back to e-mail), START turns them back on for those who had
    agreed. Returns the answer to text back ('' for none: the carrier confirms STOP itself)."""
    word = sms.keyword(body)
    volunteers = Volunteer.objects.filter(text_number=number)
    if word == "stop":
        volunteers.filter(texts_stopped_at__isnull=True).update(texts_stopped_at=now or timezone.now())
        return ""
    if word == "start":
        volunteers.filter(texts_agreed_at__isnull=False).update(texts_stopped_at=None)
        return ""
    if word == "help":
        return HELP_TEXT.format(org=settings.MENDED_ORG["NAME"], support=settings.MENDED_ORG["SUPPORT_EMAIL"])
    return ""


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
