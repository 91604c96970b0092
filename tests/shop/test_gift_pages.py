"""The gift builder pages: members work on their organisation's designs; nobody else can."""
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shop.models import (
    BoxSize,
    GiftDesign,
    Organisation,
    OrganisationMember,
    PaletteColour,
)
from shop.services.gifts.quote import design_set_item
from tests.support.factories import (
    proof_file,
    proof_image,
    ProductFactory,
    UserFactory,
    VariantFactory,
    bulk_address,
)

pytestmark = pytest.mark.django_db
D = Decimal
BULK_FORM = {"shipping": "bulk", "quantity": 10, "ship_to_name": "Pat Receiver", "ship_to_line1": "1 Harbor Way",
             "ship_to_city": "Tampa", "ship_to_state": "FL", "ship_to_zip": "33602"}


def member_of(org):
    user = UserFactory()
    OrganisationMember.objects.create(organisation=org, user=user)
    return user


@pytest.fixture
def setup():
    a = Organisation.objects.create(name="Acme", slug="acme")
    b = Organisation.objects.create(name="Beta", slug="beta")
    size = BoxSize.objects.create(name="Small", slots=3, base_price=D("8.00"))
    BoxSize.objects.create(name="Large", slots=10, base_price=D("18.00"))
    design = GiftDesign.objects.create(organisation=a, name="Speakers", size=size, logo="logos/x.png")
    variant = VariantFactory(product=ProductFactory(name="Candle", gift_slots=1), price=D("20.00"), stock=50)
    return a, b, design, variant


def png(width, height):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#7a2e3a").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def design_urls(design):
    return {
        "GET": [reverse("shop:gift_design", args=[design.pk]), reverse("shop:gift_design_logo_file", args=[design.pk]),
                reverse("shop:gift_design_quote_pdf", args=[design.pk]) + "?quantity=10&shipping=bulk"],
        "POST": [reverse(name, args=[design.pk]) for name in
                 ("shop:gift_design_item", "shop:gift_design_details", "shop:gift_design_logo", "shop:gift_design_duplicate")],
    }


def test_a_member_of_another_organisation_gets_404_on_every_design_url(client, setup):
    _, b, design, variant = setup
    client.force_login(member_of(b))
    urls = design_urls(design)
    for url in urls["GET"]:
        assert client.get(url).status_code == 404, url
    for url in urls["POST"]:
        assert client.post(url, {"variant": variant.pk, "quantity": 1, "name": "x"}).status_code == 404, url
    assert not design.items.exists() and GiftDesign.objects.count() == 1
    assert "Speakers" not in client.get(reverse("shop:gifts")).content.decode()


def test_members_build_and_price_a_box(client, setup):
    a, _, design, variant = setup
    client.force_login(member_of(a))
    assert client.post(reverse("shop:gift_design_item", args=[design.pk]), {"variant": variant.pk, "quantity": 2}).status_code == 302
    too_many = client.post(reverse("shop:gift_design_item", args=[design.pk]), {"variant": variant.pk, "quantity": 4})
    assert too_many.status_code == 400 and "does not fit" in too_many.content.decode()
    berry = PaletteColour.objects.create(name="Berry", hex="#7a2e3a")
    bad = client.post(reverse("shop:gift_design_details", args=[design.pk]),
                      {"name": "Speakers", "size": design.size.pk, "initials": "A1", "message": "x" * 301})
    assert bad.status_code == 400
    assert "1 to 3 letters" in bad.content.decode() and "at most 300 characters" in bad.content.decode()
    ok = client.post(reverse("shop:gift_design_details", args=[design.pk]),
                     {"name": "Speakers", "size": design.size.pk, "ribbon": berry.pk, "initials": "mt", "message": "Thank you"})
    assert ok.status_code == 302
    page = client.get(reverse("shop:gift_design", args=[design.pk]), {"quantity": 30, "shipping": "bulk", "state": ""})
    html = page.content.decode()
    assert "#7a2e3a" in html and ">MT<" in html  # the preview shows the ribbon and the monogram
    # per box 8.00 + 2 x 20.00 + logo 3.00 + initials 2.00 = 53.00
    assert page.context["quote"].box_price == D("53.00")


def test_the_colour_choices_name_the_standard_colours_not_dashes(client, setup):
    """The builder offered "---------" for ribbon and tissue (issue 22's journey screenshots)."""
    a, _, design, _ = setup
    client.force_login(member_of(a))
    html = client.get(reverse("shop:gift_design", args=[design.pk])).content.decode()
    assert "Our standard ribbon (berry)" in html and "Our standard tissue (natural)" in html
    form = html.split('action="' + reverse("shop:gift_design_details", args=[design.pk]))[1].split("</form>")[0]
    assert "---------" not in form


def test_logo_uploads_are_checked_and_served_only_to_members(client, setup):
    a, b, design, _ = setup
    member = member_of(a)
    client.force_login(member)
    small = client.post(reverse("shop:gift_design_logo", args=[design.pk]), {"logo": png(100, 80)})
    assert small.status_code == 400 and "at least 300" in small.content.decode()
    assert client.post(reverse("shop:gift_design_logo", args=[design.pk]), {"logo": png(400, 320)}).status_code == 302
    design.refresh_from_db()
    assert design.logo.name.endswith(".png") and "logo" not in design.logo.name.rsplit("/", 1)[-1]  # a generated name
    served = client.get(reverse("shop:gift_design_logo_file", args=[design.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    client.force_login(member_of(b))
    assert client.get(reverse("shop:gift_design_logo_file", args=[design.pk])).status_code == 404


def test_new_designs_and_duplicates_belong_to_the_members_organisation(client, setup):
    a, b, design, variant = setup
    client.force_login(member_of(a))
    response = client.post(reverse("shop:gifts"), {"organisation": b.pk, "name": "Sneaky", "size": design.size.pk})
    assert response.status_code == 400 and not GiftDesign.objects.filter(organisation=b).exists()
    assert client.post(reverse("shop:gifts"), {"organisation": a.pk, "name": "Holiday", "size": design.size.pk}).status_code == 302
    client.post(reverse("shop:gift_design_duplicate", args=[design.pk]))
    assert set(GiftDesign.objects.values_list("name", "organisation__slug")) == {
        ("Speakers", "acme"), ("Holiday", "acme"), ("Speakers (copy)", "acme"),
    }


def test_the_quote_downloads_as_a_pdf_with_the_same_figures(client, setup):
    from pypdf import PdfReader

    a, _, design, variant = setup
    client.force_login(member_of(a))
    client.post(reverse("shop:gift_design_item", args=[design.pk]), {"variant": variant.pk, "quantity": 2})
    url = reverse("shop:gift_design_quote_pdf", args=[design.pk])
    response = client.get(url, {"quantity": 30, "shipping": "bulk", "state": ""})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    # per box 8.00 + 40.00 + logo 3.00 = 51.00; 30 boxes = 1530.00; bulk 40 + 45 = 85.00; total 1615.00
    for expected in ("Acme", "$51.00", "$1,530.00", "$85.00", "$1,615.00"):
        assert expected in text, expected
    assert client.get(url, {"quantity": "0", "shipping": "bulk"}).status_code == 400


def test_order_proof_and_approval_through_the_pages(client, setup, settings, localstripe_server):
    import stripe
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop.platform import roles
    from shop.models import GiftOrder
    from tests.support.stripe_helpers import card

    a, b, design, variant = setup
    member = member_of(a)
    client.force_login(member)
    client.post(reverse("shop:gift_design_item", args=[design.pk]), {"variant": variant.pk, "quantity": 2})
    too_soon = client.post(reverse("shop:gift_design_order", args=[design.pk]),
                           dict(BULK_FORM, in_hand_date="2026-01-02"))
    assert too_soon.status_code == 400 and "earliest in-hand date" in too_soon.content.decode()
    placed = client.post(reverse("shop:gift_design_order", args=[design.pk]),
                         dict(BULK_FORM, in_hand_date="2027-06-01"))
    order = GiftOrder.objects.get()
    assert placed.url == reverse("shop:gift_order", args=[order.number]) and order.payment == "card"

    # Authorise the card: held, not charged.
    confirm = client.post(reverse("shop:gift_order_pay_confirm", args=[order.number]), {"payment_method": card()},
                          content_type="application/json")
    assert confirm.json()["status"] == "requires_capture"

    # Another organisation sees none of it.
    client.force_login(member_of(b))
    assert client.get(reverse("shop:gift_order", args=[order.number])).status_code == 404
    assert client.post(reverse("shop:gift_order_review", args=[order.number]), {"decision": "approve"}).status_code == 404
    assert client.post(reverse("shop:gift_order_pay_confirm", args=[order.number]), {}, content_type="application/json").status_code == 404

    # Staff upload the proof; customers cannot.
    proof = SimpleUploadedFile("proof.png", b"\\x89PNG proof", content_type="image/png")
    assert client.post(reverse("shop:gift_order_proof", args=[order.number]), {"file": proof}).status_code == 403
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    assert order.number in client.get(reverse("shop:gift_pipeline")).content.decode()
    proof = SimpleUploadedFile("proof.png", proof_image(), content_type="image/png")
    client.post(reverse("shop:gift_order_proof", args=[order.number]), {"file": proof})
    assert GiftOrder.objects.get(pk=order.pk).status == "proof_ready"

    client.force_login(member)
    assert client.post(reverse("shop:gift_order_review", args=[order.number]), {"decision": "changes", "comment": ""}).status_code == 400
    assert client.post(reverse("shop:gift_order_review", args=[order.number]), {"decision": "approve"}).status_code == 302
    order.refresh_from_db()
    assert order.status == "approved" and order.paid_at is not None
    assert stripe.PaymentIntent.retrieve(order.stripe_payment_intent_id).status == "succeeded"


def test_invoice_pdf_for_members_and_mark_paid_for_staff(client, setup, settings, django_capture_on_commit_callbacks):

    from payroll.models import Posting
    from shop.platform import roles
    from shop.models import Invoice
    from shop.services.gifts.orders import gift_order_place, proof_review, proof_upload

    a, b, design, variant = setup
    a.payment_terms = "net30"
    a.save()
    design.refresh_from_db()
    design_set_item(design, variant.pk, 1)
    order = gift_order_place(design, 25, shipping_mode="bulk", ship_to=bulk_address(), in_hand_date=date(2027, 6, 1),
                             actor=None)
    proof_upload(order.pk, proof_file("p.png", proof_image()), None)
    proof_review(order.pk, approve=True, comment="", actor=None)
    invoice = Invoice.objects.get()
    client.force_login(member_of(a))
    pdf = client.get(reverse("shop:gift_order_invoice", args=[order.number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(member_of(b))
    assert client.get(reverse("shop:gift_order_invoice", args=[order.number])).status_code == 404
    assert client.post(reverse("shop:gift_invoice_paid", args=[invoice.pk])).status_code == 403
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("shop:gift_invoice_paid", args=[invoice.pk])).status_code == 302
    invoice.refresh_from_db()
    assert invoice.paid_at is not None
    assert Posting.objects.filter(account__code="wage_fund", entry__source_type="gift_assembly").exists()
