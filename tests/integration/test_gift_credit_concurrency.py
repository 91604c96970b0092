"""An organisation with $100.00 of account credit places two gift orders of $84.00 at the same
moment on PostgreSQL: the credit pays $100.00 in all and never more
(``shop/services/gifts/credit.py`` reads the balance with the organisation's row locked).

Each order: 2 gifts by claim link of a box at 10.00 (the size) + 20.00 (one item) = 30.00, so
boxes 2 × 30.00 = 60.00, shipping 2 × 12.00 = 24.00, no sales tax (no state in the tax table), no
volume tier: 84.00. Whichever locks first spends 84.00 (the whole total: paid at once); the
other finds 100.00 − 84.00 = 16.00 left, short of its 84.00 by more than Stripe's $0.50, so it
spends the 16.00 and its invoice is for 84.00 − 16.00 = 68.00."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from shop.models import BoxSize, GiftDesign, GiftOrder, Organisation, OrganisationCredit, OrganisationMember
from shop.services.gifts import claims
from shop.services.gifts.credit import organisation_credit_balance
from shop.services.gifts.quote import design_set_item
from tests.support.concurrency import at_once
from tests.support.factories import ProductFactory, UserFactory, VariantFactory

ORDERS = 2


@pytest.mark.django_db(transaction=True)
def test_two_orders_placed_at_once_spend_the_credit_exactly_once(settings):
    assert connection.vendor == "postgresql"
    settings.GIFT_SHIPPING_PER_RECIPIENT = Decimal("12.00")
    organisation = Organisation.objects.create(name="Acme", slug="acme", payment_terms=Organisation.Terms.NET30)
    member = UserFactory()
    OrganisationMember.objects.create(organisation=organisation, user=member, role="admin")
    size = BoxSize.objects.create(name="Small", slots=3, base_price=Decimal("10.00"))
    # A design and an item each, so that no other row is shared: only the organisation's lock serialises.
    designs = []
    for n in range(ORDERS):
        design = GiftDesign.objects.create(organisation=organisation, name=f"Box {n}", size=size)
        design_set_item(design, VariantFactory(product=ProductFactory(), price=Decimal("20.00"), stock=50).pk, 1)
        designs.append(design)
    OrganisationCredit.objects.create(organisation=organisation, amount=Decimal("100.00"), key="claims:sample",
                                      reason="Unclaimed gifts of an earlier order")
    today = timezone.localdate()
    # Anything raised (a deadlock, a duplicate key, a refusal) is a bug: at_once reports it in errors.
    _placed, _refused, errors = at_once(lambda design: claims.claim_order_place(
        design, 2, delivery="links", expires_on=today + timedelta(days=30), outcome="credit",
        sender_name="Acme", in_hand_date=today + timedelta(days=60), actor=member, today=today), designs)
    assert errors == []
    orders = sorted(GiftOrder.objects.all(), key=lambda o: o.credit_applied)
    assert [o.total for o in orders] == [Decimal("84.00"), Decimal("84.00")]
    assert [o.credit_applied for o in orders] == [Decimal("16.00"), Decimal("84.00")]
    assert [o.amount_due for o in orders] == [Decimal("68.00"), Decimal("0.00")]
    assert orders[0].paid_at is None and orders[1].paid_at is not None  # the full cover is paid at once
    assert organisation_credit_balance(organisation) == Decimal("0.00")  # 100.00 − 84.00 − 16.00
    spent = sorted(OrganisationCredit.objects.filter(key__startswith="spent:").values_list("amount", flat=True))
    assert spent == [Decimal("-84.00"), Decimal("-16.00")]
