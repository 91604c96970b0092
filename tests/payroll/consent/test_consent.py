"""Consent as a record (issue 24): every use checks one rule, ``consent_for``; a consent ends on
its last day, is revoked at once, runs at most the organisation's maximum and names who may
receive the information; referrals go only to a partner a current consent names."""
from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time

from payroll.models import AuditEvent, Consent, Referral
from payroll.services.consent import (
    ConsentError,
    consent_for,
    consent_revoke,
    consents_ended_refresh,
    referral_create,
    referral_update,
)
from payroll.services.people import maker_assign, maker_credits_refresh
from shop.platform import roles
from tests.payroll.consent.factories import grant, partner
from tests.payroll.factories import EmployeeFactory
from tests.support.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

K = Consent.Kind
# The sample consent runs from Sep 1 to Nov 29, 2026 (90 days, both counted).
BEFORE, FIRST, LAST, AFTER = date(2026, 8, 31), date(2026, 9, 1), date(2026, 11, 29), date(2026, 11, 30)


@pytest.fixture
def staff():
    return UserFactory(roles=[roles.PROGRAM_STAFF])


# -- each use, at the place it happens ---------------------------------------------------


def use_transcript(employee, recipient, client, staff, today):
    client.force_login(staff)
    url = reverse("payroll:training_transcript", args=[employee.pk]) + f"?to={recipient.pk}"
    return {200: True, 403: False}[client.get(url).status_code]


def use_referral(employee, recipient, client, staff, today):
    try:
        referral_create(employee, partner=recipient, service="housing", sent_on=today, actor=staff, today=today)
    except ConsentError as error:
        assert error.field == "partner"
        return False
    return True


def use_name_credit(employee, recipient, client, staff, today):
    product = ProductFactory()
    maker_assign(employee, product, staff)  # which refreshes the credit, as every change does
    maker_credits_refresh(employee)
    product.refresh_from_db()
    return {"Amara": True, "": False}[product.maker_credit]


def use_own(use):
    def check(employee, recipient, client, staff, today):  # no page publishes stories or photos yet: the rule itself
        return consent_for(employee, use, None, on=today) is not None
    return check


USES = [
    pytest.param(K.TRANSCRIPT, True, use_transcript, id="transcript"),
    pytest.param(K.REFERRAL, True, use_referral, id="referral"),
    pytest.param(K.NAME_CREDIT, False, use_name_credit, id="maker credit"),
    pytest.param(K.STORY, False, use_own(K.STORY), id="story"),
    pytest.param(K.PHOTO, False, use_own(K.PHOTO), id="photo"),
]


@pytest.mark.parametrize("use, outside, act", USES)
@pytest.mark.parametrize("day, allowed", [(BEFORE, False), (FIRST, True), (LAST, True), (AFTER, False)])
def test_each_use_is_allowed_only_from_the_first_to_the_last_day(client, staff, use, outside, act, day, allowed):
    employee = EmployeeFactory(preferred_name="Amara")
    recipient = partner() if outside else None
    grant(employee, use, recipient, valid_from=FIRST, valid_until=LAST)
    with freeze_time(f"{day} 15:00"):  # mid-afternoon UTC: the same day in Florida
        assert act(employee, recipient or partner("Not named"), client, staff, day) is allowed


@pytest.mark.parametrize("use, outside, act", USES)
def test_a_revoked_consent_stops_each_use_at_once(client, staff, use, outside, act):
    employee = EmployeeFactory(preferred_name="Amara")
    recipient = partner() if outside else None
    consent = grant(employee, use, recipient, valid_from=FIRST, valid_until=LAST)
    with freeze_time("2026-10-01 10:00"):
        assert act(employee, recipient, client, staff, date(2026, 10, 1)) is True
        consent_revoke(consent.pk, staff, note="Withdrew it by phone")
        assert act(employee, recipient, client, staff, date(2026, 10, 1)) is False
    event = AuditEvent.objects.get(action="consent.revoked", employee_id=employee.pk)
    assert event.actor == staff and event.detail["kind"] == use


@pytest.mark.parametrize("use", [K.TRANSCRIPT, K.REFERRAL])
def test_an_outside_use_goes_only_to_the_partner_named(use):
    employee, named, other = EmployeeFactory(), partner("Named"), partner("Other")
    consent = grant(employee, use, named)
    assert consent_for(employee, use, named, on=FIRST) == consent
    assert consent_for(employee, use, other, on=FIRST) is None
    assert consent_for(employee, use, None, on=FIRST) is None  # an outside use always names its recipient
    assert consent_for(employee, K.STORY if use == K.REFERRAL else K.REFERRAL, named, on=FIRST) is None
    named.active = False
    named.save()
    assert consent_for(employee, use, named, on=FIRST) is None  # nothing goes to an inactive partner


def test_a_consent_naming_a_funder_is_not_the_organisations_own_use():
    employee, funder = EmployeeFactory(), partner("Suncoast Community Foundation", kind="funder")
    grant(employee, K.STORY, funder)
    assert consent_for(employee, K.STORY, funder, on=FIRST) is not None
    assert consent_for(employee, K.STORY, None, on=FIRST) is None


def test_the_daily_task_clears_a_product_credit_whose_consent_ended(staff):
    employee, product = EmployeeFactory(preferred_name="Amara"), ProductFactory()
    maker_assign(employee, product, staff)
    with freeze_time(f"{LAST} 15:00"):
        grant(employee, K.NAME_CREDIT, valid_from=FIRST, valid_until=LAST)
        product.refresh_from_db()
        assert product.maker_credit == "Amara"
    with freeze_time(f"{AFTER} 15:00"):
        assert consents_ended_refresh(AFTER) == 1
    product.refresh_from_db()
    assert product.maker_credit == ""


# -- recording a consent -------------------------------------------------------------------


def test_a_consent_runs_at_most_the_organisations_maximum(settings):
    employee = EmployeeFactory()
    settings.CONSENT_MAX_DAYS = 365
    grant(employee, K.STORY, valid_from=date(2027, 1, 1), valid_until=date(2027, 12, 31), today=date(2027, 1, 1))
    with pytest.raises(ConsentError) as refused:
        grant(employee, K.STORY, valid_from=date(2027, 1, 1), valid_until=date(2028, 1, 1), today=date(2027, 1, 1))
    assert refused.value.field == "valid_until"
    assert refused.value.message == "A consent runs at most 365 days: until Dec 31, 2027 at the latest."
    settings.CONSENT_MAX_DAYS = 30
    with pytest.raises(ConsentError, match="until Jan 30, 2027 at the latest"):
        grant(employee, K.STORY, valid_from=date(2027, 1, 1), valid_until=date(2027, 1, 31), today=date(2027, 1, 1))
    assert Consent.objects.count() == 1


def consent_post(**changes):
    data = {"use": "referral", "categories": ["identity", "service_needs"], "recipient": "", "purpose": "Housing",
            "valid_from": "2026-12-01", "valid_until": "2027-03-01", "signed_how": "paper", "witness": "",
            "signed_on": "2026-12-01", "note": ""}
    data.update(changes)
    return data


@freeze_time("2026-12-07 15:00")
@pytest.mark.parametrize("changes, field, message", [
    ({}, "recipient", "Referral to a partner sends the information outside: name the partner or funder who receives it."),
    ({"categories": ["identity"]}, "categories",
     "Referral to a partner shares Full name and contact details and The services they need: the consent must let them be shared."),
    ({"signed_how": "verbal"}, "witness", "A verbal consent needs a witness: name who heard it."),
    ({"valid_until": "2027-12-01"}, "valid_until", "A consent runs at most 365 days: until Nov 30, 2027 at the latest."),
    ({"valid_until": "2026-11-30"}, "valid_until", "A consent ends on or after the day it starts."),
    ({"signed_on": "2026-12-08", "valid_from": "2026-12-08"}, "signed_on", "A consent cannot be signed in the future."),
    ({"valid_from": "2026-11-30"}, "valid_from", "A consent starts on or after the day it was signed."),
    ({"valid_until": "3026-01-01"}, "valid_until", None),  # outside the date window: the form's own error
])
def test_the_consent_page_puts_each_refusal_on_its_field(client, staff, changes, field, message):
    employee = EmployeeFactory()
    legal = partner()
    if field != "recipient":
        changes = {"recipient": str(legal.pk), **changes}
    client.force_login(staff)
    response = client.post(reverse("payroll:consents", args=[employee.pk]), consent_post(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
        assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Consent.objects.exists()


@freeze_time("2026-12-07 15:00")
def test_program_staff_record_and_revoke_a_consent_on_the_page(client, staff):
    employee, legal = EmployeeFactory(), partner()
    client.force_login(staff)
    url = reverse("payroll:consents", args=[employee.pk])
    response = client.post(url, consent_post(recipient=str(legal.pk), signed_how="verbal", witness="Dana (case manager)"))
    assert response.status_code == 302 and response["Location"] == url
    consent = Consent.objects.get()
    assert (consent.kind, consent.categories, consent.recipient, consent.valid_from, consent.valid_until) == (
        "referral", "identity,service_needs", legal, date(2026, 12, 1), date(2027, 3, 1))
    assert (consent.signed_how, consent.witness, consent.signed_on, consent.recorded_by) == (
        "verbal", "Dana (case manager)", date(2026, 12, 1), staff)
    page = client.get(url).content.decode()
    assert "Gulf Coast Legal Aid" in page and "In force" in page and "Dana (case manager)" in page
    assert client.post(reverse("payroll:consent_revoke", args=[consent.pk]), {"note": "By phone"}).status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None and consent.revoked_by == staff and consent.revoke_note == "By phone"
    assert "Revoked" in client.get(url).content.decode()
    assert [e.action for e in AuditEvent.objects.filter(employee_id=employee.pk).order_by("id")] == [
        "consent.granted", "consent.viewed", "consent.revoked", "consent.viewed"]
    client.post(reverse("payroll:consent_revoke", args=[consent.pk]))  # again: refused with a message, nothing changes
    assert AuditEvent.objects.filter(action="consent.revoked").count() == 1


def test_the_consent_page_takes_the_same_queries_for_1_or_10_consents(client, staff, django_assert_num_queries):
    one, ten = EmployeeFactory(), EmployeeFactory()
    legal = partner()
    grant(one, K.REFERRAL, legal)
    for _ in range(10):
        grant(ten, K.REFERRAL, legal)
    client.force_login(staff)
    client.get(reverse("payroll:partners"))  # the session and the role are read once per client first
    # The staff pages' own (session, user, roles, two-factor, cart, ...); employee, consents, referrals;
    # the partners of the form's select; the audit event with its savepoints: the same for 1 or 10.
    for employee in (one, ten):
        with django_assert_num_queries(14):
            assert client.get(reverse("payroll:consents", args=[employee.pk])).status_code == 200


# -- referrals ---------------------------------------------------------------------------------


@freeze_time("2026-12-07 15:00")
@pytest.mark.parametrize("setup, reason", [
    (lambda e, p, o: None, "No current consent names Gulf Coast Legal Aid for referral to a partner: record the participant's consent first."),
    (lambda e, p, o: grant(e, K.REFERRAL, o, valid_from=date(2026, 12, 1)),
     "No current consent names Gulf Coast Legal Aid for referral to a partner: record the participant's consent first."),
    (lambda e, p, o: grant(e, K.TRANSCRIPT, p, valid_from=date(2026, 12, 1)),
     "No current consent names Gulf Coast Legal Aid for referral to a partner: record the participant's consent first."),
    (lambda e, p, o: grant(e, K.REFERRAL, p, valid_from=date(2026, 9, 1), valid_until=date(2026, 12, 6)),
     "No current consent names Gulf Coast Legal Aid for referral to a partner: it ended on Dec 6, 2026; record a new one if they agree."),
    (lambda e, p, o: consent_revoke(grant(e, K.REFERRAL, p, valid_from=date(2026, 12, 1)).pk, None),
     "No current consent names Gulf Coast Legal Aid for referral to a partner: the participant revoked it on Dec 7, 2026."),
], ids=["no consent", "another partner named", "another use", "ended", "revoked"])
def test_a_referral_is_refused_without_a_current_consent_naming_the_partner(client, staff, setup, reason):
    employee, legal, other = EmployeeFactory(), partner(), partner("Harbor Housing Partners")
    setup(employee, legal, other)
    client.force_login(staff)
    response = client.post(reverse("payroll:referrals", args=[employee.pk]),
                           {"partner": legal.pk, "service": "legal", "sent_on": "2026-12-07", "note": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {"partner": [reason]}
    assert not Referral.objects.exists()


@freeze_time("2026-12-07 15:00")
def test_a_referral_under_a_consent_goes_from_sent_to_closed_with_its_outcome(client, staff):
    employee, legal = EmployeeFactory(), partner()
    consent = grant(employee, K.REFERRAL, legal, valid_from=date(2026, 12, 1))
    client.force_login(staff)
    response = client.post(reverse("payroll:referrals", args=[employee.pk]),
                           {"partner": legal.pk, "service": "legal", "sent_on": "2026-12-07", "note": "Visa"})
    referral = Referral.objects.get()
    assert response["Location"] == reverse("payroll:referral", args=[referral.pk])
    assert (referral.consent, referral.status, referral.sent_on, referral.created_by) == (consent, "sent", date(2026, 12, 7), staff)
    url = reverse("payroll:referral", args=[referral.pk])
    closing = client.post(url, {"status": "closed", "on": "2026-12-07", "outcome": "", "outcome_note": ""})
    assert closing.status_code == 400 and closing.context["form"].errors == {"outcome": ["A closed referral records its outcome."]}
    early = client.post(url, {"status": "accepted", "on": "2026-12-06"})
    assert early.context["form"].errors == {"on": ["Give a date from the day it was sent (Dec 7, 2026) to today."]}
    assert client.post(url, {"status": "accepted", "on": "2026-12-07"}).status_code == 302
    assert client.post(url, {"status": "closed", "on": "2026-12-07", "outcome": "received",
                             "outcome_note": "Visa filed"}).status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.responded_on, referral.closed_on, referral.outcome) == (
        "closed", date(2026, 12, 7), date(2026, 12, 7), "received")
    with pytest.raises(ConsentError, match="A closed referral can become nothing else"):
        referral_update(referral.pk, status="accepted", on=date(2026, 12, 7), actor=staff)
    assert [e.action for e in AuditEvent.objects.filter(employee_id=employee.pk, action__startswith="referral.")
            .order_by("id")] == ["referral.created", "referral.viewed", "referral.viewed", "referral.changed",
                                 "referral.changed"]


# -- the staff home, and who may do what ------------------------------------------------------


@freeze_time("2026-12-07 15:00")
def test_the_staff_home_lists_consents_ending_within_30_days(client, staff, django_assert_num_queries):
    legal = partner()
    soon = grant(EmployeeFactory(), K.REFERRAL, legal, valid_from=date(2026, 12, 1), valid_until=date(2026, 12, 27))
    last_day = grant(EmployeeFactory(), K.STORY, valid_from=date(2026, 12, 1), valid_until=date(2027, 1, 6))
    grant(EmployeeFactory(), K.STORY, valid_from=date(2026, 12, 1), valid_until=date(2027, 1, 7))  # 31 days: not yet
    ended = grant(EmployeeFactory(), K.STORY, valid_from=date(2026, 9, 1), valid_until=date(2026, 12, 6))
    revoked = grant(EmployeeFactory(), K.STORY, valid_from=date(2026, 12, 1), valid_until=date(2026, 12, 20))
    consent_revoke(revoked.pk, None)
    client.force_login(staff)
    page = client.get(reverse("payroll:staff_home")).content.decode()
    assert f"Consent no. {soon.pk} of participant no. {soon.employee_id} ends Dec 27, 2026" in page
    assert "Referral to a partner, to Gulf Coast Legal Aid: ask whether to renew" in page
    assert f"Consent no. {last_day.pk} of participant no. {last_day.employee_id} ends Jan 6, 2027" in page
    assert page.count("Consent no. ") == 2 and f"Consent no. {ended.pk} " not in page
    assert reverse("payroll:consents", args=[soon.employee_id]) in page
    for _ in range(3):  # more of them take no more queries
        grant(EmployeeFactory(), K.PHOTO, valid_from=date(2026, 12, 1), valid_until=date(2026, 12, 20))
    # The staff pages' own nine (session, user, roles, two-factor, cart, ...), one for the consents
    # and casework's three (rosters to mark, rosters to approve, plans to review).
    with django_assert_num_queries(13):
        client.get(reverse("payroll:staff_home"))


@pytest.mark.parametrize("role", [roles.PAYROLL_STAFF, roles.SHOP_STAFF, roles.VOLUNTEER_COORDINATOR, None])
def test_only_program_staff_open_or_change_consents_referrals_and_partners(client, role):
    employee, legal = EmployeeFactory(), partner()
    consent = grant(employee, K.REFERRAL, legal)
    referral = referral_create(employee, partner=legal, service="legal", sent_on=FIRST, actor=None, today=FIRST)
    client.force_login(UserFactory(roles=[role] if role else []))
    pages = [reverse("payroll:consents", args=[employee.pk]), reverse("payroll:referrals", args=[employee.pk]),
             reverse("payroll:referral", args=[referral.pk]), reverse("payroll:partners"),
             reverse("payroll:partner", args=[legal.pk])]
    for url in pages:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "Renamed", "kind": "funder", "status": "declined", "on": "2026-09-02"}).status_code == 403
    assert client.post(reverse("payroll:consent_revoke", args=[consent.pk])).status_code == 403
    consent.refresh_from_db()
    legal.refresh_from_db()
    assert consent.revoked_at is None and legal.name == "Gulf Coast Legal Aid"
    assert Referral.objects.get().status == "sent"
    assert not AuditEvent.objects.filter(action__in=["consent.viewed", "referral.viewed", "consent.revoked"]).exists()


def test_program_staff_add_and_change_partners(client, staff):
    client.force_login(staff)
    url = reverse("payroll:partners")
    assert client.post(url, {"name": "Harbor Housing Partners", "kind": "service", "services": "Housing",
                             "contact": "", "active": "on"}).status_code == 302
    again = client.post(url, {"name": "harbor housing partners", "kind": "service"})
    assert again.status_code == 400 and again.context["form"].errors == {"name": ["A partner of that name is already listed."]}
    housing = partner.__globals__["Partner"].objects.get()
    assert client.post(reverse("payroll:partner", args=[housing.pk]), {"name": "Harbor Housing", "kind": "service"}).status_code == 302
    housing.refresh_from_db()
    assert (housing.name, housing.active) == ("Harbor Housing", False)
    assert AuditEvent.objects.filter(action="partner.saved").count() == 2
