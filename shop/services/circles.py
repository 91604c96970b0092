"""Giving circles: joining (a monthly gift credited to the circle) and leaders' e-mailed invitations.

Joining goes through the ordinary monthly-gift path (``donations.recurring_start``, the card
page, Stripe's invoices); the only difference is the ``circle`` on the monthly gift, which
``_invoice_paid`` copies onto each month's gift. An invitation is marked joined when a
monthly gift credited to its circle, from the invited address, has a month paid (the join
link fills that address in).
"""
import re
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shop.platform import mail
from shop.platform.errors import DomainError
from shop.models import CircleInvitation, GivingCircle, RecurringGift
from shop.services.donations import GiftDetails, recurring_start

MAX_INVITATIONS_AT_ONCE = 25
MEMBER_STATUSES = (RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE)


class CircleError(DomainError):
    pass


# -- joining ------------------------------------------------------------------------------

def circle_join(circle: GivingCircle, details: GiftDetails) -> RecurringGift:
    """Start a monthly gift credited to the circle (waiting for its card, like any monthly gift)."""
    circle = GivingCircle.objects.filter(pk=circle.pk, is_active=True).first()
    if circle is None:
        raise CircleError("This circle is not taking new members.")
    return recurring_start(replace(details, monthly=True, circle_id=circle.pk))


def invitation_for_token(circle: GivingCircle, token: str) -> CircleInvitation | None:
    if not token:
        return None
    return CircleInvitation.objects.select_related("invited_by").filter(circle=circle, token=token).first()


def invitation_mark_joined(circle_id: int, email: str, when: datetime) -> int:
    """A month of a circle gift from ``email`` was paid: its invitation (if any) has been taken up."""
    return CircleInvitation.objects.filter(circle_id=circle_id, email=email.strip().lower(),
                                           joined_at__isnull=True).update(joined_at=when)


# -- invitations ----------------------------------------------------------------------------

def parse_addresses(text: str) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or lines; lower case, each once, in order.

    Raises ``CircleError`` naming any that are not e-mail addresses, or if there are too many.
    """
    seen, bad = [], []
    for part in re.split(r"[\s,;]+", text or ""):
        address = part.strip().strip("<>").lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            bad.append(part)
            continue
        if address not in seen:
            seen.append(address)
    if bad:
        raise CircleError("These are not e-mail addresses: " + ", ".join(bad[:10]) + ("…" if len(bad) > 10 else ""))
    if not seen:
        raise CircleError("Enter at least one e-mail address.")
    if len(seen) > MAX_INVITATIONS_AT_ONCE:
        raise CircleError(f"Invite at most {MAX_INVITATIONS_AT_ONCE} people at a time.")
    return seen


@dataclass(frozen=True)
class InviteResult:
    sent: list[str]
    already_members: list[str]


def _is_member(circle: GivingCircle, email: str) -> bool:
    return RecurringGift.objects.filter(circle=circle, donor__email=email, status__in=MEMBER_STATUSES).exists()


@transaction.atomic
def invitations_send(circle: GivingCircle, addresses: list[str], actor) -> InviteResult:
    """A leader invites addresses: one invitation per address and circle (inviting again re-sends
    the same one, same link); the e-mails go out on commit. Members already in are skipped."""
    if not circle.leaders.filter(pk=actor.pk).exists():
        raise CircleError("Only the circle's leaders can invite people to it.")
    if not circle.is_active:
        raise CircleError("This circle is not taking new members.")
    sent, members = [], []
    requested_at = timezone.now()
    for email in addresses:
        email = email.strip().lower()
        if _is_member(circle, email):
            members.append(email)
            continue
        try:
            with transaction.atomic():
                invitation, _ = CircleInvitation.objects.get_or_create(circle=circle, email=email,
                                                                       defaults={"invited_by": actor})
        except IntegrityError:  # the same address invited at the same moment by another leader
            invitation = CircleInvitation.objects.get(circle=circle, email=email)
        _send_on_commit(invitation.pk, requested_at)
        sent.append(email)
    return InviteResult(sent, members)


def _send_on_commit(invitation_id: int, requested_at: datetime) -> None:
    from shop.tasks import send_circle_invitation

    transaction.on_commit(lambda: send_circle_invitation.delay(invitation_id, requested_at.isoformat()))


def join_link(invitation: CircleInvitation) -> str:
    return (settings.SITE_URL.rstrip("/") + reverse("shop:circle_join", args=[invitation.circle.slug])
            + f"?invite={invitation.token}")


@transaction.atomic
def invitation_email(invitation_id: int, requested_at: str | None = None) -> bool:
    """E-mail the invitation with its join link. A request already answered (a retried task) sends nothing."""
    invitation = CircleInvitation.objects.select_for_update().select_related("circle").get(pk=invitation_id)
    asked = datetime.fromisoformat(requested_at) if requested_at else timezone.now()
    if invitation.sent_at is not None and invitation.sent_at >= asked:
        return False
    circle = invitation.circle
    if not circle.is_active:
        return False
    inviter = invitation.invited_by.first_name if invitation.invited_by and invitation.invited_by.first_name else None
    mail.send(to=[invitation.email], subject=f"Join the {circle.name} at {settings.MENDED_ORG['NAME']}",
              template="shop/email/circle_invitation",
              context={"circle": circle, "inviter": inviter, "description": circle.description.strip(),
                       "link": join_link(invitation)})
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    return True
