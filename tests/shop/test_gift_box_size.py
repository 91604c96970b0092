"""Starting a design from a classic box never changes the chosen size silently (issue 22): the size
chosen is kept when the classic's items fit it, and refused with a message saying why when not."""
from decimal import Decimal

import pytest

from django.urls import reverse

from shop.models import BoxSize, ClassicBox, ClassicBoxItem, GiftDesign, Organisation, OrganisationMember
from shop.services.gifts.designs import design_create
from shop.services.gifts.quote import GiftError
from tests.support.factories import ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def classic():
    medium = BoxSize.objects.create(name="Medium", slots=6, base_price=D("12.00"))
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=D("20.00"), stock=900)
    scarf = VariantFactory(product=ProductFactory(name="Scarf", gift_slots=2), price=D("35.00"), stock=900)
    box = ClassicBox.objects.create(name="The Thank-You", slug="thank-you", size=medium, description="x")
    # 2 candles × 1 slot + 1 scarf × 2 slots = 4 slots
    ClassicBoxItem.objects.create(box=box, variant=candle, quantity=2)
    ClassicBoxItem.objects.create(box=box, variant=scarf, quantity=1)
    return box


def test_a_classic_too_big_for_the_chosen_size_is_refused_with_the_reason(classic):
    small = BoxSize.objects.create(name="Small", slots=3, base_price=D("8.00"))
    organisation = Organisation.objects.create(name="Acme")
    with pytest.raises(GiftError) as error:
        design_create(organisation, "Ours", small, None, classic=classic)
    assert error.value.message == (
        "The items of The Thank-You take 4 slots, so they need the Medium box (6 slots); Small holds 3. "
        "Choose Medium or a bigger size, or start from an empty box.")
    assert not GiftDesign.objects.exists()


def test_a_bigger_size_chosen_for_a_classic_is_kept(classic):
    large = BoxSize.objects.create(name="Large", slots=10, base_price=D("18.00"))
    design = design_create(Organisation.objects.create(name="Acme"), "Ours", large, None, classic=classic)
    assert design.size == large
    assert sorted((i.variant.product.name, i.quantity) for i in design.items.all()) == [("Candle", 2), ("Scarf", 1)]


def test_the_gift_home_shows_the_refusal_on_the_size_field_and_writes_nothing(client, classic):
    small = BoxSize.objects.create(name="Small", slots=3, base_price=D("8.00"))
    organisation = Organisation.objects.create(name="Acme", slug="acme")
    user = UserFactory()
    OrganisationMember.objects.create(organisation=organisation, user=user)
    client.force_login(user)
    page = client.post(reverse("shop:gifts"), {"organisation": organisation.pk, "name": "Ours", "size": small.pk,
                                               "start_from": classic.pk})
    assert page.status_code == 400
    assert page.context["form"].errors["size"] == [
        "The items of The Thank-You take 4 slots, so they need the Medium box (6 slots); Small holds 3. "
        "Choose Medium or a bigger size, or start from an empty box."]
    assert not GiftDesign.objects.exists()
