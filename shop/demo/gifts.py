"""The demo's gifts by claim link: Acme Demo Corp's order of four gifts e-mailed to named
recipients, made through the services as a client and its recipients would (the order placed,
two gifts claimed on their pages: one picking the other box offered, one letting the sender see
the address; two still open). Seeding again adds nothing: the demo organisation has its order."""
from datetime import timedelta

from django.utils import timezone

from shop.models import BoxSize, ClaimCampaign, ClassicBox, Organisation, ProductVariant

SENDER = "Acme Demo Corp People Team"
# Plainly made-up people at a reserved domain (never real-looking personal data).
RECIPIENTS = [("Robin Recipient", "robin@recipients.example"), ("Sky Sample", "sky@recipients.example"),
              ("Jamie Demo", "jamie@recipients.example"), ("Avery Example", "avery@recipients.example")]


def seed_claims(organisation: Organisation, member) -> ClaimCampaign | None:
    """The demo organisation's claim-link order, once. Returns its campaign (None when the
    catalogue lacks the classic box, as in a partial seed)."""
    from shop.services.gifts import claims
    from shop.services.gifts.designs import design_create
    from shop.services.gifts.orders import ShipTo
    from shop.services.gifts.quote import design_set_item

    made = ClaimCampaign.objects.filter(order__organisation=organisation).first()
    classic = ClassicBox.objects.filter(slug="thank-you-classic").first()
    if made is not None or classic is None or not classic.items.exists():
        return made
    box = design_create(organisation, "Welcome box", classic.size, member, classic=classic)
    small = design_create(organisation, "Small thanks", BoxSize.objects.get(name="Small"), member)
    pouch = ProductVariant.objects.filter(product__slug="zip-pouch").order_by("pk").first()
    design_set_item(small, (pouch or classic.items.first().variant).pk, 1)  # cheaper than the welcome box
    today = timezone.localdate()
    order = claims.claim_order_place(
        box, None, delivery=ClaimCampaign.Delivery.EMAIL, recipients=[claims.Named(*r) for r in RECIPIENTS],
        expires_on=today + timedelta(days=30), outcome=ClaimCampaign.Outcome.CREDIT, sender_name=SENDER,
        in_hand_date=today + timedelta(days=60), actor=member, alternatives=[small],
        note="Thank you for a wonderful year. Pick the box you like and tell us where to send it.")
    links = {number: link.rstrip("/").rsplit("/", 1)[-1] for number, _n, _e, link in claims.claim_links_issue(order.pk, member)}
    # Gift 1: Robin picks the other box and keeps the address private.
    claims.claim_accept(links[1], ShipTo(name="Robin Recipient", line1="100 Example Street", city="Tampa", state="FL",
                                         zip="33602"), design_id=small.pk)
    # Gift 2: Sky takes the welcome box and lets the sender see the address.
    claims.claim_accept(links[2], ShipTo(name="Sky Sample", company="Sample Studio", line1="200 Demo Avenue",
                                         city="Orlando", state="FL", zip="32801"),
                        design_id=box.pk, share_address=True)
    return order.claim_campaign
