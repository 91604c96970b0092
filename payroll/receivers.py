"""payroll's receivers: it listens to the facts shop announces (``shop/platform/facts.py``; shop never imports payroll),
and to Django's login (a coordinator's login on a check-in kiosk ends kiosk mode, ``payroll/kiosk.py``)."""
import logging
import os
import threading

from celery.signals import worker_process_shutdown
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from shop.platform.facts import (
    demo_seeded,
    donation_received,
    donation_refunded,
    gift_claim_alternative,
    gift_claims_cancelled,
    gift_order_paid,
    order_paid,
    refund_confirmed,
)

logger = logging.getLogger(__name__)

# How long a paid order's id may wait in this process for others to share its message.
BATCH_SECONDS = 0.2


class PaidOrderBatch:
    """The ids of orders paid in this process, sent to the worker ``size`` at a time.

    ``add`` keeps an id; the id that fills the batch sends it at once (in the caller's
    thread, one broker message for ``size`` orders), and the first id of a batch starts a
    timer that sends whatever is there ``seconds`` later (so a lone payment waits at most
    that long). Ids held here when the process dies (SIGKILL, ``os._exit``) are never sent:
    the wage-fund sweep (beat, every 10 minutes) finds those orders uncredited and credits
    them, as it does for any lost message. A send that fails is logged, not raised: the
    order is paid and committed whatever the broker says, and the sweep credits it.
    """

    def __init__(self, send, *, size: int, seconds: float, timer=threading.Timer):
        self._send, self.size, self.seconds, self._timer_class = send, size, seconds, timer
        self._reset()

    def _reset(self) -> None:  # also in a forked child: no lock held, no ids, no timer of the parent's
        self._lock, self._ids, self._timer = threading.Lock(), [], None

    def add(self, order_id: int) -> None:
        with self._lock:
            self._ids.append(order_id)
            if len(self._ids) >= self.size:
                batch = self._take()
            else:
                batch = None
                if self._timer is None:
                    self._timer = self._timer_class(self.seconds, self.flush)
                    self._timer.start()  # not a daemon: an exiting interpreter waits for it
        if batch:
            self._publish(batch)

    def flush(self) -> None:
        """Send what is held now (the timer's call; also at a worker process's shutdown)."""
        with self._lock:
            batch = self._take()
        if batch:
            self._publish(batch)

    def _take(self) -> list[int]:
        batch, self._ids = self._ids, []
        if self._timer is not None:
            self._timer.cancel()  # a no-op from the timer's own thread
            self._timer = None
        return batch

    def _publish(self, batch: list[int]) -> None:
        try:
            self._send(batch)
        except Exception:  # noqa: BLE001 (the sweep credits these orders; say which)
            logger.exception("Could not enqueue the wage-fund credit of orders %s; the sweep will credit them", batch)


def _send_paid_orders(order_ids: list[int]) -> None:
    from payroll.tasks import credit_paid_orders

    credit_paid_orders.delay(order_ids)


def _paid_order_batch() -> PaidOrderBatch:
    from payroll.services.wage_fund import BATCH_ORDERS

    return PaidOrderBatch(_send_paid_orders, size=BATCH_ORDERS, seconds=BATCH_SECONDS)


paid_orders = _paid_order_batch()
os.register_at_fork(after_in_child=paid_orders._reset)


@worker_process_shutdown.connect(weak=False)
def _send_held_paid_orders(**kwargs):
    """A Celery pool process that paid orders in a task sends what it holds before it exits."""
    paid_orders.flush()


@receiver(order_paid, dispatch_uid="payroll_credit_paid_order")
def credit_wage_fund_for_paid_order(sender, order_id, **kwargs):
    """Paid orders go to the worker in batches (``credit_paid_orders``, up to
    ``BATCH_ORDERS`` ids a message); with eager tasks (no broker) each is credited at once."""
    from payroll.tasks import credit_paid_orders

    if credit_paid_orders.app.conf.task_always_eager:
        credit_paid_orders.delay([order_id])
    else:
        paid_orders.add(order_id)


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


@receiver(gift_claims_cancelled, dispatch_uid="payroll_reverse_unclaimed_gifts")
def reverse_wage_fund_for_unclaimed_gifts(sender, campaign_id, **kwargs):
    from payroll.tasks import reverse_unclaimed_gifts

    reverse_unclaimed_gifts.delay(campaign_id)


@receiver(gift_claim_alternative, dispatch_uid="payroll_adjust_gift_claim_alternative")
def adjust_wage_fund_for_alternative_box(sender, claim_id, **kwargs):
    from payroll.tasks import adjust_gift_claim_alternative

    adjust_gift_claim_alternative.delay(claim_id)


@receiver(donation_received, dispatch_uid="payroll_credit_designated_donation")
def credit_wage_fund_for_donation(sender, donation_id, fund=None, **kwargs):
    from payroll.tasks import credit_designated_donation

    credit_designated_donation.delay(donation_id)


@receiver(donation_refunded, dispatch_uid="payroll_reverse_designated_donation")
def reverse_wage_fund_for_donation(sender, donation_id, fund=None, **kwargs):
    from payroll.tasks import reverse_designated_donation

    reverse_designated_donation.delay(donation_id)


@receiver(user_logged_in, dispatch_uid="payroll_login_ends_kiosk")
def end_kiosk_mode_on_login(sender, request, user, **kwargs):
    from payroll.kiosk import login_ends_kiosk

    login_ends_kiosk(request, user)
