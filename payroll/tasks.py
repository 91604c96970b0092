"""Payroll's Celery tasks: thin, idempotent wrappers around services."""
import logging

from celery import shared_task
from django.db import OperationalError

from payroll.services import paystubs, payruns, reconcile, wage_fund
from payroll.services.training import records as training
from shop.platform.errors import DomainError

logger = logging.getLogger(__name__)

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


@shared_task(**RETRY)
def credit_paid_order(order_id: int) -> int:
    """One order (messages queued before paid orders were sent in batches, and anyone
    calling it by name): credits the order, and with it the paid, uncredited orders of its
    block of ids (``wage_fund_credit_order_batch``), in one transaction."""
    return wage_fund.wage_fund_credit_order_batch(order_id)


@shared_task(**RETRY)
def credit_paid_orders(order_ids: list[int]) -> int:
    """A batch of paid orders, credited in one transaction (``wage_fund_credit_orders``):
    the receiver's (``payroll/receivers.py`` sends up to ``BATCH_ORDERS`` ids a message) or
    the sweep's. A retried, duplicated or overlapping batch posts nothing twice."""
    return wage_fund.wage_fund_credit_orders(order_ids)


@shared_task(**RETRY)
def reverse_confirmed_refund(refund_id: int) -> bool:
    return wage_fund.wage_fund_reverse_refund(refund_id)


@shared_task(**RETRY)
def sweep_wage_fund() -> None:
    """Re-enqueue what a lost enqueue or a crashed worker left unposted."""
    orders, refunds = wage_fund.wage_fund_unposted()
    for start in range(0, len(orders), wage_fund.BATCH_ORDERS):
        credit_paid_orders.delay(orders[start:start + wage_fund.BATCH_ORDERS])
    for refund_id in refunds:
        reverse_confirmed_refund.delay(refund_id)
    for gift_order_id in wage_fund.gift_orders_unposted():
        credit_paid_gift_order.delay(gift_order_id)
    for campaign_id in wage_fund.unclaimed_gifts_unposted():
        reverse_unclaimed_gifts.delay(campaign_id)
    for claim_id in wage_fund.claim_alternatives_unposted():
        adjust_gift_claim_alternative.delay(claim_id)
    uncredited, unreversed = wage_fund.donations_unposted()
    for donation_id in uncredited:
        credit_designated_donation.delay(donation_id)
    for donation_id in unreversed:
        reverse_designated_donation.delay(donation_id)


@shared_task(**RETRY)
def reconcile_wage_fund_nightly() -> bool:
    return reconcile.wage_fund_reconcile_and_alert()


@shared_task(**RETRY)
def check_fund_levels_nightly() -> int:
    """Warn payroll staff of a fund below zero or short of the next payroll (count of warnings)."""
    return len(reconcile.fund_levels_check_and_alert())


@shared_task(bind=True, **RETRY)
def calculate_pay_run(self, run_id: int, actor_id: int | None) -> None:
    """Calculate the run; whatever stops the calculation leaves it "calculation failed" with the
    reason (never stuck in "calculating"), except a database hiccup, which is retried first."""
    from shop.models import User

    actor = User.objects.filter(pk=actor_id).first()
    try:
        payruns.payrun_calculate(run_id, actor)
    except DomainError as error:
        payruns.payrun_record_failure(run_id, error.message)
    except OperationalError:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise  # retried with backoff (RETRY)
        logger.exception("Pay run %s: the calculation could not reach the database", run_id)
        payruns.payrun_record_failure(run_id, "The calculation could not reach the database. Try calculating again.")
    except Exception as error:  # noqa: BLE001 (recorded for staff, logged for developers)
        logger.exception("Pay run %s: the calculation stopped", run_id)
        payruns.payrun_record_failure(
            run_id, f"The calculation stopped on an unexpected problem ({type(error).__name__}). Check the run's "
                    "dates, rates and W-4s and calculate again; if it happens again, tell the developers.")


@shared_task(**RETRY)
def generate_pay_stubs(run_id: int) -> int:
    return paystubs.pay_stubs_generate(run_id)


@shared_task(**RETRY)
def remind_training_followups() -> int:
    """Weekly: e-mail program staff the training follow-ups due this week."""
    from django.utils import timezone

    return training.follow_ups_due_remind(timezone.localdate())


@shared_task(**RETRY)
def anonymise_training_records() -> int:
    from django.utils import timezone

    from payroll.services.training.records import training_records_anonymise

    return training_records_anonymise(timezone.localdate())


@shared_task(**RETRY)
def refresh_ended_consents() -> int:
    """Daily: product credits whose consent ended yesterday are cleared (consent, issue 24)."""
    from django.utils import timezone

    from payroll.services.consent import consents_ended_refresh

    return consents_ended_refresh(timezone.localdate())


@shared_task(**RETRY)
def credit_paid_gift_order(gift_order_id: int) -> int:
    return wage_fund.wage_fund_credit_gift_order(gift_order_id)


@shared_task(**RETRY)
def reverse_unclaimed_gifts(campaign_id: int) -> bool:
    return wage_fund.wage_fund_reverse_unclaimed_gifts(campaign_id)


@shared_task(**RETRY)
def adjust_gift_claim_alternative(claim_id: int) -> bool:
    return wage_fund.wage_fund_adjust_claim_alternative(claim_id)


# -- volunteer work days ----------------------------------------------------------------


@shared_task(**RETRY)
def send_volunteer_notice(signup_id: int, event: str) -> bool:
    from payroll.services.volunteers.signups import signup_notify

    return signup_notify(signup_id, event)


@shared_task(**RETRY)
def send_shift_change(change_id: int) -> int:
    """Tell everyone signed up or waitlisted about one change to a shift (each notice once)."""
    from payroll.services.volunteers.changes import change_notices_send

    return change_notices_send(change_id)


@shared_task(**RETRY)
def send_shift_message(message_id: int) -> int:
    from payroll.services.volunteers.shifts import shift_message_send

    return shift_message_send(message_id)


@shared_task(**RETRY)
def send_shift_reminders() -> int:
    """Every 10 minutes: 48-hour and 2-hour reminders, each recorded once (unique key)."""
    from payroll.services.volunteers.shifts import reminders_send

    return reminders_send()


@shared_task(**RETRY)
def auto_check_out_volunteers() -> int:
    """Sign out volunteers still checked in after VOLUNTEER_AUTO_CHECKOUT_HOURS; flag for review."""
    from payroll.services.volunteers.shifts import auto_check_out

    return auto_check_out()


@shared_task(**RETRY)
def credit_designated_donation(donation_id: int) -> bool:
    return wage_fund.wage_fund_credit_donation(donation_id)


@shared_task(**RETRY)
def reverse_designated_donation(donation_id: int) -> bool:
    return wage_fund.wage_fund_reverse_donation(donation_id)
