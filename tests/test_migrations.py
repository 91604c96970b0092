from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


BEFORE = [("shop", "0016_price17_order_discounts")]


def _migrate(targets):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _leaves():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_one_payment_record_migration_keeps_every_money_trail():
    """Old-shape rows (Stripe ids on donations and gift orders) come out as payment and refund
    rows for their owners; order payments and refunds keep their rows and ids (the wage fund's
    ledger keys name refunds by id); and the way back restores the old shape."""
    from datetime import date
    from decimal import Decimal as D

    from django.utils import timezone

    from shop.models import Donor, Event, RecurringGift, TicketType
    leaves = _leaves()
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps
        Donation, GiftOrder = old.get_model("shop", "Donation"), old.get_model("shop", "GiftOrder")
        Payment, Refund = old.get_model("shop", "Payment"), old.get_model("shop", "Refund")
        donor = Donor.objects.create(email="old@example.org", name="Old Donor")
        now = timezone.now()
        one_time = Donation.objects.create(donor_id=donor.pk, donor_name="Old Donor", amount=D("50.00"), total=D("50.00"),
                                           status="refunded", paid_at=now, refunded_at=now,
                                           stripe_payment_intent_id="pi_old_gift", stripe_refund_id="re_old_gift")
        recurring = RecurringGift.objects.create(donor=donor, amount=D("20.00"), total=D("20.00"))
        month = Donation.objects.create(donor_id=donor.pk, donor_name="Old Donor", amount=D("20.00"), total=D("20.00"),
                                        status="paid", paid_at=now, recurring_id=recurring.pk,
                                        stripe_invoice_id="in_old_month", stripe_payment_intent_id="pi_old_month")
        pending = Donation.objects.create(donor_id=donor.pk, donor_name="Old Donor", amount=D("100.00"), total=D("100.00"),
                                          stripe_payment_intent_id="pi_old_ticket")
        starts = now + timezone.timedelta(days=9)
        gala = Event.objects.create(title="Gala", slug="old-gala", starts_at=starts, ends_at=starts + timezone.timedelta(hours=3), venue="Hall",
                                    address="1 Bay St", capacity=10)
        dinner = TicketType.objects.create(event=gala, name="Dinner", price=D("100.00"), fair_market_value=D("40.00"))
        old.get_model("shop", "EventTicket").objects.create(ticket_type_id=dinner.pk, event_id=gala.pk,
                                                            donation_id=pending.pk, quantity=1, buyer_name="Pat",
                                                            buyer_email="pat@example.org")
        no_stripe = Donation.objects.create(donor_id=donor.pk, donor_name="Old Donor", amount=D("5.00"), total=D("5.00"))
        # The organisation and design as that schema had them (today's models have columns it lacks).
        org = old.get_model("shop", "Organisation").objects.create(name="Old Org", slug="old-org")
        small = old.get_model("shop", "BoxSize").objects.create(name="Small", slots=4, base_price=D("10.00"))
        design = old.get_model("shop", "GiftDesign").objects.create(organisation_id=org.pk, name="Thanks",
                                                                    size_id=small.pk)
        box = dict(organisation_id=org.pk, design_id=design.pk, design_name="Thanks", size_name="Small", quantity=3,
                   shipping_mode="bulk", in_hand_date=date(2027, 1, 5), box_price=D("30.00"), discount=D("0.00"),
                   boxes_subtotal=D("90.00"), shipping=D("10.00"), tax=D("0.00"), total=D("100.00"),
                   assembly_wage=D("4.00"), payment="card")
        card_order = GiftOrder.objects.create(stripe_payment_intent_id="pi_old_box", paid_at=now, **box)
        repeated = GiftOrder.objects.create(stripe_payment_intent_id="pi_old_box", **box)  # the id was not unique
        invoiced = GiftOrder.objects.create(stripe_payment_intent_id="", **{**box, "payment": "invoice"})
        # The order as that schema had it (a factory would write today's columns).
        order = old.get_model("shop", "Order").objects.create(
            email="old@example.org", shipping_method_name="Standard shipping", ship_name="Old Buyer",
            subtotal=D("20.00"), shipping=D("6.95"), tax=D("1.20"), total=D("28.15"))
        order_payment = Payment.objects.create(order_id=order.pk, stripe_payment_intent_id="pi_old_order",
                                               amount=order.total, status="succeeded")
        order_refund = Refund.objects.create(order_id=order.pk, payment_id=order_payment.pk, amount=D("5.00"),
                                             status="succeeded", stripe_refund_id="re_old_order")

        _migrate(leaves)
        from payroll.services.wage_fund import wage_fund_unposted
        from shop.models import Donation as NewDonation
        from shop.models import GiftOrder as NewGiftOrder
        from shop.models import Payment as NewPayment
        from shop.models import Refund as NewRefund

        gift_payment = NewPayment.objects.get(stripe_payment_intent_id="pi_old_gift")
        assert (gift_payment.kind, gift_payment.donation_id, gift_payment.amount, gift_payment.status) == \
            ("gift", one_time.pk, D("50.00"), "succeeded")
        gift_refund = gift_payment.refunds.get()
        assert (gift_refund.stripe_refund_id, gift_refund.status, gift_refund.amount, gift_refund.order_id) == \
            ("re_old_gift", "succeeded", D("50.00"), None)
        month_payment = NewPayment.objects.get(stripe_invoice_id="in_old_month")
        assert (month_payment.kind, month_payment.donation_id, month_payment.stripe_payment_intent_id) == \
            ("monthly", month.pk, "pi_old_month")
        ticket_payment = NewPayment.objects.get(stripe_payment_intent_id="pi_old_ticket")
        assert (ticket_payment.kind, ticket_payment.donation_id, ticket_payment.status) == \
            ("ticket", pending.pk, "requires_payment_method")
        assert not NewPayment.objects.filter(donation_id=no_stripe.pk).exists()
        box_payment = NewPayment.objects.get(stripe_payment_intent_id="pi_old_box")
        assert (box_payment.kind, box_payment.gift_order_id, box_payment.amount, box_payment.status) == \
            ("gift_order", card_order.pk, D("100.00"), "succeeded")
        assert not NewPayment.objects.filter(gift_order_id__in=[repeated.pk, invoiced.pk]).exists()
        assert NewDonation.objects.get(pk=one_time.pk).stripe_payment_intent_id == "pi_old_gift"  # read through the row
        assert NewGiftOrder.objects.get(pk=card_order.pk).stripe_payment_intent_id == "pi_old_box"
        kept = NewPayment.objects.get(pk=order_payment.pk)
        assert (kept.kind, kept.order_id, kept.stripe_payment_intent_id) == ("order", order.pk, "pi_old_order")
        assert NewRefund.objects.get(pk=order_refund.pk).stripe_refund_id == "re_old_order"
        assert wage_fund_unposted()[1] == [order_refund.pk]  # a gift's refund row is no order refund to reverse
        assert all(p.status_changes.exists() for p in NewPayment.objects.exclude(pk=order_payment.pk))

        back = _migrate(BEFORE).loader.project_state(BEFORE).apps
        OldDonation, OldGiftOrder = back.get_model("shop", "Donation"), back.get_model("shop", "GiftOrder")
        restored = OldDonation.objects.get(pk=one_time.pk)
        assert (restored.stripe_payment_intent_id, restored.stripe_refund_id) == ("pi_old_gift", "re_old_gift")
        assert OldDonation.objects.get(pk=month.pk).stripe_invoice_id == "in_old_month"
        assert OldGiftOrder.objects.get(pk=card_order.pk).stripe_payment_intent_id == "pi_old_box"
        assert list(back.get_model("shop", "Payment").objects.values_list("pk", flat=True)) == [order_payment.pk]
        assert list(back.get_model("shop", "Refund").objects.values_list("pk", flat=True)) == [order_refund.pk]
    finally:
        _migrate(leaves)


def _money_trail():
    """What the demo's money looks like, by owner (payment ids may be made anew by a migration)."""
    from shop.models import Donation, GiftOrder, Order, Payment, Refund

    payments = sorted(
        (p.kind, p.order_id, p.gift_order_id, p.donation_id, p.stripe_payment_intent_id or "", p.stripe_invoice_id or "",
         str(p.amount), p.status)
        for p in Payment.objects.all()
    )
    refunds = sorted((r.pk, r.order_id, r.stripe_refund_id or "", str(r.amount)) for r in Refund.objects.all())
    owners = (
        sorted((o.pk, o.number, str(o.total), o.state) for o in Order.objects.all()),
        sorted((d.pk, d.number, str(d.total), d.status) for d in Donation.objects.all()),
        sorted((g.pk, g.number, g.status) for g in GiftOrder.objects.all()),
    )
    return payments, refunds, owners


@pytest.mark.django_db(transaction=True)
def test_the_demo_database_goes_back_before_the_payment_record_and_forward_again_unchanged():
    """The demo data (every kind of payment, refunds, gifts, monthly gifts, tickets) survives the
    payment-record migrations both ways: the way forward is what an existing database takes."""
    from django.contrib.auth.models import Group

    from shop.demo import seed_demo
    from shop.platform.roles import STAFF_ROLES

    for role in STAFF_ROLES:  # made by migrations; an earlier transactional test may have flushed them
        Group.objects.get_or_create(name=role)
    seed_demo()
    before = _money_trail()
    assert {kind for kind, *_ in before[0]} >= {"order", "gift", "monthly", "ticket", "sponsorship"}
    leaves = _leaves()
    try:
        _migrate(BEFORE)  # the schema before the payment record: Stripe ids on donations again
    finally:
        _migrate(leaves)
    assert _money_trail() == before
