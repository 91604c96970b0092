"""Data rights: a person's export (JSON) and erasure across shop and payroll.

Two people with the same kinds of records; everything about Alex is exported or erased
and nothing of Bart's is touched. After an erasure the whole database is scanned for
Alex's name, e-mail, street, phone and emergency contact: only the tax receipts (kept as
the law requires) may still hold them.
"""
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.files.base import ContentFile
from django.utils import timezone

from payroll.models import SignUp, Volunteer, WaiverAcceptance
from payroll.selectors.volunteers import hours_report
from payroll.services.volunteers.signups import waiver_accept
from shop.platform import roles
from shop.platform import stripe_gateway as gateway
from shop.data_rights import sections
from shop.models import (
    Address,
    Cart,
    CartLine,
    CircleInvitation,
    Donation,
    Donor,
    Event,
    EventTicket,
    GivingCircle,
    HostingRequest,
    Order,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Pledge,
    Receipt,
    RestockRequest,
    RecurringGift,
    Sponsorship,
    SponsorshipTier,
    StripeEvent,
    TicketType,
    YearEndStatement,
)
from shop.models.giving import RECEIPT_CONTENT_FIELDS
from shop.selectors.giving import giving_report
from tests.support.factories import OrderFactory, UserFactory, VariantFactory
from tests.shop.giving.factories import make_paid_donation, make_recurring
from tests.payroll.volunteers.factories import VolunteerFactory, make_shift, publish_waiver

pytestmark = pytest.mark.django_db

ALEX = {"first": "Alexandra", "last": "Quillfeather", "email": "alex.quill@example.org", "street": "742 Evergreen Terrace",
        "phone": "813-555-0142", "emergency": "Morgana Quillfeather", "tribute": "tribute.quill@example.org"}
BART = {"first": "Bartholomew", "last": "Finchley", "email": "bart.finch@example.org", "street": "10 Downing Lane",
        "phone": "813-555-0177", "emergency": "Winifred Finchley", "tribute": "tribute.finch@example.org"}


def needles(p):
    """Strings that identify the person (the surname stands for every full name)."""
    return [p["last"], p["email"], p["street"], p["phone"], p["emergency"], p["tribute"]]


def seed(p, *, circle, event, waiver, past_shift, future_shift, n):
    """One person with a record in every model data rights covers."""
    name = f"{p['first']} {p['last']}"
    user = UserFactory(username=p["email"], email=p["email"], first_name=p["first"], last_name=p["last"])
    EmailAddress.objects.create(user=user, email=p["email"], verified=True, primary=True)
    order = OrderFactory(user=user, email=p["email"], ship_name=name, ship_line1=p["street"], phone=p["phone"],
                         state=Order.State.COMPLETED)
    CartLine.objects.create(cart=Cart.objects.create(user=user), variant=VariantFactory(), quantity=2)
    Address.objects.create(user=user, name=name, line1=p["street"], city="Springfield", state="FL", postal_code="33602",
                           phone=p["phone"], is_default=True)
    RestockRequest.objects.create(variant=VariantFactory(stock=0, product__name="Tea Towels"), email=p["email"])
    donor = Donor.objects.create(email=p["email"], name=name, address_line1=p["street"], city="Springfield", state="FL",
                                 postal_code="33602")
    gift = make_paid_donation(donor, f"{40 + n}.25", tribute="honour", tribute_name=f"Grandma {p['last']}",
                              tribute_notify_email=p["tribute"], given_details={"name": name, "address_line1": p["street"]})
    monthly = make_recurring(donor, "15.00", status=RecurringGift.Status.CANCELLED, tribute="memory",
                             tribute_name=f"Grandpa {p['last']}", donor_name=name, donor_address=p["street"],
                             given_details={"name": name, "address_line1": p["street"]})
    YearEndStatement.objects.create(donor=donor, year=gift.paid_at.year, gifts=1, total=gift.total, deductible=gift.total)
    Pledge.objects.create(name=name, email=p["email"], city="Springfield", state="FL")
    CircleInvitation.objects.create(circle=circle, email=p["email"])
    circle.leaders.add(user)
    ticket_type = event.ticket_types.get()
    ticket_gift = make_paid_donation(donor, "75.00", goods_value=Decimal("30.00"), goods_description="Gala dinner")
    EventTicket.objects.create(ticket_type=ticket_type, event=event, donation=ticket_gift, quantity=2, buyer_name=name,
                               buyer_email=p["email"])
    sponsor_gift = make_paid_donation(donor, "500.00")
    Sponsorship.objects.create(tier=event.sponsorship_tiers.get(), event=event, donation=sponsor_gift,
                               sponsor_name=f"{p['last']} Family", link=f"https://{p['last'].lower()}.example",
                               logo=ContentFile(b"png", name="logo.png"))
    HostingRequest.objects.create(organisation="Book club", contact_name=name, email=p["email"], phone=p["phone"],
                                  date=timezone.localdate() + timedelta(days=30), expected_guests=20,
                                  purpose=f"{p['first']}'s book launch")
    organisation = Organisation.objects.create(name=f"Org {n}", slug=f"org-{n}")
    OrganisationMember.objects.create(organisation=organisation, user=user)
    OrganisationInvitation.objects.create(organisation=organisation, email=p["email"])
    StripeEvent.objects.create(stripe_id=f"evt_{n}", type="invoice.paid", payload={"data": {"object": {
        "customer_email": p["email"], "customer_name": name, "customer_address": {"line1": p["street"]}, "amount_paid": 1500,
    }}})
    volunteer = VolunteerFactory(user=user, full_name=name, email=p["email"], phone=p["phone"],
                                 emergency_contact_name=p["emergency"], emergency_contact_phone=p["phone"])
    waiver_accept(volunteer, version_id=waiver.pk, signed_name=name, ip="203.0.113.7",
                  now=past_shift.starts_at - timedelta(days=1))
    worked = SignUp.objects.create(volunteer=volunteer, shift=past_shift, role=past_shift.roles.get(), party_size=2,
                                   party_note=f"with my cousin {p['last']}", status=SignUp.Status.CONFIRMED,
                                   checked_in_at=past_shift.starts_at, checked_out_at=past_shift.starts_at + timedelta(hours=3))
    upcoming = SignUp.objects.create(volunteer=volunteer, shift=future_shift, role=future_shift.roles.get(),
                                     status=SignUp.Status.CONFIRMED)
    return {"user": user, "donor": donor, "gift": gift, "monthly": monthly, "order": order, "volunteer": volunteer,
            "worked": worked, "upcoming": upcoming}


@pytest.fixture
def people():
    circle = GivingCircle.objects.create(name="Women's circle", slug="women", yearly_goal=Decimal("10000.00"))
    start = timezone.now() + timedelta(days=40)
    event = Event.objects.create(title="Spring gala", slug="gala", starts_at=start, ends_at=start + timedelta(hours=3),
                                 venue="The Loft", capacity=100, is_published=True)
    TicketType.objects.create(event=event, name="Dinner", price=Decimal("75.00"), fair_market_value=Decimal("30.00"))
    SponsorshipTier.objects.create(event=event, name="Gold", amount=Decimal("500.00"), benefits="Logo")
    waiver = publish_waiver()
    waiver.published_at = timezone.now() - timedelta(days=30)
    waiver.save()
    past = make_shift(starts_in=-timedelta(days=3), hours=4)
    future = make_shift(starts_in=timedelta(days=5), roles=(("Sorting", 1),))
    shared = {"circle": circle, "event": event, "waiver": waiver, "past_shift": past, "future_shift": future}
    return {"alex": seed(ALEX, n=1, **shared), "bart": seed(BART, n=2, **shared), **shared}


def superuser():
    return UserFactory(is_superuser=True, is_staff=True)  # with an authenticator app: the login passed MFA


def staff_export(client, who, email):
    client.force_login(who)
    response = client.post("/staff/data-rights/export/", {"email": email})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def erase(client, email, again=None):
    client.force_login(superuser())
    return client.post("/staff/data-rights/erase/", {"email": email, "email_again": again or email})


def scan(strings, skip=()):
    """Every row of every model holding any of ``strings`` (case-insensitive): {model: [pk, ...]}."""
    found = {}
    lowered = [s.casefold() for s in strings]
    for model in apps.get_models():
        if model in skip:
            continue
        for row in model._default_manager.all().values():
            text = json.dumps(row, default=str, ensure_ascii=False).casefold()
            if any(s in text for s in lowered):
                found.setdefault(model.__name__, []).append(row.get("id", row.get("pk")))
    return found


def receipt_content(donor):
    return list(Receipt.objects.filter(donation__donor=donor).order_by("pk").values(*RECEIPT_CONTENT_FIELDS, "voided_at"))


# -- export -------------------------------------------------------------------------------

def test_payroll_registers_its_section_with_the_shop_registry():
    names = [s.name for s in sections()]
    assert "volunteer" in names and {"account", "orders", "giving", "pledge", "events"} <= set(names)


def test_export_holds_everything_about_the_person_and_nothing_of_another(client, people):
    data = staff_export(client, superuser(), ALEX["email"])
    s = data["sections"]
    alex = people["alex"]
    assert data["subject"] == {"emails": [ALEX["email"]], "accounts": [alex["user"].pk]}
    account = s["account"][0]
    assert account["email"] == ALEX["email"] and account["last_name"] == "Quillfeather"
    assert account["email_addresses"] == [{"email": ALEX["email"], "verified": True, "primary": True}]
    assert account["cart"][0]["quantity"] == 2 and account["giving_circles_led"] == ["Women's circle"]
    assert [(a["line1"], a["phone"], a["is_default"]) for a in account["saved_addresses"]] == [
        (ALEX["street"], ALEX["phone"], True)]
    assert [(r["product"], r["email"]) for r in s["restock_requests"]] == [("Tea Towels", ALEX["email"])]
    order = s["orders"][0]
    assert order["number"] == alex["order"].number and order["delivery"]["ship_line1"] == ALEX["street"]
    assert order["amounts"]["total"] == "28.15" and order["lines"][0]["unit_price"] == "20.00"
    giving = s["giving"]
    assert giving["donors"][0]["email"] == ALEX["email"]
    assert {d["number"] for d in giving["donations"]} == set(Donation.objects.filter(donor=alex["donor"]).values_list("number", flat=True))
    gift = next(d for d in giving["donations"] if d["number"] == alex["gift"].number)
    assert gift["amount"] == "41.25" and gift["tribute_notify_email"] == ALEX["tribute"]
    assert gift["paid_at"] == alex["gift"].paid_at.isoformat()
    assert giving["monthly_gifts"][0]["number"] == alex["monthly"].number
    assert len(giving["receipts"]) == 3 and giving["receipts"][0]["donor_name"] == "Alexandra Quillfeather"
    assert "IRS record keeping" in giving["receipts_retention"]
    assert giving["year_end_statements"][0]["total"] == "41.25"
    assert s["pledge"][0]["email"] == ALEX["email"]
    assert s["circle_invitations"][0]["circle"] == "Women's circle"
    assert s["events"]["tickets"][0]["buyer_email"] == ALEX["email"] and s["events"]["tickets"][0]["quantity"] == 2
    assert s["events"]["sponsorships"][0]["sponsor_name"] == "Quillfeather Family"
    assert s["events"]["hosting_requests"][0]["phone"] == ALEX["phone"]
    assert s["organisations"]["memberships"][0]["organisation"] == "Org 1"
    assert s["organisations"]["invitations"][0]["email"] == ALEX["email"]
    assert s["payment_messages"][0]["stripe_id"] == "evt_1"
    volunteer = s["volunteer"][0]
    assert volunteer["profile"]["emergency_contact_name"] == ALEX["emergency"]
    assert volunteer["profile"]["date_of_birth"] == "1990-01-01"
    assert volunteer["waivers"][0]["signed_name"] == "Alexandra Quillfeather" and volunteer["waivers"][0]["version"] == 1
    assert len(volunteer["sign_ups"]) == 2 and volunteer["totals"] == {"shifts_worked": 1, "hours": "3.00", "person_hours": "6.00"}
    assert "IRS record keeping" in data["retention"] and data["sections_not_included"] == []
    text = json.dumps(data)
    assert not [needle for needle in needles(BART) if needle in text]


def test_a_person_downloads_their_own_data_and_nobody_elses(client, people):
    bart = people["bart"]["user"]
    # Bart also claims Alex's address, unverified: it gives him nothing of hers.
    EmailAddress.objects.create(user=bart, email=ALEX["email"], verified=False)
    client.force_login(bart)
    assert "/account/data/export.json" in client.get("/orders/").content.decode()  # linked from "Your orders"
    response = client.get("/account/data/export.json", {"email": ALEX["email"], "user": people["alex"]["user"].pk})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["subject"] == {"emails": [BART["email"]], "accounts": [bart.pk]}
    assert data["sections"]["giving"]["donors"][0]["email"] == BART["email"]
    assert data["sections"]["volunteer"][0]["profile"]["full_name"] == "Bartholomew Finchley"
    text = json.dumps(data)
    assert not [needle for needle in needles(ALEX) if needle in text and needle != ALEX["email"]]
    assert ALEX["email"] in json.dumps(data["sections"]["account"])  # only as his own unverified claim
    assert ALEX["email"] not in json.dumps({k: v for k, v in data["sections"].items() if k != "account"})


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get("/account/data/export.json")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_export_only_their_own_sections(client, people):
    shop = staff_export(client, UserFactory(roles=[roles.SHOP_STAFF]), ALEX["email"])
    assert "volunteer" not in shop["sections"] and "giving" in shop["sections"]
    assert shop["sections_not_included"] == ["Volunteer profile, waivers, sign-ups and hours"]
    coordinator = staff_export(client, UserFactory(roles=[roles.VOLUNTEER_COORDINATOR]), ALEX["email"])
    assert list(coordinator["sections"]) == ["volunteer"]
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))
    assert client.post("/staff/data-rights/export/", {"email": ALEX["email"]}).status_code == 403
    client.force_login(UserFactory())
    assert client.post("/staff/data-rights/export/", {"email": ALEX["email"]}).status_code == 403


def test_the_staff_page_looks_up_counts_and_only_superusers_may_erase(client, people):
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    page = client.get("/staff/data-rights/").content.decode()
    assert "Look up" in page and "Erase this person" not in page
    page = client.post("/staff/data-rights/", {"email": ALEX["email"].upper()}).content.decode()
    assert "Gifts, monthly gifts, receipts and statements" in page and "Download the export" in page
    assert client.post("/staff/data-rights/erase/", {"email": ALEX["email"], "email_again": ALEX["email"]}).status_code == 403
    assert Donor.objects.filter(email=ALEX["email"]).exists()
    client.force_login(superuser())
    page = client.post("/staff/data-rights/", {"email": ALEX["email"]}).content.decode()
    assert "Erase this person" in page and "still to come will be cancelled" in page


def test_exports_and_erasures_are_in_the_audit_trail_without_the_address(client, people):
    from shop.models import AuditEvent

    admin = superuser()
    staff_export(client, admin, ALEX["email"])
    client.force_login(admin)
    client.post("/staff/data-rights/erase/", {"email": ALEX["email"], "email_again": ALEX["email"]})
    client.force_login(people["bart"]["user"])
    client.get("/account/data/export.json")
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="data_rights.")}
    assert set(events) == {"data_rights.exported", "data_rights.erased"}
    erased = events["data_rights.erased"]
    assert erased.actor == admin and erased.ip_address == "127.0.0.1" and erased.object_type == "data_rights.subject"
    assert erased.detail["accounts"] == [people["alex"]["user"].pk] and erased.detail["counts"]["donors"] == 1
    exports = AuditEvent.objects.filter(action="data_rights.exported")
    assert {e.detail["self_service"] for e in exports} == {True, False}
    assert scan(needles(ALEX), skip=[Receipt]) == {}


def test_what_the_person_did_stays_in_the_audit_trail_and_the_erasure_says_so(client, people):
    client.force_login(people["alex"]["user"])
    assert client.get("/account/data/export.json").status_code == 200
    page = erase(client, ALEX["email"]).content.decode()
    assert "1 audit-trail event(s) of what the account did" in page
    assert set(scan(needles(ALEX))) == {"Receipt"}  # the trail names a non-staff account by its id only


# -- erasure ------------------------------------------------------------------------------

def test_erasure_anonymises_every_personal_field_and_keeps_the_legal_records(client, people, django_capture_on_commit_callbacks):
    alex = people["alex"]
    year = alex["gift"].paid_at.year
    receipts_before = receipt_content(alex["donor"])
    report_before = giving_report(year)
    amounts_before = list(Donation.objects.order_by("pk").values_list("number", "amount", "total", "status", "paid_at"))
    orders_before = list(Order.objects.order_by("pk").values_list("number", "total", "tax", "state", "ship_state"))
    hours_start, hours_end = timezone.localdate() - timedelta(days=10), timezone.localdate() + timedelta(days=10)
    hours_before = hours_report(hours_start, hours_end)
    bart_before = scan(needles(BART))
    logo_name = Sponsorship.objects.get(donation__donor=alex["donor"]).logo.name

    with django_capture_on_commit_callbacks(execute=True):
        response = erase(client, ALEX["email"], ALEX["email"].upper())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Anonymised" in page and "retained as required by law: tax receipts (IRS record keeping)" in page

    leftovers = scan(needles(ALEX))
    assert set(leftovers) == {"Receipt"}, leftovers  # only the tax receipts, kept as issued
    assert receipt_content(alex["donor"]) == receipts_before
    assert giving_report(year) == report_before
    assert list(Donation.objects.order_by("pk").values_list("number", "amount", "total", "status", "paid_at")) == amounts_before
    assert list(Order.objects.order_by("pk").values_list("number", "total", "tax", "state", "ship_state")) == orders_before
    hours_after = hours_report(hours_start, hours_end)
    assert [(r.shifts, r.hours, r.person_hours) for r in hours_after["volunteers"]] == \
           [(r.shifts, r.hours, r.person_hours) for r in hours_before["volunteers"]]
    assert scan(needles(BART)) == bart_before  # the other person is untouched

    user = alex["user"]
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password() and user.email == f"erased-user-{user.pk}@erased.invalid"
    assert not EmailAddress.objects.filter(user=user).exists() and not Cart.objects.filter(user=user).exists()
    assert not people["circle"].leaders.filter(pk=user.pk).exists()
    assert not client.login(username=ALEX["email"], password="correct horse battery")
    donor = Donor.objects.get(pk=alex["donor"].pk)
    assert donor.name == f"Erased donor #{donor.pk}" and donor.email == f"erased-donor-{donor.pk}@erased.invalid"
    sponsorship = Sponsorship.objects.get(donation__donor=donor)
    assert not sponsorship.logo and not sponsorship.logo.storage.exists(logo_name)
    volunteer = Volunteer.objects.get(pk=alex["volunteer"].pk)
    assert volunteer.full_name == f"Erased volunteer #{volunteer.pk}" and volunteer.calendar_token != alex["volunteer"].calendar_token
    assert WaiverAcceptance.objects.get(volunteer=volunteer).ip_address is None
    assert SignUp.objects.get(pk=alex["worked"].pk).checked_out_at == alex["worked"].checked_out_at
    assert SignUp.objects.get(pk=alex["upcoming"].pk).status == SignUp.Status.CANCELLED
    assert SignUp.objects.filter(volunteer=volunteer).count() == 2  # sign-ups are kept

    # The erased person's records are still there for staff, under the placeholder, marked erased.
    data = staff_export(client, superuser(), donor.email)
    assert data["sections"]["giving"]["donors"][0]["erased"] is True
    assert data["sections"]["giving"]["receipts"][0]["donor_name"] == "Alexandra Quillfeather"


def test_erasing_twice_is_fine(client, people):
    assert erase(client, ALEX["email"]).status_code == 200
    snapshot = scan(["erased.invalid"])
    response = erase(client, ALEX["email"])
    assert response.status_code == 200 and "Nothing is held under that address" in response.content.decode()
    assert scan(["erased.invalid"]) == snapshot


def test_an_account_whose_address_was_never_verified_is_found_and_can_no_longer_log_in(client):
    """A volunteer who signed up and never clicked the link: the address is the account's own."""
    from django.test import Client

    user = UserFactory(email="sam.unverified@example.org", username="sam.unverified@example.org")
    user.set_password("a long volunteer password")
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    volunteer = VolunteerFactory(user=user, email=user.email)
    logged_in = Client()
    logged_in.force_login(user)
    claimant = UserFactory(email="someone.else@example.org")  # lists the address unverified beside their own
    EmailAddress.objects.create(user=claimant, email="Sam.Unverified@example.org", verified=False)

    response = erase(client, "SAM.Unverified@Example.org")  # typed in another case

    assert response.status_code == 200
    assert f"Account #{user.pk}: name and e-mail replaced" in response.content.decode()
    user.refresh_from_db()
    volunteer.refresh_from_db()
    assert (user.is_active, user.has_usable_password()) == (False, False)
    assert user.email.endswith("@erased.invalid") and volunteer.full_name == f"Erased volunteer #{volunteer.pk}"
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Client().login(email="sam.unverified@example.org", password="a long volunteer password")
    assert not Client().login(username=f"erased-user-{user.pk}", password="a long volunteer password")
    page = logged_in.get("/volunteer/")
    assert page.status_code == 302 and "/login/" in page.url  # the session open before the erasure is over
    claimant.refresh_from_db()
    assert claimant.is_active and claimant.email == "someone.else@example.org"


def test_a_volunteer_profiles_login_is_erased_with_it(client):
    """The profile's address is not the account's: the account is found through the profile."""
    user = UserFactory(email="login.address@example.org")
    volunteer = VolunteerFactory(user=user, email="profile.address@example.org")
    assert erase(client, "profile.address@example.org").status_code == 200
    user.refresh_from_db()
    volunteer.refresh_from_db()
    assert not user.is_active and volunteer.email.endswith("@erased.invalid")


def test_the_address_must_be_typed_twice_alike(client, people):
    response = erase(client, ALEX["email"], BART["email"])
    assert response.status_code == 400 and "The two addresses differ" in response.content.decode()
    assert Donor.objects.filter(email=ALEX["email"]).exists()


def test_open_monthly_gifts_are_cancelled_at_stripe_first(client, people, monkeypatch):
    alex = people["alex"]
    monthly = make_recurring(alex["donor"], "25.00", stripe_subscription_id="sub_alex")
    cancelled = []
    monkeypatch.setattr(gateway, "cancel_subscription", lambda sub: cancelled.append(sub) or {"status": "canceled"})
    response = erase(client, ALEX["email"])
    assert response.status_code == 200 and f"Monthly gift {monthly.number} cancelled" in response.content.decode()
    assert cancelled == ["sub_alex"]
    monthly.refresh_from_db()
    assert monthly.status == RecurringGift.Status.CANCELLED and monthly.cancelled_at is not None


def test_a_stripe_refusal_erases_nothing(client, people, monkeypatch):
    alex = people["alex"]
    make_recurring(alex["donor"], "25.00", stripe_subscription_id="sub_alex")

    def refuse(subscription_id):
        raise gateway.PaymentGatewayError("Stripe is unavailable.")

    monkeypatch.setattr(gateway, "cancel_subscription", refuse)
    before = scan(needles(ALEX))
    response = erase(client, ALEX["email"])
    assert response.status_code == 409
    assert "Stripe could not cancel monthly gift" in response.content.decode() and "Nothing was erased" in response.content.decode()
    assert scan(needles(ALEX)) == before
    assert RecurringGift.objects.filter(donor=alex["donor"], status=RecurringGift.Status.ACTIVE).exists()


def test_erasure_waits_for_a_paid_order_to_ship(client, people):
    order = people["alex"]["order"]
    Order.objects.filter(pk=order.pk).update(state=Order.State.PAID)
    response = erase(client, ALEX["email"])
    assert response.status_code == 409 and f"Order {order.number} is paid and not shipped yet" in response.content.decode()
    assert Donor.objects.filter(email=ALEX["email"]).exists()


def test_staff_and_employee_accounts_are_not_erased_here(client, people):
    from tests.payroll.factories import EmployeeFactory

    staff = UserFactory(email="staffer@example.org", roles=[roles.SHOP_STAFF])
    response = erase(client, staff.email)
    assert response.status_code == 409 and "staff account" in response.content.decode()
    employee = EmployeeFactory()
    employee.user = UserFactory(email="worker@example.org")
    employee.save()
    response = erase(client, "worker@example.org")
    assert response.status_code == 409 and "belongs to an employee" in response.content.decode()
    assert employee.user.__class__.objects.get(pk=employee.user.pk).is_active


def test_a_minor_volunteers_guardian_is_anonymised_and_the_co_signature_kept(client, people):
    waiver = people["waiver"]
    user = UserFactory(email="kid@example.org")
    kid = VolunteerFactory(user=user, full_name="Kiddo Youngblood", email="kid@example.org",
                           date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 15))
    waiver_accept(kid, version_id=waiver.pk, signed_name="Kiddo Youngblood", ip="198.51.100.4",
                  guardian_name="Gwendolyn Youngblood", guardian_email="gwen.young@example.org", guardian_agrees=True)
    assert erase(client, "kid@example.org").status_code == 200
    acceptance = WaiverAcceptance.objects.get(volunteer=kid)
    assert acceptance.minor_at_signing and acceptance.guardian_signed_at is not None
    assert acceptance.guardian_name == "Erased guardian" and acceptance.guardian_email.endswith("@erased.invalid")
    assert scan(["Youngblood", "gwen.young@example.org", "kid@example.org"]) == {}
