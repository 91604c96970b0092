"""Donations: one-time gifts (a PaymentIntent confirmed on the server) and monthly gifts
(a Stripe customer, its default card and a subscription).

Nothing is marked paid on the browser's word: only a verified webhook's object fetched
again from Stripe (``donation_payment_sync``, ``donation_invoice_sync``) makes a gift
paid. Every effect is idempotent, so a replayed or re-swept event changes nothing.
"""
import logging
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shop.platform import mail, page_cache
from shop.platform import stripe_gateway as gateway
from shop.platform.page_cache import CIRCLES, EVENTS
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.platform.facts import announce_on_commit, donation_received, donation_refunded
from shop.models import Donation, DonationChargeFailure, Donor, Fund, Payment, RecurringGift, Refund
from shop.models.giving import Tribute
from shop.platform.money import CENT, from_cents, quantize, to_cents
from shop.services.payments import payment_intent_status_record, payment_open

log = logging.getLogger(__name__)
R = RecurringGift.Status


def _monthly_changed(recurring: RecurringGift) -> None:
    """A monthly gift's status changed outside ``save()``: its circle's member count may show it."""
    if recurring.circle_id:
        page_cache.changed(CIRCLES)

MIN_GIFT = Decimal("1.00")
MAX_GIFT = Decimal("100000.00")
TOKEN_SALT = "shop.giving.token"


class DonationError(DomainError):
    pass


# -- fees -------------------------------------------------------------------------------

def processing_fee(charged: Decimal) -> Decimal:
    """What the card processor keeps of a charge: a percentage plus a fixed amount, to the cent."""
    rate = settings.DONATION_FEE_PERCENT / Decimal(100)
    return quantize(charged * rate + settings.DONATION_FEE_FIXED)


def fee_cover(gift: Decimal) -> Decimal:
    """The smallest extra that, charged on top of ``gift``, leaves the organisation the whole gift.

    Grossed up: total = (gift + fixed) / (1 - rate), rounded up to the cent, then nudged by
    whole cents so that total - fee(total) >= gift and one cent less would not be.
    """
    gift = quantize(gift)
    rate = settings.DONATION_FEE_PERCENT / Decimal(100)
    total = ((gift + settings.DONATION_FEE_FIXED) / (1 - rate)).quantize(CENT, rounding=ROUND_CEILING)
    while total - processing_fee(total) < gift:
        total += CENT
    while total - CENT >= gift and (total - CENT) - processing_fee(total - CENT) >= gift:
        total -= CENT
    return total - gift


# -- starting a gift ---------------------------------------------------------------------

@dataclass(frozen=True)
class GiftDetails:
    amount: Decimal
    monthly: bool
    fund: str
    cover_fees: bool
    anonymous: bool
    name: str
    email: str
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    tribute: str = ""
    tribute_name: str = ""
    tribute_notify_email: str = ""
    circle_id: int | None = None  # a monthly gift credited to a giving circle (see services.circles.circle_join)
    user: object = None  # the signed-in account making the gift: the gift is theirs (see ``selectors.giving``)


def _check(details: GiftDetails) -> tuple[Decimal, Decimal]:
    amount = quantize(details.amount)
    if amount < MIN_GIFT or amount > MAX_GIFT:
        raise DonationError(f"Please give between ${MIN_GIFT} and ${MAX_GIFT:,}.")
    if details.fund not in Fund.values:
        raise DonationError("Choose where your gift should go.")
    if details.tribute and (details.tribute not in Tribute.values or not details.tribute_name.strip()):
        raise DonationError("Give the name of the person the gift honours or remembers.")
    fee = fee_cover(amount) if details.cover_fees else Decimal("0.00")
    return amount, fee


def given_address(line1="", line2="", city="", state="", postal_code="") -> str:
    """An address as typed with a gift, in the lines a receipt prints (as ``Donor.address``)."""
    parts = [line1.strip(), line2.strip(), " ".join(p for p in (city.strip(), state.strip().upper(), postal_code.strip()) if p)]
    return "\n".join(p for p in parts if p)


DETAIL_FIELDS = ("name", "address_line1", "address_line2", "city", "state", "postal_code")


def details_given(details) -> dict:
    """The donor details typed with a gift (``GiftDetails``, or an event ``Buyer``), tidied."""
    given = {f: (getattr(details, f, "") or "").strip() for f in DETAIL_FIELDS}
    given["state"] = given["state"].upper()
    return given


def donor_for_gift(details: GiftDetails) -> Donor:
    """The donor with this e-mail (any case), created with the details given if there is none.

    An existing donor's name and address are never changed when a gift starts: anyone can
    type anyone's e-mail into a form, and an unpaid gift proves nothing. The details stay on
    the gift (``donor_name``, ``donor_address``, ``given_details``); its receipt prints them,
    and ``donor_update_from_gift`` decides, once it is paid, whether the donor record (the
    year-end statement's name and address) takes them.
    """
    email = details.email.strip().lower()
    try:
        with transaction.atomic():
            donor, _ = Donor.objects.get_or_create(email=email, defaults=details_given(details))
    except IntegrityError:  # the same new e-mail at the same moment in another request
        donor = Donor.objects.get(email=email)
    return donor


def _owns_email(user, email: str) -> bool:
    """Whether ``user`` has confirmed ``email`` is theirs (a verified allauth address)."""
    if user is None:
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def donor_update_from_gift(donation: Donation) -> bool:
    """Once a gift is paid: the donor record takes the details given with it only if the gift
    was made signed in to an account that has confirmed the donor's e-mail, or if the donor has
    no other paid gift (its details then came from an unpaid gift, which proves nothing: someone
    typing a new donor's e-mail first must not name that donor). Returns True if updated."""
    given = donation.given_details or {}
    if not given.get("name"):
        return False
    donor = donation.donor
    others_paid = Donation.objects.filter(donor=donor, status=Donation.Status.PAID).exclude(pk=donation.pk).exists()
    if others_paid and not _owns_email(donation.user, donor.email):
        return False
    fields = {f: str(given.get(f, ""))[:Donor._meta.get_field(f).max_length] for f in DETAIL_FIELDS}
    Donor.objects.filter(pk=donor.pk).update(**fields)
    return True


def _details_address(details: GiftDetails) -> str:
    return given_address(details.address_line1, details.address_line2, details.city, details.state, details.postal_code)


def _user(details: GiftDetails):
    user = details.user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _tribute_fields(details: GiftDetails) -> dict:
    if not details.tribute:
        return {}
    return {"tribute": details.tribute, "tribute_name": details.tribute_name.strip(),
            "tribute_notify_email": details.tribute_notify_email.strip()}


def donation_start(details: GiftDetails) -> Donation:
    """A pending one-time gift with its PaymentIntent opened at Stripe for the exact total."""
    amount, fee = _check(details)
    with transaction.atomic():
        donor = donor_for_gift(details)
        donation = Donation.objects.create(
            donor=donor, donor_name=details.name.strip(), donor_address=_details_address(details), user=_user(details),
            given_details=details_given(details), amount=amount, fee_covered=fee, total=amount + fee, fund=details.fund,
            anonymous=details.anonymous,
            **_tribute_fields(details),
        )
    intent = gateway.create_donation_intent(donation.total, donation.number, f"donation-{donation.number}-intent")
    payment_open(Payment.Kind.GIFT, donation, intent, donation.total)
    return donation


def recurring_start(details: GiftDetails) -> RecurringGift:
    """A monthly gift waiting for its card; Stripe is asked only once the card is in."""
    amount, fee = _check(details)
    with transaction.atomic():
        donor = donor_for_gift(details)
        return RecurringGift.objects.create(
            donor=donor, donor_name=details.name.strip(), donor_address=_details_address(details), user=_user(details),
            given_details=details_given(details), amount=amount, fee_covered=fee, total=amount + fee,
            cover_fees=details.cover_fees,
            fund=details.fund, anonymous=details.anonymous, circle_id=details.circle_id, **_tribute_fields(details),
        )


# -- links ------------------------------------------------------------------------------

def gift_token(obj) -> str:
    """A signed reference (``GIFT-...`` or ``MONTHLY-...``): the pay and card pages' key."""
    return signing.Signer(salt=TOKEN_SALT).sign(obj.number)


def gift_from_token(token: str):
    try:
        number = signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    model = RecurringGift if number.startswith("MONTHLY-") else Donation
    return model.objects.select_related("donor").filter(number=number).first()


def card_update_link(recurring: RecurringGift) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("shop:giving_card", args=[gift_token(recurring)])


# -- paying -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ConfirmResult:
    status: str
    client_secret: str | None = None


def _pm(payment_method_id: str) -> str:
    if not payment_method_id.startswith("pm_"):
        raise DonationError("The card details did not come through. Please enter them again.")
    return payment_method_id


def donation_confirm(donation: Donation, payment_method_id: str) -> ConfirmResult:
    """Charge the card for a one-time gift. The gift becomes paid only when Stripe's webhook says so."""
    _pm(payment_method_id)
    payment = donation.payment
    if donation.status != Donation.Status.PENDING or payment is None or not payment.stripe_payment_intent_id:
        raise DonationError("This gift is not waiting for payment.")
    intent = gateway.confirm_payment_intent(payment.stripe_payment_intent_id, payment_method_id)
    payment_intent_status_record(payment, intent)
    if intent["status"] == "requires_action":
        return ConfirmResult(intent["status"], intent["client_secret"])
    if intent["status"] == "requires_payment_method":
        error = (intent.get("last_payment_error") or {}).get("message") or "Your card was declined. Please try another card."
        Donation.objects.filter(pk=donation.pk).update(last_error=error[:300])
        raise DonationError(error)
    return ConfirmResult(intent["status"])


def recurring_confirm(recurring: RecurringGift, payment_method_id: str) -> ConfirmResult:
    """Set up the monthly gift at Stripe: a customer with this card as default, a plan, a subscription.

    The first month's gift is recorded when Stripe's ``invoice.paid`` webhook arrives.
    """
    _pm(payment_method_id)
    recurring = RecurringGift.objects.select_related("donor").get(pk=recurring.pk)
    if recurring.status != R.INCOMPLETE or recurring.stripe_subscription_id:
        raise DonationError("This monthly gift is already set up.")
    donor = recurring.donor
    metadata = {"monthly_gift": recurring.number}
    if recurring.stripe_customer_id:
        gateway.set_default_payment_method(recurring.stripe_customer_id, payment_method_id)
    else:
        customer = gateway.create_customer(donor.email, recurring.donor_name or donor.name, payment_method_id, metadata)
        RecurringGift.objects.filter(pk=recurring.pk).update(stripe_customer_id=customer["id"])
        recurring.stripe_customer_id = customer["id"]
    if not recurring.stripe_plan_id:
        plan = gateway.create_cent_plan(f"Monthly gift {recurring.number} ({recurring.get_fund_display()})")
        RecurringGift.objects.filter(pk=recurring.pk).update(stripe_plan_id=plan["id"])
        recurring.stripe_plan_id = plan["id"]
    subscription = gateway.create_subscription(recurring.stripe_customer_id, recurring.stripe_plan_id,
                                               to_cents(recurring.total), metadata)
    status = R.ACTIVE if subscription["status"] in ("active", "trialing") else R.INCOMPLETE
    RecurringGift.objects.filter(pk=recurring.pk).update(stripe_subscription_id=subscription["id"], status=status,
                                                        updated_at=timezone.now())
    _monthly_changed(recurring)
    if status != R.ACTIVE:
        gateway.cancel_subscription(subscription["id"])
        RecurringGift.objects.filter(pk=recurring.pk).update(stripe_subscription_id=None)
        raise DonationError("Your card was declined. Please try another card.")
    return ConfirmResult("succeeded")


@transaction.atomic
def donation_mark_paid(donation_id: int, paid_at=None) -> bool:
    """Mark a gift paid once; announce it and issue its receipt when the row commits."""
    donation = Donation.objects.select_for_update().get(pk=donation_id)
    if donation.status != Donation.Status.PENDING:
        return False
    donation.status = Donation.Status.PAID
    donation.paid_at = paid_at or timezone.now()
    donation.last_error = ""
    donation.save(update_fields=["status", "paid_at", "last_error"])
    donor_update_from_gift(donation)
    audit_record("donation.paid", target=donation, total=donation.total, fund=donation.fund)
    announce_on_commit(donation_received, donation_id=donation.pk, fund=donation.fund)
    from shop.tasks import issue_donation_receipt, send_tribute_notice

    transaction.on_commit(lambda: issue_donation_receipt.delay(donation.pk))
    if donation.tribute_notify_email:
        transaction.on_commit(lambda: send_tribute_notice.delay(donation.pk))
    return True


def donation_payment_sync(payment_intent_id: str) -> Donation | None:
    """Bring a one-time gift (or an event purchase) in line with its PaymentIntent as Stripe reports it now."""
    payment = Payment.objects.select_related("donation").filter(stripe_payment_intent_id=payment_intent_id,
                                                                donation__isnull=False).first()
    if payment is None:
        return None
    donation = payment.donation
    if payment.kind == Payment.Kind.MONTHLY or donation.recurring_id:  # a monthly gift's charge: its invoice decides
        return donation
    intent = gateway.retrieve_payment_intent(payment_intent_id)
    payment_intent_status_record(payment, intent)
    if intent["status"] == "succeeded":
        if intent["currency"] != "usd" or intent["amount"] != to_cents(donation.total):
            log.error("PaymentIntent %s amount %s does not match donation %s", intent["id"], intent["amount"], donation.number)
            return donation
        donation_mark_paid(donation.pk)
    elif intent["status"] == "canceled" and donation.status == Donation.Status.PENDING:
        Donation.objects.filter(pk=donation.pk, status=Donation.Status.PENDING).update(status=Donation.Status.CANCELLED)
        page_cache.changed(EVENTS)  # a ticket's or sponsorship's place is free again
    elif intent.get("last_payment_error"):
        Donation.objects.filter(pk=donation.pk).update(last_error=(intent["last_payment_error"].get("message") or "")[:300])
    donation.refresh_from_db()
    return donation


# -- monthly gifts: Stripe's invoices ---------------------------------------------------

def _recurring_for_invoice(invoice: dict) -> RecurringGift | None:
    return RecurringGift.objects.select_related("donor").filter(stripe_customer_id=invoice.get("customer")).first()


def _invoice_paid_at(invoice: dict):
    paid = (invoice.get("status_transitions") or {}).get("paid_at")
    return datetime.fromtimestamp(paid, tz=dt_timezone.utc) if paid else timezone.now()


def donation_invoice_sync(invoice_id: str) -> Donation | None:
    """A monthly charge as Stripe reports it now: paid → one gift (once per invoice); open after
    a failed attempt → the failure is counted once, the donor told, the gift cancelled after
    ``DONATION_MAX_FAILED_CHARGES`` failures in a row."""
    invoice = gateway.retrieve_invoice(invoice_id)
    recurring = _recurring_for_invoice(invoice)
    if recurring is None:
        log.info("Invoice %s is not for a monthly gift of ours", invoice_id)
        return None
    if invoice.get("status") == "paid":
        return _invoice_paid(recurring, invoice)
    if invoice.get("status") in ("open", "uncollectible") and invoice.get("attempted"):
        _invoice_failed(recurring, invoice)
    return None


def _invoice_paid(recurring: RecurringGift, invoice: dict) -> Donation | None:
    cents = invoice.get("amount_paid") or 0
    if cents <= 0 or invoice.get("currency") != "usd":
        return None
    total = from_cents(int(cents))
    fee = recurring.fee_covered if total == recurring.total else Decimal("0.00")
    first = not recurring.donations.exists()
    tribute = {"tribute": recurring.tribute, "tribute_name": recurring.tribute_name,
               "tribute_notify_email": recurring.tribute_notify_email} if first else {}
    payment = Payment.objects.select_related("donation").filter(stripe_invoice_id=invoice["id"]).first()
    if payment is None:
        try:
            with transaction.atomic():
                donation = Donation.objects.create(
                    donor=recurring.donor, donor_name=recurring.donor_name or recurring.donor.name,
                    donor_address=recurring.donor_address if recurring.donor_name else recurring.donor.address,
                    user=recurring.user, given_details=recurring.given_details, recurring=recurring, amount=total - fee,
                    fee_covered=fee, total=total, fund=recurring.fund, anonymous=recurring.anonymous,
                    circle_id=recurring.circle_id, **tribute,
                )
                payment = Payment.objects.create(
                    kind=Payment.Kind.MONTHLY, donation=donation, stripe_invoice_id=invoice["id"],
                    stripe_payment_intent_id=invoice.get("payment_intent") or None, amount=total, status="succeeded",
                )
                payment.status_changes.create(new_status="succeeded", note="Stripe invoice paid")
        except IntegrityError:  # the same invoice at the same moment in another worker
            payment = Payment.objects.select_related("donation").get(stripe_invoice_id=invoice["id"])
    donation = payment.donation
    donation_mark_paid(donation.pk, paid_at=_invoice_paid_at(invoice))
    with transaction.atomic():
        locked = RecurringGift.objects.select_for_update().get(pk=recurring.pk)
        if locked.status in (R.INCOMPLETE, R.PAST_DUE, R.ACTIVE):
            locked.status = R.ACTIVE
            locked.failed_charges = 0
            locked.save(update_fields=["status", "failed_charges", "updated_at"])
    if recurring.circle_id:
        from shop.services.circles import invitation_mark_joined

        invitation_mark_joined(recurring.circle_id, recurring.donor.email, _invoice_paid_at(invoice))
    return donation


def _invoice_failed(recurring: RecurringGift, invoice: dict) -> None:
    error = ""
    with transaction.atomic():
        locked = RecurringGift.objects.select_for_update().get(pk=recurring.pk)
        failure, created = DonationChargeFailure.objects.get_or_create(
            stripe_invoice_id=invoice["id"], attempt=invoice.get("attempt_count") or 1,
            defaults={"recurring": locked, "message": error},
        )
        if not created or locked.status not in (R.ACTIVE, R.PAST_DUE, R.INCOMPLETE):
            return
        locked.failed_charges += 1
        cancel = locked.failed_charges >= settings.DONATION_MAX_FAILED_CHARGES
        locked.status = R.CANCELLED if cancel else R.PAST_DUE
        if cancel:
            locked.cancelled_at = timezone.now()
        locked.save(update_fields=["failed_charges", "status", "cancelled_at", "updated_at"])
        from shop.tasks import send_charge_failed_email

        transaction.on_commit(lambda: send_charge_failed_email.delay(failure.pk))
    if cancel and locked.stripe_subscription_id:
        try:
            gateway.cancel_subscription(locked.stripe_subscription_id)
        except gateway.PaymentGatewayError:
            log.warning("Could not cancel subscription %s at Stripe", locked.stripe_subscription_id)


@transaction.atomic
def charge_failed_email(failure_id: int) -> bool:
    """Tell the donor a monthly charge failed, with the link to update the card. Sent once."""
    failure = DonationChargeFailure.objects.select_for_update().select_related("recurring__donor").get(pk=failure_id)
    if failure.emailed_at is not None:
        return False
    recurring = failure.recurring
    cancelled = recurring.status == R.CANCELLED
    context = {"recurring": recurring, "name": recurring.donor_name or recurring.donor.name, "cancelled": cancelled}
    if cancelled:
        context["donate_link"] = settings.SITE_URL.rstrip("/") + reverse("shop:donate")
        subject = "Your monthly gift has been cancelled"
    else:
        context.update(card_link=card_update_link(recurring), max_failed=settings.DONATION_MAX_FAILED_CHARGES)
        subject = "Please update the card for your monthly gift"
    mail.send(to=[recurring.donor.email], subject=subject, template="shop/email/monthly_charge_failed", context=context)
    failure.emailed_at = timezone.now()
    failure.save(update_fields=["emailed_at"])
    return True


def subscription_sync(subscription_id: str) -> None:
    """A subscription Stripe deleted (not by our pause) cancels the monthly gift."""
    recurring = RecurringGift.objects.filter(stripe_subscription_id=subscription_id).first()
    if recurring is None:
        return
    subscription = gateway.retrieve_subscription(subscription_id)
    if subscription.get("status") == "canceled" and recurring.status in (R.ACTIVE, R.PAST_DUE, R.INCOMPLETE):
        RecurringGift.objects.filter(pk=recurring.pk).update(status=R.CANCELLED, cancelled_at=timezone.now())
        _monthly_changed(recurring)


# -- monthly gifts: the donor's changes -------------------------------------------------

def _own(recurring: RecurringGift, *allowed) -> RecurringGift:
    recurring = RecurringGift.objects.select_related("donor").get(pk=recurring.pk)
    if recurring.status not in allowed:
        raise DonationError(f"This monthly gift is {recurring.get_status_display().lower()}; that cannot be done now.")
    return recurring


def recurring_change_amount(recurring: RecurringGift, amount: Decimal) -> RecurringGift:
    recurring = _own(recurring, R.ACTIVE, R.PAST_DUE, R.PAUSED)
    amount = quantize(amount)
    if amount < MIN_GIFT or amount > MAX_GIFT:
        raise DonationError(f"Please give between ${MIN_GIFT} and ${MAX_GIFT:,}.")
    fee = fee_cover(amount) if recurring.cover_fees else Decimal("0.00")
    if recurring.stripe_subscription_id and recurring.status != R.PAUSED:
        gateway.update_subscription_quantity(recurring.stripe_subscription_id, to_cents(amount + fee))
    with transaction.atomic():
        RecurringGift.objects.filter(pk=recurring.pk).update(amount=amount, fee_covered=fee, total=amount + fee,
                                                            updated_at=timezone.now())
        audit_record("monthly_gift.amount_changed", target=recurring, old=recurring.total, new=amount + fee)
    recurring.refresh_from_db()
    return recurring


def recurring_pause(recurring: RecurringGift) -> RecurringGift:
    """Stop charging until resumed: the Stripe subscription ends; customer and card stay."""
    recurring = _own(recurring, R.ACTIVE, R.PAST_DUE)
    subscription_id = recurring.stripe_subscription_id
    RecurringGift.objects.filter(pk=recurring.pk).update(status=R.PAUSED, stripe_subscription_id=None,
                                                        updated_at=timezone.now())
    _monthly_changed(recurring)
    if subscription_id:
        gateway.cancel_subscription(subscription_id)
    recurring.refresh_from_db()
    return recurring


def recurring_resume(recurring: RecurringGift) -> RecurringGift:
    """Start charging again (today, then monthly) on the same customer and card."""
    recurring = _own(recurring, R.PAUSED)
    subscription = gateway.create_subscription(recurring.stripe_customer_id, recurring.stripe_plan_id,
                                               to_cents(recurring.total), {"monthly_gift": recurring.number})
    if subscription["status"] not in ("active", "trialing"):
        gateway.cancel_subscription(subscription["id"])
        raise DonationError("Your card was declined. Please update your card, then resume.")
    RecurringGift.objects.filter(pk=recurring.pk).update(status=R.ACTIVE, stripe_subscription_id=subscription["id"],
                                                        failed_charges=0, updated_at=timezone.now())
    _monthly_changed(recurring)
    recurring.refresh_from_db()
    return recurring


def recurring_cancel(recurring: RecurringGift) -> RecurringGift:
    recurring = _own(recurring, R.ACTIVE, R.PAST_DUE, R.PAUSED, R.INCOMPLETE)
    subscription_id = recurring.stripe_subscription_id
    with transaction.atomic():
        RecurringGift.objects.filter(pk=recurring.pk).update(status=R.CANCELLED, cancelled_at=timezone.now(),
                                                            updated_at=timezone.now())
        _monthly_changed(recurring)
        audit_record("monthly_gift.cancelled", target=recurring, total=recurring.total)
    if subscription_id:
        gateway.cancel_subscription(subscription_id)
    recurring.refresh_from_db()
    return recurring


def recurring_update_card(recurring: RecurringGift, payment_method_id: str) -> ConfirmResult:
    """Make a new card the default and retry any charge left open by a failure."""
    _pm(payment_method_id)
    recurring = _own(recurring, R.ACTIVE, R.PAST_DUE, R.PAUSED)
    if not recurring.stripe_customer_id:
        raise DonationError("This monthly gift has no card on file yet.")
    gateway.set_default_payment_method(recurring.stripe_customer_id, payment_method_id)
    for invoice in gateway.list_open_invoices(recurring.stripe_customer_id):
        try:
            gateway.pay_invoice(invoice["id"])
        except gateway.CardDeclined as error:
            raise DonationError(error.message) from error
        except gateway.PaymentGatewayError:
            pass  # Stripe retries on its schedule; the webhook will tell us
    return ConfirmResult("succeeded")


# -- refunds ----------------------------------------------------------------------------

def donation_refund(donation_id: int, reason: str = "") -> Donation:
    """Refund a paid gift in full: a refund row against its payment, asked of Stripe. Its
    receipt is voided and payroll reverses any fund credit once Stripe confirms."""
    from shop.services.refunds import RefundError, refund_apply_stripe_status, refund_check

    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation_id)
        if donation.status != Donation.Status.PAID:
            raise DonationError(f"Gift {donation.number} is {donation.get_status_display().lower()}; only a paid gift is refunded.")
        payment = donation.payments.select_for_update().exclude(stripe_payment_intent_id=None).order_by("-id").first()
        if payment is None:
            raise DonationError(f"Gift {donation.number} has no card payment to refund.")
        try:
            refund_check(payment, donation.total, f"gift {donation.number}")
        except RefundError as error:
            raise DonationError(error.message) from error
        refund = Refund.objects.create(payment=payment, amount=donation.total, reason=reason or "Refunded")
        audit_record("donation.refund_requested", target=donation, total=donation.total)
    try:
        stripe_refund = gateway.create_refund(payment.stripe_payment_intent_id, donation.total,
                                              f"donation-{donation.number}-refund")
    except DomainError:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
        raise
    Refund.objects.filter(pk=refund.pk).update(stripe_refund_id=stripe_refund["id"])
    if refund_apply_stripe_status(refund.pk, stripe_refund["status"]):
        donation_mark_refunded(donation.pk, reason or "Refunded")
    donation.refresh_from_db()
    return donation


def donation_refund_sync(refund_id: str) -> None:
    """A gift's refund as Stripe reports it now (refund webhooks): confirmed → the gift is refunded."""
    from shop.services.refunds import refund_apply_stripe_status

    refund = Refund.objects.select_related("payment").filter(stripe_refund_id=refund_id, payment__donation__isnull=False).first()
    if refund is None:
        return
    stripe_status = gateway.retrieve_refund(refund_id)["status"]
    refund_apply_stripe_status(refund.pk, stripe_status)
    refund.refresh_from_db()
    if refund.status == Refund.Status.SUCCEEDED:
        donation_mark_refunded(refund.payment.donation_id, refund.reason or "Refunded")


@transaction.atomic
def donation_mark_refunded(donation_id: int, reason: str) -> bool:
    from shop.services.receipts import receipt_void

    donation = Donation.objects.select_for_update().get(pk=donation_id)
    if donation.status != Donation.Status.PAID:
        return False
    donation.status = Donation.Status.REFUNDED
    donation.refunded_at = timezone.now()
    donation.save(update_fields=["status", "refunded_at"])
    audit_record("donation.refunded", target=donation, total=donation.total, fund=donation.fund)
    for receipt in donation.receipts.filter(voided_at__isnull=True):
        receipt_void(receipt.pk, reason)
    announce_on_commit(donation_refunded, donation_id=donation.pk, fund=donation.fund)
    return True


# -- tribute ----------------------------------------------------------------------------

@transaction.atomic
def tribute_notify(donation_id: int) -> bool:
    """Tell the person named for the notice that a gift was made in honour or memory. Once; no amount."""
    donation = Donation.objects.select_for_update().get(pk=donation_id)
    if donation.tribute_notified_at or not donation.tribute_notify_email or donation.status != Donation.Status.PAID:
        return False
    giver = "Someone who wishes to remain anonymous" if donation.anonymous else donation.donor_name
    words = "in honour of" if donation.tribute == Tribute.HONOUR else "in memory of"
    mail.send(to=[donation.tribute_notify_email], subject=f"A gift {words} {donation.tribute_name}",
              template="shop/email/tribute_notice", context={"donation": donation, "giver": giver, "words": words})
    donation.tribute_notified_at = timezone.now()
    donation.save(update_fields=["tribute_notified_at"])
    return True
