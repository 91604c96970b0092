"""One payment record (issue 17): every owner's money in ``Payment`` rows with unique Stripe ids,
refunds as rows that never sum above their payment, and the webhook routed by Stripe id."""
import itertools
import logging
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given, settings as hsettings, strategies as st

from shop.platform import stripe_gateway as gateway
from shop.models import Donation, GiftOrder, Order, Payment, PaymentStatusChange, Refund, StripeEvent
from shop.services import donations, events
from shop.services.donations import DonationError
from shop.services.gifts.orders import gift_order_place
from shop.services.payments import payment_open, payment_status_record
from shop.services.refunds import RefundError, refund_check, refund_room
from shop.services.stripe_events import stripe_event_process
from tests.support.factories import OrderFactory, UserFactory, bulk_address
from tests.shop.giving.conftest import details
from tests.shop.giving.factories import make_donor, make_paid_donation, make_recurring
from tests.shop.giving.test_events import BUYER, gala
from tests.shop.test_gift_orders import LATER, TODAY, design_for
from tests.support.stripe_helpers import event

pytestmark = pytest.mark.django_db
D = Decimal
_n = itertools.count(1)


class FakeStripe:
    """Stripe's side as the services fetch it: intents, invoices and refunds by id."""

    def __init__(self):
        self.intents, self.invoices, self.refunds = {}, {}, {}
        self.fetched = []

    def intent(self, amount, status="requires_payment_method", **extra):
        intent_id = f"pi_fake_{next(_n)}"
        self.intents[intent_id] = {"id": intent_id, "object": "payment_intent", "amount": int(amount * 100),
                                   "currency": "usd", "status": status, "client_secret": "secret", **extra}
        return self.intents[intent_id]

    def retrieve_payment_intent(self, intent_id):
        self.fetched.append(intent_id)
        return dict(self.intents[intent_id])


@pytest.fixture
def fake(monkeypatch):
    fake = FakeStripe()
    monkeypatch.setattr(gateway, "create_payment_intent", lambda amount, number, key, manual_capture=False: fake.intent(amount))
    monkeypatch.setattr(gateway, "create_donation_intent", lambda amount, number, key: fake.intent(amount))
    monkeypatch.setattr(gateway, "retrieve_payment_intent", fake.retrieve_payment_intent)
    monkeypatch.setattr(gateway, "retrieve_invoice", lambda invoice_id: dict(fake.invoices[invoice_id]))
    monkeypatch.setattr(gateway, "retrieve_refund", lambda refund_id: dict(fake.refunds[refund_id]))

    def create_refund(intent_id, amount, key):
        refund_id = f"re_fake_{next(_n)}"
        fake.refunds[refund_id] = {"id": refund_id, "status": "pending", "payment_intent": intent_id}
        return dict(fake.refunds[refund_id])

    monkeypatch.setattr(gateway, "create_refund", create_refund)
    return fake


def process(event_type, obj):
    stored = StripeEvent.objects.create(stripe_id=f"evt_{next(_n)}", type=event_type, payload=event(event_type, obj))
    assert stripe_event_process(stored.pk)
    return stored


def succeed(fake, intent_id):
    fake.intents[intent_id]["status"] = "succeeded"


# -- the record ------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["stripe_payment_intent_id", "stripe_invoice_id", "stripe_charge_id"])
def test_a_stripe_id_names_one_payment_only(field):
    first, second = make_paid_donation(receipt=False), make_paid_donation(receipt=False)
    Payment.objects.create(kind=Payment.Kind.GIFT, donation=first, amount=first.total, status="succeeded",
                           **{field: "stripe_same_id"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(kind=Payment.Kind.GIFT, donation=second, amount=second.total, status="succeeded",
                               **{field: "stripe_same_id"})


def test_a_payment_names_exactly_one_owner_of_its_kind():
    order, donation = OrderFactory(), make_paid_donation(receipt=False)
    bad = [
        {"kind": Payment.Kind.GIFT, "order": order},  # a gift's payment pointing at an order
        {"kind": Payment.Kind.ORDER, "order": order, "donation": donation},  # two owners
        {"kind": Payment.Kind.TICKET},  # none
    ]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.create(amount=D("10.00"), status="succeeded", **fields)
    assert Payment.objects.create(kind=Payment.Kind.TICKET, donation=donation, amount=D("10.00"), status="x").owner == donation


def test_status_changes_are_kept_as_rows_once_each(fake):
    order = OrderFactory()
    payment = payment_open(Payment.Kind.ORDER, order, fake.intent(order.total), order.total)
    assert payment_status_record(payment, "processing") is True
    assert payment_status_record(payment, "processing") is False  # no change, no row
    assert payment_status_record(payment, "succeeded") is True
    history = list(PaymentStatusChange.objects.filter(payment=payment).values_list("old_status", "new_status"))
    assert history == [("", "requires_payment_method"), ("requires_payment_method", "processing"), ("processing", "succeeded")]


# -- refunds as rows ----------------------------------------------------------------------------

def _gift_payment(amount="50.00"):
    donation = make_paid_donation(amount=amount, receipt=False)
    payment = donation.payments.get()
    Payment.objects.filter(pk=payment.pk).update(status="succeeded")
    return payment


def test_refunds_not_failed_never_sum_above_the_payment():
    payment = _gift_payment("50.00")
    Refund.objects.create(payment=payment, amount=D("20.00"), status=Refund.Status.SUCCEEDED)
    Refund.objects.create(payment=payment, amount=D("25.00"), status=Refund.Status.FAILED)  # gave nothing back
    Refund.objects.create(payment=payment, amount=D("10.00"), status=Refund.Status.PENDING)  # may still
    assert refund_room(payment) == D("20.00")
    refund_check(payment, D("20.00"), "this gift")
    with pytest.raises(RefundError, match=r"At most \$20.00 of this gift"):
        refund_check(payment, D("20.01"), "this gift")
    with pytest.raises(RefundError, match="above"):
        refund_check(payment, D("0.00"), "this gift")


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6000), min_size=1, max_size=8))
def test_partial_refunds_of_any_sizes_stay_within_the_payment(cents):
    with transaction.atomic():
        payment = _gift_payment("50.00")
        for amount in (D(c) / 100 for c in cents):
            try:
                refund_check(payment, amount, "this gift")
            except RefundError:
                assert sum((r.amount for r in payment.refunds.all()), D("0")) + amount > payment.amount
                continue
            Refund.objects.create(payment=payment, amount=amount)
        assert sum((r.amount for r in payment.refunds.all()), D("0")) <= payment.amount
        transaction.set_rollback(True)


def test_a_gift_waiting_for_its_refund_cannot_be_refunded_twice(fake):
    donation = donations.donation_start(details())
    succeed(fake, donation.stripe_payment_intent_id)
    process("payment_intent.succeeded", {"id": donation.stripe_payment_intent_id})
    donation = donations.donation_refund(donation.pk)
    assert donation.status == Donation.Status.PAID  # Stripe has not confirmed yet
    with pytest.raises(DonationError, match=r"At most \$0.00"):
        donations.donation_refund(donation.pk)
    assert Refund.objects.filter(payment__donation=donation).count() == 1


# -- the webhook finds the payment by its Stripe id ------------------------------------------------

def test_an_order_payment_is_routed_by_its_intent_not_its_metadata(fake):
    order, decoy = OrderFactory(), make_paid_donation(receipt=False)
    payment = payment_open(Payment.Kind.ORDER, order, fake.intent(order.total), order.total)
    fake.intents[payment.stripe_payment_intent_id]["metadata"] = {"donation": decoy.number, "order_number": "MND-NOPE"}
    succeed(fake, payment.stripe_payment_intent_id)
    process("payment_intent.succeeded", {"id": payment.stripe_payment_intent_id, "metadata": {"donation": decoy.number}})
    order.refresh_from_db(), payment.refresh_from_db()
    assert order.state == Order.State.PAID and payment.status == "succeeded"


def test_a_gift_order_payment_records_stripes_status_and_waits_for_the_proof(fake, settings):
    design = design_for("card", settings)
    order = gift_order_place(design, 10, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=LATER,
                             actor=UserFactory(), today=TODAY)
    payment = order.payments.get()
    assert payment.kind == Payment.Kind.GIFT_ORDER and payment.amount == order.total
    fake.intents[payment.stripe_payment_intent_id]["status"] = "requires_capture"
    process("payment_intent.amount_capturable_updated", {"id": payment.stripe_payment_intent_id})
    payment.refresh_from_db(), order.refresh_from_db()
    assert payment.status == "requires_capture" and order.paid_at is None and order.status == GiftOrder.Status.PLACED
    assert payment.status_changes.last().new_status == "requires_capture"


def test_a_one_time_gift_is_routed_to_the_giving_service(fake):
    donation = donations.donation_start(details())
    payment = donation.payments.get()
    assert payment.kind == Payment.Kind.GIFT and payment.amount == donation.total
    succeed(fake, payment.stripe_payment_intent_id)
    process("payment_intent.succeeded", {"id": payment.stripe_payment_intent_id})
    donation.refresh_from_db(), payment.refresh_from_db()
    assert donation.status == Donation.Status.PAID and payment.status == "succeeded"


def test_a_ticket_purchase_is_routed_to_its_donation(fake):
    _, dinner = gala()
    ticket = events.tickets_reserve(dinner, 2, BUYER)
    payment = ticket.donation.payments.get()
    assert payment.kind == Payment.Kind.TICKET and payment.amount == D("200.00")
    succeed(fake, payment.stripe_payment_intent_id)
    process("payment_intent.succeeded", {"id": payment.stripe_payment_intent_id})
    ticket.donation.refresh_from_db()
    assert ticket.donation.status == Donation.Status.PAID


def test_a_monthly_invoice_becomes_one_paid_month_with_its_payment_once(fake):
    recurring = make_recurring(donor=make_donor(), amount="20.00")
    fake.invoices["in_month_1"] = {"id": "in_month_1", "customer": recurring.stripe_customer_id, "status": "paid",
                                   "amount_paid": 2000, "currency": "usd", "payment_intent": "pi_month_1",
                                   "status_transitions": {"paid_at": 1767225600}}
    for _ in range(2):  # a replayed event changes nothing
        process("invoice.paid", {"id": "in_month_1", "customer": recurring.stripe_customer_id})
    payment = Payment.objects.get(stripe_invoice_id="in_month_1")
    assert payment.kind == Payment.Kind.MONTHLY and payment.stripe_payment_intent_id == "pi_month_1"
    assert payment.donation.recurring == recurring and payment.donation.status == Donation.Status.PAID
    assert Donation.objects.filter(recurring=recurring).count() == 1
    # The month's PaymentIntent events are its invoice's business: nothing is fetched or changed.
    process("payment_intent.succeeded", {"id": "pi_month_1", "invoice": "in_month_1"})
    assert "pi_month_1" not in fake.fetched and Donation.objects.filter(recurring=recurring).count() == 1


def test_a_gifts_refund_is_routed_by_its_refund_id(fake):
    donation = donations.donation_start(details())
    succeed(fake, donation.stripe_payment_intent_id)
    process("payment_intent.succeeded", {"id": donation.stripe_payment_intent_id})
    donations.donation_refund(donation.pk)
    refund = Refund.objects.get(payment__donation=donation)
    assert refund.order_id is None and refund.status == Refund.Status.PENDING
    fake.refunds[refund.stripe_refund_id]["status"] = "succeeded"
    process("refund.updated", {"id": refund.stripe_refund_id})
    donation.refresh_from_db(), refund.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED and refund.status == Refund.Status.SUCCEEDED


def test_an_event_for_a_stripe_object_we_have_no_payment_for_is_stored_and_acknowledged(fake, caplog):
    caplog.set_level(logging.INFO, logger="shop.services.stripe_events")
    order = OrderFactory()
    fake.intent(order.total, status="succeeded", metadata={"order_number": order.number})
    intent_id = next(iter(fake.intents))
    stored = process("payment_intent.succeeded", {"id": intent_id, "metadata": {"order_number": order.number}})
    process("refund.updated", {"id": "re_nobody"})
    stored.refresh_from_db(), order.refresh_from_db()
    assert stored.processed_at is not None and order.state == Order.State.PENDING
    assert not Payment.objects.exists() and fake.fetched == []
    assert "no payment of ours" in caplog.text and "no refund of ours" in caplog.text


def test_every_kind_of_payment_has_an_owner_service():
    from shop.services.stripe_events import OWNERS

    assert set(OWNERS) == set(Payment.Kind.values)
