"""Demo data for the embedded default: a fictional organisation's catalog, staff and rates."""
import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shop.platform import roles
from shop.models import (
    BoxSize,
    Cart,
    CartLine,
    Category,
    ClassicBox,
    ClassicBoxItem,
    Order,
    Organisation,
    OrganisationMember,
    PaletteColour,
    Payment,
    Product,
    ProductVariant,
    Refund,
    RefundLine,
    ShippingMethod,
    TaxRate,
    User,
    VolumeTier,
)
from shop.demo.images import demo_picture_file, product_pictures
from shop.services.images import product_image_create, product_image_delete
from shop.services.orders import CheckoutDetails, order_mark_paid, order_place
from shop.services.refunds import refund_allocation, refund_apply_stripe_status

DEMO_PASSWORD = "mended-demo-2026"

STAFF = [
    ("admin@mended.example", "Ada", "Admin", None, True),
    ("shop@mended.example", "Sam", "Shopkeeper", roles.SHOP_STAFF, False),
    ("payroll@mended.example", "Pat", "Payroll", roles.PAYROLL_STAFF, False),
    ("program@mended.example", "Priya", "Program", roles.PROGRAM_STAFF, False),
    ("volunteers@mended.example", "Val", "Coordinator", roles.VOLUNTEER_COORDINATOR, False),
]
CUSTOMER = ("customer@mended.example", "Casey", "Customer")

COLOURS = {
    "Indigo": "#3f4a8a", "Rust": "#b5542c", "Sage": "#7d9a7a", "Oat": "#d9c9a8", "Charcoal": "#3b3b3f",
    "Rose": "#c9828d", "Ochre": "#c8912f", "Teal": "#2f7d7a", "Natural": "#e6dcc8", "Plum": "#6b3a5b",
    "Denim Blue": "#41628f", "Sky Blue": "#86b3d6",
}

# (category, [(name, price, wage content, options, stock per variant, description)])
CATALOG = {
    ("Bags", "Totes, crossbodies and pouches, cut and sewn in our workshop."): [
        ("Market Tote", "48.00", "18.50", {"colour": ["Indigo", "Rust", "Natural"]}, 12, "A roomy canvas tote with leather handles."),
        ("Canvas Tote Bag", "38.00", "14.00", {"colour": ["Denim Blue", "Natural", "Rust"]}, 15, "An everyday shopper with a snap pocket."),
        ("Crossbody Satchel", "72.00", "27.00", {"colour": ["Charcoal", "Ochre"]}, 6, "Adjustable strap, two inner pockets."),
        ("Zip Pouch", "22.00", "8.25", {"colour": ["Rose", "Teal", "Sage"]}, 25, "For pens, make-up or chargers."),
        ("Weekender Duffel", "128.00", "46.00", {"colour": ["Charcoal", "Natural"]}, 3, "Waxed canvas, brass hardware."),
        ("Laptop Sleeve", "54.00", "19.75", {"size": ["13 inch", "15 inch"]}, 8, "Padded felt with a wool lining."),
        ("Lunch Bag", "26.00", "9.50", {"colour": ["Sage", "Ochre"]}, 14, "Insulated and wipe-clean inside."),
    ],
    ("Accessories", "Scarves, keychains and small things made to be given."): [
        ("Woven Scarf", "58.00", "22.00", {"colour": ["Plum", "Teal", "Oat", "Denim Blue"]}, 10, "Hand-loomed cotton, fringed ends."),
        ("Cotton Scarf", "34.00", "12.50", {"colour": ["Sky Blue", "Rose", "Rust"]}, 14, "Light gauze, dyed by hand."),
        ("Leather Keychain", "16.00", "6.00", {"colour": ["Rust", "Charcoal"]}, 40, "Stamped with a small heart."),
        ("Beaded Bracelet", "24.00", "9.00", {"colour": ["Rose", "Indigo", "Ochre"]}, 30, "Glass beads on stretch cord."),
        ("Card Wallet", "32.00", "12.00", {"colour": ["Rust", "Natural"]}, 18, "Holds six cards and folded notes."),
        ("Hair Scrunchie Set", "14.00", "5.25", {}, 50, "Three scrunchies from offcut fabric."),
        ("Canvas Belt", "36.00", "13.50", {"size": ["S", "M", "L"]}, 9, "Brass buckle, cotton webbing."),
    ],
    ("Home", "Textiles and pieces for the table and the sofa."): [
        ("Linen Napkins (set of 4)", "34.00", "13.00", {"colour": ["Oat", "Sage", "Indigo"]}, 16, "Stonewashed linen."),
        ("Quilted Throw", "145.00", "58.00", {"colour": ["Teal", "Rose"]}, 4, "Hand-quilted cotton, machine washable."),
        ("Cushion Cover", "42.00", "15.50", {"colour": ["Ochre", "Plum", "Natural"]}, 11, "Block-printed, 18 by 18 inches."),
        ("Table Runner", "46.00", "17.25", {"size": ["72 inch", "90 inch"]}, 7, "Woven stripes, hemmed by hand."),
        ("Tea Towels (set of 2)", "22.00", "8.00", {}, 20, "Cotton waffle weave."),
        ("Woven Basket", "38.00", "14.50", {"size": ["Small", "Large"]}, 0, "Coiled rope basket with handles."),
    ],
    ("Candles", "Hand-poured soy candles in reusable vessels."): [
        ("Cedar & Sage Candle", "28.00", "10.00", {"size": ["8 oz", "14 oz"]}, 22, "Woody and green, 45-hour burn."),
        ("Citrus Grove Candle", "28.00", "10.00", {"size": ["8 oz", "14 oz"]}, 19, "Grapefruit and orange blossom."),
        ("Lavender Rest Candle", "28.00", "10.00", {"size": ["8 oz", "14 oz"]}, 2, "Lavender and chamomile."),
        ("Travel Tin Trio", "30.00", "11.25", {}, 15, "Three 4 oz tins in a gift box."),
        ("Beeswax Tapers (pair)", "18.00", "6.75", {"colour": ["Natural", "Plum"]}, 26, "Hand-dipped, dripless."),
    ],
    ("Paper goods", "Cards and journals printed and bound in the studio."): [
        ("Hand-bound Journal", "24.00", "9.00", {"colour": ["Indigo", "Rust", "Sage"]}, 17, "Recycled paper, 120 pages."),
        ("Greeting Card Set", "18.00", "6.50", {}, 35, "Eight cards with envelopes."),
        ("Recipe Cards", "16.00", "5.75", {}, 28, "Forty cards in a kraft box."),
    ],
}

STORY = (
    "Cut, sewn and finished by artisans in our Tampa workshop, who are paid a steady hourly "
    "wage and supported with training and care."
)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-").replace("--", "-")


def _variants(options: dict) -> list[dict]:
    if not options:
        return [{}]
    (key, values), = options.items()
    return [{key: value} for value in values]


def seed_rates() -> None:
    ShippingMethod.objects.update_or_create(
        name="Standard shipping",
        defaults={"kind": ShippingMethod.FLAT, "price": Decimal("6.95"), "free_over": Decimal("75.00"), "position": 0},
    )
    ShippingMethod.objects.update_or_create(
        name="Local pickup (Tampa workshop)",
        defaults={"kind": ShippingMethod.PICKUP, "price": Decimal("0.00"), "free_over": None, "position": 1},
    )
    TaxRate.objects.update_or_create(state="FL", defaults={"rate": Decimal("0.0600"), "applies_to_shipping": False})


def seed_catalog() -> int:
    count = 0
    for position, ((category_name, category_description), products) in enumerate(CATALOG.items()):
        category, _ = Category.objects.update_or_create(
            slug=_slug(category_name),
            defaults={"name": category_name, "description": category_description, "position": position},
        )
        for name, price, wage, options, stock, description in products:
            product, _ = Product.objects.update_or_create(
                slug=_slug(name),
                defaults={
                    "category": category,
                    "name": name,
                    "description": description,
                    "story": STORY,
                    "wage_content": Decimal(wage),
                    "is_active": True,
                },
            )
            for index, values in enumerate(_variants(options)):
                suffix = "-".join(_slug(v)[:4] for v in values.values())
                sku = f"MT-{product.pk:03d}" + (f"-{suffix}".upper() if suffix else "")
                ProductVariant.objects.get_or_create(
                    sku=sku,
                    defaults={
                        "product": product,
                        "options": values,
                        "price": Decimal(price),
                        "stock": stock,
                        "position": index,
                    },
                )
            pictures = list(product.images.all())
            if len(pictures) == 1 and pictures[0].alt_text == name and not pictures[0].renditions:
                product_image_delete(pictures[0])  # the earlier demo's one square picture: drawn again, properly
                pictures = []
            if not pictures:
                colours = [(c, COLOURS[c]) for c in options.get("colour", [])]
                for position, picture in enumerate(product_pictures(name, product.slug, colours)):
                    product_image_create(product, demo_picture_file(picture), picture.alt_text, position=position)
            count += 1
    return count


def seed_people() -> list[tuple[str, str]]:
    """Staff for every role and one customer, all with the demo password."""
    logins = []
    for email, first, last, role, superuser in STAFF:
        user = _demo_user(email, first, last, is_staff=True, is_superuser=superuser)
        if role:
            user.groups.add(Group.objects.get(name=role))
        logins.append((role or "Superuser", email))
    _demo_user(*CUSTOMER, is_staff=False, is_superuser=False)
    logins.append(("Customer", CUSTOMER[0]))
    return logins


def _demo_user(email, first, last, *, is_staff, is_superuser) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"username": email, "first_name": first, "last_name": last, "is_staff": is_staff, "is_superuser": is_superuser},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


DEMO_ORDER_DOMAIN = "@demo.mended.example"


def seed_orders(weeks: int = 8) -> int:
    """A few weeks of paid demo orders, some partly refunded, credited to the wage fund
    through the same announcements real orders make. Created once."""
    if Order.objects.filter(email__endswith=DEMO_ORDER_DOMAIN).exists():
        return 0
    rng = random.Random(2026)
    variants = list(ProductVariant.objects.filter(stock__gte=8, product__is_gift_card=False).select_related("product").order_by("pk"))
    shipping = ShippingMethod.objects.filter(kind=ShippingMethod.FLAT).first()
    now = timezone.now()
    made = 0
    for week in range(weeks, 0, -1):
        for _ in range(rng.randint(3, 7)):
            paid_at = now - timedelta(weeks=week) + timedelta(days=rng.randint(0, 6), hours=rng.randint(9, 18))
            cart = Cart.objects.create()
            for variant in rng.sample(variants, rng.randint(1, 3)):
                CartLine.objects.create(cart=cart, variant=variant, quantity=rng.randint(1, 2))
            buyer = f"buyer{made + 1}{DEMO_ORDER_DOMAIN}"
            details = CheckoutDetails(
                email=buyer, name=f"Demo Buyer {made + 1}", shipping_method=shipping,
                line1=f"{rng.randint(1, 999)} Example Street", city="Tampa", state="FL", postal_code="33602",
            )
            order = order_place(cart, details)
            cart.delete()
            # Historical orders: their confirmation went out when they were paid.
            Order.objects.filter(pk=order.pk).update(created_at=paid_at, confirmation_sent_at=paid_at)
            Payment.objects.create(
                order=order, stripe_payment_intent_id=f"pi_demo_{order.number}", amount=order.total, status="succeeded",
                demo=True,  # seed_demo runs before localstripe starts: this payment was never made there
            )
            order_mark_paid(order.pk, paid_at=paid_at)
            if rng.random() < 0.2:
                _demo_refund(order, min(paid_at + timedelta(days=2), now), rng)
            made += 1
    return made


def _demo_refund(order: Order, confirmed_at, rng) -> None:
    """A partial refund as Stripe would confirm it (demo data: no call to Stripe)."""
    order.refresh_from_db()
    amount = (order.total * Decimal(rng.choice([25, 40, 50])) / 100).quantize(Decimal("0.01"))
    by_line, shipping_part = refund_allocation(order, amount)
    refund = Refund.objects.create(
        order=order, payment=order.payments.get(), amount=amount, shipping_amount=shipping_part,
        reason="Demo: damaged in transit", stripe_refund_id=f"re_demo_{order.number}",
    )
    RefundLine.objects.bulk_create(RefundLine(refund=refund, order_line_id=k, amount=v) for k, v in by_line.items())
    refund_apply_stripe_status(refund.pk, "succeeded", confirmed_at=confirmed_at)


CORPORATE = ("gifts@acme-demo.example", "Cora", "Corporate")


def seed_gifts() -> tuple[str, str]:
    """The gift-box catalogue (sizes, palette, volume tiers, a classic box) and one client."""
    sizes = {}
    for position, (name, slots, price) in enumerate((("Small", 3, "8.00"), ("Medium", 6, "12.00"), ("Large", 10, "18.00"))):
        sizes[name], _ = BoxSize.objects.update_or_create(
            name=name, defaults={"slots": slots, "base_price": Decimal(price), "position": position}
        )
    for name, hex_ in (("Berry", "#7a2e3a"), ("Sage", "#7d9a7a"), ("Oat", "#d9c9a8"), ("Ink", "#1f2a44"), ("Gold", "#c8912f")):
        PaletteColour.objects.update_or_create(name=name, defaults={"hex": hex_})
    for minimum, percent in ((25, "5"), (100, "10"), (250, "15")):
        VolumeTier.objects.update_or_create(min_quantity=minimum, defaults={"discount_percent": Decimal(percent)})
    box, created = ClassicBox.objects.get_or_create(
        slug="thank-you-classic",
        defaults={"name": "Thank-you classic", "size": sizes["Medium"],
                  "description": "A candle, a journal and a zip pouch, tied with a berry ribbon."},
    )
    if created:
        for slug in ("cedar-sage-candle", "hand-bound-journal", "zip-pouch"):
            variant = ProductVariant.objects.filter(product__slug=slug).order_by("pk").first()
            if variant:
                ClassicBoxItem.objects.create(box=box, variant=variant, quantity=1)
    organisation, _ = Organisation.objects.get_or_create(
        slug="acme-demo", defaults={"name": "Acme Demo Corp", "billing_contact": "Cora Corporate",
                                    "billing_email": CORPORATE[0], "payment_terms": Organisation.Terms.NET30},
    )
    member = _demo_user(*CORPORATE, is_staff=False, is_superuser=False)
    OrganisationMember.objects.get_or_create(organisation=organisation, user=member,
                                             defaults={"role": OrganisationMember.Role.ADMIN})
    if not organisation.recipient_lists.exists():
        _seed_recipient_list(organisation, member)
    from shop.demo.gifts import seed_claims

    seed_claims(organisation, member)  # an order of gifts by claim link, two claimed, two open
    return ("Corporate client", CORPORATE[0])


# Clearly made up: names that say what they are, streets no map has, *.example companies in
# spirit (a real city, state and ZIP, so tax and shipping work as for a real list).
DEMO_RECIPIENTS = [
    ("Jordan Recipient", "Example Analytics", "100 Example Street", "Tampa", "FL", "33602", ""),
    ("Sam Sample", "Sample Legal", "45 Sample Street", "Boston", "MA", "02109", "Thank you for speaking at our summit!"),
    ("Pat Placeholder", "", "1201 Demo Avenue", "Dallas", "TX", "75201", ""),
    ("Alex Example", "Example Health", "400 Example Road", "Seattle", "WA", "98101", ""),
    ("Morgan Demo", "Demo Bank", "77 Sample Drive", "Chicago", "IL", "60601", ""),
    ("Taylor Test", "", "350 Test Lane", "New York", "NY", "10001", "With gratitude for a wonderful year."),
]


def _seed_recipient_list(organisation, member) -> None:
    """A checked list of six recipients, imported the way an upload is."""
    from shop.platform.csv_export import csv_text
    from shop.models import RecipientList
    from shop.services.gifts.recipients import recipient_list_import

    source = csv_text(
        ["name", "company", "address_line1", "address_line2", "city", "state", "zip", "country", "message"],
        ([name, company, line1, "", city, state, zip_, "US", message]
         for name, company, line1, city, state, zip_, message in DEMO_RECIPIENTS),
    )
    recipient_list = RecipientList(organisation=organisation, name="Speakers and partners 2026", uploaded_by=member)
    recipient_list.source.save("recipients.csv", ContentFile(source.encode()), save=False)
    recipient_list.save()
    recipient_list_import(recipient_list.pk)


@transaction.atomic
def seed_demo() -> tuple[int, int, list[tuple[str, str]]]:
    seed_rates()
    products = seed_catalog()
    people = seed_people()
    people.append(seed_gifts())
    from shop.demo.giving import seed_circles, seed_giving

    seed_giving()  # donations, a monthly gift and their receipts
    seed_circles()  # a women's and a men's giving circle with members' monthly gifts
    from shop.demo.events import seed_events

    seed_events()  # a gala with tickets and sponsors, a pop-up shop, a hosting request
    from shop.demo.discounts import seed_discounts

    seed_discounts()  # WELCOME10 and FREESHIP
    from shop.demo.giftcards import seed_gift_cards

    seed_gift_cards(CUSTOMER[0])  # a gift card product and the card MEND-CARD-TEST-2345
    return products + 1, seed_orders(), people
