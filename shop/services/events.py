"""Events: tickets and sponsorships paid like one-time gifts, and hosting requests.

A ticket purchase or a sponsorship is a one-time ``Donation`` (fund: general operating)
whose ``goods_value`` is the fair market value of what the payer receives, so the
existing pay page, webhook, receipt task and receipt PDF do the rest, and the receipt
shows the deductible part. Places are counted with the event's row locked: paid
purchases, plus pending ones younger than ``EVENT_HOLD_MINUTES``, so two buyers cannot
take the same last place. A hold that runs out is released (its PaymentIntent cancelled
at Stripe, so it can no longer be paid).
"""
import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shop.platform import mail, page_cache
from shop.platform import stripe_gateway as gateway
from shop.platform.errors import DomainError
from shop.models import Donation, Event, EventTicket, Fund, HostingRequest, Payment, Sponsorship, SponsorshipTier, TicketType
from shop.platform.money import quantize
from shop.pricing import Line, price
from shop.selectors import events as selectors
from shop.services.donations import (
    MAX_GIFT,
    GiftDetails,
    details_given,
    donation_payment_sync,
    donor_for_gift,
    given_address,
)
from shop.services.logos import LogoError, check_logo, generated_name
from shop.services.payments import payment_open, payment_status_record

log = logging.getLogger(__name__)

MAX_TICKETS_PER_PURCHASE = 20
SPONSOR_LOGO_MAX_BYTES = 2 * 1024 * 1024
SPONSOR_LOGO_MIN_SIDE = 60
MAX_EXPECTED_GUESTS = 5000


class EventError(DomainError):
    pass


@dataclass(frozen=True)
class Buyer:
    """Who pays: the receipt is made out to ``name`` (and the address, if given)."""

    name: str
    email: str
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""

    @property
    def address(self) -> str:
        return given_address(self.address_line1, self.address_line2, self.city, self.state, self.postal_code)


def _signed_in(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _donor(buyer: Buyer, amount):
    """The donor for this e-mail; an existing one is never changed (``donor_for_gift``)."""
    return donor_for_gift(GiftDetails(
        amount=amount, monthly=False, fund=Fund.GENERAL, cover_fees=False, anonymous=False, name=buyer.name,
        email=buyer.email, address_line1=buyer.address_line1, address_line2=buyer.address_line2, city=buyer.city,
        state=buyer.state, postal_code=buyer.postal_code,
    ))


def _check_buyer(buyer: Buyer) -> None:
    if not buyer.name.strip() or not buyer.email.strip():
        raise EventError("Give your name and e-mail for the receipt.")


def _locked_event(event_id: int) -> Event:
    event = Event.objects.select_for_update().get(pk=event_id)
    if not selectors.on_sale(event):
        raise EventError(f"{event.title} is no longer taking bookings.")
    return event


def _open_payment(donation: Donation, kind: str) -> Donation:
    """The PaymentIntent for the exact total, as for a one-time gift. If Stripe cannot be
    reached the purchase is cancelled at once, so it holds no place."""
    try:
        intent = gateway.create_donation_intent(donation.total, donation.number, f"donation-{donation.number}-intent")
    except DomainError:
        Donation.objects.filter(pk=donation.pk, status=Donation.Status.PENDING).update(status=Donation.Status.CANCELLED)
        page_cache.changed(page_cache.EVENTS)  # its places are free again
        raise
    payment_open(kind, donation, intent, donation.total)
    return donation


def _places(n: int) -> str:
    return f"{n} place{'' if n == 1 else 's'}"


# -- tickets ------------------------------------------------------------------------------

def ticket_description(ticket_type: TicketType, quantity: int) -> str:
    """What the receipt says the payment bought, e.g. "2 × Spring Gala, Gala dinner ticket: dinner and drinks"."""
    text = f"{quantity} × {ticket_type.event.title}, {ticket_type.name} ticket"
    if ticket_type.benefit_description:
        text += f": {ticket_type.benefit_description}"
    return text[:300]


def tickets_reserve(ticket_type: TicketType, quantity: int, buyer: Buyer, user=None) -> EventTicket:
    """Hold ``quantity`` places of an event and open the payment for them.

    Refused, with nothing written, when fewer places are left than asked for.
    """
    if not isinstance(quantity, int) or quantity < 1 or quantity > MAX_TICKETS_PER_PURCHASE:
        raise EventError(f"Choose between 1 and {MAX_TICKETS_PER_PURCHASE} tickets.")
    _check_buyer(buyer)
    with transaction.atomic():
        event = _locked_event(ticket_type.event_id)
        ticket_type = TicketType.objects.select_related("event").get(pk=ticket_type.pk)
        if not ticket_type.is_active:
            raise EventError(f"{ticket_type.name} tickets are no longer on sale.")
        left = selectors.places_left(event)
        if left == 0:
            raise EventError(f"{event.title} is sold out.")
        if quantity > left:
            raise EventError(f"Only {_places(left)} left for {event.title}; you asked for {quantity}. "
                             "Please choose fewer tickets.")
        total = price([Line(ticket_type.price, quantity, label=ticket_type.name)]).total
        if total > MAX_GIFT:
            raise EventError("That is more than we can take in one payment; please buy fewer tickets at a time.")
        donor = _donor(buyer, total)
        donation = Donation.objects.create(
            donor=donor, donor_name=buyer.name.strip(), donor_address=buyer.address, user=_signed_in(user),
            given_details=details_given(buyer),
            amount=total, total=total,
            fund=Fund.GENERAL, goods_value=quantize(ticket_type.fair_market_value * quantity),
            goods_description=ticket_description(ticket_type, quantity),
        )
        ticket = EventTicket.objects.create(ticket_type=ticket_type, event=event, donation=donation, quantity=quantity,
                                            buyer_name=buyer.name.strip(), buyer_email=donor.email)
    _open_payment(donation, Payment.Kind.TICKET)
    return ticket


# -- sponsorships -------------------------------------------------------------------------

@dataclass(frozen=True)
class Sponsor:
    name: str  # as shown on the event page and the receipt: usually a business
    contact_name: str
    email: str
    link: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""


def sponsor_logo_check(filename: str, content: bytes):
    """A sponsor's logo for the public event page: a PNG or JPEG, at most 2 MB, that really is one."""
    if len(content) > SPONSOR_LOGO_MAX_BYTES:
        raise LogoError("This file is larger than 2 MB, the most a sponsor logo can be. Please upload a smaller version.")
    checked = check_logo(filename, content, min_short_side=SPONSOR_LOGO_MIN_SIDE)
    if checked.kind not in ("png", "jpeg"):
        raise LogoError("Please upload the logo as a PNG or JPEG image.")
    return checked


def sponsorship_description(tier: SponsorshipTier) -> str:
    benefits = "; ".join(line.strip() for line in tier.benefits.splitlines() if line.strip())
    return f"{tier.event.title}, {tier.name} sponsorship: {benefits}"[:300]


def sponsorship_start(tier: SponsorshipTier, sponsor: Sponsor, logo: tuple[str, bytes] | None = None,
                      user=None) -> Sponsorship:
    """Take a place in a sponsorship tier and open its payment. The logo and link appear on
    the event page once the payment is confirmed."""
    if not sponsor.name.strip():
        raise EventError("Give the sponsor's name as it should appear on the event page.")
    if sponsor.link and not sponsor.link.lower().startswith(("https://", "http://")):
        raise EventError("The link must be a web address starting with https://.")
    _check_buyer(Buyer(sponsor.contact_name, sponsor.email))
    checked = sponsor_logo_check(*logo) if logo else None
    with transaction.atomic():
        event = _locked_event(tier.event_id)
        tier = SponsorshipTier.objects.select_related("event").get(pk=tier.pk)
        left = selectors.sponsorships_left(tier)
        if left == 0:
            raise EventError(f"The {tier.name} sponsorships of {event.title} are all taken.")
        contact = Buyer(sponsor.contact_name, sponsor.email, sponsor.address_line1, sponsor.address_line2,
                        sponsor.city, sponsor.state, sponsor.postal_code)
        total = price([Line(tier.amount, 1, label=tier.name)]).total
        donor = _donor(contact, total)
        donation = Donation.objects.create(
            donor=donor, donor_name=sponsor.name.strip(), donor_address=contact.address, user=_signed_in(user),
            given_details=details_given(contact),
            amount=total,
            total=total, fund=Fund.GENERAL, goods_value=tier.fair_market_value,
            goods_description=sponsorship_description(tier),
        )
        sponsorship = Sponsorship(tier=tier, event=event, donation=donation, sponsor_name=sponsor.name.strip(),
                                  link=sponsor.link.strip())
        if checked is not None:
            sponsorship.logo.save(generated_name(checked.kind), ContentFile(checked.content), save=False)
        sponsorship.save()
    _open_payment(donation, Payment.Kind.SPONSORSHIP)
    return sponsorship


# -- holds --------------------------------------------------------------------------------

def _event_donations():
    return Donation.objects.filter(Q(event_ticket__isnull=False) | Q(sponsorship__isnull=False))


def hold_release(donation_id: int) -> Donation:
    """Release a pending purchase whose hold ran out: its PaymentIntent is cancelled at Stripe
    first, so it can no longer be paid. One that succeeded meanwhile is made paid instead."""
    donation = Donation.objects.get(pk=donation_id)
    if donation.status != Donation.Status.PENDING:
        return donation
    payment = donation.payment
    if payment is not None and payment.stripe_payment_intent_id:
        try:
            gateway.cancel_payment_intent(payment.stripe_payment_intent_id)
        except DomainError:
            return donation_payment_sync(payment.stripe_payment_intent_id) or donation  # perhaps it was paid
        payment_status_record(payment, "canceled", note="The hold on these places ran out.")
    Donation.objects.filter(pk=donation.pk, status=Donation.Status.PENDING).update(
        status=Donation.Status.CANCELLED, last_error="The hold on these places ran out before payment.")
    page_cache.changed(page_cache.EVENTS)
    donation.refresh_from_db()
    return donation


def holds_release_expired(now=None) -> list[int]:
    """Release every event purchase still unpaid after its hold; returns their donation ids."""
    expired = list(_event_donations().filter(status=Donation.Status.PENDING, created_at__lt=selectors.hold_cutoff(now))
                   .values_list("pk", flat=True))
    for donation_id in expired:
        try:
            hold_release(donation_id)
        except DomainError as error:
            log.warning("Could not release event hold %s yet: %s", donation_id, error.message)
    return expired


def hold_check(donation: Donation) -> None:
    """Before a card is charged for an event purchase: its hold must not have run out."""
    if selectors.event_purchase(donation) is None or not selectors.hold_expired(donation):
        return
    hold_release(donation.pk)
    raise EventError(f"Your places were held for {settings.EVENT_HOLD_MINUTES} minutes and the hold has run out, "
                     "so nothing was charged. Please choose your tickets again on the event page.")


# -- hosting requests ---------------------------------------------------------------------

@dataclass(frozen=True)
class HostingDetails:
    organisation: str
    contact_name: str
    email: str
    date: date
    expected_guests: int
    purpose: str
    phone: str = ""


def hosting_request_create(details: HostingDetails) -> HostingRequest:
    """Record a request to host an event at the space; the requester and the staff are told."""
    if details.date <= timezone.localdate():
        raise EventError("Choose a date in the future.")
    if not 1 <= details.expected_guests <= MAX_EXPECTED_GUESTS:
        raise EventError(f"Expected guests must be between 1 and {MAX_EXPECTED_GUESTS:,}.")
    if not (details.organisation.strip() and details.contact_name.strip() and details.purpose.strip()):
        raise EventError("Give the organisation, a contact name and the purpose of the event.")
    with transaction.atomic():
        request = HostingRequest.objects.create(
            organisation=details.organisation.strip(), contact_name=details.contact_name.strip(),
            email=details.email.strip().lower(), phone=details.phone.strip(), date=details.date,
            expected_guests=details.expected_guests, purpose=details.purpose.strip(),
        )
        from shop.tasks import send_hosting_acknowledgement, send_hosting_notification

        transaction.on_commit(lambda: send_hosting_acknowledgement.delay(request.pk))
        transaction.on_commit(lambda: send_hosting_notification.delay(request.pk))
    return request


def hosting_acknowledge(request_id: int) -> None:
    request = HostingRequest.objects.get(pk=request_id)
    mail.send(to=[request.email], subject=f"We received your request to host an event on {request.date:%B %-d, %Y}",
              template="shop/email/hosting_acknowledgement", context={"hosting": request})


def hosting_notify_staff(request_id: int) -> None:
    request = HostingRequest.objects.get(pk=request_id)
    link = settings.SITE_URL.rstrip("/") + reverse("shop:staff_events") + "#hosting"
    mail.send(to=[settings.SHOP_STAFF_EMAIL], subject=f"Hosting request: {request.organisation} on {request.date:%B %-d, %Y}",
              template="shop/email/hosting_request_staff", context={"hosting": request, "link": link})


def hosting_decide(request_id: int, accept: bool, message: str, user) -> HostingRequest:
    """Accept or decline a request, once; the requester is e-mailed the decision after commit."""
    with transaction.atomic():
        request = HostingRequest.objects.select_for_update().get(pk=request_id)
        if request.status != HostingRequest.Status.NEW:
            who = f" by {request.decided_by.get_full_name() or request.decided_by.email}" if request.decided_by else ""
            when = f" on {timezone.localtime(request.decided_at):%B %-d, %Y}" if request.decided_at else ""
            raise EventError(f"The request from {request.organisation} was already {request.get_status_display().lower()}"
                             f"{when}{who}, and the requester was told. Nothing was changed.")
        request.status = HostingRequest.Status.ACCEPTED if accept else HostingRequest.Status.DECLINED
        request.staff_message = message.strip()
        request.decided_by = user
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "staff_message", "decided_by", "decided_at"])
        from shop.tasks import send_hosting_decision

        transaction.on_commit(lambda: send_hosting_decision.delay(request.pk))
    return request


@transaction.atomic
def hosting_decision_email(request_id: int) -> bool:
    """Tell the requester the decision. Sent once: the row records when it went out."""
    request = HostingRequest.objects.select_for_update().get(pk=request_id)
    if request.decision_emailed_at is not None or request.status == HostingRequest.Status.NEW:
        return False
    accepted = request.status == HostingRequest.Status.ACCEPTED
    if accepted:
        subject = f"Yes, we can host {request.organisation}'s event on {request.date:%B %-d, %Y}"
    else:
        subject = f"Your request to host an event on {request.date:%B %-d, %Y}"
    mail.send(to=[request.email], subject=subject, template="shop/email/hosting_decision",
              context={"hosting": request, "accepted": accepted})
    request.decision_emailed_at = timezone.now()
    request.save(update_fields=["decision_emailed_at"])
    return True

