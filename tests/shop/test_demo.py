import pytest
from django.core.management import call_command

from shop.platform import roles
from shop.demo import DEMO_PASSWORD
from shop.models import Category, Product, ProductImage, ProductVariant, ShippingMethod, TaxRate, User

pytestmark = pytest.mark.django_db


def counts():
    return (
        Category.objects.count(), Product.objects.count(), ProductVariant.objects.count(),
        ProductImage.objects.count(), User.objects.count(), ShippingMethod.objects.count(), TaxRate.objects.count(),
    )


def seed(capture):
    """Run seed_demo; the thumbnails it enqueues on commit run as the commit happens."""
    with capture(execute=True):
        call_command("seed_demo")


def test_seed_demo_is_complete_and_idempotent(capsys, django_capture_on_commit_callbacks):
    seed(django_capture_on_commit_callbacks)
    first = counts()
    out = capsys.readouterr().out
    seed(django_capture_on_commit_callbacks)
    assert counts() == first

    categories, products, variants, images, *_ = first
    assert categories >= 4 and products >= 24 and variants > products
    assert images == 3 * products  # the product, a close-up, in a room
    assert not ProductImage.objects.filter(renditions={}).exists()  # made by the task
    assert not Product.objects.filter(variants__isnull=True).exists()
    assert ProductVariant.objects.filter(stock=0).exists() and ProductVariant.objects.filter(stock__gt=0).exists()
    assert all(p.wage_content > 0 for p in Product.objects.filter(is_gift_card=False))
    assert [(p.slug, p.wage_content) for p in Product.objects.filter(is_gift_card=True)] == [("mended-gift-card", 0)]
    assert "MEND-CARD-TEST-2345" in out
    assert TaxRate.objects.filter(state="FL").exists()
    assert ShippingMethod.objects.filter(kind=ShippingMethod.PICKUP).exists()

    for role in roles.STAFF_ROLES:
        member = User.objects.get(groups__name=role)
        assert member.is_staff and member.check_password(DEMO_PASSWORD)
        assert member.email in out
    assert User.objects.filter(is_superuser=True).exists()
    assert DEMO_PASSWORD in out


def test_demo_pictures_are_real_distinct_and_drawn_per_kind(django_capture_on_commit_callbacks):
    import hashlib

    from PIL import Image

    seed(django_capture_on_commit_callbacks)

    def digest(image):
        with image.image.open("rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    tote = list(ProductImage.objects.filter(product__slug="market-tote"))
    assert [i.alt_text for i in tote] == ["Market Tote in Indigo, on a plain background",
                                          "Close-up of the Market Tote: its leather handles, riveted to the canvas",
                                          "The Market Tote in Rust on a wooden table by a window"]
    with tote[0].image.open("rb") as f:
        assert Image.open(f).size == (1000, 1000)
    webp, fallback = tote[0].renditions["webp"], tote[0].renditions["fallback"]
    assert [w for w, _h, _n in webp] == [320, 640, 1000] and tote[0].renditions["fallback_type"] == "image/jpeg"
    with tote[0].image.storage.open(fallback[0][2], "rb") as f:
        assert Image.open(f).format == "JPEG"

    firsts = {image.product.slug: digest(image) for image in ProductImage.objects.filter(position=0).select_related("product")}
    assert len(firsts) == Product.objects.count() and len(set(firsts.values())) == len(firsts)  # no two alike
    assert len({digest(image) for image in tote}) == 3
    # the same kind in other colours is another picture (the three candles share a drawing)
    assert len({firsts["cedar-sage-candle"], firsts["citrus-grove-candle"], firsts["lavender-rest-candle"]}) == 3


def test_a_demo_picture_is_drawn_once_and_read_back_from_the_cache(monkeypatch):
    from shop.demo import images

    first = images.picture_file("tote", "product", "#3f4a8a", "#c8912f", "a.jpg").read()
    monkeypatch.setattr(images, "draw", lambda *a: pytest.fail("drawn again"))
    assert images.picture_file("tote", "product", "#3f4a8a", "#c8912f", "b.jpg").read() == first
    with pytest.raises(pytest.fail.Exception):
        images.picture_file("tote", "product", "#b5542c", "#c8912f", "c.jpg")  # another colour: drawn


def test_demo_names_a_maker_only_with_consent_and_never_in_the_story(django_capture_on_commit_callbacks):
    from payroll.models import Employee, MakerAssignment
    from payroll.services.consent import consent_for

    seed(django_capture_on_commit_callbacks)
    legal_names = [e.legal_name for e in Employee.objects.all()]
    for product in Product.objects.all():
        assert not any(name in product.story or name in product.description for name in legal_names)
        makers = [a.employee for a in MakerAssignment.objects.filter(product=product)]
        consented = sorted(m.display_name for m in makers if consent_for(m, "name_credit"))
        assert product.maker_credit == " & ".join(consented)
    assert Product.objects.filter(maker_credit="").exists()


def test_demo_orders_are_paid_some_refunded_and_credited_to_the_wage_fund(django_capture_on_commit_callbacks):
    from payroll.models import JournalEntry
    from payroll.services.reconcile import wage_fund_reconcile
    from shop.models import Order, Refund

    seed(django_capture_on_commit_callbacks)
    orders = Order.objects.filter(email__endswith="@demo.mended.example")
    assert orders.count() >= 24 and not orders.filter(state=Order.State.PENDING).exists()
    assert Refund.objects.filter(status=Refund.Status.SUCCEEDED).exists()
    assert orders.filter(state=Order.State.PARTIALLY_REFUNDED).exists()
    weeks = {d.isocalendar()[1] for d in JournalEntry.objects.values_list("date", flat=True)}
    assert len(weeks) >= 6  # spread over past weeks, not all today
    report = wage_fund_reconcile()
    assert report.ok and report.accounts[0].shown(report.accounts[0].actual) > 0


def test_every_demo_payment_is_on_the_one_payment_record(django_capture_on_commit_callbacks):
    """Orders, gifts, months of monthly gifts, tickets and sponsorships: each paid one has its
    payment row, of its owner's kind, for what was charged, marked demo (never charged at Stripe)."""
    from shop.models import Donation, Order, Payment

    seed(django_capture_on_commit_callbacks)
    paid_orders = Order.objects.filter(email__endswith="@demo.mended.example")
    assert not paid_orders.filter(payments__isnull=True).exists()
    gifts = Donation.objects.filter(status__in=[Donation.Status.PAID, Donation.Status.REFUNDED])
    assert gifts.exists() and not gifts.filter(payments__isnull=True).exists()
    kinds = set(Payment.objects.filter(demo=True).values_list("kind", flat=True))
    assert kinds >= {"order", "gift", "monthly", "ticket", "sponsorship"}
    for gift in gifts.prefetch_related("payments", "event_ticket", "sponsorship"):
        payment = gift.payment
        assert payment.amount == gift.total and payment.demo and payment.status == "succeeded"
        if gift.recurring_id:
            assert payment.kind == "monthly" and payment.stripe_invoice_id
        elif hasattr(gift, "event_ticket"):
            assert payment.kind == "ticket"
        elif hasattr(gift, "sponsorship"):
            assert payment.kind == "sponsorship"
        else:
            assert payment.kind == "gift"


def test_the_demo_catalogue_answers_a_shoppers_searches(client):
    """The embedded default's demo: what issue 21's shopper typed finds what they meant."""
    from django.urls import reverse

    from shop.demo.catalog import seed_catalog

    seed_catalog()

    def found(q):
        response = client.get(reverse("shop:catalog"), {"q": q})
        return {card["name"] for card in response.context["page"].object_list}, response.content.decode()

    assert found("tote bag")[0] == {"Market Tote", "Canvas Tote Bag"}
    assert found("totes")[0] == {"Market Tote", "Canvas Tote Bag"}
    names, html = found("scarff")
    assert names == {"Woven Scarf", "Cotton Scarf"} and "Did you mean" in html
    assert found("rust")[0] == {"Market Tote", "Canvas Tote Bag", "Leather Keychain", "Card Wallet",
                                "Hand-bound Journal", "Cotton Scarf"}
    assert found("blue scarf under $40")[0] == {"Cotton Scarf"}  # the blue Woven Scarf is $58


def test_seeding_again_redraws_the_earlier_demos_single_picture_and_keeps_staffs(django_capture_on_commit_callbacks):
    from shop.demo.catalog import seed_catalog

    with django_capture_on_commit_callbacks(execute=True):
        seed_catalog()
    ProductImage.objects.filter(product__slug="market-tote").delete()
    ProductImage.objects.create(product=Product.objects.get(slug="market-tote"), image="products/market-tote/old.png",
                                alt_text="Market Tote")  # what the demo made before issue 21
    ProductImage.objects.filter(product__slug="zip-pouch").delete()
    ProductImage.objects.create(product=Product.objects.get(slug="zip-pouch"), image="products/zip-pouch/mine.jpg",
                                alt_text="Our zip pouch on the market stall")  # staff's own picture
    with django_capture_on_commit_callbacks(execute=True):
        seed_catalog()
    assert ProductImage.objects.filter(product__slug="market-tote").count() == 3
    assert list(ProductImage.objects.filter(product__slug="zip-pouch").values_list("alt_text", flat=True)) == [
        "Our zip pouch on the market stall"]


def test_the_demo_client_has_gifts_by_claim_link_in_every_state_once(django_capture_on_commit_callbacks, client):
    """Acme Demo Corp's claim-link order: four gifts e-mailed to named recipients, one claimed
    with the other box, one claimed with the address shared, two open; its claims page and the
    staff order page show them; seeding again adds nothing."""
    from django.urls import reverse

    from shop.models import ClaimCampaign, GiftClaim, GiftClaimLink, GiftOrder, GiftRecipient

    seed(django_capture_on_commit_callbacks)

    def claim_counts():
        return (ClaimCampaign.objects.count(), GiftClaim.objects.count(), GiftClaimLink.objects.count(),
                GiftRecipient.objects.count(), GiftOrder.objects.count())

    first = claim_counts()
    seed(django_capture_on_commit_callbacks)
    assert claim_counts() == first
    campaign = ClaimCampaign.objects.select_related("order").get(order__organisation__slug="acme-demo")
    order = campaign.order
    claims = {c.number: c for c in campaign.claims.all()}
    assert (order.quantity, len(claims), campaign.delivery) == (4, 4, "email")
    assert sum(c.value for c in claims.values()) == order.total  # the shares sum to what was paid
    assert (claims[1].status, claims[1].chosen_name, claims[1].share_address) == ("claimed", "Small thanks", False)
    assert (claims[2].status, claims[2].chosen_name, claims[2].share_address) == ("claimed", "Welcome box", True)
    assert [claims[n].status for n in (3, 4)] == ["open", "open"]
    assert all(c.email.endswith("@recipients.example") for c in claims.values())
    # Its stock was taken (4 boxes at placing, one given back for Robin's other box), from enough.
    assert order.stock_held == 3
    assert not ProductVariant.objects.filter(stock__lt=0).exists()

    client.force_login(User.objects.get(email="gifts@acme-demo.example"))
    page = client.get(reverse("shop:gift_claims", args=[order.number])).content.decode()
    assert "Robin Recipient" in page and "Small thanks" in page
    assert "200 Demo Avenue" in page and "100 Example Street" not in page  # only the shared address
    client.force_login(User.objects.get(email="shop@mended.example"))
    staff_page = client.get(reverse("shop:gift_order_staff", args=[order.number])).content.decode()
    assert "100 Example Street" in staff_page and "200 Demo Avenue" in staff_page
