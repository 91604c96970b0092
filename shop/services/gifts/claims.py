"""Gifts sent by claim link: the client buys N boxes and, instead of uploading addresses,
gets one link per gift (a CSV of links to pass on) or has us e-mail named recipients. A
recipient opens the link (no account), confirms an address (and, when the client allowed
it, picks one of the client's other boxes at the same price or less) and the claim becomes
a row of the order's claims list, shipped by staff like any recipient list.

Links are ``secrets.token_urlsafe`` values of which only the SHA-256 is stored; a claim is
taken once, under its row lock, whichever of its links is used. E-mailed recipients who
have not claimed get a reminder ``GIFT_CLAIM_REMINDER_DAYS`` before the expiry date (each
sent once). After the expiry date the unclaimed gifts follow the client's choice: their
value back as account credit, refunded to the card, or shipped to a fallback address.

Money: each gift's ``value`` is its share of the order's total (``money.allocate``, the
shares sum to the total exactly), so what an unclaimed gift returns is known to the cent.
Sales tax: the order is taxed as if every gift went where the most is owed (``quote.highest_tax``);
each gift keeps its share of that tax (``tax_estimated``) and, once claimed or sent to the fallback
address, the tax it owes there (``tax``); the difference comes back as account credit once
(``tax:<order>``, ``claims_tax_credit``). A gift cancelled unclaimed returns its whole value, its
estimated tax with it, so it takes no part in that credit.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shop.models import (
    ClaimCampaign,
    GiftClaim,
    GiftClaimLink,
    GiftDesign,
    GiftOrder,
    GiftRecipient,
    Organisation,
    OrganisationCredit,
    Refund,
    RecipientList,
)
from shop.platform import mail
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.platform.facts import announce_on_commit, gift_claim_alternative, gift_claims_cancelled
from shop.platform.money import ZERO, allocate
from shop.services.gifts.credit import organisation_credit_balance  # noqa: F401 (the balance lives in credit.py)
from shop.platform.validators import control_characters
from shop.services.gifts.orders import CLAIM_LINK, ShipTo, gift_order_place, order_buyers
from shop.services.gifts.quote import claim_gift_taxes, gift_quote
from shop.services.gifts.stock import claim_box_swap, unclaimed_boxes_return
from shop.wages import design_box_wages, gift_boxes_wages

C = GiftClaim.Status
O = ClaimCampaign.Outcome
MAX_CLAIMS = 2000
MAX_DAYS_OPEN = 365


class ClaimError(DomainError):
    pass


class ClaimTaken(ClaimError):
    """The gift was claimed already: the page says so, and nothing else ships."""


class ClaimClosed(ClaimError):
    """The link expired (or its order was cancelled or declined)."""


class ClaimNotReady(ClaimError):
    """Its order waits for an administrator's approval: nothing can be claimed yet."""


NOT_READY = "This gift is not ready yet."
# Orders whose recipients hear nothing: not placed (yet, or ever).
NOT_PLACED = (GiftOrder.Status.AWAITING_APPROVAL, GiftOrder.Status.DECLINED, GiftOrder.Status.CANCELLED)
LINKS_WAIT = "The links come once an administrator approves the order."


@dataclass(frozen=True)
class Named:
    name: str
    email: str


def recipients_parse(text: str) -> list[Named]:
    """Named recipients pasted one a line: ``Name, e-mail`` (a comma, a tab or a semicolon
    between; a spreadsheet's two columns pasted in). All or nothing: every bad line is named."""

    people, problems, seen = [], [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        for separator in ("\t", ";", ","):
            if separator in line:
                name, _, email = line.rpartition(separator)
                break
        else:
            name, email = "", line
        name, email = " ".join(name.split()).strip('"'), email.strip().strip("<>").lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"line {number}: “{email[:60]}” is not an e-mail address")
            continue
        if not name:
            problems.append(f"line {number}: give the recipient's name before the e-mail address")
        elif len(name) > 120 or control_characters(name):
            problems.append(f"line {number}: the name is over 120 characters or has control characters")
        elif email in seen:
            problems.append(f"line {number}: {email} is on the list twice")
        else:
            seen.add(email)
            people.append(Named(name, email))
    if problems:
        raise ClaimError(f"{len(problems)} line{'s' if len(problems) != 1 else ''} need fixing: "
                         + "; ".join(problems[:20]) + ("; …" if len(problems) > 20 else "") + ".")
    return people


def alternatives_check(design: GiftDesign, alternatives, box_price) -> list[GiftDesign]:
    """The boxes a recipient may pick instead: the client's own, with items, priced per box
    at most what the ordered box costs (the client paid for that price point)."""
    chosen = []
    for alternative in alternatives:
        if alternative.pk == design.pk:
            continue
        if alternative.organisation_id != design.organisation_id or not alternative.items.exists():
            raise ClaimError(f"“{alternative.name}” cannot be offered: it is not one of your boxes with items in it.")
        price = gift_quote(alternative, 1).box_price
        if price > box_price:
            raise ClaimError(f"“{alternative.name}” costs ${price} a box, more than the ${box_price} of the box "
                             "you are ordering; offer boxes at that price point or less.")
        chosen.append(alternative)
    return chosen


def claim_order_place(design: GiftDesign, quantity: int | None, *, delivery: str, expires_on: date, outcome: str,
                      sender_name: str, in_hand_date: date, actor, recipients: list[Named] = (), note: str = "",
                      fallback: ShipTo | None = None, alternatives=(), today: date | None = None,
                      po_number: str = "") -> GiftOrder:
    """Place an order of N boxes sent by claim link: the order (priced per recipient, as the
    usual order), its hidden claims list, and N claims each worth its share of the total.
    E-mailed recipients are written to once the order is placed: as this commits, or, for an
    order waiting for an administrator's approval, once it is approved (the placing step,
    ``orders.gift_order_pay_placed``, queues ``claim_invitations_send``)."""
    today = today or timezone.localdate()
    if delivery == ClaimCampaign.Delivery.EMAIL:
        if not recipients:
            raise ClaimError("List the recipients to e-mail: a name and an e-mail address a line.")
        quantity = len(recipients)
    elif delivery != ClaimCampaign.Delivery.LINKS:
        raise ClaimError("Choose whether you send the links or we e-mail the recipients.")
    if not quantity or quantity < 1:
        raise ClaimError("Order at least one gift.")
    if quantity > MAX_CLAIMS:
        raise ClaimError(f"At most {MAX_CLAIMS:,} gifts by link in one order.")
    if expires_on <= today or expires_on > today + timedelta(days=MAX_DAYS_OPEN):
        raise ClaimError(f"Choose an expiry date after today and within {MAX_DAYS_OPEN} days.")
    if outcome not in O.values:
        raise ClaimError("Choose what happens to the gifts left unclaimed.")
    if outcome == O.FALLBACK and fallback is None:
        raise ClaimError("Give the fallback address the unclaimed gifts ship to.")
    if outcome == O.REFUND and design.organisation.payment_terms != Organisation.Terms.CARD:
        raise ClaimError("An invoiced order's unclaimed gifts come back as account credit, not a card refund.")
    sender_name = " ".join(sender_name.split())
    if not sender_name:
        raise ClaimError("Say who the gift is from, as the recipient will read it.")
    with transaction.atomic():
        order = gift_order_place(design, quantity, shipping_mode=CLAIM_LINK, in_hand_date=in_hand_date, actor=actor,
                                 today=today, po_number=po_number)
        offered = alternatives_check(design, alternatives, order.box_price)
        claims_list = RecipientList.objects.create(organisation=order.organisation, name=f"Claims for {order.number}",
                                                   status=RecipientList.Status.CLAIMS, uploaded_by=actor)
        order.recipient_list = claims_list
        order.save(update_fields=["recipient_list"])
        address = {}
        if outcome == O.FALLBACK:
            address = {"fallback_name": fallback.name, "fallback_company": fallback.company,
                       "fallback_line1": fallback.line1, "fallback_line2": fallback.line2,
                       "fallback_city": fallback.city, "fallback_state": fallback.state, "fallback_zip": fallback.zip}
        campaign = ClaimCampaign.objects.create(order=order, recipient_list=claims_list, delivery=delivery,
                                                sender_name=sender_name[:120], note=note.strip()[:300],
                                                expires_on=expires_on, outcome=outcome, **address)
        campaign.alternatives.set(offered)
        values, taxes = allocate(order.total, [1] * quantity), allocate(order.tax, [1] * quantity)
        named = list(recipients) + [Named("", "")] * (quantity - len(recipients))
        GiftClaim.objects.bulk_create(
            GiftClaim(campaign=campaign, number=n, name=person.name, email=person.email, value=value,
                      tax_estimated=tax)
            for n, (person, value, tax) in enumerate(zip(named, values, taxes), start=1)
        )
        audit_record("gift_claims.created", actor=actor, target=order, gifts=quantity, total=order.total,
                     delivery=delivery, outcome=outcome)
    return order


# -- links ---------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_issue(claim: GiftClaim) -> str:
    """A new secret link to ``claim``; only its hash is stored. Returns the full URL."""
    token = secrets.token_urlsafe(32)
    GiftClaimLink.objects.create(claim=claim, token_hash=_hash(token))
    return settings.SITE_URL.rstrip("/") + reverse("shop:gift_claim", args=[token])


def claim_for_token(token: str) -> GiftClaim | None:
    """The claim a link opens, or None (a guessed or mistyped link)."""
    if not token or len(token) > 100:
        return None
    link = (GiftClaimLink.objects.filter(token_hash=_hash(token))
            .select_related("claim__campaign__order__design__size", "claim__chosen_design").first())
    return link.claim if link else None


@transaction.atomic
def claim_links_issue(order_id: int, actor) -> list[tuple[int, str, str, str]]:
    """A fresh link for every gift not yet claimed (links issued before keep working): rows
    of gift number, name, e-mail and link for the client's CSV. A POST: it writes the links."""
    campaign = ClaimCampaign.objects.select_for_update(of=("self",)).select_related("order").get(order_id=order_id)
    order = campaign.order
    if order.status == GiftOrder.Status.AWAITING_APPROVAL:
        raise ClaimNotReady(f"Order {order.number} is waiting for an administrator's approval. {LINKS_WAIT}")
    if order.status in (GiftOrder.Status.CANCELLED, GiftOrder.Status.DECLINED):
        raise ClaimClosed(f"Order {order.number} was {order.get_status_display().lower()}; "
                          "its gifts can no longer be claimed.")
    if campaign.settled_at is not None:
        raise ClaimError("The claim period is over; there are no open links left to give out.")
    rows = [(claim.number, claim.name, claim.email, link_issue(claim))
            for claim in campaign.claims.filter(status=C.OPEN).order_by("number")]
    audit_record("gift_claims.links_issued", actor=actor, target=campaign.order, links=len(rows))
    return rows


def claim_state(claim: GiftClaim, today: date | None = None) -> str:
    """``open``, ``claimed``, ``closed`` (expired, settled, or its order cancelled or declined)
    or ``waiting`` (its order waits for an administrator's approval: not placed, so nothing
    can be claimed yet)."""
    today = today or timezone.localdate()
    if claim.status == C.CLAIMED:
        return "claimed"
    if (claim.status != C.OPEN or today > claim.campaign.expires_on
            or claim.campaign.order.status in (GiftOrder.Status.CANCELLED, GiftOrder.Status.DECLINED)):
        return "closed"
    if claim.campaign.order.status == GiftOrder.Status.AWAITING_APPROVAL:
        return "waiting"
    return "open"


def claims_close(order: GiftOrder, reason: str) -> int:
    """Inside the transaction declining or cancelling ``order`` (its campaign locked first, then
    the order: the lock order of ``claim_accept``): its gifts not claimed yet are closed
    (cancelled, ``settlement`` saying why), so no link, reminder or settlement takes them up.
    Nothing comes back for them: the order was never paid. Returns how many were closed."""
    return GiftClaim.objects.filter(campaign__order=order, status=C.OPEN).update(
        status=C.CANCELLED, settlement=f"order {reason}")


def campaign_lock(order_id: int) -> ClaimCampaign | None:
    """Lock the claim campaign of ``order_id`` (None for an order not sent by claim link).
    Whatever locks a campaign and its order takes the campaign first (see ``claim_accept``)."""
    return ClaimCampaign.objects.select_for_update().filter(order_id=order_id).first()


def claim_choices(claim: GiftClaim) -> list[GiftDesign]:
    """The boxes the recipient may pick from: the ordered one first, then the alternatives."""
    campaign = claim.campaign
    alternatives = list(campaign.alternatives.select_related("size").order_by("name"))
    return [campaign.order.design, *alternatives] if alternatives else []


def _tracking_address(email: str | None, claim_email: str) -> str:
    """The address the tracking goes to: the one the recipient typed (blank: none), or the
    one the client gave when the form did not ask."""

    if email is None:
        return claim_email
    email = email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ClaimError("Enter a valid e-mail address for the tracking updates, or leave it blank.") from None
    return email


def claim_accept(token: str, ship_to: ShipTo, *, design_id: int | None = None, share_address: bool = False,
                 today: date | None = None, email: str | None = None) -> GiftClaim:
    """The recipient claims the gift: the address becomes a row of the order's claims list.
    Under the claim's row lock, so two tabs (or two people with the link) ship once.
    ``email`` (the form's "E-mail for tracking updates") is kept on that row, never on the
    claim the client reads; None keeps the address the client gave."""
    today = today or timezone.localdate()
    found = claim_for_token(token)
    if found is None:
        raise ClaimError("This link does not match a gift.")
    with transaction.atomic():
        # Lock order, the same everywhere a campaign, its claims and its order are locked
        # together: campaign → claim → order. Settlement (``claim_campaign_settle``) locks the
        # campaign, then updates its claims, then locks the order; declining, cancelling and the
        # tax credit after payment lock the campaign before the order; a claim's lock takes its
        # own row only (``of=("self",)``: a join never locks the campaign or order out of turn).
        # Taking the campaign first also makes "the last gift claimed" below certain: two last
        # claims queue on it, so the second sees the first's commit and credits the tax.
        ClaimCampaign.objects.select_for_update().filter(pk=found.campaign_id).first()
        claim = GiftClaim.objects.select_for_update(of=("self",)).select_related("campaign__order").get(pk=found.pk)
        state = claim_state(claim, today)
        if state == "claimed":
            raise ClaimTaken(f"This gift was already claimed on {timezone.localtime(claim.claimed_at):%b %-d, %Y}.")
        if state == "closed":
            raise ClaimClosed("This gift can no longer be claimed.")
        if state == "waiting":
            raise ClaimNotReady(f"{NOT_READY} Please try the link again later.")
        campaign = claim.campaign
        chosen = None
        offered = {d.pk: d for d in claim_choices(claim)}
        if offered:
            if design_id not in offered:
                raise ClaimError("Choose one of the boxes.")
            chosen = offered[design_id]
        adjustment = ZERO
        taken = {}
        if chosen is not None and chosen.pk != campaign.order.design_id:
            # The order's row locked (after the campaign's and the claim's, before the
            # variants'): one ordered box back, the alternative's items out (stock.py), and
            # what they were kept on the claim, so cancelling gives back exactly that.
            order = GiftOrder.objects.select_for_update().get(pk=campaign.order_id)
            taken = claim_box_swap(order, chosen)
            # The boxes as chosen fund the wages: the alternative's wages per box less the
            # ordered box's, posted to the wage fund once (payroll, once the order is paid).
            adjustment = design_box_wages(chosen, order.assembly_wage) - gift_boxes_wages(order, 1)
        recipient = GiftRecipient.objects.create(
            recipient_list_id=campaign.recipient_list_id, row=claim.number, name=ship_to.name, company=ship_to.company,
            address_line1=ship_to.line1, address_line2=ship_to.line2, city=ship_to.city, state=ship_to.state,
            zip=ship_to.zip, email=_tracking_address(email, claim.email),
        )
        claim.status, claim.claimed_at, claim.recipient = C.CLAIMED, timezone.now(), recipient
        claim.share_address = share_address
        if chosen is not None:
            claim.chosen_design, claim.chosen_name = chosen, chosen.name
        claim.wage_adjustment = adjustment
        claim.items_taken = {str(pk): units for pk, units in sorted(taken.items()) if units}
        # The tax it owes where it goes, on its share of the boxes and shipping (the order was
        # taxed at the highest rate; the difference comes back at settlement).
        claim.tax = claim_gift_taxes(campaign.order, [claim.number], ship_to.state, ship_to.zip)[claim.number]
        if not claim.name:
            claim.name = ship_to.name
        claim.save(update_fields=["status", "claimed_at", "recipient", "share_address", "chosen_design",
                                  "chosen_name", "name", "wage_adjustment", "tax", "items_taken"])
        if adjustment:
            announce_on_commit(gift_claim_alternative, claim_id=claim.pk, gift_order_id=campaign.order_id)
        if (campaign.order.paid_at is not None
                and not campaign.claims.filter(status=C.OPEN).exclude(pk=claim.pk).exists()):
            # The last gift claimed, the order paid: nothing can change the tax any more, so what
            # was not owed comes back now rather than at the expiry date (once either way; the
            # campaign is locked above).
            claims_tax_credit(campaign.order)
    return claim


# -- e-mails -------------------------------------------------------------------------------


def _send(claim: GiftClaim, reminder: bool) -> None:
    campaign = claim.campaign
    subject = (f"Reminder: {campaign.sender_name} sent you a gift; claim it by {campaign.expires_on:%b %-d}" if reminder
               else f"{campaign.sender_name} sent you a gift")
    mail.send(to=[claim.email], subject=subject, template="shop/email/gift_claim",
              context={"claim": claim, "campaign": campaign, "link": link_issue(claim), "reminder": reminder})


def claim_invitations_send(campaign_id: int) -> int:
    """E-mail each named recipient not written to yet their link, once the order is placed
    (queued by the placing step; an order waiting for approval, declined or cancelled sends
    nothing). Returns how many were sent."""
    sent = 0
    status = GiftOrder.objects.filter(claim_campaign__pk=campaign_id).values_list("status", flat=True).first()
    if status is None or status in NOT_PLACED:
        return 0
    for claim_id in GiftClaim.objects.filter(campaign_id=campaign_id, status=C.OPEN, emailed_at=None).exclude(
            email="").values_list("pk", flat=True):
        with transaction.atomic():
            claim = GiftClaim.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=claim_id)
            if claim.emailed_at is not None or claim.status != C.OPEN:
                continue
            claim.emailed_at = timezone.now()
            claim.save(update_fields=["emailed_at"])
            _send(claim, reminder=False)
            sent += 1
    return sent


def reminders_due(expires_on: date, today: date) -> int:
    """How many reminders are due by ``today``: one for each of ``GIFT_CLAIM_REMINDER_DAYS``
    (days before the expiry date) that has come."""
    return sum(1 for days in settings.GIFT_CLAIM_REMINDER_DAYS if today >= expires_on - timedelta(days=days))


def claims_remind(today: date) -> list[int]:
    """Remind every e-mailed recipient who has not claimed, once per reminder day that has come
    (a recipient who missed two runs gets one e-mail, not two). Each is counted before it is
    sent, under the claim's lock, so no reminder goes twice. Returns the claims reminded."""
    reminded = []
    candidates = (GiftClaim.objects.filter(status=C.OPEN, campaign__settled_at=None, campaign__expires_on__gte=today,
                                           emailed_at__isnull=False).exclude(email="")
                  .exclude(campaign__order__status__in=NOT_PLACED).values_list("pk", flat=True))
    for claim_id in candidates:
        with transaction.atomic():
            claim = GiftClaim.objects.select_for_update(of=("self",)).select_related("campaign__order").get(pk=claim_id)
            due = reminders_due(claim.campaign.expires_on, today)
            if claim.status != C.OPEN or claim.reminders_sent >= due:
                continue
            claim.reminders_sent = due
            claim.save(update_fields=["reminders_sent"])
            _send(claim, reminder=True)
            reminded.append(claim.pk)
    return reminded


# -- tracking --------------------------------------------------------------------------------


def tracking_emails_queue(recipient_ids) -> int:
    """Inside a shipment's transaction: for each claimed gift among ``recipient_ids`` whose
    recipient left an e-mail address and was not written to yet, mark it e-mailed under the
    claim's row lock and send once the shipment commits. A repeated upload finds them
    marked (and the rows already shipped), so nobody is written to twice. Returns how many."""
    claim_ids = list(GiftClaim.objects.select_for_update(of=("self",))
                     .filter(recipient_id__in=list(recipient_ids), status=C.CLAIMED, tracking_emailed_at=None)
                     .exclude(recipient__email="").values_list("pk", flat=True))
    if not claim_ids:
        return 0
    GiftClaim.objects.filter(pk__in=claim_ids).update(tracking_emailed_at=timezone.now())
    from shop.tasks import send_gift_claim_tracking

    for claim_id in claim_ids:
        transaction.on_commit(lambda claim_id=claim_id: send_gift_claim_tracking.delay(claim_id))
    return len(claim_ids)


def claim_tracking_send(claim_id: int) -> bool:
    """E-mail the recipient of a claimed gift its carrier and tracking number: to the
    recipient's own address only, naming no other recipient and no address of the client's."""
    claim = GiftClaim.objects.select_related("campaign__order__organisation", "recipient").get(pk=claim_id)
    recipient = claim.recipient
    shipment = recipient.shipments.order_by("-id").first() if recipient else None
    if shipment is None or not recipient.email:
        return False
    order = claim.campaign.order
    mail.send(to=[recipient.email], subject=f"Your gift from {claim.campaign.sender_name} is on its way",
              template="shop/email/gift_claim_tracking",
              context={"claim": claim, "campaign": claim.campaign, "organisation": order.organisation,
                       "box": claim.chosen_name or order.design_name, "shipment": shipment,
                       "name": recipient.name})
    return True


# -- after the expiry date -----------------------------------------------------------------


def boxes_cancelled(order: GiftOrder) -> int:
    """Gifts of a claim-link order that were cancelled unclaimed (they are not shipped)."""
    campaign = getattr(order, "claim_campaign", None) if order.shipping_mode == CLAIM_LINK else None
    return campaign.claims.filter(status=C.CANCELLED).count() if campaign else 0


def claims_tax_credit(order: GiftOrder) -> OrganisationCredit | None:
    """Inside a transaction holding the campaign's row lock: the sales tax estimated on the
    order's gifts claimed or sent to the fallback address, less what they owe where they went,
    as account credit, once (``tax:<order>``). Gifts cancelled unclaimed take no part: their
    whole value, their estimated tax in it, comes back with them. Nothing when nothing is owed
    back (a few cents of rounding the other way are the enterprise's, never the client's).
    The order's buyers are e-mailed the credit once, after the commit, when it is made."""
    fixed = list(GiftClaim.objects.filter(campaign__order=order, status__in=[C.CLAIMED, C.FALLBACK],
                                          tax__isnull=False).values_list("tax_estimated", "tax"))
    back = sum((estimated - owed for estimated, owed in fixed), ZERO)
    if back <= 0:
        return None
    credit, created = OrganisationCredit.objects.get_or_create(
        key=f"tax:{order.number}",
        defaults={"organisation_id": order.organisation_id, "amount": back, "order": order,
                  "reason": f"Sales tax of order {order.number} charged at the highest rate, not owed where "
                            f"its {len(fixed)} gift{'s' if len(fixed) != 1 else ''} went"})
    if created:  # once: a second call finds the key and sends nothing
        from shop.tasks import send_gift_tax_credit

        transaction.on_commit(lambda: send_gift_tax_credit.delay(credit.pk))
    return credit


def tax_credit_send(credit_id: int) -> bool:
    """E-mail the order's buyers (whoever placed it and the organisation's administrators) the
    sales tax credited back: the amount, the order, why, and that it is spent on their next
    order automatically."""
    credit = OrganisationCredit.objects.select_related("order__placed_by", "order__organisation").get(pk=credit_id)
    order = credit.order
    to = order_buyers(order) if order else []
    if not to:
        return False
    mail.send(to=to, subject=f"Account credit for gift order {order.number}: sales tax not owed",
              template="shop/email/gift_tax_credit",
              context={"credit": credit, "order": order, "organisation": order.organisation,
                       "link": settings.SITE_URL.rstrip("/") + reverse("shop:gift_claims", args=[order.number])})
    return True


def claims_tax_credit_paid(order_id: int) -> OrganisationCredit | None:
    """After an order's payment commits (``orders`` queues it; the daily run sweeps it): an order
    paid after every gift was already claimed gets its tax credit now, as a claim after payment
    would have given it (once, the same ``tax:<order>`` key). The campaign is locked first."""
    with transaction.atomic():
        campaign = campaign_lock(order_id)
        if campaign is None or campaign.settled_at is not None:
            return None
        order = GiftOrder.objects.get(pk=order_id)
        if order.paid_at is None or campaign.claims.filter(status=C.OPEN).exists():
            return None
        return claims_tax_credit(order)


def claims_tax_credit_sweep() -> list[int]:
    """Orders paid with every gift claimed, before their expiry date, whose tax credit is not
    made yet (the message after payment lost): made now. Returns the orders credited."""
    from django.db.models import Exists, OuterRef, Value
    from django.db.models.functions import Concat

    credited = OrganisationCredit.objects.filter(key=Concat(Value("tax:"), OuterRef("order__number")))
    candidates = (ClaimCampaign.objects.filter(settled_at=None, order__paid_at__isnull=False)
                  .exclude(claims__status=C.OPEN).filter(claims__status=C.CLAIMED).distinct()
                  .exclude(Exists(credited)).values_list("order_id", flat=True))
    return [order_id for order_id in candidates if claims_tax_credit_paid(order_id) is not None]


def _refund_reason(order: GiftOrder) -> str:
    return f"Unclaimed gifts of {order.number}"


def claim_campaign_settle(campaign_id: int, today: date | None = None) -> ClaimCampaign:
    """Deal with the gifts left unclaimed after the expiry date, once, as the client chose.
    Waits while the order is unpaid (nothing to give back yet). A refund is asked of Stripe
    first, under a key of the order's (a second run finds the refund row and reuses it),
    then the claims are closed; fallback gifts get the tax of the fallback address, and the tax
    the claimed and fallback gifts did not owe comes back as credit (``claims_tax_credit``)."""
    from shop.services.refunds import payment_refund

    today = today or timezone.localdate()
    campaign = ClaimCampaign.objects.select_related("order__organisation").get(pk=campaign_id)
    order = campaign.order
    if campaign.settled_at is not None or today <= campaign.expires_on or order.paid_at is None:
        return campaign
    open_claims = list(campaign.claims.filter(status=C.OPEN).order_by("number"))
    amount = sum((claim.value for claim in open_claims), ZERO)
    outcome, settlement, to_credit = campaign.outcome, "", amount
    if outcome == O.REFUND and amount > 0:
        payment = order.payments.filter(status="succeeded").exclude(stripe_payment_intent_id=None).order_by("-id").first()
        if payment is None:
            outcome = O.CREDIT  # paid by invoice (bank transfer): nothing at Stripe to refund
        else:
            # The card gets back at most what it paid; what account credit paid goes back as credit.
            to_card = min(amount, payment.amount)
            refund = payment.refunds.exclude(status=Refund.Status.FAILED).filter(reason=_refund_reason(order)).first()
            refund = refund or payment_refund(payment.pk, to_card, _refund_reason(order),
                                              f"gift-claims-{order.number}-refund")
            settlement, to_credit = f"refund {refund.pk}", amount - refund.amount
    with transaction.atomic():
        campaign = ClaimCampaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.settled_at is not None:
            return campaign
        ids = [claim.pk for claim in open_claims]
        if outcome == O.FALLBACK:
            # Fallback gifts owe the tax of the fallback address.
            taxes = claim_gift_taxes(order, [claim.number for claim in open_claims], campaign.fallback_state,
                                     campaign.fallback_zip)
            for claim in open_claims:
                recipient = GiftRecipient.objects.create(
                    recipient_list_id=campaign.recipient_list_id, row=claim.number,
                    name=(f"{campaign.fallback_name} (for {claim.name})" if claim.name else campaign.fallback_name)[:120],
                    company=campaign.fallback_company, address_line1=campaign.fallback_line1,
                    address_line2=campaign.fallback_line2, city=campaign.fallback_city, state=campaign.fallback_state,
                    zip=campaign.fallback_zip)
                GiftClaim.objects.filter(pk=claim.pk, status=C.OPEN).update(status=C.FALLBACK, recipient=recipient,
                                                                          settlement="fallback address",
                                                                          tax=taxes[claim.number])
        else:
            if to_credit > 0 and outcome in (O.CREDIT, O.REFUND):
                credit, _ = OrganisationCredit.objects.get_or_create(
                    key=f"claims:{order.number}",
                    defaults={"organisation": order.organisation, "amount": to_credit, "order": order,
                              "reason": f"{len(ids)} unclaimed gift{'s' if len(ids) != 1 else ''} of order {order.number}"})
                settlement = f"{settlement}, credit {credit.pk}" if settlement else f"credit {credit.pk}"
            cancelled = GiftClaim.objects.filter(pk__in=ids, status=C.OPEN).update(status=C.CANCELLED,
                                                                                  settlement=settlement)
            if cancelled:
                # Those boxes are never made: one ordered box each goes back to the stock (the
                # order's row locked; counted under the campaign's lock, so once), and their
                # wages go back out of the wage fund (once, keyed by the campaign; payroll's
                # sweep re-posts it if this is lost).
                unclaimed_boxes_return(order.pk, cancelled)
                announce_on_commit(gift_claims_cancelled, campaign_id=campaign.pk, gift_order_id=order.pk,
                                   boxes=cancelled)
        tax_back = claims_tax_credit(order)
        campaign.settled_at = timezone.now()
        campaign.save(update_fields=["settled_at"])
        audit_record("gift_claims.settled", target=order, outcome=outcome, unclaimed=len(ids), amount=amount,
                     tax_back=tax_back.amount if tax_back else ZERO)
        if order.status == GiftOrder.Status.IN_PRODUCTION:
            from shop.services.gifts.fulfilment import _locked, _mark_shipped_if_complete

            _mark_shipped_if_complete(_locked(order.pk))
    return campaign


def claims_settle_expired(today: date) -> list[int]:
    """Settle every claim-link order whose expiry date has passed. Returns the campaigns settled."""
    settled = []
    for campaign_id in ClaimCampaign.objects.filter(settled_at=None, expires_on__lt=today,
                                                    order__paid_at__isnull=False).values_list("pk", flat=True):
        if claim_campaign_settle(campaign_id, today).settled_at is not None:
            settled.append(campaign_id)
    return settled


def claims_tick(today: date) -> dict:
    """The daily run (Celery beat): reminders, the expired orders settled, and the tax credit of
    orders paid with every gift claimed if its message after payment was lost."""
    return {"reminded": len(claims_remind(today)), "settled": len(claims_settle_expired(today)),
            "tax_credited": len(claims_tax_credit_sweep())}

