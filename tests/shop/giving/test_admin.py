"""Giving in the admin: shop staff read gifts and receipts there; a receipt cannot be changed or deleted."""
import pytest

from shop.platform import roles
from shop.models import Donor, Receipt
from tests.support.factories import UserFactory
from tests.shop.giving.factories import make_paid_donation

pytestmark = pytest.mark.django_db


def test_shop_staff_read_a_receipt_but_cannot_change_or_delete_it(client):
    receipt = make_paid_donation().receipts.get()
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF], is_staff=True))
    page = client.get(f"/admin/shop/receipt/{receipt.pk}/change/")
    assert page.status_code == 200 and receipt.number in page.content.decode()
    assert b'name="donor_name"' not in page.content  # shown, not an input
    assert client.post(f"/admin/shop/receipt/{receipt.pk}/change/", {"donor_name": "Someone Else"}).status_code == 403
    assert client.post(f"/admin/shop/receipt/{receipt.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Receipt.objects.get(pk=receipt.pk).donor_name == "Dana Donor"


def test_shop_staff_may_correct_a_donors_address_but_not_the_email(client):
    donor = make_paid_donation().donor
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF], is_staff=True))
    response = client.post(f"/admin/shop/donor/{donor.pk}/change/", {
        "name": "Dana Donor", "address_line1": "9 Bay St", "city": "Tampa", "state": "FL", "postal_code": "33606",
        "email": "other@example.org", "donations-TOTAL_FORMS": "1", "donations-INITIAL_FORMS": "1",
        "donations-MIN_NUM_FORMS": "0", "donations-MAX_NUM_FORMS": "1000"})
    assert response.status_code == 302, response.content.decode()[:2000]
    donor.refresh_from_db()
    assert (donor.address_line1, donor.postal_code, donor.email) == ("9 Bay St", "33606", donor.email)
    assert Donor.objects.filter(email="other@example.org").count() == 0


def test_a_gifts_admin_page_shows_its_payment_record_read_only_and_finds_it_by_stripe_id(client):
    donation = make_paid_donation(receipt=False)
    intent_id = donation.payments.get().stripe_payment_intent_id
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF], is_staff=True))
    page = client.get(f"/admin/shop/donation/{donation.pk}/change/").content.decode()
    assert intent_id in page and 'name="payments-0-stripe_payment_intent_id"' not in page  # shown, not an input
    found = client.get("/admin/shop/donation/", {"q": intent_id}).content.decode()
    assert donation.number in found
