"""Checkout the way browsers help: autocomplete tokens and input types on every address,
e-mail and phone field; saved addresses for signed-in customers (choose, add, set the
default, remove), the last used preselected."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from shop.models import Address, Order, ShippingMethod
from shop.models.addresses import MAX_ADDRESSES
from shop.services.addresses import AddressDetails, address_add
from tests.support.factories import ShippingMethodFactory, TaxRateFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

TYPED = {"email": "casey@example.org", "name": "Casey Customer", "line1": "12 Bay St", "city": "Tampa", "state": "FL",
         "postal_code": "33602", "phone": "813-555-0100"}
OFFICE = AddressDetails(name="Casey Customer", line1="400 N Ashley Dr", line2="Suite 1900", city="Tampa", state="FL",
                        postal_code="33602")
HOME = AddressDetails(name="Casey Customer", line1="9 Oak Ln", city="Atlanta", state="GA", postal_code="30303")


@pytest.fixture
def shipping():
    TaxRateFactory(state="FL", rate=Decimal("0.0600"))
    return ShippingMethodFactory(price=Decimal("6.95"), free_over=Decimal("500.00"))


@pytest.fixture
def casey(client):
    user = UserFactory(email="casey@example.org")
    client.force_login(user)
    return user


def fill_cart(client):
    variant = VariantFactory(price=Decimal("10.00"), stock=20)
    assert client.post(variant.product.get_absolute_url(), {"variant": variant.pk, "quantity": 1}).status_code == 302


def checkout(client, shipping, **fields):
    fill_cart(client)
    return client.post(reverse("shop:checkout"), {"shipping_method": shipping.pk, **fields})


def tag(html: str, name: str) -> str:
    match = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', html)
    assert match, f"no field {name}"
    return match.group(0)


def checked_address(html: str) -> str | None:
    match = re.search(r'<input type="radio" name="saved_address" value="(\w+)"[^>]*checked', html)
    return match.group(1) if match else None


# -- what the browser is told ----------------------------------------------------------------

def test_every_address_email_and_phone_field_carries_its_autocomplete_token(client, shipping):
    fill_cart(client)
    html = client.get(reverse("shop:checkout")).content.decode()
    expected = {"email": "email", "name": "shipping name", "line1": "shipping address-line1",
                "line2": "shipping address-line2", "city": "shipping address-level2",
                "state": "shipping address-level1", "postal_code": "shipping postal-code",
                "country": "shipping country", "phone": "shipping tel"}
    for field, token in expected.items():
        assert f'autocomplete="{token}"' in tag(html, field), field
    assert 'type="email"' in tag(html, "email")
    assert 'type="tel"' in tag(html, "phone") and 'inputmode="tel"' in tag(html, "phone")
    assert 'inputmode="numeric"' in tag(html, "postal_code")


def test_the_donate_page_fields_are_filled_by_the_browser_too(client):
    html = client.get(reverse("shop:donate")).content.decode()
    assert 'autocomplete="email"' in tag(html, "email") and 'type="email"' in tag(html, "email")
    assert 'autocomplete="billing address-line1"' in tag(html, "address_line1")
    assert 'autocomplete="billing postal-code"' in tag(html, "postal_code")
    assert 'autocomplete="off"' in tag(html, "tribute_notify_email")  # someone else's address


def test_a_guest_is_offered_no_address_book(client, shipping):
    fill_cart(client)
    html = client.get(reverse("shop:checkout")).content.decode()
    assert 'name="saved_address"' not in html and 'name="save_address"' not in html
    response = client.post(reverse("shop:checkout"), {**TYPED, "shipping_method": shipping.pk, "save_address": "on"})
    assert response.status_code == 302 and not Address.objects.exists()


# -- saving and choosing at checkout ---------------------------------------------------------

def test_a_typed_address_is_saved_when_asked_and_becomes_the_first_default(client, casey, shipping):
    response = checkout(client, shipping, **TYPED, save_address="on")
    assert response.status_code == 302
    address = Address.objects.get()
    assert (address.user, address.line1, address.city, address.state, address.postal_code, address.phone) == (
        casey, "12 Bay St", "Tampa", "FL", "33602", "813-555-0100")
    assert address.is_default and address.last_used_at is not None


def test_not_asking_saves_nothing(client, casey, shipping):
    assert checkout(client, shipping, **TYPED).status_code == 302
    assert not Address.objects.exists()


def test_the_same_address_typed_again_is_not_saved_twice(client, casey, shipping):
    checkout(client, shipping, **TYPED, save_address="on")
    checkout(client, shipping, **{**TYPED, "line1": " 12  bay st ", "saved_address": "new"}, save_address="on")
    assert Address.objects.count() == 1


def test_choosing_a_saved_address_delivers_there_and_it_is_preselected_next_time(client, casey, shipping):
    office, home = address_add(casey, OFFICE), address_add(casey, HOME)
    fill_cart(client)
    html = client.get(reverse("shop:checkout")).content.decode()
    assert checked_address(html) == str(office.pk)  # never used: the default (the first saved)
    # Chosen: the typed fields (left empty) are not needed and not used.
    response = client.post(reverse("shop:checkout"), {"email": "casey@example.org", "name": "Casey Customer",
                                                      "shipping_method": shipping.pk, "saved_address": str(home.pk),
                                                      "line1": "", "postal_code": "bad"})
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.ship_line1, order.ship_city, order.ship_state, order.ship_postal_code) == (
        "9 Oak Ln", "Atlanta", "GA", "30303")
    fill_cart(client)
    assert checked_address(client.get(reverse("shop:checkout")).content.decode()) == str(home.pk)  # the last used


def test_someone_elses_address_cannot_be_chosen(client, casey, shipping):
    address_add(casey, OFFICE)
    theirs = address_add(UserFactory(), HOME)
    response = checkout(client, shipping, email="casey@example.org", name="Casey", saved_address=str(theirs.pk))
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Order.objects.exists()


def test_a_full_address_book_does_not_stop_the_order(client, casey, shipping):
    for n in range(MAX_ADDRESSES):
        address_add(casey, AddressDetails(name="C", line1=f"{n} Main St", city="Tampa", state="FL", postal_code="33602"))
    response = checkout(client, shipping, **TYPED, saved_address="new", save_address="on")
    assert response.status_code == 302 and Order.objects.count() == 1
    assert Address.objects.filter(user=casey).count() == MAX_ADDRESSES


def test_a_local_pickup_saves_no_address(client, casey):
    pickup = ShippingMethodFactory(name="Local pickup", kind=ShippingMethod.PICKUP, price=Decimal("0"))
    response = checkout(client, pickup, email="casey@example.org", name="Casey", save_address="on")
    assert response.status_code == 302 and not Address.objects.exists()


# -- the address book ------------------------------------------------------------------------

def test_the_address_book_adds_and_makes_one_the_default(client, casey):
    first = address_add(casey, OFFICE)
    response = client.post(reverse("shop:addresses"), {"name": "Casey", "line1": "9 Oak Ln", "city": "Atlanta",
                                                       "state": "GA", "postal_code": "30303", "make_default": "on"})
    assert response.status_code == 302
    added = Address.objects.get(line1="9 Oak Ln")
    assert list(Address.objects.filter(is_default=True)) == [added]
    client.post(reverse("shop:address_default", args=[first.pk]))
    assert list(Address.objects.filter(is_default=True)) == [first]
    html = client.get(reverse("shop:addresses")).content.decode()
    assert "400 N Ashley Dr" in html and "9 Oak Ln" in html and 'autocomplete="shipping postal-code"' in html


def test_a_bad_address_is_a_field_error_and_nothing_is_saved(client, casey):
    response = client.post(reverse("shop:addresses"), {"name": "Casey", "line1": "9 Oak Ln", "city": "Atlanta",
                                                       "state": "GA", "postal_code": "3030"})
    assert response.status_code == 400 and "5-digit ZIP" in response.content.decode()
    assert not Address.objects.exists()


def test_removing_the_default_makes_the_next_one_default(client, casey):
    office, home = address_add(casey, OFFICE), address_add(casey, HOME)
    assert office.is_default
    assert client.post(reverse("shop:address_remove", args=[office.pk])).status_code == 302
    assert list(Address.objects.all()) == [home] and Address.objects.get().is_default


def test_nobody_changes_or_removes_someone_elses_address(client, casey):
    theirs = address_add(UserFactory(), HOME)
    assert client.post(reverse("shop:address_remove", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("shop:address_default", args=[theirs.pk])).status_code == 404
    assert Address.objects.filter(pk=theirs.pk, is_default=True).exists()
    assert "9 Oak Ln" not in client.get(reverse("shop:addresses")).content.decode()


def test_the_address_book_needs_a_login(client):
    response = client.get(reverse("shop:addresses"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_address_number_past_the_databases_integers_is_not_found(client, casey):
    for url in (f"/account/addresses/{2**64}/default/", f"/account/addresses/{10**30}/remove/"):
        assert client.post(url).status_code == 404


def test_the_event_and_pledge_forms_are_filled_by_the_browser_too(client):
    """Tickets, sponsorship, hosting and the pledge: the buyer's own name, e-mail, organisation
    and receipt address carry their tokens (prefixed fields: tickets ``ticket-``, sponsors ``sponsor-``)."""
    from tests.shop.giving.test_events import gala, gold_tier

    event, _ = gala()
    gold_tier(event)
    html = client.get(reverse("shop:event", args=[event.slug])).content.decode()
    assert 'autocomplete="name"' in tag(html, "ticket-name")
    assert 'autocomplete="email"' in tag(html, "ticket-email") and 'inputmode="email"' in tag(html, "ticket-email")
    assert 'autocomplete="billing address-line1"' in tag(html, "ticket-address_line1")
    assert 'autocomplete="billing postal-code"' in tag(html, "ticket-postal_code")
    assert 'inputmode="numeric"' in tag(html, "ticket-postal_code")
    assert 'autocomplete="organization"' in tag(html, "sponsor-sponsor_name")
    assert 'autocomplete="url"' in tag(html, "sponsor-link")
    assert 'autocomplete="name"' in tag(html, "sponsor-contact_name")
    host = client.get(reverse("shop:event_host")).content.decode()
    assert 'autocomplete="organization"' in tag(host, "organisation") and 'autocomplete="name"' in tag(host, "contact_name")
    assert 'type="tel"' in tag(host, "phone") and 'autocomplete="tel"' in tag(host, "phone")
    pledge = client.get(reverse("shop:pledge")).content.decode()
    assert 'autocomplete="name"' in tag(pledge, "name") and 'autocomplete="email"' in tag(pledge, "email")
    assert 'autocomplete="organization"' in tag(pledge, "business_name")
    assert 'autocomplete="address-level2"' in tag(pledge, "city") and 'autocomplete="address-level1"' in tag(pledge, "state")
