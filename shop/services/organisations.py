"""Corporate organisations: opened by their first administrator ("Start an order"), their
payment terms (card until shop staff approve invoices, net 30), and membership:
administrators invite colleagues by e-mail; the invitation is accepted by a signed-in user
with that address."""
from django.conf import settings
from django.core.validators import validate_email
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from shop.platform import mail
from shop.platform.audit import audit_record
from shop.platform.errors import DomainError
from shop.models import Organisation, OrganisationInvitation, OrganisationMember

ADMIN = OrganisationMember.Role.ADMIN


class MembershipError(DomainError):
    pass


class TermsError(DomainError):
    pass


def _free_slug(name: str) -> str:
    base = slugify(name)[:100] or "organisation"
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


@transaction.atomic
def organisation_open(name: str, user, *, billing_contact: str = "", invoice_terms: bool = False) -> Organisation:
    """A new client's organisation, ``user`` its administrator. It pays by card from the
    start; ``invoice_terms`` records a request for net 30, which only shop staff grant
    (``organisation_terms_approve``)."""
    name = " ".join(name.split())
    if not name:
        raise MembershipError("Give your organisation's name.")
    if len(name) > 120:
        raise MembershipError("An organisation's name has at most 120 characters.")
    organisation = Organisation.objects.create(
        name=name, slug=_free_slug(name), billing_contact=" ".join(billing_contact.split())[:120],
        billing_email=user.email, payment_terms=Organisation.Terms.CARD,
        terms_requested_at=timezone.now() if invoice_terms else None)
    OrganisationMember.objects.create(organisation=organisation, user=user, role=ADMIN)
    audit_record("organisation.opened", actor=user, target=organisation, invoice_terms_requested=invoice_terms)
    return organisation


def _require_staff(actor) -> None:
    from shop.platform.roles import SHOP_STAFF, user_has_role

    if not user_has_role(actor, SHOP_STAFF):
        raise TermsError("Only shop staff decide an organisation's payment terms.")


@transaction.atomic
def organisation_terms_approve(organisation_id: int, actor) -> Organisation:
    """Shop staff let the organisation pay by invoice, net 30: its next orders are invoiced
    when their proof is approved (orders already placed keep their card payment)."""
    _require_staff(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if organisation.payment_terms == Organisation.Terms.NET30:
        return organisation
    organisation.payment_terms = Organisation.Terms.NET30
    organisation.terms_approved_at, organisation.terms_approved_by = timezone.now(), actor
    organisation.save(update_fields=["payment_terms", "terms_approved_at", "terms_approved_by"])
    audit_record("organisation.terms_approved", actor=actor, target=organisation, terms=organisation.payment_terms)
    return organisation


@transaction.atomic
def organisation_terms_withdraw(organisation_id: int, actor) -> Organisation:
    """Back to card only (invoices already issued stay due)."""
    _require_staff(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if organisation.payment_terms == Organisation.Terms.CARD:
        return organisation
    organisation.payment_terms = Organisation.Terms.CARD
    organisation.terms_approved_at, organisation.terms_approved_by = None, None
    organisation.save(update_fields=["payment_terms", "terms_approved_at", "terms_approved_by"])
    audit_record("organisation.terms_withdrawn", actor=actor, target=organisation, terms=organisation.payment_terms)
    return organisation


def is_organisation_admin(user, organisation: Organisation) -> bool:
    return OrganisationMember.objects.filter(organisation=organisation, user=user, role=ADMIN).exists()


def _require_admin(actor, organisation: Organisation) -> None:
    """The organisation's administrators, and shop staff (who set up a new client's first admin)."""
    from shop.platform.roles import SHOP_STAFF, user_has_role

    if not (is_organisation_admin(actor, organisation) or user_has_role(actor, SHOP_STAFF)):
        raise MembershipError("Only the organisation's administrators can change its members.")


@transaction.atomic
def invitation_send(organisation: Organisation, email: str, role: str, actor) -> OrganisationInvitation:
    """Invite (or re-invite) an address; the e-mail goes out on commit."""
    _require_admin(actor, organisation)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise MembershipError("Enter a valid e-mail address.") from None
    if role not in OrganisationMember.Role.values:
        raise MembershipError("Choose administrator or member.")
    if OrganisationMember.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise MembershipError(f"{email} is already a member of {organisation.name}.")
    invitation = OrganisationInvitation.objects.filter(organisation=organisation, email__iexact=email,
                                                       accepted_at__isnull=True).first()
    if invitation is None:
        invitation = OrganisationInvitation.objects.create(organisation=organisation, email=email, role=role,
                                                           invited_by=actor)
    elif invitation.role != role:
        invitation.role = role
        invitation.save(update_fields=["role"])
    from shop.tasks import send_organisation_invitation

    transaction.on_commit(lambda: send_organisation_invitation.delay(invitation.pk))
    return invitation


def invitation_email(invitation_id: int) -> None:
    invitation = OrganisationInvitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    if invitation.accepted_at:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("shop:gift_invitation", args=[invitation.token])
    inviter = invitation.invited_by.get_full_name() or invitation.invited_by.email if invitation.invited_by else "A colleague"
    mail.send(to=[invitation.email], subject=f"Join {invitation.organisation.name} on {settings.MENDED_ORG['NAME']}",
              template="shop/email/organisation_invitation",
              context={"invitation": invitation, "inviter": inviter, "link": link})


def invitation_pending(token: str) -> OrganisationInvitation | None:
    return (OrganisationInvitation.objects.select_related("organisation")
            .filter(token=token, accepted_at__isnull=True).first())


@transaction.atomic
def invitation_accept(token: str, user) -> OrganisationMember:
    invitation = OrganisationInvitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise MembershipError("This invitation has been used or withdrawn. Ask your administrator for a new one.")
    if user.email.lower() != invitation.email.lower():
        raise MembershipError("This invitation was sent to another e-mail address. Sign in with that address to accept it.")
    member, _ = OrganisationMember.objects.get_or_create(organisation=invitation.organisation, user=user,
                                                         defaults={"role": invitation.role})
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member


@transaction.atomic
def invitation_withdraw(invitation_id: int, organisation: Organisation, actor) -> None:
    _require_admin(actor, organisation)
    OrganisationInvitation.objects.filter(pk=invitation_id, organisation=organisation, accepted_at__isnull=True).delete()


@transaction.atomic
def member_remove(organisation: Organisation, member_id: int, actor) -> None:
    """Take someone out of the organisation; the last administrator stays."""
    _require_admin(actor, organisation)
    member = OrganisationMember.objects.select_for_update().filter(pk=member_id, organisation=organisation).first()
    if member is None:
        raise MembershipError("No such member.")
    admins = OrganisationMember.objects.select_for_update().filter(organisation=organisation, role=ADMIN)
    if member.role == ADMIN and admins.count() == 1:
        raise MembershipError("An organisation needs at least one administrator; make someone else one first.")
    member.delete()
