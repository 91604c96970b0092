"""The gift builder as a shopper expects it (issue 22): items as picture cards grouped by
category with a search, the box's capacity shown filling up, resizing never silent."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop.models import BoxSize, GiftDesign, Organisation, OrganisationMember, ProductImage
from shop.services.gifts.quote import design_set_item
from tests.support.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def builder(client):
    org = Organisation.objects.create(name="Acme", slug="acme")
    user = UserFactory()
    OrganisationMember.objects.create(organisation=org, user=user)
    client.force_login(user)
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=D("12.00"))
    design = GiftDesign.objects.create(organisation=org, name="Speakers", size=size)
    return design


def page(client, design, query=""):
    response = client.get(reverse("shop:gift_design", args=[design.pk]) + query)
    assert response.status_code == 200
    return response


def cards_on(response):
    return [[(card.name, card.variant) for card in group.cards] for group in response.context["card_groups"]]


def test_items_are_picture_cards_grouped_by_category_and_sorted_by_name(client, builder):
    home = CategoryFactory(name="Home", position=1)
    bath = CategoryFactory(name="Bath", position=2)
    soap = VariantFactory(product=ProductFactory(name="Oat Soap", category=bath, gift_slots=1), price=D("9.00"),
                          stock=200)
    candle = VariantFactory(product=ProductFactory(name="Cedar Candle", category=home, gift_slots=2),
                            price=D("20.00"), stock=12)
    VariantFactory(product=ProductFactory(name="Alder Coaster", category=home, gift_slots=1), price=D("6.00"),
                   stock=300)
    ProductImage.objects.create(product=candle.product, image="products/candle.jpg", alt_text="A cedar candle")
    response = page(client, builder)
    # Home (position 1) before Bath; in Home, Alder before Cedar.
    assert [group.category for group in response.context["card_groups"]] == ["Home", "Bath"]
    assert [[name for name, _ in group] for group in cards_on(response)] == [["Alder Coaster", "Cedar Candle"],
                                                                             ["Oat Soap"]]
    html = response.content.decode()
    assert '<select name="variant"' not in html  # the old picker is gone
    assert '<h3 id="cat-1">Home</h3>' in html and '<h3 id="cat-2">Bath</h3>' in html
    assert 'alt="A cedar candle"' in html and "products/candle.jpg" in html
    assert html.count('class="img-placeholder"') == 2  # the coaster and the soap have no picture
    assert "$20.00" in html and "2 slots" in html and "1 slot<" in html
    assert "Only 12 left" in html and "Only 200 left" not in html  # 12 is at or below 25, 200 is not
    assert f'name="variant" value="{soap.pk}"' in html and html.count(">Put in the box</button>") == 3


def test_a_card_puts_its_item_in_the_box_through_the_same_service(client, builder):
    soap = VariantFactory(product=ProductFactory(name="Oat Soap", gift_slots=1), price=D("9.00"), stock=200)
    response = client.post(reverse("shop:gift_design_item", args=[builder.pk]), {"variant": soap.pk, "quantity": 2})
    assert response.status_code == 302
    assert [(i.variant_id, i.quantity) for i in builder.items.all()] == [(soap.pk, 2)]
    html = page(client, builder).content.decode()
    assert "2 in the box" in html and f'id="qty-{soap.pk}" name="quantity" min="0" max="20" value="2"' in html


def test_the_search_filters_the_cards_on_the_server(client, builder):
    bath = CategoryFactory(name="Bath")
    VariantFactory(product=ProductFactory(name="Oat Soap", category=bath, gift_slots=1), stock=50)
    VariantFactory(product=ProductFactory(name="Cedar Candle", gift_slots=1), stock=50)
    assert cards_on(page(client, builder, "?q=soap")) == [[("Oat Soap", "Indigo")]]
    assert cards_on(page(client, builder, "?q=BATH")) == [[("Oat Soap", "Indigo")]]  # the category matches too
    none = page(client, builder, "?q=kayak")
    assert cards_on(none) == [] and "No item matches “kayak”." in none.content.decode()
    # The search alone does not bind the quote form: no "required" errors on the quantity.
    assert not page(client, builder, "?q=soap").context["quote_form"].is_bound


def test_the_builder_page_queries_do_not_grow_with_the_number_of_products(client, builder):
    def queries(products):
        for n in range(products):
            variant = VariantFactory(product=ProductFactory(category=CategoryFactory(), gift_slots=1), stock=40)
            ProductImage.objects.create(product=variant.product, image=f"products/p{variant.pk}.jpg", alt_text="x")
        with CaptureQueriesContext(connection) as ctx:
            response = page(client, builder)
        return len(ctx.captured_queries), sum(len(group.cards) for group in response.context["card_groups"])

    few, shown_few = queries(3)
    many, shown_many = queries(9)  # 3 + 9 = 12 products
    assert (shown_few, shown_many) == (3, 12)
    assert many == few


def test_the_capacity_bar_fills_up_and_says_when_the_box_is_full(client, builder):
    scarf = VariantFactory(product=ProductFactory(name="Scarf", gift_slots=2), price=D("35.00"), stock=100)
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=D("20.00"), stock=100)
    VariantFactory(product=ProductFactory(name="Mug", gift_slots=2), price=D("15.00"), stock=100)  # never in the box
    design_set_item(builder, scarf.pk, 1)
    design_set_item(builder, candle.pk, 2)
    html = page(client, builder).content.decode()
    # 1 scarf × 2 slots + 2 candles × 1 slot = 4 of 6
    assert '<progress id="capacity-bar" max="6" value="4">' in html
    assert "4 of 6 slots used" in html and "2 free" in html and "The box is full" not in html
    assert "Does not fit" not in html
    design_set_item(builder, candle.pk, 3)  # 2 + 3 = 5: the mug (2 slots) no longer fits, a candle does
    html = page(client, builder).content.decode()
    assert "5 of 6 slots used" in html and html.count("Does not fit: needs 2 slots, 1 free") == 1
    design_set_item(builder, candle.pk, 4)  # 2 + 4 = 6: full
    html = page(client, builder).content.decode()
    assert "6 of 6 slots used" in html
    assert "The box is full: choose a bigger size or take something out." in html
    # The mug says it does not fit; the scarf and the candles, in the box, can still change or come out.
    assert html.count("Does not fit") == 1 and "Does not fit: needs 2 slots, 0 free" in html


def test_resizing_to_a_size_smaller_than_the_items_take_is_a_field_error(client, builder):
    small = BoxSize.objects.create(name="Small", slots=3, base_price=D("8.00"))
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=D("20.00"), stock=100)
    design_set_item(builder, candle.pk, 4)
    response = client.post(reverse("shop:gift_design_details", args=[builder.pk]),
                           {"name": "Speakers", "size": small.pk, "initials": "", "message": ""})
    assert response.status_code == 400
    assert response.context["details_form"].errors["size"] == ["The items take 4 slots; the small box has 3."]
    builder.refresh_from_db()
    assert builder.size.name == "Medium"
    assert "4 of 6 slots used" in response.content.decode()  # the page still shows the box as it is


def test_the_builders_quote_breaks_the_box_price_down_and_shows_the_tiers(client, builder):
    from shop.models import VolumeTier

    VolumeTier.objects.create(min_quantity=25, discount_percent=D("5"))
    VolumeTier.objects.create(min_quantity=100, discount_percent=D("10"))
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=D("20.00"), stock=900)
    design_set_item(builder, candle.pk, 2)
    GiftDesign.objects.filter(pk=builder.pk).update(logo="logos/x.png", initials="ACM")
    html = page(client, builder, "?quantity=30&shipping=bulk&state=").content.decode()
    # Items 2 × 20.00 = 40.00; the box 12.00; logo 3.00; monogram 2.00; per box 57.00.
    for line in ("Items in the box</dt><dd>$40.00", "The box, packed by hand</dt><dd>$12.00", "Logo</dt><dd>$3.00",
                 "Monogram</dt><dd>$2.00", 'Per box</dt><dd class="subtotal">$57.00',
                 # 30 × 57.00 = 1,710.00; 5% of it = 85.50; 1,710.00 − 85.50 = 1,624.50; ÷ 30 = 54.15 a box.
                 "30 boxes × $57.00</dt><dd>$1,710.00", "Volume discount: 25 or more, 5% off</dt><dd>−$85.50",
                 'Boxes after the discount</dt><dd class="subtotal">$1,624.50', "That is, per box</dt><dd class=\"hint\">$54.15",
                 # bulk shipping 40.00 + 30 × 1.50 = 85.00; no tax state; total 1,624.50 + 85.00 = 1,709.50
                 "Shipping</dt><dd>$85.00", "$1,709.50"):
        assert line in html, line
    # The tiers table is in the builder, before any re-pricing.
    for row in ("<td>1–24</td><td>none</td>", "<td>25–99</td><td>5% off</td>", "<td>100 or more</td><td>10% off</td>"):
        assert row in html
    # Below the first tier there is no discount line.
    few = page(client, builder, "?quantity=10&shipping=bulk&state=").content.decode()
    assert "Volume discount:" not in few and "10 boxes × $57.00</dt><dd>$570.00" in few


def test_the_quote_pdf_breaks_the_box_price_down_too(client, builder):
    import io

    from pypdf import PdfReader
    from shop.models import VolumeTier

    VolumeTier.objects.create(min_quantity=25, discount_percent=D("5"))
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=D("20.00"), stock=900)
    design_set_item(builder, candle.pk, 2)
    GiftDesign.objects.filter(pk=builder.pk).update(initials="ACM")
    pdf = client.get(reverse("shop:gift_design_quote_pdf", args=[builder.pk]) + "?quantity=30&shipping=bulk&state=")
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    # Items 2 × 20.00 = 40.00, the box 12.00, monogram 2.00: 54.00 a box; 30 × 54.00 = 1,620.00, 5% = 81.00 off,
    # 1,620.00 − 81.00 = 1,539.00.
    for line in ("Items in the box $40.00", "The box, packed by hand $12.00", "Monogram $2.00", "Per box $54.00",
                 "30 boxes × $54.00 $1,620.00", "Volume discount: 25 or more, 5% off -$81.00",
                 "Boxes after the discount $1,539.00", "Sales tax (no state chosen) $0.00"):
        assert line in text, (line, text)
    assert "Logo" not in text
