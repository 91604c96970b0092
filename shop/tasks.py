"""Shop's Celery tasks: thin wrappers that take ids and call a service. All idempotent."""
from celery import shared_task

from shop.services import emails, images, payments, stripe_events
from shop.platform.stripe_gateway import PaymentGatewayError

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


@shared_task(autoretry_for=(OSError,), **RETRY)
def make_product_renditions(image_id: int) -> None:
    images.product_image_make_renditions(image_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def make_product_thumbnail(image_id: int) -> None:
    """The old name of ``make_product_renditions``, for messages queued before the rename."""
    images.product_image_make_renditions(image_id)


@shared_task(autoretry_for=(PaymentGatewayError, OSError), **RETRY)
def process_stripe_event(event_id: int) -> None:
    stripe_events.stripe_event_process(event_id)


@shared_task(**RETRY)
def sweep_stripe_events() -> None:
    stripe_events.stripe_events_sweep()


@shared_task(**RETRY)
def release_expired_reservations() -> None:
    payments.orders_release_expired()


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_order_confirmation(order_id: int) -> None:
    emails.order_send_email(order_id, "confirmation")


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_order_shipped(order_id: int) -> None:
    emails.order_send_email(order_id, "shipped")



@shared_task(autoretry_for=(OSError,), **RETRY)
def send_gift_invoice(invoice_id: int) -> None:
    from shop.services.gifts.orders import invoice_send

    invoice_send(invoice_id)


@shared_task(**RETRY)
def remind_overdue_invoices() -> None:
    from django.utils import timezone

    from shop.services.gifts.orders import invoices_remind_overdue

    invoices_remind_overdue(timezone.localdate())


@shared_task(autoretry_for=(OSError,), **RETRY)
def import_recipient_list(list_id: int) -> None:
    from shop.services.gifts.recipients import recipient_list_import

    recipient_list_import(list_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_gift_order_placed(order_id: int) -> None:
    from shop.services.gifts.orders import gift_order_send_placed

    gift_order_send_placed(order_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_gift_order_approval_request(order_id: int) -> None:
    from shop.services.gifts.budgets import approval_request_send

    approval_request_send(order_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_gift_order_decision(order_id: int) -> None:
    from shop.services.gifts.budgets import decision_send

    decision_send(order_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_gift_order_update(order_id: int, event: str) -> None:
    from shop.services.gifts.fulfilment import gift_order_send_update

    gift_order_send_update(order_id, event)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_organisation_invitation(invitation_id: int) -> None:
    from shop.services.organisations import invitation_email

    invitation_email(invitation_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_circle_invitation(invitation_id: int, requested_at: str | None = None) -> None:
    from shop.services.circles import invitation_email

    invitation_email(invitation_id, requested_at)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_restock_notice(request_id: int) -> None:
    from shop.services.restock import restock_send_notice

    restock_send_notice(request_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_pledge_confirmation(pledge_id: int) -> None:
    from shop.services.pledges import pledge_send_confirmation

    pledge_send_confirmation(pledge_id)


# -- giving --

@shared_task(autoretry_for=(OSError,), **RETRY)
def issue_donation_receipt(donation_id: int) -> None:
    from shop.services.receipts import receipt_issue_and_send

    receipt_issue_and_send(donation_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_donation_receipt(receipt_id: int) -> None:
    from shop.services.receipts import receipt_send

    receipt_send(receipt_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_tribute_notice(donation_id: int) -> None:
    from shop.services.donations import tribute_notify

    tribute_notify(donation_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_charge_failed_email(failure_id: int) -> None:
    from shop.services.donations import charge_failed_email

    charge_failed_email(failure_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_year_end_statement_batch(run_id: int, donor_ids: list[int]) -> None:
    from shop.services.statements import statements_batch

    statements_batch(run_id, donor_ids)


@shared_task(**RETRY)
def start_year_end_statements() -> None:
    """January beat: statements for last year (re-running sends nothing twice)."""
    from django.utils import timezone

    from shop.services.statements import statements_start

    statements_start(timezone.localdate().year - 1)


# -- events --

@shared_task(**RETRY)
def release_expired_event_holds() -> None:
    from shop.services.events import holds_release_expired

    holds_release_expired()


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_hosting_acknowledgement(request_id: int) -> None:
    from shop.services.events import hosting_acknowledge

    hosting_acknowledge(request_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_hosting_notification(request_id: int) -> None:
    from shop.services.events import hosting_notify_staff

    hosting_notify_staff(request_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_hosting_decision(request_id: int) -> None:
    from shop.services.events import hosting_decision_email

    hosting_decision_email(request_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_gift_claim_invitations(campaign_id: int) -> None:
    from shop.services.gifts.claims import claim_invitations_send

    claim_invitations_send(campaign_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_gift_tax_credit(credit_id: int) -> None:
    from shop.services.gifts.claims import tax_credit_send

    tax_credit_send(credit_id)


@shared_task(**RETRY)
def gift_claims_tax_on_paid(order_id: int) -> None:
    from shop.services.gifts.claims import claims_tax_credit_paid

    claims_tax_credit_paid(order_id)


@shared_task(autoretry_for=(OSError,), **RETRY)
def send_gift_claim_tracking(claim_id: int) -> None:
    from shop.services.gifts.claims import claim_tracking_send

    claim_tracking_send(claim_id)


@shared_task(autoretry_for=(PaymentGatewayError, OSError), **RETRY)
def gift_claims_daily() -> None:
    from django.utils import timezone

    from shop.services.gifts.claims import claims_tick

    claims_tick(timezone.localdate())


# -- gift cards --

@shared_task(autoretry_for=(OSError,), **RETRY)
def send_gift_card(card_id: int) -> None:
    from shop.services.giftcards import gift_card_send

    gift_card_send(card_id)


@shared_task(**RETRY)
def send_gift_cards_due() -> None:
    from shop.services.giftcards import gift_cards_send_due

    gift_cards_send_due()
