"""Florida's county discretionary sales surtax (issue 21): the county's rate on top of the
state's 6%, found from the ZIP code, charged on the first $5,000 of a single item.

Every expected amount is worked by hand in the comment beside it (Decimal, to the cent).
The tests set the county rates they use (tests/conftest.py empties the shipped table for the
suite); the shipped table itself is checked by running migration 0024's loader.
"""
import importlib
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from django.apps import apps as django_apps
from django.core import mail
from django.urls import reverse

from shop.models import AuditEvent, CountySurtax, Order
from shop.pricing import Line, TaxRule, price
from shop.selectors.pricing import price_items
from shop.selectors.surtax import SPANNING, UNKNOWN, counties_for_zip, florida_counties
from shop.services.emails import order_send_email
from shop.services.orders import order_mark_paid
from tests.support.factories import ShippingMethodFactory, TaxRateFactory, UserFactory, VariantFactory

D = Decimal
DUVAL = TaxRule(D("0.0600"), surtax=D("0.0150"), surtax_place="Duval", surtax_cap=D("5000.00"))
DUVAL_ADDRESS = {"email": "jo@example.org", "name": "Jo Jax", "line1": "1 Bay St", "city": "Jacksonville",
                 "state": "FL", "postal_code": "32202"}


# -- the calculation (pure) ----------------------------------------------------------------

def test_duval_adds_one_and_a_half_percent_to_a_40_dollar_item():
    breakdown = price([Line(D("40.00"), 1)], destinations={"FL": 1}, tax_rules={"FL": DUVAL})
    # state 40.00 × 6% = 2.40; Duval 40.00 × 1.5% = 0.60; 7.5% in all = 3.00
    assert breakdown.surtax == D("0.60")
    assert breakdown.tax == D("3.00")
    assert breakdown.tax - breakdown.surtax == D("2.40")
    assert breakdown.total == D("43.00")
    assert breakdown.surtax_place == "Duval"
    assert [line.tax for line in breakdown.lines] == [D("3.00")]


def test_the_surtax_stops_at_the_first_5000_dollars_of_a_single_item():
    breakdown = price([Line(D("6000.00"), 1)], destinations={"FL": 1}, tax_rules={"FL": DUVAL})
    # state 6,000.00 × 6% = 360.00; surtax on 5,000.00 only × 1.5% = 75.00 (not 90.00)
    assert breakdown.surtax == D("75.00")
    assert breakdown.tax == D("435.00")
    assert breakdown.total == D("6435.00")


def test_the_cap_is_per_unit_not_per_line():
    breakdown = price([Line(D("3000.00"), 2), Line(D("6000.00"), 1)], destinations={"FL": 1},
                      tax_rules={"FL": DUVAL})
    # two units of 3,000.00 are each under the cap: 6,000.00 × 1.5% = 90.00;
    # the 6,000.00 item is capped: 5,000.00 × 1.5% = 75.00; surtax 165.00
    # state: 12,000.00 × 6% = 720.00
    assert breakdown.surtax == D("165.00")
    assert breakdown.tax == D("885.00")
    # each line carries its own: 360.00 + 90.00 and 360.00 + 75.00
    assert [line.tax for line in breakdown.lines] == [D("450.00"), D("435.00")]


def test_the_cap_applies_to_the_price_after_discounts():
    from shop.pricing import PercentOff

    breakdown = price([Line(D("6000.00"), 1)], discounts=[PercentOff(D("10"))], destinations={"FL": 1},
                      tax_rules={"FL": DUVAL})
    # 10% off: 5,400.00; state 5,400.00 × 6% = 324.00; surtax 5,000.00 × 1.5% = 75.00
    assert breakdown.tax == D("399.00")
    assert breakdown.surtax == D("75.00")


def test_a_rule_without_a_surtax_is_the_state_rate_alone():
    breakdown = price([Line(D("40.00"), 1)], destinations={"GA": 1}, tax_rules={"GA": TaxRule(D("0.0400"))})
    # 40.00 × 4% = 1.60
    assert breakdown.tax == D("1.60")
    assert breakdown.surtax == D("0.00")
    assert breakdown.surtax_place == ""


cents = st.integers(min_value=0, max_value=1_200_000).map(lambda c: D(c).scaleb(-2))
surtax_lines = st.lists(st.builds(Line, unit_price=cents, quantity=st.integers(min_value=1, max_value=5)),
                        min_size=1, max_size=6)


@hypothesis_settings(max_examples=200, deadline=None)
@given(lines=surtax_lines, percent_off=st.integers(min_value=0, max_value=100))
def test_the_surtax_is_within_the_cap_and_the_lines_carry_the_tax_to_the_cent(lines, percent_off):
    from shop.pricing import PercentOff

    breakdown = price(lines, discounts=[PercentOff(D(percent_off))], destinations={"FL": 1},
                      tax_rules={"FL": DUVAL})
    nets = [p.net for p in breakdown.lines]
    # never more than the rate on the first $5,000 of each unit, nor on the net price itself
    capped = sum(min(net, D("5000.00") * p.line.quantity) for net, p in zip(nets, breakdown.lines))
    assert breakdown.surtax <= (capped * D("0.0150")).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert breakdown.surtax >= 0
    # the state's 6% is untouched by the cap (half a cent rounds up)
    assert breakdown.tax - breakdown.surtax == (sum(nets, D("0")) * D("0.06")).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert sum((p.tax for p in breakdown.lines), D("0")) == breakdown.items_tax == breakdown.tax
    assert breakdown.total == breakdown.discounted_subtotal + breakdown.shipping + breakdown.tax


# -- the tables ----------------------------------------------------------------------------

def test_zip_codes_find_their_county():
    # one ZIP of each county the issue names, and the demo's addresses (33602, 33606)
    assert counties_for_zip("32202") == ("Duval",)
    assert counties_for_zip("32256-1234") == ("Duval",)
    assert counties_for_zip("33602") == ("Hillsborough",)
    assert counties_for_zip("33606") == ("Hillsborough",)
    assert counties_for_zip("33701") == ("Pinellas",)
    assert counties_for_zip("32801") == ("Orange",)
    assert counties_for_zip("33139") == ("Miami-Dade",)
    assert counties_for_zip("33559") == ("Pasco", "Hillsborough")  # Lutz crosses the county line
    assert counties_for_zip("30303") == ()  # Atlanta: not in Florida's table
    assert counties_for_zip("") == () and counties_for_zip("abcde") == ()


def test_the_zip_table_covers_every_florida_county():
    counties = florida_counties()
    assert len(counties) == 67
    assert {"Duval", "Hillsborough", "Pinellas", "Orange", "Miami-Dade", "DeSoto", "St. Johns"} <= set(counties)


@pytest.mark.django_db
def test_the_shipped_rate_table_loads_the_dr15dss_rates():
    migration = importlib.import_module("shop.migrations.0024_h21tax_county_surtax")
    migration.load_surtax(django_apps, None)
    rates = dict(CountySurtax.objects.values_list("county", "rate"))
    # Form DR-15DSS: Duval 1.5%, Hillsborough 1.5%, Pinellas 1%, Orange 0.5%, Miami-Dade 1%
    assert rates["Duval"] == D("0.0150")
    assert rates["Hillsborough"] == D("0.0150")
    assert rates["Pinellas"] == D("0.0100")
    assert rates["Orange"] == D("0.0050")
    assert rates["Miami-Dade"] == D("0.0100")
    assert CountySurtax.objects.get(county="Duval").cap == D("5000.00")
    assert set(rates) <= set(florida_counties())  # every rate names a county the ZIP table knows


# -- the shop's pricing and checkout -------------------------------------------------------

@pytest.fixture
def florida(db):
    TaxRateFactory(state="FL", rate=D("0.0600"))
    TaxRateFactory(state="GA", rate=D("0.0400"))
    CountySurtax.objects.create(county="Duval", rate=D("0.0150"))
    CountySurtax.objects.create(county="Hillsborough", rate=D("0.0150"))
    CountySurtax.objects.create(county="Pasco", rate=D("0.0100"))
    return ShippingMethodFactory(price=D("5.00"), free_over=None)


def fill_cart(client, variant, quantity=1):
    response = client.post(variant.product.get_absolute_url(), {"variant": variant.pk, "quantity": quantity})
    assert response.status_code == 302


def test_price_items_charges_the_county_only_in_florida(florida):
    variant = VariantFactory(price=D("40.00"))
    in_duval = price_items([(variant, 1)], florida, "FL", county="Duval")
    # 2.40 + 0.60
    assert (in_duval.state_tax, in_duval.surtax, in_duval.tax, in_duval.tax_county) == (
        D("2.40"), D("0.60"), D("3.00"), "Duval")
    in_georgia = price_items([(variant, 1)], florida, "GA", county="Duval")
    # 40.00 × 4% = 1.60, no county surtax outside Florida
    assert (in_georgia.tax, in_georgia.surtax, in_georgia.tax_county) == (D("1.60"), D("0.00"), "")


def test_a_duval_order_records_its_county_and_surtax(client, florida, localstripe_server):
    fill_cart(client, VariantFactory(price=D("40.00"), stock=3))
    page = client.get(reverse("shop:checkout"))
    assert "County" not in page.content.decode().split("Order summary")[0]  # no county asked yet
    response = client.post(reverse("shop:checkout"), {**DUVAL_ADDRESS, "shipping_method": florida.pk})
    assert response.status_code == 302
    order = Order.objects.get()
    # 40.00 + 5.00 shipping (untaxed) + 2.40 state + 0.60 Duval = 48.00
    assert (order.tax, order.surtax, order.tax_county, order.total) == (D("3.00"), D("0.60"), "Duval", D("48.00"))
    assert order.lines.get().tax == D("3.00")
    pay_page = client.get(response.url).content.decode()
    assert "Florida sales tax" in pay_page and "Duval County surtax" in pay_page
    assert "$2.40" in pay_page and "$0.60" in pay_page


def test_the_confirmation_shows_the_florida_tax_and_the_county_surtax(client, florida, localstripe_server):
    fill_cart(client, VariantFactory(price=D("40.00"), stock=3))
    client.post(reverse("shop:checkout"), {**DUVAL_ADDRESS, "shipping_method": florida.pk})
    order = Order.objects.get()
    order_mark_paid(order.pk)
    mail.outbox.clear()
    assert order_send_email(order.pk, "confirmation") is True
    message = mail.outbox[0]
    assert "Florida sales tax: $2.40" in message.body
    assert "Duval County surtax: $0.60" in message.body
    html = message.alternatives[0][0]
    assert "Florida sales tax:" in html and "Duval County surtax:" in html and "$0.60" in html


def test_the_6000_dollar_item_is_capped_at_checkout(client, florida, localstripe_server):
    fill_cart(client, VariantFactory(price=D("6000.00"), stock=1))
    response = client.post(reverse("shop:checkout"), {**DUVAL_ADDRESS, "shipping_method": florida.pk})
    assert response.status_code == 302
    order = Order.objects.get()
    # 360.00 state + 75.00 surtax on the first 5,000.00
    assert (order.tax, order.surtax) == (D("435.00"), D("75.00"))


def test_a_zip_in_two_counties_asks_for_the_county(client, florida, localstripe_server):
    variant = VariantFactory(price=D("40.00"), stock=3)
    fill_cart(client, variant)
    lutz = {**DUVAL_ADDRESS, "city": "Lutz", "postal_code": "33559", "shipping_method": florida.pk}
    response = client.post(reverse("shop:checkout"), lutz)
    assert response.status_code == 400
    assert response.context["form"].errors["county"] == [SPANNING]
    assert "This ZIP code is in more than one county: choose yours" in response.content.decode()
    offered = [value for value, _ in response.context["form"].fields["county"].choices if value]
    assert offered == ["Pasco", "Hillsborough"]
    assert not Order.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 3

    wrong = client.post(reverse("shop:checkout"), {**lutz, "county": "Duval"})
    assert wrong.status_code == 400 and "county" in wrong.context["form"].errors

    response = client.post(reverse("shop:checkout"), {**lutz, "county": "Pasco"})
    assert response.status_code == 302
    order = Order.objects.get()
    # state 2.40 + Pasco 40.00 × 1% = 0.40
    assert (order.tax, order.surtax, order.tax_county) == (D("2.80"), D("0.40"), "Pasco")


def test_a_florida_zip_not_in_the_table_asks_for_the_county(client, florida, localstripe_server):
    fill_cart(client, VariantFactory(price=D("40.00"), stock=3))
    unknown = {**DUVAL_ADDRESS, "postal_code": "32000", "shipping_method": florida.pk}
    assert counties_for_zip("32000") == ()
    response = client.post(reverse("shop:checkout"), unknown)
    assert response.status_code == 400
    assert response.context["form"].errors["county"] == [UNKNOWN]
    response = client.post(reverse("shop:checkout"), {**unknown, "county": "Duval"})
    assert response.status_code == 302
    assert Order.objects.get().surtax == D("0.60")


def test_a_georgia_order_is_unchanged(client, florida, localstripe_server):
    fill_cart(client, VariantFactory(price=D("40.00"), stock=3))
    atlanta = {**DUVAL_ADDRESS, "city": "Atlanta", "state": "GA", "postal_code": "30303", "county": "Duval"}
    response = client.post(reverse("shop:checkout"), {**atlanta, "shipping_method": florida.pk})
    assert response.status_code == 302
    order = Order.objects.get()
    # 40.00 × 4% = 1.60; no county, no surtax line
    assert (order.tax, order.surtax, order.tax_county, order.total) == (D("1.60"), D("0.00"), "", D("46.60"))
    pay_page = client.get(response.url).content.decode()
    assert "County surtax" not in pay_page
    assert "<dt>Sales tax (GA)</dt><dd>$1.60</dd>" in pay_page
    order_mark_paid(order.pk)
    mail.outbox.clear()
    assert order_send_email(order.pk, "confirmation") is True
    assert "Sales tax (GA): $1.60" in mail.outbox[0].body
    assert "Sales tax (GA):</td>" in mail.outbox[0].alternatives[0][0]


def test_a_pickup_pays_the_surtax_of_the_organisations_county(client, florida, localstripe_server):
    from shop.models import ShippingMethod

    pickup = ShippingMethodFactory(name="Pickup", kind=ShippingMethod.PICKUP, price=D("0"))
    fill_cart(client, VariantFactory(price=D("10.00"), stock=3))
    response = client.post(reverse("shop:checkout"), {"email": "p@example.org", "name": "Pat",
                                                      "shipping_method": pickup.pk})
    assert response.status_code == 302
    order = Order.objects.get()
    # Tampa (ORG_POSTAL_CODE 33602, Hillsborough): 0.60 state + 0.15 surtax
    assert (order.tax, order.surtax, order.tax_county) == (D("0.75"), D("0.15"), "Hillsborough")


# -- staff keep the rates ------------------------------------------------------------------

def test_staff_change_a_rate_in_the_admin_audited_and_the_next_price_uses_it(client, florida):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    row = CountySurtax.objects.get(county="Duval")
    url = reverse("admin:shop_countysurtax_change", args=[row.pk])
    response = client.post(url, {"county": "Duval", "rate": "0.0200", "cap": "5000.00", "note": "test"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.rate == D("0.0200")
    assert AuditEvent.objects.filter(action="county_surtax.changed", object_id=str(row.pk)).exists()
    variant = VariantFactory(price=D("40.00"))
    # 40.00 × 2% = 0.80
    assert price_items([(variant, 1)], florida, "FL", county="Duval").surtax == D("0.80")


def test_a_rate_past_florida_limit_is_a_field_error(client, florida):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    row = CountySurtax.objects.get(county="Duval")
    response = client.post(reverse("admin:shop_countysurtax_change", args=[row.pk]),
                           {"county": "Duval", "rate": "0.5000", "cap": "5000.00", "note": ""})
    assert response.status_code == 200
    assert "rate" in response.context["adminform"].form.errors
    row.refresh_from_db()
    assert row.rate == D("0.0150")


def test_the_cart_estimate_adds_the_county_from_a_zip_code(client, florida):
    fill_cart(client, VariantFactory(price=D("40.00"), stock=3))
    page = client.get(reverse("shop:cart"), {"shipping_method": florida.pk, "state": "FL", "postal_code": "32202"})
    assert page.status_code == 200
    # 2.40 + 0.60, as checkout will charge
    assert (page.context["summary"].tax, page.context["summary"].surtax) == (D("3.00"), D("0.60"))
    assert "Duval County surtax" in page.content.decode()
    without_zip = client.get(reverse("shop:cart"), {"shipping_method": florida.pk, "state": "FL"})
    assert without_zip.context["summary"].tax == D("2.40")  # the state's 6% until the ZIP says the county
