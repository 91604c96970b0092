"""Catalog reads. Each runs a fixed number of queries, whatever the page size, and loads only
what the page shows (a listing page's cards are plain rows, not model instances)."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Min, Q, QuerySet, Subquery, Sum
from django.urls import reverse

from shop.models import Category, Product, ProductImage, ProductVariant

IMAGE_STORAGE = ProductImage._meta.get_field("image").storage
CATALOG_ORDER = ("category__position", "name", "id")


def category_list() -> list[dict]:
    """Every category's name, slug and link, in the catalog's order."""
    url = _url_maker("shop:category")
    return [{"name": name, "slug": slug, "url": url(slug)} for name, slug in Category.objects.values_list("name", "slug")]


def category_by_slug(slug: str) -> Category | None:
    return Category.objects.only("name", "slug", "description").filter(slug=slug).first()


def active_products(category: Category | None = None, query: str = "") -> QuerySet[Product]:
    """Active products, of one category and matching a search when given."""
    products = Product.objects.filter(is_active=True)
    if category is not None:
        products = products.filter(category=category)
    query = query.strip()
    if query:
        products = products.filter(
            Q(name__icontains=query) | Q(description__icontains=query) | Q(category__name__icontains=query)
        )
    return products


def product_count(category: Category | None = None, query: str = "") -> int:
    return active_products(category, query).count()


def product_cards(category: Category | None = None, query: str = "", start: int = 0, stop: int | None = None) -> list[dict]:
    """The cards of one listing page, in two queries: name, link, category, lowest price and
    total stock of each product on the page (the page's products chosen first, so only they are
    summed, however large the catalog), then the first image of each (its thumbnail when made)."""
    page_ids = active_products(category, query).order_by(*CATALOG_ORDER).values("id")[start:stop]
    rows = list(
        Product.objects.filter(id__in=Subquery(page_ids))
        .order_by(*CATALOG_ORDER)
        .values("id", "name", "slug", category_name=F("category__name"))
        .annotate(price_from=Min("variants__price"), stock_total=Sum("variants__stock"))
    )
    first_images = {}
    images = (ProductImage.objects.filter(product_id__in=[row["id"] for row in rows])
              .order_by("-position", "-id").values_list("product_id", "image", "thumbnail", "alt_text"))
    for product_id, image, thumbnail, alt_text in images:  # the last one seen is the first by position
        first_images[product_id] = (thumbnail or image, alt_text)
    url = _url_maker("shop:product")
    for row in rows:
        row["url"] = url(row["slug"])
        shown, row["image_alt"] = first_images.get(row["id"], ("", ""))
        row["image_url"] = IMAGE_STORAGE.url(shown) if shown else ""
    return rows


def _url_maker(name: str):
    """``reverse(name, args=[slug])`` for many slugs at the cost of one reverse (a slug is
    [-a-zA-Z0-9_], nothing in it needs quoting)."""
    template = reverse(name, args=[_SLUG_MARK])
    return lambda slug: template.replace(_SLUG_MARK, slug)


_SLUG_MARK = "0-slug-0"


@dataclass(frozen=True)
class VariantRow:
    """A variant as the product page shows it and the add-to-cart form offers it."""

    pk: int
    options: dict
    price: Decimal
    stock: int

    label = ProductVariant.label  # the model's own rules, on plain rows
    in_stock = ProductVariant.in_stock


@dataclass(frozen=True)
class ImageRow:
    url: str
    alt_text: str


@dataclass(frozen=True)
class ProductPage:
    """What the product page shows of one active product: plain rows, no model instances."""

    pk: int
    name: str
    slug: str
    description: str
    story: str
    wage_content: Decimal
    maker_credit: str
    category_name: str
    category_url: str
    variants: tuple[VariantRow, ...]
    images: tuple[ImageRow, ...]
    is_gift_card: bool = False  # sold as a gift card: its variants are the fixed amounts
    gift_card_min: Decimal | None = None  # a chosen amount between these, when both are set
    gift_card_max: Decimal | None = None

    maker_line = Product.maker_line


def product_detail(slug: str) -> ProductPage | None:
    """The product page's data in two queries: the product with its category and variants (one
    row per variant, joined), then its images. None when there is no such active product."""
    rows = list(
        Product.objects.filter(slug=slug, is_active=True)
        .order_by("variants__position", "variants__id")
        .values_list("id", "name", "slug", "description", "story", "wage_content", "maker_credit", "category__name",
                     "category__slug", "variants__id", "variants__options", "variants__price", "variants__stock",
                     "is_gift_card", "gift_card_min", "gift_card_max")
    )
    if not rows:
        return None
    pk, name, slug, description, story, wage_content, maker_credit, category_name, category_slug = rows[0][:9]
    gift_card = rows[0][13:16]
    variants = tuple(VariantRow(*row[9:13]) for row in rows if row[9] is not None)
    images = tuple(
        ImageRow(IMAGE_STORAGE.url(image), alt_text)
        for image, alt_text in ProductImage.objects.filter(product_id=pk).order_by("position", "id").values_list("image", "alt_text")
        if image
    )
    return ProductPage(pk, name, slug, description, story, wage_content, maker_credit, category_name,
                       _url_maker("shop:category")(category_slug), variants, images, *gift_card)
