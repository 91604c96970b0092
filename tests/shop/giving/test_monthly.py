"""Monthly gifts: a localstripe subscription; each paid invoice is one gift with its receipt."""
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.urls import reverse

from shop.models import Donation, RecurringGift
from shop.services.donations import (
    gift_token,
    recurring_cancel,
    recurring_change_amount,
    recurring_confirm,
    recurring_pause,
    recurring_resume,
    recurring_start,
)
from tests.shop.giving.conftest import details
from tests.support.stripe_helpers import card, event

pytestmark = pytest.mark.django_db
R = RecurringGift.Status


@pytest.fixture
def monthly(localstripe_server):
    recurring = recurring_start(details(monthly=True, amount="20.00", fund="care", cover_fees=True))
    recurring_confirm(recurring, card())
    recurring.refresh_from_db()
    return recurring


def next_invoice(recurring, number="4242424242424242"):
    """Next month's charge, as Stripe would make it on the renewal date."""
    if number != "4242424242424242":
        pm = card(number)
        stripe.PaymentMethod.attach(pm, customer=recurring.stripe_customer_id)
        stripe.Customer.modify(recurring.stripe_customer_id, invoice_settings={"default_payment_method": pm})
    invoice = stripe.Invoice.create(customer=recurring.stripe_customer_id, subscription=recurring.stripe_subscription_id)
    try:
        stripe.Invoice.pay(invoice.id)
    except stripe.error.CardError:
        pass
    return stripe.Invoice.retrieve(invoice.id)


def test_monthly_gift_is_a_subscription_and_each_paid_invoice_one_gift(client, monthly, deliver):
    assert monthly.status == R.ACTIVE and monthly.total == Decimal("20.91")  # 20.91 - (0.60639 + 0.30 -> 0.91) = 20.00
    subscription = stripe.Subscription.retrieve(monthly.stripe_subscription_id)
    assert subscription.status == "active"
    assert subscription["items"]["data"][0]["quantity"] * subscription["items"]["data"][0]["plan"]["amount"] == 2091
    customer = stripe.Customer.retrieve(monthly.stripe_customer_id)
    assert customer.invoice_settings.default_payment_method
    assert not Donation.objects.exists()  # nothing until Stripe's invoice webhook

    first = subscription.latest_invoice
    deliver(event("invoice.payment_succeeded", {"id": first, "object": "invoice"}))
    deliver(event("invoice.payment_succeeded", {"id": first, "object": "invoice"}))  # the same fact again
    gift = Donation.objects.get()
    assert gift.recurring == monthly and gift.is_paid and gift.total == Decimal("20.91") and gift.amount == Decimal("20.00")
    assert gift.fund == "care" and gift.receipts.count() == 1
    assert sum(1 for m in mail.outbox if gift.receipts.get().number in m.subject) == 1

    second = next_invoice(monthly)
    assert second.status == "paid"
    deliver(event("invoice.paid", {"id": second.id, "object": "invoice"}))
    assert Donation.objects.filter(recurring=monthly, status="paid").count() == 2
    numbers = sorted(r.sequence for r in Donation.objects.get(payments__stripe_invoice_id=second.id).receipts.all()) + \
        sorted(r.sequence for r in gift.receipts.all())
    assert numbers[0] == numbers[1] + 1  # the next number in the year's sequence


def test_failed_charges_mark_past_due_email_a_card_link_then_cancel(client, monthly, deliver, settings):
    settings.DONATION_MAX_FAILED_CHARGES = 2
    deliver(event("invoice.payment_succeeded", {"id": stripe.Subscription.retrieve(monthly.stripe_subscription_id).latest_invoice}))
    mail.outbox.clear()
    failed = next_invoice(monthly, "4000000000000341")
    assert failed.status == "open"
    body = event("invoice.payment_failed", {"id": failed.id, "object": "invoice"})
    deliver(body)
    deliver(body)  # replayed
    deliver(event("invoice.payment_failed", {"id": failed.id}))  # the same failure in another event
    monthly.refresh_from_db()
    assert monthly.status == R.PAST_DUE and monthly.failed_charges == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@example.org"]
    link = reverse("shop:giving_card", args=[gift_token(monthly)])
    assert link in mail.outbox[0].body
    assert client.get(link).status_code == 200

    deliver(event("invoice.payment_failed", {"id": next_invoice(monthly, "4000000000000341").id}))
    monthly.refresh_from_db()
    assert monthly.status == R.CANCELLED and monthly.failed_charges == 2 and len(mail.outbox) == 2
    assert "cancelled" in mail.outbox[1].subject
    assert stripe.Subscription.retrieve(monthly.stripe_subscription_id).status == "canceled"
    assert Donation.objects.filter(recurring=monthly).count() == 1


def test_a_new_card_pays_what_is_past_due(client, monthly, deliver):
    failed = next_invoice(monthly, "4000000000000341")
    deliver(event("invoice.payment_failed", {"id": failed.id}))
    monthly.refresh_from_db()
    assert monthly.status == R.PAST_DUE
    response = client.post(reverse("shop:giving_card_confirm", args=[gift_token(monthly)]), {"payment_method": card()},
                           content_type="application/json")
    assert response.status_code == 200
    assert stripe.Invoice.retrieve(failed.id).status == "paid"
    monthly.refresh_from_db()
    assert monthly.status == R.PAST_DUE  # until Stripe's webhook says the invoice is paid
    deliver(event("invoice.paid", {"id": failed.id}))
    monthly.refresh_from_db()
    assert monthly.status == R.ACTIVE and monthly.failed_charges == 0


def test_change_pause_resume_cancel(monthly):
    recurring_change_amount(monthly, Decimal("35.00"))
    monthly.refresh_from_db()
    item = stripe.Subscription.retrieve(monthly.stripe_subscription_id)["items"]["data"][0]
    assert monthly.total == Decimal("35.00") + monthly.fee_covered and item["quantity"] == int(monthly.total * 100)
    old = monthly.stripe_subscription_id
    recurring_pause(monthly)
    monthly.refresh_from_db()
    assert monthly.status == R.PAUSED and stripe.Subscription.retrieve(old).status == "canceled"
    recurring_resume(monthly)
    monthly.refresh_from_db()
    assert monthly.status == R.ACTIVE and monthly.stripe_subscription_id != old
    assert stripe.Subscription.retrieve(monthly.stripe_subscription_id).status == "active"
    recurring_cancel(monthly)
    monthly.refresh_from_db()
    assert monthly.status == R.CANCELLED
    assert stripe.Subscription.retrieve(monthly.stripe_subscription_id).status == "canceled"


def test_the_donor_manages_it_from_the_account_page(client, monthly):
    from allauth.account.models import EmailAddress

    from tests.support.factories import UserFactory

    user = UserFactory(email="dana@example.org")
    client.force_login(user)
    page = client.get(reverse("shop:my_giving")).content.decode()
    assert monthly.number not in page  # an unverified e-mail matches nothing
    EmailAddress.objects.create(user=user, email="dana@example.org", verified=True)
    assert monthly.number in client.get(reverse("shop:my_giving")).content.decode()
    bad = client.post(reverse("shop:my_monthly_action", args=[monthly.number, "amount"]), {"amount": "-5"})
    assert bad.status_code == 400
    client.post(reverse("shop:my_monthly_action", args=[monthly.number, "pause"]))
    monthly.refresh_from_db()
    assert monthly.status == R.PAUSED
    other = UserFactory()
    client.force_login(other)
    assert client.post(reverse("shop:my_monthly_action", args=[monthly.number, "resume"])).status_code == 404


def test_cancelling_from_the_account_page_asks_first_and_every_action_is_labelled_on_phones(client, monthly):
    """The Cancel link only opens a second step that says what cancelling does; the button that
    POSTs is inside it. Each cell carries its column's name, so on a phone the table reads as a
    card with every action on screen (shop/static/shop/css/site.css, table.stack)."""
    import re

    from allauth.account.models import EmailAddress

    from tests.support.factories import UserFactory

    user = UserFactory(email="dana@example.org")
    EmailAddress.objects.create(user=user, email="dana@example.org", verified=True)
    client.force_login(user)
    page = client.get(reverse("shop:my_giving")).content.decode()
    cancel_url = reverse("shop:my_monthly_action", args=[monthly.number, "cancel"])
    step = re.search(r'<details class="confirm-step"><summary>Cancel</summary>(.*?)</details>', page, re.S)
    assert step, "the cancel button must sit behind a confirmation step"
    assert f'action="{cancel_url}"' in step.group(1)
    assert "Yes, cancel this monthly gift" in step.group(1) and "No more monthly charges" in step.group(1)
    assert page.count(f'action="{cancel_url}"') == 1  # no second, unconfirmed cancel button
    monthly_table = re.search(r'<table class="cart giving-monthly stack">(.*?)</table>', page, re.S).group(1)
    for label in ("Gift", "Fund", "Monthly", "Status", "Change"):
        assert f'data-label="{label}"' in monthly_table
