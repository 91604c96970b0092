"""The public gift catalogue (/gifts/boxes/, issue 22): a visitor without an account sees the
classic boxes with contents and price, the volume tiers as a table, lead times, and gets an
instant quote by the same calculation as a member's design."""
from decimal import Decimal

import pytest
from django.urls import reverse

from shop.models import BoxSize, ClassicBox, ClassicBoxItem, GiftDesign, Organisation, TaxRate, VolumeTier
from shop.services.gifts.designs import design_create
from shop.services.gifts.quote import gift_quote
from tests.support.factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/gifts/boxes/"


@pytest.fixture
def catalogue(settings):
    settings.GIFT_SHIPPING_PER_RECIPIENT, settings.GIFT_BULK_SHIPPING_BASE = D("12.00"), D("40.00")
    settings.GIFT_BULK_SHIPPING_PER_BOX = D("1.50")
    settings.GIFT_PRODUCTION_DAYS, settings.GIFT_EXTRA_DAYS_PER_100 = 10, 2
    medium = BoxSize.objects.create(name="Medium", slots=6, base_price=D("12.00"))
    candle = VariantFactory(product=ProductFactory(name="Cedar & Sage Candle", gift_slots=1), price=D("20.00"), stock=900)
    scarf = VariantFactory(product=ProductFactory(name="Indigo Scarf", gift_slots=2), price=D("35.00"), stock=900)
    thanks = ClassicBox.objects.create(name="The Thank-You", slug="thank-you", size=medium,
                                       description="A candle and a scarf, to say it properly.")
    ClassicBoxItem.objects.create(box=thanks, variant=candle, quantity=2)
    ClassicBoxItem.objects.create(box=thanks, variant=scarf, quantity=1)
    ClassicBox.objects.create(name="Retired", slug="retired", size=medium, active=False)
    for minimum, percent in ((25, "5.00"), (100, "10.00"), (250, "15.00")):
        VolumeTier.objects.create(min_quantity=minimum, discount_percent=D(percent))
    return thanks


def test_a_visitor_sees_boxes_contents_prices_tiers_and_lead_times(client, catalogue):
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "The Thank-You" in body and "Retired" not in body
    assert "$87.00 a box" in body  # 12.00 + 2 × 20.00 + 35.00
    assert "2 × Cedar &amp; Sage Candle" in body and "1 × Indigo Scarf" in body
    for row in ("<td>1–24</td><td>none</td>", "<td>25–99</td><td>5% off</td>", "<td>100–249</td><td>10% off</td>",
                "<td>250 or more</td><td>15% off</td>"):
        assert row in body
    assert "Your proof within 2 working days" in body
    assert "Then 10 working days to make and assemble" in body and "plus 2 working days for every full 100 boxes" in body
    assert "sign in" in body  # no account needed to see it all


def test_an_instant_quote_without_an_account_matches_the_hand_sum_and_the_members_quote(client, catalogue):
    TaxRate.objects.create(state="FL", rate=D("0.0600"))  # not on shipping
    page = client.get(URL, {"box": "thank-you", "quantity": "100", "shipping": "bulk", "state": "FL"})
    assert page.status_code == 200
    quote = page.context["quote"]
    # By hand: 100 boxes × $87.00 = $8,700.00, 10% off = $7,830.00; bulk shipping 40 + 100 × 1.50 = $190.00;
    # 6% Florida tax on the boxes' $7,830.00 = $469.80; total 7,830 + 190 + 469.80 = $8,489.80.
    assert (quote.box_price, quote.boxes_subtotal, quote.shipping) == (D("87.00"), D("7830.00"), D("190.00"))
    assert (quote.tax, quote.total) == (D("469.80"), D("8489.80"))
    body = page.content.decode()
    assert "$8,489.80" in body and "Volume discount: 100 or more, 10% off</dt><dd>−$870.00" in body
    # The box broken down: items 2 × 20.00 + 35.00 = 75.00, the box 12.00, per box 87.00.
    assert "Items in the box</dt><dd>$75.00" in body and "The box, packed by hand</dt><dd>$12.00" in body
    # A member who starts a design from the same classic box gets the same figures.
    organisation = Organisation.objects.create(name="Acme", slug="acme")
    design = design_create(organisation, "From the classic", catalogue.size, None, classic=catalogue)
    member = gift_quote(GiftDesign.objects.get(pk=design.pk), 100, "bulk", "FL")
    assert (member.box_price, member.boxes_subtotal, member.shipping, member.tax, member.total) == (
        quote.box_price, quote.boxes_subtotal, quote.shipping, quote.tax, quote.total)


@pytest.mark.parametrize("params, field", [
    ({"box": "retired", "quantity": "25", "shipping": "bulk"}, "box"),
    ({"box": "nope", "quantity": "25", "shipping": "bulk"}, "box"),
    ({"box": "thank-you", "quantity": "0", "shipping": "bulk"}, "quantity"),
    ({"box": "thank-you", "quantity": "99999999999999999999", "shipping": "bulk"}, "quantity"),
    ({"box": "thank-you", "quantity": "25", "shipping": "drone"}, "shipping"),
    ({"box": "thank-you", "quantity": "25", "shipping": "bulk", "state": "ZZ"}, "state"),
])
def test_a_bad_quote_request_is_a_field_error_and_writes_nothing(client, catalogue, params, field,
                                                                django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        page = client.get(URL, params)
    assert page.status_code == 400
    assert field in page.context["form"].errors and page.context["quote"] is None


def test_a_warm_catalogue_costs_no_query_and_one_cache_round_trip(client, catalogue, django_assert_num_queries):
    client.get(URL)
    with django_assert_num_queries(0):
        assert client.get(URL).status_code == 200


def test_a_change_to_a_tier_or_a_box_shows_on_the_next_view(client, catalogue):
    assert "15% off" in client.get(URL).content.decode()
    VolumeTier.objects.filter(min_quantity=250).update(discount_percent=D("20.00"))  # no signal: still cached
    assert "15% off" in client.get(URL).content.decode()
    tier = VolumeTier.objects.get(min_quantity=250)
    tier.save()  # a save through the admin retires the page
    assert "20% off" in client.get(URL).content.decode()
    catalogue.name = "The Big Thank-You"
    catalogue.save()
    assert "The Big Thank-You" in client.get(URL).content.decode()


def test_the_catalogue_is_linked_from_the_gift_home(client, catalogue):
    from shop.models import OrganisationMember
    from tests.support.factories import UserFactory

    member = UserFactory()
    OrganisationMember.objects.create(organisation=Organisation.objects.create(name="Acme", slug="acme"), user=member)
    client.force_login(member)
    assert f'href="{reverse("shop:gift_boxes")}"' in client.get(reverse("shop:gifts")).content.decode()
    client.force_login(UserFactory())  # not in an organisation: /gifts/ is the catalogue itself
    assert "The Thank-You" in client.get(reverse("shop:gifts")).content.decode()


def test_each_item_of_a_classic_box_shows_its_products_first_picture(client, catalogue):
    from shop.models import ProductImage

    candle = catalogue.items.get(variant__product__name="Cedar & Sage Candle").variant.product
    ProductImage.objects.create(product=candle, image="products/lit.jpg", alt_text="The candle lit", position=2)
    ProductImage.objects.create(product=candle, image="products/jar.jpg", alt_text="A soy candle in its jar", position=1)
    body = client.get(URL).content.decode()
    assert 'alt="A soy candle in its jar"' in body and "products/jar.jpg" in body and "The candle lit" not in body
    assert body.count('class="claim-noimage"') == 1  # the scarf has no picture: a plain tile, never a broken image


def test_the_members_gifting_home_shows_the_classic_boxes_pictures_in_a_fixed_number_of_queries(
        client, catalogue, django_assert_num_queries):
    from shop.models import OrganisationMember, ProductImage
    from shop.platform import page_cache
    from tests.support.factories import UserFactory

    member = UserFactory()
    OrganisationMember.objects.create(organisation=Organisation.objects.create(name="Acme", slug="acme"), user=member)
    client.force_login(member)
    candle = catalogue.items.get(variant__product__name="Cedar & Sage Candle").variant.product
    ProductImage.objects.create(product=candle, image="products/jar.jpg", alt_text="A soy candle in its jar", position=1)
    url = reverse("shop:gifts")
    body = client.get(url).content.decode()
    home = body[body.index("<h2>Classic boxes</h2>"):]
    assert 'alt="A soy candle in its jar"' in home and "products/jar.jpg" in home  # as the public catalogue shows it
    assert home.count('class="claim-noimage"') == 1  # the scarf has no picture: a plain tile
    assert "$87.00 a box" in home and "2 × Cedar &amp; Sage Candle" in home

    def cold_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        page_cache.changed(page_cache.GIFTS)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    one_box = cold_queries()
    # Two more boxes, each with items of their own and pictures: the same number of queries.
    for n in (1, 2):
        box = ClassicBox.objects.create(name=f"Box {n}", slug=f"box-{n}", size=catalogue.size)
        product = ProductFactory(name=f"Tea {n}", gift_slots=1)
        ProductImage.objects.create(product=product, image=f"products/tea{n}.jpg", alt_text=f"Tea {n}", position=1)
        ClassicBoxItem.objects.create(box=box, variant=VariantFactory(product=product, price=D("9.00")), quantity=1)
    assert cold_queries() == one_box
    assert 'alt="Tea 2"' in client.get(url).content.decode()


@pytest.mark.parametrize("state, label", [("FL", "Sales tax (FL)"), ("", "Sales tax (no state chosen)")])
def test_the_builders_quote_and_the_public_quote_word_the_tax_line_alike(client, catalogue, state, label):
    from shop.models import OrganisationMember
    from tests.support.factories import UserFactory

    TaxRate.objects.create(state="FL", rate=D("0.0600"))
    public = client.get(URL, {"box": "thank-you", "quantity": "30", "shipping": "bulk", "state": state}).content.decode()
    organisation = Organisation.objects.create(name="Acme", slug="acme")
    member = UserFactory()
    OrganisationMember.objects.create(organisation=organisation, user=member)
    design = design_create(organisation, "From the classic", catalogue.size, None, classic=catalogue)
    client.force_login(member)
    builder = client.get(reverse("shop:gift_design", args=[design.pk]),
                         {"quantity": "30", "shipping": "bulk", "state": state}).content.decode()
    # 30 × 87.00 = 2,610.00, 5% off = 2,479.50; FL 6% of it = 148.77.
    tax = "$148.77" if state else "$0.00"
    for page in (public, builder):
        assert f"<dt>{label}</dt><dd>{tax}</dd>" in page
