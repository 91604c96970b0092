"""Demo gifts for the embedded default: one-time gifts to each fund and a monthly gift,
paid through the same service as real gifts (so designated gifts reach the wage fund),
each with its receipt. Demo receipts count as e-mailed already. Created once."""
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shop.models import Donation, Donor, Receipt, RecurringGift
from shop.services.donations import donation_mark_paid
from shop.services.receipts import receipt_issue

DEMO_DONOR_DOMAIN = "@donors.demo.mended.example"
DEMO_GIFTS = [  # (donor, amount, fund, days ago, goods description, goods value)
    ("Robin Reyes", "50.00", "general", 40, "", "0"),
    ("Jamie Okafor", "250.00", "wages", 25, "", "0"),
    ("Casey Customer", "100.00", "counselling", 12, "", "0"),
    ("Morgan Lee", "150.00", "care", 6, "Two spring luncheon tickets", "60.00"),
]


def seed_giving() -> int:
    if Donor.objects.filter(email__endswith=DEMO_DONOR_DOMAIN).exists():
        return 0
    now = timezone.now()
    made = 0
    for name, amount, fund, days, goods, value in DEMO_GIFTS:
        made += _gift(_donor(name), Decimal(amount), fund, now - timedelta(days=days), goods_description=goods,
                      goods_value=Decimal(value))
    monthly_donor = _donor("Alex Monthly")
    recurring = RecurringGift.objects.create(donor=monthly_donor, amount=Decimal("25.00"), total=Decimal("25.00"),
                                             fund="wages", status=RecurringGift.Status.ACTIVE,
                                             stripe_customer_id="cus_demo_monthly", stripe_subscription_id="sub_demo_monthly")
    for months_ago in (2, 1, 0):
        made += _gift(monthly_donor, Decimal("25.00"), "wages", now - timedelta(days=30 * months_ago + 1), recurring=recurring,
                      stripe_invoice_id=f"in_demo_{months_ago}")
    return made


def _donor(name: str) -> Donor:
    donor, _ = Donor.objects.get_or_create(
        email=name.lower().replace(" ", ".") + DEMO_DONOR_DOMAIN,
        defaults={"name": name, "address_line1": "12 Palm Avenue", "city": "Tampa", "state": "FL", "postal_code": "33602"},
    )
    return donor


def _gift(donor, amount, fund, paid_at, **fields) -> int:
    donation = Donation.objects.create(donor=donor, donor_name=donor.name, donor_address=donor.address, amount=amount,
                                       total=amount, fund=fund, **fields)
    donation_mark_paid(donation.pk, paid_at=paid_at)
    receipt = receipt_issue(donation.pk)
    Receipt.objects.filter(pk=receipt.pk).update(emailed_at=paid_at)  # historical: it went out when paid
    return 1
