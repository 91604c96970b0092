"""Catalog reads. Each runs a fixed number of queries, whatever the page size, and loads only
what the page shows (a listing page's cards are plain rows, not model instances)."""
from django.db.models import F, Min, Prefetch, Q, QuerySet, Subquery, Sum
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


def product_detail(slug: str) -> Product | None:
    return (
        Product.objects.filter(slug=slug, is_active=True)
        .select_related("category")
        .only("name", "slug", "description", "story", "wage_content", "maker_credit",
              "category__name", "category__slug")
        .prefetch_related(
            Prefetch("variants", queryset=ProductVariant.objects.only("product", "options", "price", "stock")
                     .order_by("position", "id")),
            Prefetch("images", queryset=ProductImage.objects.only("product", "image", "alt_text")
                     .order_by("position", "id")),
        )
        .first()
    )
