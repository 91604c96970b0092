import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string

from shop.forms.checkout import AddToCartForm, SearchForm
from shop.models import Category
from shop.selectors.catalog import category_list, product_detail, product_list
from shop.selectors.impact import hours_funded_this_year
from shop.services.cart import CartError, cart_add, cart_get_or_create
from shop.services.catalog import catalog_version
from shop.platform.validators import ascii_int

MAX_CACHED_QUERY = 40  # characters of a search kept in the shared cache


def home(request):
    context = {"products": product_list()[:8], "categories": category_list(), "hours_this_year": hours_funded_this_year()}
    return render(request, "shop/home.html", context)


def catalog(request, slug=None):
    """Product list, by category and search. The listing (the same for everyone) is cached
    under the catalog's version, so a warm page costs no query at all."""
    form = SearchForm(request.GET or None)
    # The key is made of what is served, normalised: "?page=01", "?page=1a" and unknown
    # parameters are page 1, so junk query strings cannot fill the cache or force a render.
    query = " ".join(form.cleaned_data["q"].split()) if form.is_valid() else ""
    page_number = max(ascii_int(request.GET.get("page", "")) or 1, 1)
    listing_id = hashlib.sha256(f"{slug}|{query.casefold()}".encode()).hexdigest()
    version = catalog_version()
    last_page = cache.get(f"catalog:pages:{version}:{listing_id}")
    if last_page is not None:  # a page past the end is the last page, under the last page's key
        page_number = min(page_number, last_page)
    key = f"catalog:page:{version}:{listing_id}:{page_number}"
    listing = cache.get(key)
    if listing is None:
        category = get_object_or_404(Category, slug=slug) if slug else None
        page = Paginator(product_list(category, query), settings.SHOP_PAGE_SIZE).get_page(page_number)
        key = f"catalog:page:{version}:{listing_id}:{page.number}"
        context = {"category": category, "categories": category_list(), "page": page, "form": form, "query": query}
        listing = {
            "title": category.name if category else "Shop",
            "html": render_to_string("shop/includes/catalog_listing.html", context),
        }
        if len(query) <= MAX_CACHED_QUERY:  # long, one-off searches are rendered, not kept
            cache.set_many({key: listing, f"catalog:pages:{version}:{listing_id}": page.paginator.num_pages},
                           settings.CATALOG_CACHE_SECONDS)
    return render(request, "shop/catalog.html", {"listing": listing, "query": query})


def product(request, slug):
    item = product_detail(slug)
    if item is None:
        raise Http404("No such product")
    form = AddToCartForm(request.POST or None, product=item)
    if request.method == "POST" and form.is_valid():
        try:
            line = cart_add(cart_get_or_create(request), form.cleaned_data["variant"], form.cleaned_data["quantity"])
        except CartError as error:
            form.add_error("quantity", error.message)
        else:
            messages.success(request, f"Added {line.variant} to your cart.")
            return redirect("shop:cart")
    return render(request, "shop/product.html", {"product": item, "form": form}, status=400 if form.errors else 200)
