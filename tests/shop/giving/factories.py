"""Sample gifts for the giving tests (made directly: no Stripe, no e-mail)."""
import itertools
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from shop.models import Donation, Donor, Payment, RecurringGift
from shop.services.receipts import receipt_issue

_n = itertools.count(1)


def make_donor(email=None, name="Dana Donor") -> Donor:
    return Donor.objects.create(email=email or f"donor{next(_n)}@example.org", name=name, address_line1="1 Main St",
                                city="Tampa", state="FL", postal_code="33602")


def make_pending_donation(donor=None, amount="50.00", **fields) -> Donation:
    donor = donor or make_donor()
    amount = Decimal(amount)
    fields.setdefault("total", amount + fields.get("fee_covered", Decimal("0")))
    donation = Donation.objects.create(donor=donor, donor_name=donor.name, donor_address=donor.address, amount=amount,
                                       **fields)
    kind = Payment.Kind.MONTHLY if donation.recurring_id else Payment.Kind.GIFT
    Payment.objects.create(kind=kind, donation=donation, stripe_payment_intent_id=f"pi_sample_{next(_n)}",
                           amount=donation.total, status="requires_payment_method")
    return donation


def make_paid_donation(donor=None, amount="50.00", paid_at=None, receipt=True, **fields) -> Donation:
    if isinstance(paid_at, tuple):
        paid_at = timezone.make_aware(datetime(*paid_at))
    donation = make_pending_donation(donor, amount, **fields)
    Donation.objects.filter(pk=donation.pk).update(status=Donation.Status.PAID, paid_at=paid_at or timezone.now())
    donation.refresh_from_db()
    if receipt:
        receipt_issue(donation.pk)
    return donation


def make_recurring(donor=None, amount="20.00", status=RecurringGift.Status.ACTIVE, **fields) -> RecurringGift:
    donor = donor or make_donor()
    amount = Decimal(amount)
    return RecurringGift.objects.create(donor=donor, amount=amount, total=amount, status=status,
                                        stripe_customer_id=f"cus_sample_{next(_n)}", **fields)
