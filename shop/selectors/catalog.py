"""Catalog reads. Each runs a fixed number of queries, whatever the page size."""
from django.db.models import Min, Prefetch, Q, QuerySet, Sum

from shop.models import Category, Product, ProductImage, ProductVariant


def category_list() -> list[Category]:
    return list(Category.objects.all())


def product_list(category: Category | None = None, query: str = "") -> QuerySet[Product]:
    """Active products with their lowest price, total stock and images (one prefetch)."""
    products = (
        Product.objects.filter(is_active=True)
        .select_related("category")
        .annotate(price_from=Min("variants__price"), stock_total=Sum("variants__stock"))
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
        .order_by("category__position", "name", "id")
    )
    if category is not None:
        products = products.filter(category=category)
    query = query.strip()
    if query:
        products = products.filter(
            Q(name__icontains=query) | Q(description__icontains=query) | Q(category__name__icontains=query)
        )
    return products


def product_detail(slug: str) -> Product | None:
    return (
        Product.objects.filter(slug=slug, is_active=True)
        .select_related("category")
        .prefetch_related(
            Prefetch("variants", queryset=ProductVariant.objects.order_by("position", "id")),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
        .first()
    )
