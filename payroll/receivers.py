"""payroll's receivers: it listens to the facts shop announces (``shop/platform/facts.py``; shop never imports payroll)."""
from django.dispatch import receiver

from shop.platform.facts import demo_seeded, donation_received, donation_refunded, gift_order_paid, order_paid, refund_confirmed


@receiver(order_paid, dispatch_uid="payroll_credit_paid_order")
def credit_wage_fund_for_paid_order(sender, order_id, **kwargs):
    from payroll.tasks import credit_paid_order

    credit_paid_order.delay(order_id)


@receiver(refund_confirmed, dispatch_uid="payroll_reverse_refund")
def reverse_wage_share_of_refund(sender, refund_id, **kwargs):
    from payroll.tasks import reverse_confirmed_refund

    reverse_confirmed_refund.delay(refund_id)


@receiver(demo_seeded, dispatch_uid="payroll_demo")
def seed_payroll_demo(sender, **kwargs):
    from payroll.demo import seed_payroll_demo as seed

    return seed()


@receiver(demo_seeded, dispatch_uid="payroll_volunteer_demo")
def seed_volunteer_demo(sender, **kwargs):
    from payroll.demo import seed_volunteer_demo as seed

    return seed()


@receiver(gift_order_paid, dispatch_uid="payroll_credit_gift_order")
def credit_wage_fund_for_gift_order(sender, gift_order_id, **kwargs):
    from payroll.tasks import credit_paid_gift_order

    credit_paid_gift_order.delay(gift_order_id)


@receiver(donation_received, dispatch_uid="payroll_credit_designated_donation")
def credit_wage_fund_for_donation(sender, donation_id, fund=None, **kwargs):
    from payroll.tasks import credit_designated_donation

    credit_designated_donation.delay(donation_id)


@receiver(donation_refunded, dispatch_uid="payroll_reverse_designated_donation")
def reverse_wage_fund_for_donation(sender, donation_id, fund=None, **kwargs):
    from payroll.tasks import reverse_designated_donation

    reverse_designated_donation.delay(donation_id)
