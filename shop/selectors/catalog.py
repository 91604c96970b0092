"""Catalog reads. Each runs a fixed number of queries, whatever the page size, and loads only
what the page shows (a listing page's cards are plain rows, not model instances)."""
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.storage import FileSystemStorage
from django.db.models import F, Min, OuterRef, QuerySet, Subquery, Sum
from django.urls import reverse

from shop.models import Category, Product, ProductImage, ProductVariant
from shop.platform.compiled import CompiledRead

IMAGE_STORAGE = ProductImage._meta.get_field("image").storage
CATALOG_ORDER = ("category__position", "name", "id")


def category_list() -> list[dict]:
    """Every category's id, name, slug and link, in the catalog's order."""
    url = _url_maker("shop:category")
    return [{**row, "url": url(row["slug"])} for row in _CATEGORIES.rows()]


_CATEGORIES = CompiledRead(lambda: Category.objects.values("id", "name", "slug"))


def category_by_slug(slug: str) -> Category | None:
    return Category.objects.only("name", "slug", "description").filter(slug=slug).first()


def product_cards(category: Category | None = None, start: int = 0, stop: int | None = None) -> list[dict]:
    """The cards of one page of the plain listing (every active product, or one category's,
    in the catalog's order), in one query: name, link, category, lowest price, total stock
    and first picture (with its renditions) of each product on the page (the page's products
    chosen first, so only they are summed, however large the catalog). Its SQL is compiled
    once per page slice (``shop.platform.compiled``). A search or filtered listing picks its
    own page of ids and makes their cards with ``cards_for``."""
    if category is None:
        return _cards(_ALL_CARDS.rows(start, stop))
    return _cards(_CATEGORY_CARDS.rows(start, stop, category=category.pk))


def _page_cards(start, stop, category=None):
    products = Product.objects.filter(is_active=True)
    if category is not None:
        products = products.filter(category_id=category)
    page_ids = products.order_by(*CATALOG_ORDER).values("id")[start:stop]
    return _card_values(Product.objects.filter(id__in=Subquery(page_ids)).order_by(*CATALOG_ORDER))


_ALL_CARDS = CompiledRead(_page_cards)
_CATEGORY_CARDS = CompiledRead(_page_cards, {"category": (-7001, -7002)})


def _first_image(column):
    """One column of the product's first image (by position), as a subquery of the card's row."""
    return Subquery(ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id").values(column)[:1])


def _card_values(products: QuerySet[Product]) -> QuerySet:
    return (products.values("id", "name", "slug", category_name=F("category__name"))
            .annotate(price_from=Min("variants__price"), stock_total=Sum("variants__stock"),
                      **{f"picture_{name}": _first_image(name) for name in PICTURE_FIELDS}))


def cards_for(ids: list[int]) -> list[dict]:
    """The cards of these products, in this order, in one query (the first image's columns
    are subqueries of each row, so no second query for the images)."""
    if not ids:
        return []
    rows = {row["id"]: row for row in _cards(_card_values(Product.objects.filter(id__in=ids).order_by()))}
    return [rows[product_id] for product_id in ids]


def _cards(rows) -> list[dict]:
    url = _url_maker("shop:product")
    cards = []
    for row in rows:
        fields = [row.pop(f"picture_{name}") for name in PICTURE_FIELDS]
        row["url"] = url(row["slug"])
        row["picture"] = picture(*fields) if fields[0] else None
        cards.append(row)
    return cards


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
class Picture:
    """One product picture as a page shows it: ``src`` (a middling fallback rendition, or the
    upload until the worker made them), the ``srcset`` of the fallback and of the WebP
    renditions, the size for ``width``/``height`` (0: not known), and the widest for zooming."""

    src: str
    srcset: str
    webp_srcset: str
    width: int
    height: int
    alt: str
    zoom: str


PICTURE_FIELDS = ("image", "width", "height", "alt_text", "renditions")
CARD_WIDTH = 640  # the rendition a card's or gallery's plain ``src`` names (a browser without srcset)


def picture(image: str, width: int, height: int, alt: str, renditions: dict) -> Picture:
    """A ``Picture`` from an image row's ``PICTURE_FIELDS``, without reading any file."""
    fallback, webp = renditions.get("fallback") or [], renditions.get("webp") or []
    url = _media_url()
    if not fallback:
        src = url(image)
        return Picture(src, "", "", width, height, alt, src)
    urls = [(w, url(name)) for w, _h, name in fallback]
    src = next((u for w, u in urls if w >= CARD_WIDTH), urls[-1][1])
    return Picture(src, _srcset(urls), _srcset((w, url(name)) for w, _h, name in webp),
                   width, height, alt, urls[-1][1])


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


def _media_url():
    """``IMAGE_STORAGE.url`` for the names of one page. On the file system storage (not a
    subclass) a name of plain segments (letters, digits, ``_-.``, none starting with a dot:
    what uploads and renditions are named) is its base URL followed by the name, which is what
    ``url`` gives after quoting nothing and joining; quoting each of a listing's ~200 URLs was
    a fifth of a catalogue cache miss. Any other name or storage goes through ``url``."""
    if IMAGE_STORAGE.__class__.url is not FileSystemStorage.url:
        return IMAGE_STORAGE.url
    base, plain, slow = IMAGE_STORAGE.base_url, _PLAIN_NAME.fullmatch, IMAGE_STORAGE.url
    return lambda name: base + name if plain(name) else slow(name)


def _srcset(urls) -> str:
    return ", ".join(f"{url} {w}w" for w, url in urls)


def first_pictures(product_ids: list[int]) -> dict[int, Picture]:
    """The first picture of each of these products (one query)."""
    first = {}
    rows = (ProductImage.objects.filter(product_id__in=product_ids).order_by("-position", "-id")
            .values_list("product_id", *PICTURE_FIELDS))
    for product_id, *fields in rows:  # the last one seen is the first by position
        first[product_id] = fields
    return {product_id: picture(*fields) for product_id, fields in first.items() if fields[0]}


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
    images: tuple[Picture, ...]
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
        picture(*fields)
        for fields in ProductImage.objects.filter(product_id=pk).order_by("position", "id").values_list(*PICTURE_FIELDS)
        if fields[0]
    )
    return ProductPage(pk, name, slug, description, story, wage_content, maker_credit, category_name,
                       _url_maker("shop:category")(category_slug), variants, images, *gift_card)
