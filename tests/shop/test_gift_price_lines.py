"""The gift price broken down wherever it is shown (issue 22): the order freezes the split of a
box's price at placing; its page, the order-placed e-mail (text and HTML), the claim-link pages
and the invoice read the same lines (shop/selectors/gifts/prices.py), which sum to the cent."""
import importlib
import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core import mail as outbox
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from shop.models.gifts import ESTIMATED_TAX_LABEL
from shop.models import BoxSize, GiftDesign, GiftOrder, GiftOrderLine, Invoice, Organisation, OrganisationCredit, \
    OrganisationMember, TaxRate, VolumeTier
from shop.selectors.gifts.prices import order_price_lines
from shop.services.gifts import claims
from shop.services.gifts.orders import gift_order_place, proof_review, proof_upload
from shop.services.gifts.quote import design_set_item
from tests.support.factories import ProductFactory, UserFactory, VariantFactory, bulk_address, proof_file, proof_image

pytestmark = pytest.mark.django_db
TODAY = date(2027, 3, 1)
IN_HAND = date(2027, 5, 3)

# Worked by hand. A box: 2 candles at 20.00 + 1 soap at 7.25 = 47.25 of items, the box 12.00,
# logo 3.00, monogram 2.00: 64.25. 30 boxes × 64.25 = 1,927.50; 4% off from 25 boxes = 77.10;
# 1,850.40 for the boxes (61.68 a box). Bulk shipping 40.00 + 30 × 1.50 = 85.00. FL tax 6% of the
# boxes only: 111.024 → 111.02. Total 1,850.40 + 85.00 + 111.02 = 2,046.42; credit 100.00; due 1,946.42.
EXPECTED = [
    ("Items in the box", "$47.25"), ("The box, packed by hand", "$12.00"), ("Logo", "$3.00"), ("Monogram", "$2.00"),
    ("Per box", "$64.25"), ("30 boxes × $64.25", "$1,927.50"), ("Volume discount: 25 or more, 4% off", "−$77.10"),
    ("Boxes after the discount", "$1,850.40"), ("That is, per box", "$61.68"), ("Shipping", "$85.00"),
    ("Sales tax (FL)", "$111.02"), ("Total", "$2,046.42"), ("Account credit", "−$100.00"), ("To pay", "$1,946.42"),
]


@pytest.fixture
def acme(settings):
    settings.GIFT_LOGO_FEE, settings.GIFT_INITIALS_FEE = D("3.00"), D("2.00")
    settings.GIFT_BULK_SHIPPING_BASE, settings.GIFT_BULK_SHIPPING_PER_BOX = D("40.00"), D("1.50")
    settings.GIFT_SHIPPING_PER_RECIPIENT = D("12.00")
    settings.SITE_URL = "https://shop.example.org"
    settings.MENDED_RATE_LIMITS = {}
    VolumeTier.objects.create(min_quantity=25, discount_percent=D("4"))
    TaxRate.objects.create(state="FL", rate=D("0.0600"), applies_to_shipping=False)
    org = Organisation.objects.create(name="Acme", slug="acme", payment_terms=Organisation.Terms.NET30)
    admin = UserFactory(email="admin@acme.example", first_name="Dana")
    OrganisationMember.objects.create(organisation=org, user=admin, role="admin")
    size = BoxSize.objects.create(name="Medium", slots=6, base_price=D("12.00"))
    design = GiftDesign.objects.create(organisation=org, name="Thanks", size=size, initials="ACM", logo="logos/acme.png")
    candle = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=D("20.00"), stock=900)
    soap = VariantFactory(product=ProductFactory(name="Soap", gift_slots=1), price=D("7.25"), stock=900)
    design_set_item(design, candle.pk, 2)
    design_set_item(design, soap.pk, 1)
    OrganisationCredit.objects.create(organisation=org, amount=D("100.00"), key="claims:GB-0000001", reason="Unclaimed gifts")
    return org, admin, design


def place(design, admin, captured):
    with captured(execute=True):
        return gift_order_place(design, 30, shipping_mode="bulk", ship_to=bulk_address("FL"), in_hand_date=IN_HAND,
                                actor=admin, today=TODAY)


def shown(lines):
    return [(line.label, line.shown) for line in lines]


def test_the_order_freezes_the_split_and_its_lines_sum_to_the_cent(acme, django_capture_on_commit_callbacks):
    org, admin, design = acme
    order = place(design, admin, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert (order.items_price, order.base_price, order.logo_fee, order.monogram_fee) == (D("47.25"), D("12.00"),
                                                                                         D("3.00"), D("2.00"))
    assert (order.discount_percent, order.discount_from, order.box_price) == (D("4.00"), 25, D("64.25"))
    assert (order.total, order.credit_applied, order.amount_due) == (D("2046.42"), D("100.00"), D("1946.42"))
    lines = order_price_lines(order)
    assert shown(lines) == EXPECTED
    # The lines add up: the split to the box price, the boxes, then everything after them to the total.
    by_label = {line.label: line for line in lines}
    assert sum(line.amount for line in lines[:4]) == by_label["Per box"].amount
    added = [line for line in lines[5:] if line.kind == ""]  # N boxes, the discount, shipping, tax, the credit
    assert [line.label for line in added][0] == "30 boxes × $64.25" and added[-1].label == "Account credit"
    assert sum(-line.amount if line.minus else line.amount for line in added[:-1]) == by_label["Total"].amount
    assert by_label["Total"].amount - added[-1].amount == by_label["To pay"].amount == D("1946.42")
    # Later price changes never reprice the order: it reads what it froze.
    BoxSize.objects.filter(pk=design.size_id).update(base_price=D("99.00"))
    order = GiftOrder.objects.get(pk=order.pk)
    assert shown(order_price_lines(order)) == EXPECTED


def test_the_order_page_and_the_email_show_the_same_lines(acme, django_capture_on_commit_callbacks):
    org, admin, design = acme
    order = place(design, admin, django_capture_on_commit_callbacks)
    member = Client()
    member.force_login(admin)
    page = member.get(reverse("shop:gift_order", args=[order.number])).content.decode()
    for label, amount in EXPECTED:
        assert f">{label}</dt><dd" in page and f">{amount}</dd>" in page, (label, amount)
    assert page.index(">Items in the box<") < page.index(">Volume discount:") < page.index(">To pay<")
    [message] = outbox.outbox
    text, html = message.body, message.alternatives[0][0]
    for label, amount in EXPECTED:
        assert f"{label}: {amount}\n" in text, (label, amount, text)
        assert f">{label}</td>" in html and f">{amount}</td>" in html, (label, amount)
    assert "We will send an invoice for $1,946.42, due net 30 days, when you approve the proof." in text


def test_the_invoice_reads_the_same_lines_and_is_for_the_amount_due(acme, django_capture_on_commit_callbacks):
    org, admin, design = acme
    order = place(design, admin, django_capture_on_commit_callbacks)
    proof_upload(order.pk, proof_file("p.png", proof_image()), None)
    proof_review(order.pk, approve=True, comment="", actor=None)
    invoice = Invoice.objects.get(order=order)
    member = Client()
    member.force_login(admin)
    pdf = member.get(reverse("shop:gift_order_invoice", args=[order.number]))
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    for label, amount in EXPECTED[:-1]:
        if label != "That is, per box":  # an average, not a line of the invoice
            # Printed with a hyphen: the PDF's standard fonts have no minus sign.
            assert f"{label} {amount.replace('−', '-')}" in text, (label, amount, text)
    assert invoice.amount == D("1946.42") and "Total due (US dollars) $1,946.42" in text
    assert "That is, per box" not in text and "To pay" not in text


def test_the_claim_link_pages_show_the_split(acme, django_capture_on_commit_callbacks):
    org, admin, design = acme
    member = Client()
    member.force_login(admin)
    form = member.get(reverse("shop:gift_claim_order", args=[design.pk])).content.decode()
    for label, amount in EXPECTED[:5]:  # one box's price, before the number of boxes is chosen
        assert f">{label}</dt><dd" in form and f">{amount}</dd>" in form, (label, amount)
    assert "Shipping</dt>" not in form
    with django_capture_on_commit_callbacks(execute=True):
        order = claims.claim_order_place(design, 3, delivery="links", expires_on=TODAY + timedelta(days=30),
                                         outcome="credit", sender_name="Acme", in_hand_date=IN_HAND, actor=admin,
                                         today=TODAY)
    order.refresh_from_db()
    # 3 × 64.25 = 192.75, no tier under 25; shipping 3 × 12.00 = 36.00; by link the tax is estimated at the
    # highest rate in the table (Florida's 6%, shipping not taxed): 192.75 × 0.06 = 11.565 → 11.57; 240.32, less 100.00 credit.
    page = member.get(reverse("shop:gift_claims", args=[order.number])).content.decode()
    for label, amount in [("Per box", "$64.25"), ("3 boxes × $64.25", "$192.75"), ("Shipping", "$36.00"),
                          (ESTIMATED_TAX_LABEL.replace("'", "&#x27;"), "$11.57"), ("Total", "$240.32"),
                          ("Account credit", "−$100.00"), ("To pay", "$140.32")]:
        assert f">{label}</dt><dd" in page and f">{amount}</dd>" in page, (label, amount)
    assert "Volume discount" not in page
    text = outbox.outbox[-1].body
    assert "by claim link: one box to each recipient who claims it, at the address they give" in text and "shipment to ," not in text


def test_old_orders_get_the_split_from_their_lines_only_when_it_is_known(acme, django_capture_on_commit_callbacks):
    org, admin, design = acme
    plain = place(design, admin, django_capture_on_commit_callbacks)
    logo = GiftOrder.objects.get(pk=plain.pk)
    logo.pk, logo.number = None, "GB-OLD0002"
    logo.save()
    GiftOrderLine.objects.create(order=logo, title="Candle", per_box=2, unit_price=D("20.00"), wage_content=D("0"))
    # Both as the old schema left them: no split; the plain one had no logo and no monogram.
    GiftOrder.objects.update(base_price=None, items_price=None, logo_fee=D("0"), monogram_fee=D("0"),
                             discount_percent=None, discount_from=None)
    # 30 × 59.25 = 1,777.50, 4% off = 71.10: 1,706.40.
    GiftOrder.objects.filter(pk=plain.pk).update(has_logo=False, initials="", box_price=D("59.25"), discount=D("71.10"),
                                                 boxes_subtotal=D("1706.40"))
    importlib.import_module("shop.migrations.0039_price22").fill_split(apps, None)
    plain, logo = GiftOrder.objects.get(pk=plain.pk), GiftOrder.objects.get(pk=logo.pk)
    # The plain order: its lines 2 × 20.00 + 7.25 = 47.25, the box the rest of 59.25: 12.00.
    assert (plain.items_price, plain.base_price) == (D("47.25"), D("12.00"))
    assert shown(order_price_lines(plain))[:3] == [("Items in the box", "$47.25"), ("The box, packed by hand", "$12.00"),
                                                   ("Per box", "$59.25")]
    # The tier of the day is not known: the discount shows without it.
    assert ("Volume discount", "−$71.10") in shown(order_price_lines(plain))
    # With a logo and a monogram the fees of the day are not known: the box price stays whole.
    assert logo.base_price is None and not logo.split_known
    assert shown(order_price_lines(logo))[0] == ("30 boxes × $64.25", "$1,927.50")


def test_the_staff_order_page_shows_the_same_lines_for_no_more_queries(acme, django_capture_on_commit_callbacks,
                                                                       django_assert_num_queries):
    from shop.platform.roles import SHOP_STAFF

    org, admin, design = acme
    order = place(design, admin, django_capture_on_commit_callbacks)
    staff = Client()
    staff.force_login(UserFactory(roles=[SHOP_STAFF]))
    url = reverse("shop:gift_order_staff", args=[order.number])
    staff.get(url)  # the first visit warms the session and the site's settings
    # 12: what the page cost before it showed the price lines (measured then); the lines read the order's own
    # columns (frozen when it was placed), so they add none.
    with django_assert_num_queries(12):
        page = staff.get(url).content.decode()
    # The same hand-worked figures as the client's page (EXPECTED above).
    for label, amount in [("Per box", "$64.25"), ("Volume discount: 25 or more, 4% off", "−$77.10"),
                          ("Sales tax (FL)", "$111.02"), ("Total", "$2,046.42"), ("Account credit", "−$100.00"),
                          ("To pay", "$1,946.42")]:
        assert f">{label}</dt><dd" in page and f">{amount}</dd>" in page, (label, amount)
    assert page.index(">Items in the box<") < page.index(">Volume discount:") < page.index(">To pay<")
