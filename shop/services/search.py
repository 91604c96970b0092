"""The catalog's stored search document (see shop/search.py), kept current in the same
transaction as the change: ``shop/signals.py`` calls ``product_search_refresh`` when a product,
a variant or a category is saved or deleted. It writes with ``update()``, which sends no signal
and leaves the cached pages to the signal that called it."""
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import TextField, Value

from shop import search
from shop.models import Category, Product, ProductVariant


def product_search_refresh(product_ids, product_model=Product, variant_model=ProductVariant) -> int:
    """Rewrite the search document of these products from their name, variants, category and
    description (two reads, one write per product). The models may be a migration's."""
    ids = list({pk for pk in product_ids if pk is not None})
    if not ids:
        return 0
    rows = list(product_model.objects.filter(id__in=ids).values_list("id", "name", "description", "category__name"))
    options = {}
    for product_id, values in variant_model.objects.filter(product_id__in=ids).order_by("position", "id") \
            .values_list("product_id", "options"):
        options.setdefault(product_id, []).append(values)
    postgres = connection.vendor == "postgresql"
    for product_id, name, description, category_name in rows:
        extra = search.extra_text(options.get(product_id, []), category_name or "")
        fields = {
            "search_words": search.document(name, extra, description),
            "search_text": " ".join(search.tokens(f"{name} {extra}")),
        }
        if postgres:
            fields["search_vector"] = (
                SearchVector(Value(name, output_field=TextField()), weight="A", config="english")
                + SearchVector(Value(extra, output_field=TextField()), weight="B", config="english")
                + SearchVector(Value(description, output_field=TextField()), weight="C", config="english")
            )
        product_model.objects.filter(id=product_id).update(**fields)
    return len(rows)


def category_search_refresh(category: Category) -> int:
    """A category's new name is in each of its products' documents."""
    return product_search_refresh(category.products.values_list("id", flat=True))
