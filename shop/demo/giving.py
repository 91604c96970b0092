"""Demo gifts for the embedded default: one-time gifts to each fund and a monthly gift,
paid through the same service as real gifts (so designated gifts reach the wage fund),
each with its receipt. Demo receipts count as e-mailed already. Created once."""
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shop.models import Donation, Donor, Payment, Receipt, RecurringGift
from shop.services.donations import donation_mark_paid
from shop.services.receipts import receipt_issue

DEMO_DONOR_DOMAIN = "@donors.demo.mended.example"
DEMO_GIFTS = [  # (donor, amount, fund, days ago, goods description, goods value)
    ("Robin Donor", "50.00", "general", 40, "", "0"),
    ("Jamie Giver", "250.00", "wages", 25, "", "0"),
    ("Casey Customer", "100.00", "counselling", 12, "", "0"),
    ("Morgan Patron", "150.00", "care", 6, "Two spring luncheon tickets", "60.00"),
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
        defaults={"name": name, "address_line1": "12 Example Street", "city": "Tampa", "state": "FL", "postal_code": "33602"},
    )
    return donor


def _gift(donor, amount, fund, paid_at, stripe_invoice_id=None, **fields) -> int:
    donation = Donation.objects.create(donor=donor, donor_name=donor.name, donor_address=donor.address, amount=amount,
                                       total=amount, fund=fund, **fields)
    # Its payment record, as for a real gift; demo: never charged at Stripe.
    kind = Payment.Kind.MONTHLY if donation.recurring_id else Payment.Kind.GIFT
    Payment.objects.create(kind=kind, donation=donation, stripe_invoice_id=stripe_invoice_id, amount=donation.total,
                           status="succeeded", demo=True)
    donation_mark_paid(donation.pk, paid_at=paid_at)
    receipt = receipt_issue(donation.pk)
    Receipt.objects.filter(pk=receipt.pk).update(emailed_at=paid_at)  # historical: it went out when paid
    return 1


# -- giving circles ----------------------------------------------------------------------
DEMO_CIRCLES = [  # (name, slug, goal, leader's e-mail (a demo user), description, members)
    ("Women's Giving Circle", "womens-circle", "24000.00", "customer@mended.example",
     ("Women who give monthly together toward counselling, care and steady wages for survivors, and meet each "
      "season to hear how the year is going."),
     [("Rosa Member", "50.00", "general", False), ("Grace Sample", "30.00", "counselling", False),
      ("Hannah Example", "100.00", "general", True), ("Leah Demo", "25.00", "care", False)]),
    ("Men's Giving Circle", "mens-circle", "12000.00", "shop@mended.example",
     "Men who give monthly together and speak up about trafficking where they work and play.",
     [("Marcus Member", "40.00", "general", False), ("Daniel Sample", "75.00", "counselling", False),
      ("Owen Example", "20.00", "general", True)]),
]


def seed_circles() -> int:
    """Two circles with a few members' monthly gifts (three months paid each, with receipts), a
    cancelled member and a couple of invitations. Created once; returns the gifts made."""
    from shop.models import CircleInvitation, GivingCircle, User

    if GivingCircle.objects.filter(slug__in=[c[1] for c in DEMO_CIRCLES]).exists():
        return 0
    now = timezone.now()
    made = 0
    for c, (name, slug, goal, leader_email, description, members) in enumerate(DEMO_CIRCLES):
        circle = GivingCircle.objects.create(name=name, slug=slug, yearly_goal=Decimal(goal), description=description)
        leader = User.objects.filter(email=leader_email).first()
        if leader is not None:
            circle.leaders.add(leader)
        for m, (member, amount, fund, anonymous) in enumerate(members):
            donor, amount, ref = _donor(member), Decimal(amount), f"circle_{c}_{m}"
            last = len(members) - 1
            recurring = RecurringGift.objects.create(
                donor=donor, amount=amount, total=amount, fund=fund, anonymous=anonymous, circle=circle,
                status=RecurringGift.Status.CANCELLED if m == last and c == 0 else RecurringGift.Status.ACTIVE,
                cancelled_at=now - timedelta(days=10) if m == last and c == 0 else None,
                stripe_customer_id=f"cus_demo_{ref}", stripe_subscription_id=f"sub_demo_{ref}",
            )
            for months_ago in (2, 1, 0):
                if m == last and c == 0 and months_ago == 0:
                    continue  # the cancelled member's gift stopped last month
                made += _gift(donor, amount, fund, now - timedelta(days=30 * months_ago + 2 + m), recurring=recurring,
                              circle=circle, anonymous=anonymous, stripe_invoice_id=f"in_demo_{ref}_{months_ago}")
        CircleInvitation.objects.create(circle=circle, email=f"friend.{slug}{DEMO_DONOR_DOMAIN}", invited_by=leader,
                                        sent_at=now - timedelta(days=3))
        first = members[0][0].lower().replace(" ", ".") + DEMO_DONOR_DOMAIN
        CircleInvitation.objects.create(circle=circle, email=first, invited_by=leader, sent_at=now - timedelta(days=75),
                                        joined_at=now - timedelta(days=62))
    return made
