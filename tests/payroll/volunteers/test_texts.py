"""Text reminders: a volunteer opts in with their own agreement and a number that can get
texts; the 48-hour and 2-hour reminders go by text, once, however often beat runs; change
notices go by text as well as e-mail (the e-mail carries the calendar file); a STOP reply,
signed by Twilio, turns texts off at once and reminders fall back to e-mail."""
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from payroll.models import ReminderSent, Shift, Volunteer
from payroll.services.volunteers.shifts import shift_cancel
from payroll.services.volunteers.signups import signup_create
from payroll.tasks import send_shift_reminders
from shop.platform import roles, sms
from tests.payroll.volunteers.factories import make_shift, signed_volunteer
from tests.payroll.volunteers.test_pages import profile_data, shift_form
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
TOKEN = "test-twilio-auth-token"
REPLIES = "/volunteer/texts/replies/"


def texting(**kwargs) -> Volunteer:
    volunteer = signed_volunteer(**kwargs)
    Volunteer.objects.filter(pk=volunteer.pk).update(reminder_channel="sms", text_number="+18135550100",
                                                     texts_agreed_at=timezone.now())
    volunteer.refresh_from_db()
    return volunteer


def reply(client, body, number="+18135550100", token=TOKEN, settings=None):
    params = {"From": number, "Body": body, "To": "+19045550000", "MessageSid": "SM123"}
    url = settings.SITE_URL.rstrip("/") + REPLIES
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(REPLIES, params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.mark.parametrize("typed, number", [
    ("(904) 555-0134", "+19045550134"), ("904.555.0134", "+19045550134"), ("+1 904 555 0134", "+19045550134"),
    ("1-904-555-0134", "+19045550134"), ("+44 7700 900123", "+447700900123"),
])
def test_numbers_as_people_write_them(typed, number):
    assert sms.normalise(typed) == number


@pytest.mark.parametrize("typed", ["555-0134", "(104) 555-0134", "904 155 0134", "", "call me", "+12"])
def test_what_cannot_get_a_text(typed):
    with pytest.raises(sms.NotANumber):
        sms.normalise(typed)


def test_choosing_texts_needs_the_box_ticked_and_a_mobile_number(client):
    volunteer = signed_volunteer()
    client.force_login(volunteer.user)
    url = reverse("payroll:volunteer_profile")
    page = client.post(url, profile_data(reminder_channel="sms"))
    assert page.status_code == 400
    assert page.context["form"].errors["texts_agree"] == ["Tick the box to agree to get text reminders, or choose e-mail."]
    page = client.post(url, profile_data(reminder_channel="sms", texts_agree="on", phone="555-0134"))
    assert page.status_code == 400 and "Texts need a mobile number" in page.context["form"].errors["phone"][0]
    assert client.post(url, profile_data(reminder_channel="sms", texts_agree="on", phone="(813) 555-0177")).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.text_number == "+18135550177" and volunteer.texts_on and volunteer.texts_agreed_at is not None
    # Back to e-mail: texts are off and the agreement is gone.
    assert client.post(url, profile_data(reminder_channel="email")).status_code == 302
    volunteer.refresh_from_db()
    assert not volunteer.texts_on and volunteer.text_number == "" and volunteer.texts_agreed_at is None


def test_reminders_go_by_text_once_and_by_email_to_the_others(django_capture_on_commit_callbacks):
    shift = make_shift(starts_in=timedelta(hours=40), title="Sorting day", location="100 Harbor St", signup_cutoff_hours=0)
    texter, emailer = texting(), signed_volunteer()
    for volunteer in (texter, emailer):
        signup_create(volunteer.pk, shift.roles.first().pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_shift_reminders.delay().get() == 2
        assert send_shift_reminders.delay().get() == 0  # beat ran again
    assert [m.to for m in mail.outbox] == [[emailer.email]]
    (text,) = sms.outbox
    assert text.to == "+18135550100"
    assert "Sorting day" in text.body and "100 Harbor St" in text.body and text.body.endswith("Reply STOP to stop texts.")
    assert "\n" not in text.body and len(text.body) <= 320  # two SMS segments at most
    assert dict(ReminderSent.objects.values_list("signup__volunteer_id", "channel")) == {texter.pk: "sms", emailer.pk: "email"}


def test_a_change_is_texted_and_emailed_with_the_calendar_file_once(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(roles=[roles.VOLUNTEER_COORDINATOR]))
    form = shift_form(start_time="18:00", end_time="20:00", roles="Packing: 3", location="100 Harbor St", title="Evening sort")
    assert client.post(reverse("payroll:coordinator_shift_new"), form).status_code == 302
    shift = Shift.objects.get()
    texter = texting()
    signup_create(texter.pk, shift.roles.get().pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        edit = reverse("payroll:coordinator_shift_edit", args=[shift.pk])
        assert client.post(edit, {**form, "location": "Harbor St pop-up"}).status_code == 302
    (text,) = sms.outbox
    assert "Evening sort has changed" in text.body and "Where: Harbor St pop-up (was 100 Harbor St)" in text.body
    (message,) = mail.outbox
    assert message.to == [texter.email] and message.attachments[0][0].endswith(".ics")
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shift_cancel(shift.pk, None, reason="Storm warning")
    (text,) = sms.outbox
    assert "is cancelled (Storm warning)" in text.body and len(text.body) <= 320


@override_settings(TWILIO_AUTH_TOKEN=TOKEN)
def test_stop_turns_texts_off_at_once_and_reminders_fall_back_to_email(client, settings, django_capture_on_commit_callbacks):
    texter = texting()
    response = reply(client, "  stop please", settings=settings)
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    assert response.content.decode().endswith("<Response></Response>")
    texter.refresh_from_db()
    assert texter.texts_stopped_at is not None and not texter.texts_on
    shift = make_shift(starts_in=timedelta(hours=40), signup_cutoff_hours=0)
    signup_create(texter.pk, shift.roles.first().pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_shift_reminders.delay().get() == 1
    assert sms.outbox == [] and [m.to for m in mail.outbox] == [[texter.email]]
    # The profile says why, and START turns texts back on for someone who had agreed.
    client.force_login(texter.user)
    assert "You replied STOP on" in client.get(reverse("payroll:volunteer_profile")).content.decode()
    client.logout()
    assert reply(client, "START", settings=settings).status_code == 200
    texter.refresh_from_db()
    assert texter.texts_on


@override_settings(TWILIO_AUTH_TOKEN=TOKEN)
def test_help_is_answered_and_other_words_change_nothing(client, settings):
    texter = texting()
    answer = reply(client, "help", settings=settings).content.decode()
    assert "<Message>Mended Threads: volunteer reminders. Reply STOP to stop texts" in answer
    assert reply(client, "see you tomorrow!", settings=settings).content.decode().endswith("<Response></Response>")
    texter.refresh_from_db()
    assert texter.texts_on


@override_settings(TWILIO_AUTH_TOKEN=TOKEN)
def test_a_reply_not_signed_by_twilio_changes_nothing(client, settings):
    texter = texting()
    assert client.post(REPLIES, {"From": "+18135550100", "Body": "STOP"}).status_code == 403
    assert reply(client, "STOP", token="someone-elses-token", settings=settings).status_code == 403
    texter.refresh_from_db()
    assert texter.texts_on


def test_without_a_twilio_token_no_reply_is_accepted(client, settings):
    texter = texting()
    assert reply(client, "STOP", settings=settings).status_code == 403
    texter.refresh_from_db()
    assert texter.texts_on


@override_settings(TWILIO_AUTH_TOKEN=TOKEN)
def test_a_signed_reply_from_junk_is_a_400(client, settings):
    assert reply(client, "STOP", number="not a number", settings=settings).status_code == 400


def test_twilio_backend_sends_through_the_sdk(settings, monkeypatch):
    """The production backend hands the text to Twilio's client with our sender."""
    sent = {}

    class Messages:
        def create(self, **kwargs):
            sent.update(kwargs)
            return type("Message", (), {"sid": "SM999"})()

    class Client:
        def __init__(self, sid, token):
            sent["auth"] = (sid, token)
            self.messages = Messages()

    monkeypatch.setattr("twilio.rest.Client", Client)
    settings.SMS_BACKEND, settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "twilio", "AC1", "tok"
    settings.TWILIO_FROM = "+19045550000"
    assert sms.send("+18135550100", "Hello") == "SM999"
    assert sent == {"auth": ("AC1", "tok"), "to": "+18135550100", "body": "Hello", "from_": "+19045550000"}
    settings.TWILIO_FROM = "MG0123"
    sms.send("+18135550100", "Hello")
    assert sent["messaging_service_sid"] == "MG0123"
