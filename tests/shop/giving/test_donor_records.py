"""Issue 16: a donor's record is never overwritten by whoever types its e-mail, and a gift made
while signed in belongs to that account."""
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shop.models import Donation, Donor, RecurringGift
from shop.services import events as event_service
from shop.services.circles import circle_join
from shop.services.donations import donation_mark_paid, recurring_start
from shop.services.statements import statement_send
from tests.support.factories import UserFactory
from tests.shop.giving.conftest import details
from tests.shop.giving.factories import make_donor, make_paid_donation
from tests.shop.giving.test_circles import make_circle
from tests.shop.giving.test_events import gala, gold_tier

pytestmark = pytest.mark.django_db

ATTACK = {"preset": "other", "other_amount": "5.00", "frequency": "once", "fund": "general", "name": "Attacker Overwrote",
          "email": "VICTIM@Example.ORG", "address_line1": "666 Evil Rd", "city": "Miami", "state": "FL", "postal_code": "33101"}


def victim() -> Donor:
    return make_donor(email="victim@example.org", name="Vera Victim")


def assert_untouched(donor: Donor):
    donor.refresh_from_db()
    assert (donor.name, donor.address) == ("Vera Victim", "1 Main St\nTampa FL 33602")


def test_an_unpaid_gift_with_someone_elses_email_changes_nothing(client, localstripe_server):
    donor = victim()
    make_paid_donation(donor, paid_at=(timezone.now().year - 1, 6, 1))
    response = client.post(reverse("shop:donate"), ATTACK)
    assert response.status_code == 302
    assert_untouched(donor)
    gift = Donation.objects.get(status=Donation.Status.PENDING)
    assert gift.donor_id == donor.pk  # the gift is the e-mail's, with the details given kept on it
    assert (gift.donor_name, gift.donor_address) == ("Attacker Overwrote", "666 Evil Rd\nMiami FL 33101")
    mail.outbox.clear()
    assert statement_send(donor.pk, timezone.now().year - 1)
    assert "Dear Vera Victim" in mail.outbox[0].body
    assert "Attacker" not in mail.outbox[0].body


ATTACKER = {"name": "Attacker Overwrote", "address_line1": "666 Evil Rd", "address_line2": "", "city": "Miami",
            "state": "FL", "postal_code": "33101"}


def pending(donor, user=None, given=ATTACKER):
    return Donation.objects.create(donor=donor, donor_name=given["name"], donor_address=given["address_line1"],
                                   given_details=given, user=user, amount="5.00", total="5.00")


def test_a_paid_gift_from_someone_else_does_not_rewrite_the_record_either():
    donor = victim()
    make_paid_donation(donor)
    donation_mark_paid(pending(donor).pk)
    assert_untouched(donor)
    # Signed in, but to an account that never confirmed the address: no more than anyone else.
    donation_mark_paid(pending(donor, user=UserFactory(email="victim@example.org")).pk)
    assert_untouched(donor)


def test_the_signed_in_owner_of_the_email_updates_the_record_with_a_paid_gift():
    from allauth.account.models import EmailAddress

    donor = victim()
    make_paid_donation(donor)
    owner = UserFactory(email="victim@example.org")
    EmailAddress.objects.create(user=owner, email="Victim@Example.org", verified=True)
    moved = {"name": "Vera Victim-Moss", "address_line1": "9 New Rd", "address_line2": "Apt 2", "city": "Orlando",
             "state": "FL", "postal_code": "32801"}
    gift = pending(donor, user=owner, given=moved)
    donor.refresh_from_db()
    assert donor.name == "Vera Victim"  # not while the gift is unpaid
    donation_mark_paid(gift.pk)
    donor.refresh_from_db()
    assert (donor.name, donor.address) == ("Vera Victim-Moss", "9 New Rd\nApt 2\nOrlando FL 32801")


def test_typing_a_new_donors_email_first_does_not_name_that_donor(client, localstripe_server):
    """Someone starts (and never pays) a gift with an e-mail that has no donor yet; the real
    owner's first paid gift then gives the record its name and address."""
    response = client.post(reverse("shop:donate"), ATTACK)
    assert response.status_code == 302
    donor = Donor.objects.get(email="victim@example.org")
    real = Donation.objects.create(donor=donor, donor_name="Vera Victim", donor_address="1 Main St\nTampa FL 33602",
                                   given_details={"name": "Vera Victim", "address_line1": "1 Main St", "city": "Tampa",
                                                  "state": "FL", "postal_code": "33602"},
                                   amount="50.00", total="50.00")
    donation_mark_paid(real.pk)
    Donation.objects.filter(pk=real.pk).update(paid_at=timezone.now().replace(year=timezone.now().year - 1))
    assert_untouched(donor)
    mail.outbox.clear()
    assert statement_send(donor.pk, timezone.now().year - 1)
    assert "Dear Vera Victim" in mail.outbox[0].body
    # A later paid gift by whoever typed the e-mail first changes nothing.
    donation_mark_paid(pending(donor).pk)
    assert_untouched(donor)


def test_monthly_and_circle_gifts_keep_their_details_on_the_gift():
    donor = victim()
    recurring = recurring_start(details(monthly=True, email="Victim@example.org", name="Attacker Overwrote",
                                        address_line1="666 Evil Rd", city="Miami", postal_code="33101"))
    circle, _leader = make_circle()
    joined = circle_join(circle, details(email="victim@EXAMPLE.org", name="Attacker Again", address_line1="7 Other St"))
    assert_untouched(donor)
    assert recurring.donor_id == joined.donor_id == donor.pk
    assert (recurring.donor_name, recurring.donor_address) == ("Attacker Overwrote", "666 Evil Rd\nMiami FL 33101")
    assert joined.donor_name == "Attacker Again"


def test_tickets_and_sponsorships_do_not_rewrite_the_donor(localstripe_server):
    donor = victim()
    event, dinner = gala()
    ticket = event_service.tickets_reserve(dinner, 1, event_service.Buyer(
        "Attacker Overwrote", "VICTIM@example.org", "666 Evil Rd", "", "Miami", "FL", "33101"))
    sponsorship = event_service.sponsorship_start(gold_tier(event), event_service.Sponsor(
        "Evil Corp", "Attacker Overwrote", "victim@example.org", address_line1="666 Evil Rd"))
    assert_untouched(donor)
    assert ticket.donation.donor_id == sponsorship.donation.donor_id == donor.pk
    assert ticket.donation.donor_address == "666 Evil Rd\nMiami FL 33101"  # the receipt goes to who paid
    assert sponsorship.donation.donor_address == "666 Evil Rd"


def test_the_pay_page_tells_a_donor_who_is_not_signed_in_how_to_manage_a_monthly_gift(client):
    response = client.post(reverse("shop:donate"), {**ATTACK, "frequency": "monthly", "email": "new@example.org"})
    pay = client.get(response.url).content.decode()
    assert "sign in (or create an account) with new@example.org and confirm that address" in pay


def test_a_new_email_makes_a_new_donor_with_the_details_given():
    recurring_start(details(monthly=True, email="New@Example.org", name="Nia New"))
    assert Donor.objects.get(email="new@example.org").name == "Nia New"


def test_a_monthly_gift_made_signed_in_is_on_the_giving_page_before_the_email_is_verified(client):
    user = UserFactory(email="sam@example.org")  # no verified address
    client.force_login(user)
    response = client.post(reverse("shop:donate"), {**ATTACK, "frequency": "monthly", "other_amount": "20.00",
                                                    "name": "Sam Signed", "email": "sam@example.org"})
    assert response.status_code == 302
    recurring = RecurringGift.objects.get()
    assert recurring.user == user
    pay = client.get(response.url).content.decode()
    assert "change, pause or cancel it from" in pay and reverse("shop:my_giving") in pay
    RecurringGift.objects.filter(pk=recurring.pk).update(status=RecurringGift.Status.ACTIVE)
    page = client.get(reverse("shop:my_giving")).content.decode()
    assert recurring.number in page
    assert "We found no gifts" not in page
    client.post(reverse("shop:my_monthly_action", args=[recurring.number, "pause"]))
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.PAUSED
    # Another account sees nothing of it and cannot act on it.
    client.force_login(UserFactory(email="other@example.org"))
    assert recurring.number not in client.get(reverse("shop:my_giving")).content.decode()
    assert client.post(reverse("shop:my_monthly_action", args=[recurring.number, "resume"])).status_code == 404


def test_each_month_of_a_signed_in_monthly_gift_and_its_receipt_belong_to_the_account(client):
    from shop.services.donations import _invoice_paid
    from tests.shop.giving.factories import make_recurring

    user = UserFactory(email="sam@example.org")
    recurring = make_recurring(user=user, donor_name="Sam Signed", donor_address="2 Oak St")
    invoice = {"id": "in_owned_1", "amount_paid": 2000, "currency": "usd",
               "status_transitions": {"paid_at": int((timezone.now() - timedelta(minutes=1)).timestamp())}}
    month = _invoice_paid(recurring, invoice)
    assert (month.user, month.donor_name, month.donor_address) == (user, "Sam Signed", "2 Oak St")
    from shop.services.receipts import receipt_issue

    receipt = receipt_issue(month.pk)
    client.force_login(user)
    assert month.number in client.get(reverse("shop:my_giving")).content.decode()
    assert client.get(reverse("shop:my_receipt_pdf", args=[receipt.number])).status_code == 200
