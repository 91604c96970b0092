"""One payment record (issue 17), step 2 of 3: move the Stripe ids kept on donations and gift
orders onto payment rows, and a donation's refund onto a refund row, so every existing gift
and gift order keeps its money trail. Reversible: the ids are copied back and the new rows go.
"""
from django.db import migrations

NOTE = "Moved from {} when payments became one record; Stripe's status is fetched again on its next event."


def _donation_status(donation) -> str:
    if donation.status in ("paid", "refunded"):
        return "succeeded"
    if donation.status == "cancelled":
        return "canceled"
    return "requires_payment_method"


def _donation_kind(donation, EventTicket, Sponsorship) -> str:
    if donation.recurring_id:
        return "monthly"
    if EventTicket.objects.filter(donation_id=donation.pk).exists():
        return "ticket"
    if Sponsorship.objects.filter(donation_id=donation.pk).exists():
        return "sponsorship"
    return "gift"


def forward(apps, schema_editor):
    Payment = apps.get_model("shop", "Payment")
    PaymentStatusChange = apps.get_model("shop", "PaymentStatusChange")
    Refund = apps.get_model("shop", "Refund")
    Donation = apps.get_model("shop", "Donation")
    GiftOrder = apps.get_model("shop", "GiftOrder")
    EventTicket = apps.get_model("shop", "EventTicket")
    Sponsorship = apps.get_model("shop", "Sponsorship")
    taken = set(Payment.objects.exclude(stripe_payment_intent_id=None).values_list("stripe_payment_intent_id", flat=True))

    def _new(owner_name, status, **fields):
        payment = Payment.objects.create(status=status, **fields)
        PaymentStatusChange.objects.create(payment=payment, new_status=status, note=NOTE.format(owner_name)[:300])
        return payment

    donations = Donation.objects.exclude(stripe_payment_intent_id=None, stripe_invoice_id=None, stripe_refund_id=None)
    for donation in donations.order_by("pk").iterator():
        intent = donation.stripe_payment_intent_id or None
        if intent in taken:
            intent = None
        payment = _new(donation.number, _donation_status(donation), kind=_donation_kind(donation, EventTicket, Sponsorship),
                       donation_id=donation.pk, amount=donation.total, stripe_payment_intent_id=intent,
                       stripe_invoice_id=donation.stripe_invoice_id or None, last_error=donation.last_error[:300])
        if intent:
            taken.add(intent)
        if donation.stripe_refund_id:
            refunded = donation.status == "refunded"
            Refund.objects.create(
                order=None, payment=payment, amount=donation.total, reason="Refunded" if refunded else "",
                status="succeeded" if refunded else "pending", stripe_refund_id=donation.stripe_refund_id,
                confirmed_at=donation.refunded_at if refunded else None,
            )
    # A paid gift that never had a Stripe id is the demo's (seed_demo made them without Stripe):
    # it gets a demo payment, as seed_demo now makes, so the record is the same either way.
    unpaid_at_stripe = Donation.objects.filter(stripe_payment_intent_id=None, stripe_invoice_id=None,
                                               stripe_refund_id=None, status__in=("paid", "refunded"))
    for donation in unpaid_at_stripe.order_by("pk").iterator():
        _new(donation.number, "succeeded", kind=_donation_kind(donation, EventTicket, Sponsorship),
             donation_id=donation.pk, amount=donation.total, demo=True)
    # A gift order's PaymentIntent id was not unique: a repeated one stays with its first order.
    for order in GiftOrder.objects.exclude(stripe_payment_intent_id="").order_by("pk").iterator():
        if order.stripe_payment_intent_id in taken:
            continue
        status = "succeeded" if order.paid_at else ("canceled" if order.status == "cancelled" else "requires_payment_method")
        _new(order.number, status, kind="gift_order", gift_order_id=order.pk, amount=order.total,
             stripe_payment_intent_id=order.stripe_payment_intent_id)
        taken.add(order.stripe_payment_intent_id)


def backward(apps, schema_editor):
    Payment = apps.get_model("shop", "Payment")
    Refund = apps.get_model("shop", "Refund")
    Donation = apps.get_model("shop", "Donation")
    GiftOrder = apps.get_model("shop", "GiftOrder")
    for payment in Payment.objects.filter(donation__isnull=False).order_by("pk"):
        refund = Refund.objects.filter(payment=payment).order_by("-pk").first()
        Donation.objects.filter(pk=payment.donation_id).update(
            stripe_payment_intent_id=payment.stripe_payment_intent_id, stripe_invoice_id=payment.stripe_invoice_id,
            stripe_refund_id=refund.stripe_refund_id if refund else None,
        )
    for payment in Payment.objects.filter(gift_order__isnull=False).order_by("pk"):
        GiftOrder.objects.filter(pk=payment.gift_order_id).update(stripe_payment_intent_id=payment.stripe_payment_intent_id or "")
    Refund.objects.filter(order__isnull=True).delete()
    Payment.objects.filter(order__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0017_pay17_payment_owners'),
    ]

    operations = [migrations.RunPython(forward, backward)]
