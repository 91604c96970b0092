"""The builder's item cards at a desk and on a phone (issue 22): grouped cards, the capacity
bar, the price per box broken down; at 390 px one or two columns and no sideways scroll."""
from decimal import Decimal

import pytest

from shop.models import BoxSize, GiftDesign, Organisation, OrganisationMember, VolumeTier
from shop.services.gifts.quote import design_set_item
from tests.browser.test_gift_builder import log_in
from tests.support.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory

D = Decimal


def builder_with_items():
    org = Organisation.objects.create(name="Acme Demo Corp", slug="acme")
    member = UserFactory(email="cora@acme.example")
    OrganisationMember.objects.create(organisation=org, user=member, role="admin")
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=D("12.00"))
    VolumeTier.objects.create(min_quantity=25, discount_percent=D("5"))
    VolumeTier.objects.create(min_quantity=100, discount_percent=D("10"))
    design = GiftDesign.objects.create(organisation=org, name="Speaker thank-you", size=size, initials="ACM")
    names = {"Home": ["Cedar & Sage Candle", "Stoneware Mug", "Linen Tea Towel", "Olivewood Coaster Set"],
             "Bath": ["Oat Milk Soap", "Lavender Bath Salts", "Shea Body Balm"],
             "Pantry": ["Wildflower Honey", "Spiced Granola", "Earl Grey Tea Tin", "Dark Chocolate Bar"]}
    first = None
    for position, (category, products) in enumerate(names.items()):
        cat = CategoryFactory(name=category, position=position)
        for n, name in enumerate(products):
            variant = VariantFactory(product=ProductFactory(name=name, category=cat, gift_slots=1 + n % 2),
                                     price=D("6.50") + n * 4, stock=8 if n == 1 else 400)
            first = first or variant
    design_set_item(design, first.pk, 2)
    return member, design


@pytest.mark.django_db(transaction=True)
def test_the_cards_at_1280_px(page, live_server, screenshots):
    member, design = builder_with_items()
    log_in(page, live_server, member)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/gifts/designs/{design.pk}/?quantity=30&shipping=bulk")
    assert page.is_visible("text=2 of 6 slots used")
    assert page.locator(".card-group h3").all_text_contents() == ["Home", "Bath", "Pantry"]
    assert page.is_visible("text=Volume discount: 25 or more, 5% off")
    page.get_by_label("Search the items").fill("tea")  # "Linen Tea Towel" and "Earl Grey Tea Tin"
    assert page.locator(".item-card:visible .card-title").all_text_contents() == ["Linen Tea Towel", "Earl Grey Tea Tin"]
    assert page.is_hidden(".card-group:has(h3:text('Bath'))")
    page.get_by_label("Search the items").fill("")
    page.screenshot(path=str(screenshots / "gift-builder-cards-1280.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_cards_at_390_px_fit_in_one_or_two_columns(phone, live_server, screenshots):
    member, design = builder_with_items()
    log_in(phone, live_server, member)
    phone.goto(f"{live_server.url}/gifts/designs/{design.pk}/?quantity=30&shipping=bulk")
    lefts = phone.eval_on_selector_all(".item-card", "cards => [...new Set(cards.map(c => Math.round(c.getBoundingClientRect().left)))]")
    assert 1 <= len(lefts) <= 2, lefts
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    card = phone.locator(".item-card", has_text="Wildflower Honey")
    card.get_by_label("Quantity").fill("4")  # 2 candles + 4 honey × 1 slot = 6 of 6
    card.get_by_role("button", name="Put in the box").click()
    phone.wait_for_selector("text=6 of 6 slots used")
    assert phone.is_visible("text=The box is full: choose a bigger size or take something out.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(screenshots / "gift-builder-cards-390.png"), full_page=True)
