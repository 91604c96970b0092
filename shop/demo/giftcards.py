"""The demo's gift cards: a gift card product ($25, $50, $100, or an amount from $10 to $500)
and one issued card with a known code to try at checkout (printed by ``seed_demo`` and listed
in the README's demo section)."""
from decimal import Decimal

from django.utils import timezone

from shop.models import Category, GiftCard, Product, ProductVariant
from shop.selectors.giftcards import code_hash

DEMO_CODE = "MEND-CARD-TEST-2345"
DEMO_AMOUNT = Decimal("50.00")
PRODUCT_SLUG = "mended-gift-card"


def seed_gift_card_product() -> Product:
    from shop.demo.images import demo_picture_file, product_pictures
    from shop.services.images import product_image_create

    category, _ = Category.objects.update_or_create(
        slug="gift-cards", defaults={"name": "Gift cards", "description": "Sent by e-mail on the day you choose.",
                                     "position": 90})
    product, _ = Product.objects.update_or_create(
        slug=PRODUCT_SLUG,
        defaults={"category": category, "name": "Mended gift card", "wage_content": Decimal("0"), "is_active": True,
                  "is_gift_card": True, "gift_card_min": Decimal("10.00"), "gift_card_max": Decimal("500.00"),
                  "description": "A gift card for anything in the shop, e-mailed with its code to you or to the "
                                 "person you name, on the day you choose. Spend it all at once or bit by bit."},
    )
    for position, amount in enumerate(("25.00", "50.00", "100.00")):
        ProductVariant.objects.get_or_create(
            sku=f"MT-GIFTCARD-{amount.split('.')[0]}",
            defaults={"product": product, "options": {"amount": f"${amount.split('.')[0]}"}, "price": Decimal(amount),
                      "stock": 100000, "position": position})
    if not product.images.exists():
        for position, picture in enumerate(product_pictures(product.name, product.slug, [])):
            product_image_create(product, demo_picture_file(picture), picture.alt_text, position=position)
    return product


def seed_gift_cards(buyer_email: str) -> str:
    """The demo card (issued, its e-mail marked sent so seeding sends none); returns its code."""
    from shop.services.giftcards import gift_card_create, gift_card_issue

    seed_gift_card_product()
    if not GiftCard.objects.filter(code_hash=code_hash(DEMO_CODE)).exists():
        card = gift_card_create(DEMO_AMOUNT, buyer_email=buyer_email, deliver_on=timezone.localdate(), code=DEMO_CODE,
                                message="A demo gift card to try at checkout.")
        GiftCard.objects.filter(pk=card.pk).update(emailed_at=timezone.now())
        gift_card_issue(card.pk)
    return DEMO_CODE
