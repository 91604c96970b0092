"""Data rights: export everything the shop holds about a person, and erase it on request.

A request is about a *subject*: e-mail addresses and user accounts resolved once, before
anything changes (``subject_for_user`` for the person's own download: only their verified
addresses; ``subject_for_email`` for staff). Every app's sections (``shop.data_rights``)
then run for that subject; payroll adds the volunteer's.

Erasure anonymises; it never deletes a money record. Donation amounts, dates and
designations, the tax receipts (frozen, with the name and address printed on them) and the
year-end statement totals are kept because the law requires it; order amounts and lines
are kept as sales and sales-tax records. Open monthly gifts are cancelled at Stripe first,
outside the transaction: if Stripe refuses, nothing is erased. Everything else happens in
one transaction, so a failure leaves no half-erased person.

Erasure is recorded by what it leaves: placeholder values (``Erased donor #7``,
``erased-donor-7@erased.invalid``, see ``shop.data_rights.erased_email``) and an audit
event holding counts and record ids, never the erased address itself.
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from shop.platform import page_cache
from shop.platform import stripe_gateway as gateway
from shop.platform.audit import audit_record
from shop.data_rights import (
    DataRightsError,
    Erasure,
    Subject,
    erased_email,
    is_erased_email,
    register,
    sections,
)
from shop.models import (
    Address,
    AuditEvent,
    Cart,
    CircleInvitation,
    Donation,
    Donor,
    EventTicket,
    GivingCircle,
    HostingRequest,
    Order,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Pledge,
    Receipt,
    RecurringGift,
    RestockRequest,
    GiftCard,
    Sponsorship,
    StripeEvent,
    YearEndStatement,
)
from shop.models.circles import invitation_token as circle_invitation_token
from shop.models.gifts import invitation_token as organisation_invitation_token
from shop.platform.roles import SHOP_STAFF, user_has_role

EXPORT_FORMAT = "mended-personal-data/1"
RECEIPTS_RETAINED = "retained as required by law: tax receipts (IRS record keeping)"
GIFTS_RETAINED = "retained as required by law: the gift records behind tax receipts (IRS record keeping)"
SALES_RETAINED = "retained as required by law: sales and sales-tax records"
RETENTION_NOTE = (
    "On an erasure request personal details are anonymised. Kept as the law requires: gift amounts, dates and "
    f"designations and the tax receipts exactly as issued, including the name and address printed on them "
    f"({RECEIPTS_RETAINED}); order amounts, lines and the ship-to state ({SALES_RETAINED}); volunteer hours and "
    "sign-ups (the organisation's records of volunteer work)."
)
OPEN_MONTHLY = (RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE, RecurringGift.Status.PAUSED,
                RecurringGift.Status.INCOMPLETE)


# -- JSON values ------------------------------------------------------------------------

def value(v):
    """Decimals as strings, dates and times ISO (times in UTC as stored)."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def fields(obj, *names) -> dict:
    return {name: value(getattr(obj, name)) for name in names}


def iexact_any(field: str, emails) -> Q:
    """Rows whose ``field`` is any of ``emails`` (case-insensitive); no e-mails match nothing."""
    query = Q(pk__in=[])
    for email in emails:
        query |= Q(**{f"{field}__iexact": email})
    return query


# -- who a request is about ---------------------------------------------------------------

def _verified(user_ids) -> set[str]:
    from allauth.account.models import EmailAddress

    return {e.lower() for e in EmailAddress.objects.filter(user_id__in=user_ids, verified=True).values_list("email", flat=True)}


def subject_for_user(user) -> Subject:
    """The person's own data: their account, and what is held under their verified addresses."""
    return Subject(emails=frozenset(_verified([user.pk])), user_ids=frozenset({user.pk}))


def subject_for_email(email: str) -> Subject:
    """For staff: the address, every account tied to it and those accounts' other verified addresses.

    An account is tied to the address when it is the account's own e-mail, verified or not
    (a volunteer who signs up and never clicks the link still logs in with it), when the
    address is verified on it, or when a section finds the account through a record held
    under the address (``accounts``: payroll's volunteer profile). Not followed: someone
    else's account that merely lists the address, unverified, beside its own; adding an
    address proves nothing, so it must not pull that account into another person's request."""
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    if not email:
        return Subject(frozenset())
    users = set(EmailAddress.objects.filter(email__iexact=email, verified=True).values_list("user_id", flat=True))
    users |= set(get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True))
    for section in sections():
        if section.accounts:
            users |= set(section.accounts(frozenset({email})))
    return Subject(emails=frozenset({email} | _verified(users)), user_ids=frozenset(users))


def subject_ref(subject: Subject) -> str:
    """A keyed digest of the request's addresses: links repeated requests about the same
    address in the audit trail without keeping the address an erasure removed."""
    text = ",".join(sorted(subject.emails)) or "accounts:" + ",".join(str(i) for i in sorted(subject.user_ids))
    return salted_hmac("shop.data_rights.subject", text).hexdigest()[:20]


# -- account and e-mail addresses -----------------------------------------------------------

def _users(subject: Subject):
    return get_user_model().objects.filter(pk__in=subject.user_ids).order_by("pk")


def account_export(subject: Subject):
    from allauth.account.models import EmailAddress

    out = []
    for user in _users(subject).prefetch_related("groups"):
        row = fields(user, "id", "username", "first_name", "last_name", "email", "is_active", "date_joined", "last_login")
        row["roles"] = sorted(g.name for g in user.groups.all())
        row["email_addresses"] = [fields(e, "email", "verified", "primary")
                                  for e in EmailAddress.objects.filter(user=user).order_by("pk")]
        row["erased"] = is_erased_email(user.email)
        cart = Cart.objects.filter(user=user).prefetch_related("lines__variant__product").first()
        row["cart"] = [{"sku": line.variant.sku, "product": line.variant.product.name, "quantity": line.quantity}
                       for line in cart.lines.all()] if cart else []
        row["giving_circles_led"] = sorted(GivingCircle.objects.filter(leaders=user).values_list("name", flat=True))
        row["saved_addresses"] = [fields(a, "name", "line1", "line2", "city", "state", "postal_code", "phone",
                                         "is_default", "last_used_at", "created_at")
                                  for a in Address.objects.filter(user=user).order_by("pk")]
        out.append(row)
    return out


def account_refuse(subject: Subject) -> list[str]:
    staff = _users(subject).filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__isnull=False)).distinct()
    return [f"Account #{u.pk} is a staff account: a superuser removes its roles first (staff records are not "
            "erased this way)." for u in staff]


def account_erase(subject: Subject, erasure: Erasure) -> None:
    from allauth.account.models import EmailAddress

    users = list(_users(subject))
    for user in users:
        if is_erased_email(user.email) and not user.is_active:
            continue
        user.username = f"erased-user-{user.pk}"
        user.first_name = user.last_name = ""
        user.email = erased_email("user", user.pk)
        user.is_active = False
        user.set_unusable_password()
        user.save()
        erasure.anonymise(f"Account #{user.pk}: name and e-mail replaced, password made unusable, deactivated.",
                          key="accounts")
    if not users:
        return
    ids = [u.pk for u in users]
    removed = EmailAddress.objects.filter(user_id__in=ids).delete()[1].get("account.EmailAddress", 0)
    erasure.anonymise(f"{removed} e-mail address record(s) deleted.", removed, key="email_addresses")
    _delete_mfa(ids, erasure)
    carts = Cart.objects.filter(user_id__in=ids).delete()[1].get("shop.Cart", 0)
    erasure.anonymise("The saved cart deleted.", carts, key="carts")
    addresses = Address.objects.filter(user_id__in=ids).delete()[1].get("shop.Address", 0)
    erasure.anonymise(f"{addresses} saved delivery address(es) deleted.", addresses, key="saved_addresses")
    for circle in GivingCircle.objects.filter(leaders__in=ids).distinct():
        circle.leaders.remove(*ids)
        erasure.anonymise(f"Removed as a leader of the giving circle {circle.name}.", key="circles_led")
    acted = AuditEvent.objects.filter(actor_id__in=ids).count()
    if acted:
        erasure.retain(f"{acted} audit-trail event(s) of what the account did: the append-only security record, "
                       "which names the account by its number.")


def _delete_mfa(user_ids, erasure: Erasure) -> None:
    from django.apps import apps

    if apps.is_installed("allauth.mfa"):
        Authenticator = apps.get_model("mfa", "Authenticator")
        removed = Authenticator.objects.filter(user_id__in=user_ids).delete()[1].get("mfa.Authenticator", 0)
        erasure.anonymise(f"{removed} multi-factor authenticator(s) deleted.", removed, key="authenticators")


# -- orders -----------------------------------------------------------------------------

def _orders(subject: Subject):
    return Order.objects.filter(Q(user_id__in=subject.user_ids) | iexact_any("email", subject.emails)).order_by("created_at", "pk")


def orders_export(subject: Subject):
    out = []
    for order in _orders(subject).prefetch_related("lines", "refunds"):
        row = fields(order, "number", "state", "email", "created_at", "paid_at", "fulfilled_at", "completed_at",
                     "cancelled_at", "cancel_reason")
        row["delivery"] = fields(order, "shipping_method_name", "is_pickup", "ship_name", "ship_line1", "ship_line2",
                                 "ship_city", "ship_state", "ship_postal_code", "phone", "carrier", "tracking_number")
        row["amounts"] = fields(order, "subtotal", "shipping", "shipping_tax", "tax", "total", "amount_refunded")
        row["lines"] = [fields(line, "title", "variant_label", "sku", "unit_price", "quantity", "line_total", "tax")
                        for line in order.lines.all()]
        row["refunds"] = [fields(r, "amount", "status", "reason", "created_at", "confirmed_at") for r in order.refunds.all()]
        out.append(row)
    return out


def orders_refuse(subject: Subject) -> list[str]:
    waiting = _orders(subject).filter(state=Order.State.PAID).values_list("number", flat=True)
    return [f"Order {n} is paid and not shipped yet: its address is needed. Ship (or refund) it first." for n in waiting]


def orders_erase(subject: Subject, erasure: Erasure) -> None:
    n = 0
    for order in _orders(subject):
        if is_erased_email(order.email):
            continue
        Order.objects.filter(pk=order.pk).update(
            email=erased_email("order", order.pk), ship_name=f"Erased customer #{order.pk}", ship_line1="", ship_line2="",
            ship_city="", ship_postal_code="", phone="",
        )
        n += 1
    if n:
        erasure.anonymise(f"{n} order(s): e-mail, name, street address, city, ZIP code and phone replaced.", n, key="orders")
        erasure.retain(f"{n} order(s): number, dates, lines, amounts, refunds and the ship-to state ({SALES_RETAINED}).")


# -- giving -----------------------------------------------------------------------------

def _donors(subject: Subject):
    return Donor.objects.filter(iexact_any("email", subject.emails)).order_by("pk")


def giving_export(subject: Subject):
    donors = list(_donors(subject))
    if not donors:
        return {}
    donations = Donation.objects.filter(donor__in=donors).select_related("recurring", "circle").order_by("created_at", "pk")
    monthly = RecurringGift.objects.filter(donor__in=donors).select_related("circle").order_by("created_at", "pk")
    receipts = Receipt.objects.filter(donation__donor__in=donors).select_related("donation").order_by("year", "sequence")
    statements = YearEndStatement.objects.filter(donor__in=donors).order_by("year", "pk")
    return {
        "donors": [{**fields(d, "name", "email", "address", "created_at"), "erased": is_erased_email(d.email)} for d in donors],
        "donations": [
            {**fields(d, "number", "status", "amount", "fee_covered", "total", "fund", "anonymous", "donor_name",
                      "donor_address", "tribute", "tribute_name", "tribute_notify_email", "goods_description",
                      "goods_value", "deductible", "created_at", "paid_at", "refunded_at"),
             "monthly_gift": d.recurring.number if d.recurring else None, "giving_circle": d.circle.name if d.circle else None}
            for d in donations
        ],
        "monthly_gifts": [
            {**fields(m, "number", "status", "donor_name", "donor_address", "amount", "fee_covered", "total", "cover_fees",
                      "fund", "anonymous", "tribute",
                      "tribute_name", "tribute_notify_email", "failed_charges", "created_at", "cancelled_at"),
             "giving_circle": m.circle.name if m.circle else None}
            for m in monthly
        ],
        "receipts": [
            {**fields(r, "number", "year", "donor_name", "donor_address", "received_on", "amount", "designation",
                      "goods_description", "goods_value", "deductible", "issued_at", "voided_at", "void_reason"),
             "donation": r.donation.number}
            for r in receipts
        ],
        "receipts_retention": RECEIPTS_RETAINED,
        "year_end_statements": [fields(s, "year", "gifts", "total", "deductible", "sent_at") for s in statements],
    }


def _open_monthly(subject: Subject):
    return RecurringGift.objects.filter(donor__in=_donors(subject), status__in=OPEN_MONTHLY).order_by("pk")


def giving_notes(subject: Subject) -> list[str]:
    return [f"Monthly gift {m.number} ({m.get_status_display().lower()}) will be cancelled at Stripe first."
            for m in _open_monthly(subject)]


def giving_prepare(subject: Subject, erasure: Erasure) -> None:
    """Cancel open monthly gifts at Stripe, then here, one by one; stop at the first refusal."""
    cancelled = []
    for monthly in _open_monthly(subject):
        if monthly.stripe_subscription_id:
            try:
                gateway.cancel_subscription(monthly.stripe_subscription_id)
            except gateway.PaymentGatewayError as error:
                done = f" Already cancelled: {', '.join(cancelled)}." if cancelled else ""
                raise DataRightsError(
                    f"Stripe could not cancel monthly gift {monthly.number} ({error.message}). Nothing was erased.{done} "
                    "Try again, or cancel the subscription in Stripe first."
                ) from error
        now = timezone.now()
        RecurringGift.objects.filter(pk=monthly.pk).update(status=RecurringGift.Status.CANCELLED, cancelled_at=now,
                                                          updated_at=now)
        cancelled.append(monthly.number)
        erasure.anonymise(f"Monthly gift {monthly.number} cancelled (at Stripe, then here).", key="monthly_cancelled")


def giving_erase(subject: Subject, erasure: Erasure) -> None:
    donors = [d for d in _donors(subject) if not is_erased_email(d.email)]
    if not donors:
        return
    for donor in donors:
        Donor.objects.filter(pk=donor.pk).update(
            name=f"Erased donor #{donor.pk}", email=erased_email("donor", donor.pk), address_line1="", address_line2="",
            city="", state="", postal_code="",
        )
        Donation.objects.filter(donor=donor).update(donor_name=f"Erased donor #{donor.pk}", donor_address="",
                                                    given_details={}, tribute_name="", tribute_notify_email="")
        RecurringGift.objects.filter(donor=donor).update(donor_name=f"Erased donor #{donor.pk}", donor_address="",
                                                         given_details={}, tribute_name="", tribute_notify_email="")
    ids = [d.pk for d in donors]
    gifts = Donation.objects.filter(donor_id__in=ids).count()
    monthly = RecurringGift.objects.filter(donor_id__in=ids).count()
    receipts = Receipt.objects.filter(donation__donor_id__in=ids).count()
    statements = YearEndStatement.objects.filter(donor_id__in=ids).count()
    erasure.anonymise(f"{len(donors)} donor record(s): name, e-mail and address replaced "
                      f"({', '.join(f'Erased donor #{pk}' for pk in ids)}).", len(donors), key="donors")
    erasure.anonymise(f"{gifts} gift(s) and {monthly} monthly gift(s): the name and address given with them and any "
                      "tribute name and notification e-mail removed.", gifts + monthly, key="gifts")
    if gifts:
        erasure.retain(f"{gifts} gift(s): amounts, fees covered, dates, designations, status ({GIFTS_RETAINED}).")
    if receipts:
        erasure.retain(f"{receipts} tax receipt(s), unchanged, including the donor name and address printed on them: "
                       f"{RECEIPTS_RETAINED}.")
    if statements:
        erasure.retain(f"{statements} year-end statement total(s) ({GIFTS_RETAINED}).")


# -- payment processor messages (Stripe webhook payloads) ------------------------------------

def _events(subject: Subject):
    query = Q(pk__in=[])
    for email in subject.emails:
        query |= Q(payload__icontains=email)
    return StripeEvent.objects.filter(query).order_by("received_at", "pk")


def stripe_events_export(subject: Subject):
    return [fields(e, "stripe_id", "type", "received_at") for e in _events(subject)]


def _personal_strings(subject: Subject) -> set[str]:
    """What the other sections are about to replace (this section runs first): names,
    addresses and phones held with the subject's records, to find in webhook payloads."""
    found = set(subject.emails)
    for donor in _donors(subject):
        found |= {donor.name, donor.address_line1, donor.address_line2}
        # The details given with each gift (the donor record keeps only the first ones).
        for name, address in RecurringGift.objects.filter(donor=donor).values_list("donor_name", "donor_address"):
            found |= {name, *address.split("\n")[:2]}
        for name, address in Donation.objects.filter(donor=donor).values_list("donor_name", "donor_address"):
            found |= {name, *address.split("\n")[:2]}
    for order in _orders(subject):
        found |= {order.ship_name, order.ship_line1, order.ship_line2, order.phone}
    for user in _users(subject):
        found |= {user.get_full_name()}
    return {s.strip().casefold() for s in found if s and len(s.strip()) >= 4}


def _redact(data, needles: set[str]):
    if isinstance(data, dict):
        return {k: _redact(v, needles) for k, v in data.items()}
    if isinstance(data, list):
        return [_redact(v, needles) for v in data]
    if isinstance(data, str) and any(n in data.casefold() for n in needles):
        return "[erased]"
    return data


def stripe_events_erase(subject: Subject, erasure: Erasure) -> None:
    needles = _personal_strings(subject)
    n = 0
    for event in _events(subject):
        StripeEvent.objects.filter(pk=event.pk).update(payload=_redact(event.payload, needles))
        n += 1
    erasure.anonymise(f"{n} stored payment-processor message(s): the person's details replaced by [erased].", n,
                      key="stripe_events")


# -- the pledge ---------------------------------------------------------------------------

def _pledges(subject: Subject):
    return Pledge.objects.filter(iexact_any("email", subject.emails)).order_by("pk")


def pledge_export(subject: Subject):
    return [fields(p, "kind", "name", "email", "business_name", "city", "state", "created_at", "confirmation_sent_at")
            for p in _pledges(subject)]


def pledge_erase(subject: Subject, erasure: Erasure) -> None:
    pledges = list(_pledges(subject))
    for pledge in pledges:
        Pledge.objects.filter(pk=pledge.pk).update(name=f"Erased #{pledge.pk}", email=erased_email("pledge", pledge.pk),
                                                   city="", state="")
    erasure.anonymise(f"{len(pledges)} pledge(s): name, e-mail, city and state replaced.", len(pledges), key="pledges")
    if any(p.business_name for p in pledges):
        erasure.retain("A business pledge's business name and its public badge (a business's name, not a person's).")


# -- back-in-stock requests -------------------------------------------------------------------

def _restock_requests(subject: Subject):
    return RestockRequest.objects.filter(iexact_any("email", subject.emails)).select_related("variant__product").order_by("pk")


def restock_export(subject: Subject):
    return [{"product": r.variant.product.name, "option": r.variant.label, "sku": r.variant.sku,
             **fields(r, "email", "created_at", "notified_at", "emailed_at")} for r in _restock_requests(subject)]


def restock_erase(subject: Subject, erasure: Erasure) -> None:
    removed = RestockRequest.objects.filter(pk__in=[r.pk for r in _restock_requests(subject)]).delete()[0]
    erasure.anonymise(f"{removed} back-in-stock request(s) deleted.", removed, key="restock_requests")


# -- gift cards -----------------------------------------------------------------------------

def _gift_cards(subject: Subject):
    return GiftCard.objects.filter(iexact_any("buyer_email", subject.emails) | iexact_any("recipient_email",
                                                                                           subject.emails)).order_by("pk")


def gift_cards_export(subject: Subject):
    """The cards the person bought or was given, masked (a code is never exported: it is money)."""
    from shop.selectors.giftcards import balances

    cards = list(_gift_cards(subject))
    held = balances(cards)
    return [{"card": c.masked, "balance": value(held[c.pk]),
             **fields(c, "state", "amount", "buyer_email", "recipient_name", "recipient_email", "message", "deliver_on",
                      "issued_at", "emailed_at")} for c in cards]


def gift_cards_erase(subject: Subject, erasure: Erasure) -> None:
    cards = list(_gift_cards(subject))
    for card in cards:
        changes = {"recipient_name": "", "message": ""}
        if card.buyer_email.lower() in subject.emails:
            changes["buyer_email"] = erased_email("gift-card-buyer", card.pk)
        if card.recipient_email.lower() in subject.emails:
            changes["recipient_email"] = erased_email("gift-card-recipient", card.pk)
        GiftCard.objects.filter(pk=card.pk).update(**changes)
    erasure.anonymise(f"{len(cards)} gift card(s): buyer or recipient e-mail, recipient name and message replaced.",
                      len(cards), key="gift_cards")
    if cards:
        erasure.retain("Gift cards and their balance ledgers: the balance is money the card's holder may still spend.")


# -- giving circles -------------------------------------------------------------------------

def _invitations(subject: Subject):
    return CircleInvitation.objects.filter(iexact_any("email", subject.emails)).select_related("circle").order_by("pk")


def circles_export(subject: Subject):
    return [{**fields(i, "email", "created_at", "sent_at", "joined_at"), "circle": i.circle.name}
            for i in _invitations(subject)]


def circles_erase(subject: Subject, erasure: Erasure) -> None:
    invitations = list(_invitations(subject))
    for invitation in invitations:
        CircleInvitation.objects.filter(pk=invitation.pk).update(email=erased_email("invitation", invitation.pk),
                                                                 token=circle_invitation_token())
    erasure.anonymise(f"{len(invitations)} giving-circle invitation(s): e-mail replaced, links disabled.",
                      len(invitations), key="circle_invitations")


# -- events -------------------------------------------------------------------------------

def _tickets(subject: Subject):
    return (EventTicket.objects.filter(iexact_any("buyer_email", subject.emails) | Q(donation__donor__in=_donors(subject)))
            .select_related("event", "ticket_type", "donation").distinct().order_by("pk"))


def _sponsorships(subject: Subject):
    return Sponsorship.objects.filter(donation__donor__in=_donors(subject)).select_related("event", "tier", "donation").order_by("pk")


def _hosting(subject: Subject):
    return HostingRequest.objects.filter(iexact_any("email", subject.emails)).order_by("pk")


def events_export(subject: Subject):
    return {
        "tickets": [{**fields(t, "quantity", "buyer_name", "buyer_email", "created_at"), "event": t.event.title,
                     "starts_at": value(t.event.starts_at), "ticket_type": t.ticket_type.name, "price": value(t.ticket_type.price),
                     "donation": t.donation.number} for t in _tickets(subject)],
        "sponsorships": [{**fields(s, "sponsor_name", "link", "created_at"), "logo": bool(s.logo), "event": s.event.title,
                          "tier": s.tier.name, "amount": value(s.tier.amount), "donation": s.donation.number}
                         for s in _sponsorships(subject)],
        "hosting_requests": [fields(h, "organisation", "contact_name", "email", "phone", "date", "expected_guests", "purpose",
                                    "status", "staff_message", "created_at", "decided_at") for h in _hosting(subject)],
    }


def events_erase(subject: Subject, erasure: Erasure) -> None:
    tickets = [t for t in _tickets(subject) if not is_erased_email(t.buyer_email)]
    for ticket in tickets:
        EventTicket.objects.filter(pk=ticket.pk).update(buyer_name=f"Erased ticket buyer #{ticket.pk}",
                                                        buyer_email=erased_email("ticket", ticket.pk))
    erasure.anonymise(f"{len(tickets)} event ticket purchase(s): buyer name and e-mail replaced.", len(tickets), key="tickets")
    if tickets:
        erasure.retain(f"{len(tickets)} ticket purchase(s): event, ticket type and quantity (the gifts that paid for them "
                       "are kept with the gifts).")
    sponsorships = [s for s in _sponsorships(subject) if not s.sponsor_name.startswith("Erased sponsor")]
    for sponsorship in sponsorships:
        if sponsorship.logo:  # the file goes once the erasure has committed
            storage, name = sponsorship.logo.storage, sponsorship.logo.name
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        Sponsorship.objects.filter(pk=sponsorship.pk).update(sponsor_name=f"Erased sponsor #{sponsorship.pk}", link="",
                                                             logo="")
    erasure.anonymise(f"{len(sponsorships)} sponsorship(s): sponsor name, link and logo removed.", len(sponsorships),
                      key="sponsorships")
    hosting = [h for h in _hosting(subject) if not is_erased_email(h.email)]
    for request in hosting:
        HostingRequest.objects.filter(pk=request.pk).update(
            contact_name=f"Erased contact #{request.pk}", email=erased_email("hosting", request.pk), phone="",
            purpose="(erased)", staff_message="",
        )
    erasure.anonymise(f"{len(hosting)} hosting request(s): contact name, e-mail, phone, purpose and our reply removed.",
                      len(hosting), key="hosting_requests")
    if hosting:
        erasure.retain(f"{len(hosting)} hosting request(s): the organisation's name, date, guests and decision.")


# -- corporate gift organisations -----------------------------------------------------------

def _org_invitations(subject: Subject):
    return OrganisationInvitation.objects.filter(iexact_any("email", subject.emails)).select_related("organisation").order_by("pk")


def organisations_export(subject: Subject):
    return {
        "memberships": [{"organisation": m.organisation.name, "role": m.role, "joined_at": value(m.joined_at)}
                        for m in OrganisationMember.objects.filter(user_id__in=subject.user_ids).select_related("organisation")],
        "invitations": [{**fields(i, "email", "role", "created_at", "accepted_at"), "organisation": i.organisation.name}
                        for i in _org_invitations(subject)],
        "billing_contact_of": [fields(o, "name", "billing_contact", "billing_email")
                               for o in Organisation.objects.filter(iexact_any("billing_email", subject.emails))],
    }


def organisations_erase(subject: Subject, erasure: Erasure) -> None:
    removed = OrganisationMember.objects.filter(user_id__in=subject.user_ids).delete()[1].get("shop.OrganisationMember", 0)
    erasure.anonymise(f"{removed} corporate organisation membership(s) ended.", removed, key="memberships")
    invitations = list(_org_invitations(subject))
    for invitation in invitations:
        OrganisationInvitation.objects.filter(pk=invitation.pk).update(
            email=erased_email("org-invitation", invitation.pk), token=organisation_invitation_token())
    erasure.anonymise(f"{len(invitations)} organisation invitation(s): e-mail replaced, links disabled.", len(invitations),
                      key="organisation_invitations")
    for org in Organisation.objects.filter(iexact_any("billing_email", subject.emails)):
        erasure.retain(f"Billing contact of the organisation {org.name}: the organisation's record; ask it to name "
                       "another contact, then change it in the admin.")


# -- the registry ---------------------------------------------------------------------------

def register_shop_sections() -> None:
    # Sections erase in this order. Those that find records through another section's go
    # before it: payment messages read the names the others replace, events find
    # sponsorships through the donor that "giving" anonymises.
    register("payment_messages", title="Payment processor messages", role=SHOP_STAFF, export=stripe_events_export,
             erase=stripe_events_erase)
    register("events", title="Event tickets, sponsorships and hosting requests", role=SHOP_STAFF, export=events_export,
             erase=events_erase)
    register("account", title="Account and e-mail addresses", role=SHOP_STAFF, export=account_export, erase=account_erase,
             refuse=account_refuse)
    register("orders", title="Orders", role=SHOP_STAFF, export=orders_export, erase=orders_erase, refuse=orders_refuse)
    register("giving", title="Gifts, monthly gifts, receipts and statements", role=SHOP_STAFF, export=giving_export,
             erase=giving_erase, prepare=giving_prepare, notes=giving_notes)
    register("pledge", title="Pledge", role=SHOP_STAFF, export=pledge_export, erase=pledge_erase)
    register("restock_requests", title="Back-in-stock requests", role=SHOP_STAFF, export=restock_export,
             erase=restock_erase)
    register("gift_cards", title="Gift cards bought or received", role=SHOP_STAFF, export=gift_cards_export,
             erase=gift_cards_erase)
    register("circle_invitations", title="Giving circle invitations", role=SHOP_STAFF, export=circles_export,
             erase=circles_erase)
    register("organisations", title="Corporate gift organisations", role=SHOP_STAFF, export=organisations_export,
             erase=organisations_erase)


# -- running a request ------------------------------------------------------------------------

def visible_sections(viewer=None):
    """The sections ``viewer`` may export from the staff page (``None``: all, for the person themself)."""
    return [s for s in sections() if viewer is None or user_has_role(viewer, s.role)]


def export(subject: Subject, *, viewer=None) -> dict:
    shown = visible_sections(viewer)
    return {
        "format": EXPORT_FORMAT,
        "generated_at": value(timezone.now()),
        "organisation": settings.MENDED_ORG["LEGAL_NAME"],
        "subject": {"emails": sorted(subject.emails), "accounts": sorted(subject.user_ids)},
        "retention": RETENTION_NOTE,
        "sections": {s.name: s.export(subject) for s in shown},
        "sections_not_included": [s.title for s in sections() if s not in shown],
    }


def _count(data) -> int:
    if isinstance(data, dict):
        return sum(_count(v) for v in data.values() if isinstance(v, (list, dict)))
    return len(data) if isinstance(data, list) else int(bool(data))


def summary(subject: Subject, *, viewer=None) -> list[tuple[str, int]]:
    """(section title, records held) for the staff page."""
    return [(s.title, _count(s.export(subject))) for s in visible_sections(viewer)]


def erase_notes(subject: Subject) -> list[str]:
    return [note for s in sections() if s.notes for note in s.notes(subject)]


def erase(subject: Subject, *, actor=None, ip: str | None = None) -> Erasure:
    """Anonymise everything held about the subject; refuse (changing nothing) when a section says no."""
    if subject.is_empty:
        raise DataRightsError("Give an e-mail address.")
    reasons = [reason for s in sections() if s.refuse for reason in s.refuse(subject)]
    if reasons:
        audit("data_rights.erase_refused", actor=actor, ip=ip, subject=subject, reasons=len(reasons))
        raise DataRightsError("Nothing was erased. " + " ".join(reasons))
    erasure = Erasure()
    try:
        for section in sections():
            if section.prepare:
                section.prepare(subject, erasure)
    except DataRightsError:
        audit("data_rights.erase_refused", actor=actor, ip=ip, subject=subject, counts=erasure.counts)
        raise
    with transaction.atomic():
        for section in sections():
            if section.erase:
                section.erase(subject, erasure)
        audit("data_rights.erased", actor=actor, ip=ip, subject=subject, counts=erasure.counts,
              nothing_held=erasure.nothing_held)
        page_cache.everything_changed()  # a name may be on any public page (a sponsor, a circle's leader)
    return erasure


# -- the audit trail ----------------------------------------------------------------------------

def audit(action: str, *, actor=None, ip: str | None = None, subject: Subject, **detail) -> None:
    """Record an export or an erasure in the audit trail: who, when, from where, which
    accounts and how many records, under the subject's keyed digest (never the address)."""
    ref = subject_ref(subject)
    audit_record(action, actor=actor, ip=ip, target=("data_rights.subject", ref), subject=ref,
                 accounts=sorted(subject.user_ids), **detail)
