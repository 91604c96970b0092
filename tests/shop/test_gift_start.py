"""/gifts/ for visitors and "Start an order" (issue 22): the catalogue instead of a sign-in
page; one form opening the account, the organisation (its creator the administrator, card
payment at once) and a first draft from the quoted box and quantity; net 30 only after shop
staff approve it."""
import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from shop.models import (
    AuditEvent,
    BoxSize,
    ClassicBox,
    ClassicBoxItem,
    GiftDesign,
    GiftOrder,
    Organisation,
    OrganisationMember,
    User,
)
from shop.platform.errors import DomainError
from shop.platform.roles import SHOP_STAFF
from shop.services.gifts.orders import gift_order_place
from shop.services.organisations import organisation_terms_approve, organisation_terms_withdraw
from tests.support.factories import ProductFactory, UserFactory, VariantFactory, bulk_address

pytestmark = pytest.mark.django_db
D = Decimal
PASSWORD = "a long enough passphrase"
START = "/gifts/start/"


@pytest.fixture
def thank_you():
    medium = BoxSize.objects.create(name="Medium", slots=6, base_price=D("12.00"))
    candle = VariantFactory(product=ProductFactory(name="Cedar Candle", gift_slots=1), price=D("20.00"), stock=900)
    box = ClassicBox.objects.create(name="The Thank-You", slug="thank-you", size=medium)
    ClassicBoxItem.objects.create(box=box, variant=candle, quantity=2)
    return box


def visitor_form(**changes):
    data = {"email": "Dana@Example.com", "password1": PASSWORD, "password2": PASSWORD, "your_name": "Dana Reyes",
            "organisation": "Acme Widgets", "box": "thank-you", "quantity": "40", "shipping": "bulk", "state": "FL"}
    data.update(changes)
    return data


def test_a_visitor_gets_the_catalogue_and_a_quote_at_gifts_not_a_sign_in_page(client, thank_you):
    page = client.get("/gifts/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "The Thank-You" in body and "$52.00 a box" in body  # 12.00 + 2 × 20.00
    assert "Instant quote" in body and "Start an order" in body
    quoted = client.get("/gifts/", {"box": "thank-you", "quantity": "40", "shipping": "bulk"})
    assert quoted.status_code == 200 and quoted.context["quote"].quantity == 40
    # The start link carries the quote.
    assert 'href="/gifts/start/?box=thank-you&amp;quantity=40&amp;shipping=bulk"' in quoted.content.decode()


def test_a_member_keeps_the_organisations_page(client, thank_you):
    organisation = Organisation.objects.create(name="Acme", slug="acme")
    member = UserFactory()
    OrganisationMember.objects.create(organisation=organisation, user=member)
    client.force_login(member)
    page = client.get("/gifts/")
    assert page.status_code == 200 and "Your orders" in page.content.decode()
    assert client.get(START).status_code == 302  # already in an organisation


def test_the_start_page_is_filled_in_from_the_quote(client, thank_you, django_assert_num_queries):
    client.get(START)  # the session and the page's shared parts, once
    with django_assert_num_queries(2):  # the classic boxes, their items with products (a visitor: no member check)
        page = client.get(START, {"box": "thank-you", "quantity": "40", "shipping": "bulk", "state": "FL"})
    form = page.context["form"]
    assert page.status_code == 200
    assert (form["box"].value(), form["quantity"].value(), form["shipping"].value(), form["state"].value()) == (
        "thank-you", "40", "bulk", "FL")


def test_starting_an_order_creates_the_account_the_organisation_its_admin_and_the_draft(client, thank_you):
    response = client.post(START, visitor_form(invoice_terms="on"))
    assert response.status_code == 302 and response.url == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.email == "dana@example.com" and user.check_password(PASSWORD)
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.slug, organisation.billing_contact, organisation.billing_email) == (
        "Acme Widgets", "acme-widgets", "Dana Reyes", "dana@example.com")
    # Card at once; the request for invoices waits for staff.
    assert organisation.payment_terms == Organisation.Terms.CARD and organisation.terms_requested_at is not None
    assert list(OrganisationMember.objects.values_list("user", "organisation", "role")) == [
        (user.pk, organisation.pk, "admin")]
    design = GiftDesign.objects.get()
    assert (design.organisation, design.name, design.size.name) == (organisation, "The Thank-You", "Medium")
    assert list(design.items.values_list("variant__product__name", "quantity")) == [("Cedar Candle", 2)]
    assert (design.planned_quantity, design.planned_shipping, design.planned_state) == (40, "bulk", "FL")
    assert [m.to for m in mail.outbox] == [["dana@example.com"]] and "confirm" in mail.outbox[0].body.lower()
    assert "_auth_user_id" not in client.session  # as at every sign-up: the address is confirmed first

    # Signing in lands on /gifts/, where the draft is; the builder opens with the quote worked out.
    signed_in = Client()
    landing = signed_in.post(reverse("account_login"), {"login": "dana@example.com", "password": PASSWORD})
    assert landing.url == reverse("shop:gifts")
    assert "The Thank-You" in signed_in.get("/gifts/").content.decode()
    builder = signed_in.get(reverse("shop:gift_design", args=[design.pk]))
    assert builder.status_code == 200
    quote = builder.context["quote"]
    # By hand: 40 × (12 + 2 × 20) = $2,080.00; 40 boxes take no tier here; bulk shipping by the settings.
    assert (quote.quantity, quote.box_price, quote.boxes_subtotal) == (40, D("52.00"), D("2080.00"))
    assert builder.context["order_form"]["quantity"].value() == 40
    assert builder.context["order_form"]["shipping"].value() == "bulk"


def test_a_signed_in_person_without_an_organisation_gives_only_the_organisation(client, thank_you):
    person = UserFactory(email="sam@example.org")
    client.force_login(person)
    page = client.get(START)
    assert page.context["signup"] is None and "password1" not in page.content.decode()
    response = client.post(START, {"your_name": "Sam", "organisation": "Globex", "box": "thank-you",
                                   "quantity": "25", "shipping": "per_recipient", "state": ""})
    design = GiftDesign.objects.get()
    assert response.url == reverse("shop:gift_design", args=[design.pk])
    assert OrganisationMember.objects.get().user == person and OrganisationMember.objects.get().role == "admin"
    assert User.objects.count() == 1


@pytest.mark.parametrize("changes, form, field", [
    ({"email": "not-an-address"}, "signup", "email"),
    ({"password2": "something else entirely"}, "signup", "password2"),
    ({"password1": "12345678", "password2": "12345678"}, "signup", "password1"),
    ({"organisation": ""}, "form", "organisation"),
    ({"organisation": "x" * 121}, "form", "organisation"),
    ({"box": "retired-or-made-up"}, "form", "box"),
    ({"quantity": "0"}, "form", "quantity"),
    ({"quantity": "٣"}, "form", "quantity"),
    ({"shipping": "drone"}, "form", "shipping"),
])
def test_bad_input_is_a_field_error_and_creates_nothing(client, thank_you, changes, form, field):
    response = client.post(START, visitor_form(**changes))
    assert response.status_code == 400
    assert field in response.context[form].errors
    assert not User.objects.exists() and not Organisation.objects.exists() and not GiftDesign.objects.exists()
    body = response.content.decode()
    assert PASSWORD not in body  # a password is never sent back in the page


def test_a_taken_address_opens_nothing_looks_like_a_new_one_and_tells_the_owner(client, thank_you):
    owner = UserFactory(email="dana@example.com")
    response = client.post(START, visitor_form(email="DANA@example.com"))
    assert response.status_code == 302 and response.url == reverse("account_email_verification_sent")
    assert User.objects.get() == owner
    assert not Organisation.objects.exists() and not GiftDesign.objects.exists()
    assert [m.to for m in mail.outbox] == [["dana@example.com"]]
    assert "an account using that email address already exists" in mail.outbox[0].body
    assert "_auth_user_id" not in client.session


def test_start_is_counted_against_the_sign_up_limit(client, thank_you, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    client.post(START, visitor_form(email="one@example.com"))
    client.post(reverse("account_signup"), {"email": "two@example.com", "password1": PASSWORD, "password2": PASSWORD})
    refused = client.post(START, visitor_form(email="three@example.com"))
    assert refused.status_code == 429
    assert not User.objects.filter(email="three@example.com").exists()


def test_no_password_reaches_the_logs(client, thank_you, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(START, visitor_form(password2="mismatched passphrase here"))
    client.post(START, visitor_form())
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {getattr(r, 'request', '')!r}" for r in caplog.records)
    assert PASSWORD not in logged and "mismatched passphrase here" not in logged
    # And Django's error reports leave them out too.
    from django.test import RequestFactory
    from django.views.debug import SafeExceptionReporterFilter

    from shop.views.gifts.catalogue import gift_start

    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().post(START, visitor_form(organisation=""))  # a field error: the page again
    request.user, request.session = AnonymousUser(), client.session
    assert gift_start(request).status_code == 400
    hidden = SafeExceptionReporterFilter().get_post_parameters(request)
    assert hidden["password1"] == hidden["password2"] == "********************" and hidden["email"] == "Dana@Example.com"


def test_net_30_only_after_staff_approve_through_the_service(client, thank_you, localstripe_server):
    client.post(START, visitor_form(invoice_terms="on"))
    organisation = Organisation.objects.get()
    admin = User.objects.get()
    with pytest.raises(DomainError, match="Only shop staff"):
        organisation_terms_approve(organisation.pk, admin)  # the client cannot grant itself terms
    design = GiftDesign.objects.get()
    later = date(2026, 11, 23) + timedelta(days=60)

    def place():
        return gift_order_place(GiftDesign.objects.get(pk=design.pk), 40, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=later,
                                actor=admin, today=date(2026, 11, 23))

    assert place().payment == GiftOrder.Payment.CARD
    staff = UserFactory(roles=[SHOP_STAFF])
    organisation_terms_approve(organisation.pk, staff)
    organisation.refresh_from_db()
    assert organisation.payment_terms == Organisation.Terms.NET30 and organisation.terms_approved_by == staff
    assert AuditEvent.objects.filter(action="organisation.terms_approved", actor=staff).count() == 1
    assert place().payment == GiftOrder.Payment.INVOICE
    organisation_terms_withdraw(organisation.pk, staff)
    assert place().payment == GiftOrder.Payment.CARD


def test_staff_approve_terms_from_the_admin_action(client, thank_you):
    organisation = Organisation.objects.create(name="Acme", slug="acme", terms_requested_at="2026-12-01T10:00Z")
    staff = UserFactory(roles=[SHOP_STAFF], is_staff=True)
    client.force_login(staff)
    changelist = reverse("admin:shop_organisation_changelist")
    assert "Acme" in client.get(changelist, {"terms": "waiting"}).content.decode()
    response = client.post(changelist, {"action": "approve_invoice_terms", "_selected_action": [organisation.pk]})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.payment_terms == Organisation.Terms.NET30 and organisation.terms_approved_by == staff


def test_both_answers_tell_the_visitor_where_the_draft_will_be(thank_you):
    UserFactory(email="owner@example.com")
    pages = []
    for email in ("newcomer@example.com", "owner@example.com"):
        visitor = Client()
        response = visitor.post(START, visitor_form(email=email))
        pages.append(visitor.get(response.url).content.decode())
    for page in pages:
        assert "your organisation&#x27;s first box will be waiting under Corporate gifts" in page
