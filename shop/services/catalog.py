"""The catalog's cache version: any change to categories, products, variants, images, stock
or a maker's credit retires every cached page that shows the catalog (home, listings,
product pages, the classic gift boxes), once the change is committed. See
``shop.platform.page_cache``."""
from shop.platform import page_cache


def catalog_changed() -> None:
    """Retire every cached page that shows the catalog, once the change is committed."""
    page_cache.changed(page_cache.CATALOG)
