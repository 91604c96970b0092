"""Home, catalog (by category and search) and product pages. The part of each that is the same
for every visitor is a cached fragment (``shop.platform.page_cache``) under the catalog's
version; the header, messages and CSRF token are each visitor's own."""
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from shop.forms.checkout import AddToCartForm
from shop.forms.giftcards import GiftCardForm
from shop.forms.restock import RestockRequestForm
from shop.forms.search import SearchForm, quick_criteria
from shop.platform import page_cache
from shop.platform.page_cache import CATALOG, Fragment
from shop.platform.validators import ascii_int
from shop.selectors.catalog import category_by_slug, category_list, product_cards, product_detail
from shop.selectors.impact import hours_funded_this_year
from shop.selectors.search import SORTS, Criteria, Search, vocabulary_words
from shop.services.cart import CartError, cart_add, cart_add_gift_card, cart_get_or_create

MAX_CACHED_QUERY = 40  # characters of a search kept in the shared cache
HOME = Fragment("home", areas=(CATALOG,))
PRODUCT = Fragment("product", areas=(CATALOG,))
VOCABULARY = Fragment("search-vocabulary", areas=(CATALOG,))  # the catalogue's words, for "did you mean"


def home(request):
    fragment = page_cache.cached(HOME, _home_fragment)
    return render(request, "shop/home.html", {"fragment": page_cache.for_visitor(request, fragment)})


def _home_fragment() -> str:
    context = {"products": product_cards(stop=8), "categories": category_list(), "hours_this_year": hours_funded_this_year()}
    return page_cache.render("shop/includes/home_content.html", context)


def catalog(request, slug=None):
    """Product list, by category, search, filters and sort (``shop.selectors.search``). The
    listing is cached under the catalog's version, keyed by what is served, normalised:
    "?page=01", "?page=1a", unknown parameters and filter values that are not ours are
    ignored, a page past the end is the last page, so junk query strings cannot fill the cache
    or force a render. Two entries: the listing's *summary* (its count and its facets with
    their counts and links, the same for each of its pages) and each page. A hit is one cache
    round trip (summary, page and version); a page past the end reads the last page in a
    second. A miss on another page of a listing whose summary is kept reads only the page's
    cards. A search's miss takes the catalogue's vocabulary (for "did you mean") from the same
    round trip."""
    chosen = quick_criteria(request.GET)  # the form's criteria; the form itself only to render (a miss) or to show an error
    form = None
    if chosen is None:
        form = SearchForm(request.GET)  # bound: no search is a valid empty one
        chosen = form.criteria()
    valid = form is None or form.is_valid()
    query = chosen["query"]
    page_number = max(ascii_int(request.GET.get("page", "")) or 1, 1)
    if not valid or len(query) > MAX_CACHED_QUERY:  # an error to show, or a long one-off search: not kept
        listing = _listing(slug, chosen, page_number, form or SearchForm(request.GET))
        if listing is None:
            raise Http404("No such category")
        return _catalog_page(request, listing, query)
    listing_id = (slug, query.casefold(), chosen["colour"], chosen["price"], chosen["in_stock"], chosen["sort"])
    bounded = listing_id[1:] != ("", "", "", False, "featured")  # searches and filters take a bounded number of entries
    summarised = Fragment("catalog-summary", listing_id, (CATALOG,), bounded)
    wanted = Fragment("catalog-page", (*listing_id, page_number), (CATALOG,), bounded)
    found = page_cache.lookup(summarised, wanted, *((VOCABULARY,) if query else ()))
    summary = found[summarised]
    if summary is not None and page_number > _last_page(summary["count"]):
        page_number = _last_page(summary["count"])
        wanted = wanted.at(*listing_id, page_number)
        listing = found.also(wanted)
    else:
        listing = found[wanted]
    if listing is None:
        vocabulary = found[VOCABULARY] if query else None
        listing = _listing(slug, chosen, page_number, form or SearchForm(request.GET), summary, vocabulary)
        if listing is None:
            raise Http404("No such category")
        made_summary, made_vocabulary = listing.pop("summary"), listing.pop("vocabulary")
        kept = {wanted.at(*listing_id, listing["number"]): listing}
        if summary is None:
            kept[summarised] = made_summary
        if query and vocabulary is None:
            kept[VOCABULARY] = made_vocabulary
        found.store(kept)
    return _catalog_page(request, listing, query)


def _last_page(count: int) -> int:
    return Paginator(range(count), settings.SHOP_PAGE_SIZE).num_pages


def _listing(slug, chosen, page_number, form, summary=None, vocabulary=None) -> dict | None:
    """One page of the listing, rendered (None: no such category). ``summary`` is the
    listing's count and facets and ``vocabulary`` the catalogue's words when the cache had
    them. What is kept is popped from the page's entry (``summary``, ``vocabulary``)."""
    category = None
    if slug:
        category = category_by_slug(slug)
        if category is None:
            return None
    criteria = Criteria(category=category, **chosen)
    if criteria.query and vocabulary is None:
        vocabulary = vocabulary_words()
    searched = Search(criteria, vocabulary or frozenset())
    links = _Links(category, chosen)
    if summary is None:
        facets, count = searched.facets(category_list())
        if count is None:
            count = searched.count()
        summary = {"count": count, "facets": links.facets(facets)}
    count = summary["count"]
    paginator = Paginator(range(count), settings.SHOP_PAGE_SIZE)
    number = paginator.get_page(page_number).number
    start, stop = (number - 1) * paginator.per_page, number * paginator.per_page
    if not count:
        cards = []
    elif criteria.filtered:
        cards = searched.cards(start, stop)
    else:  # the plain listing, in the catalogue's order
        cards = product_cards(category, start, stop)
    page = Page(cards, number, paginator)
    context = {"category": category, "page": page, "form": form, "query": criteria.query,
               "criteria": criteria, "facets": summary["facets"], "links": links,
               "sorts": SORTS, "suggestion": searched.suggestion, "price_words": searched.price_words}
    return {"title": category.name if category else "Shop", "number": number,
            "html": page_cache.render("shop/includes/catalog_listing.html", context),
            "summary": summary, "vocabulary": vocabulary}


class _Links:
    """The listing's links: the same listing with one thing changed (a filter, the sort, the
    page, the category), every other choice kept, so any view of it can be shared."""

    def __init__(self, category, chosen):
        self.category_url = category.get_absolute_url() if category else reverse("shop:catalog")
        self.params = {"q": chosen["query"], "colour": chosen["colour"], "price": chosen["price"],
                       "stock": "1" if chosen["in_stock"] else "", "sort": "" if chosen["sort"] == "featured" else chosen["sort"]}

    def to(self, base=None, **changes) -> str:
        params = {**self.params, **changes}
        query = urlencode([(k, v) for k, v in params.items() if v not in ("", None)])
        return f"{base or self.category_url}{'?' + query if query else ''}"

    def facets(self, facets: dict) -> dict:
        catalog_url = reverse("shop:catalog")
        for c in facets["categories"]:
            c["link"] = self.to(catalog_url if c["chosen"] else c["url"])
        for c in facets["colours"]:
            c["link"] = self.to(colour="" if c["chosen"] else c["value"])
        for p in facets["prices"]:
            p["link"] = self.to(price="" if p["chosen"] else p["value"])
        facets["in_stock"]["link"] = self.to(stock="" if facets["in_stock"]["chosen"] else "1")
        facets["all_categories_link"] = self.to(catalog_url)
        facets["clear_link"] = self.to(q=self.params["q"], colour="", price="", stock="", sort="")
        return facets


def _catalog_page(request, listing, query):
    return render(request, "shop/catalog.html", {"title": listing["title"],
                                                 "fragment": page_cache.for_visitor(request, listing["html"])})


def product(request, slug):
    """A product page: cached for every visitor; a POST adds to the cart (its errors are
    rendered for that visitor only)."""
    if request.method == "POST":
        return _add_to_cart(request, slug)
    fragment = page_cache.cached(PRODUCT.at(slug), lambda: _product_fragment(product_detail(slug)))
    if fragment is None:
        raise Http404("No such product")
    return _product_page(request, fragment)


def _product_fragment(item, form=None, restock_form=None) -> dict | None:
    if item is None:
        return None
    sold_out = not any(variant.stock > 0 for variant in item.variants)
    form = form or (GiftCardForm(product=item) if item.is_gift_card else AddToCartForm(product=item))
    context = {"product": item, "form": form, "sold_out": sold_out,
               "restock_form": restock_form or RestockRequestForm(product=item)}
    return {"title": item.name, "html": page_cache.render("shop/includes/product_content.html", context)}


def _product_page(request, fragment, status=200):
    return render(request, "shop/product.html", {"title": fragment["title"],
                                                 "fragment": page_cache.for_visitor(request, fragment["html"])},
                  status=status)


def product_page(request, item, *, form=None, restock_form=None, status=200):
    """The product page for this visitor with a bound form's errors (not cached)."""
    return _product_page(request, _product_fragment(item, form, restock_form), status=status)


def _add_to_cart(request, slug):
    item = product_detail(slug)
    if item is None:
        raise Http404("No such product")
    if item.is_gift_card:
        return _add_gift_card(request, item)
    form = AddToCartForm(request.POST, product=item)
    if form.is_valid():
        try:
            line = cart_add(cart_get_or_create(request), form.cleaned_data["variant"], form.cleaned_data["quantity"])
        except CartError as error:
            form.add_error("quantity", error.message)
        else:
            messages.success(request, f"Added {line.variant} to your cart.")
            return redirect("shop:cart")
    return product_page(request, item, form=form, status=400)


def _add_gift_card(request, item):
    form = GiftCardForm(request.POST, product=item)
    if form.is_valid():
        try:
            cart_add_gift_card(cart_get_or_create(request), **form.line())
        except CartError as error:
            form.add_error("amount", error.message)
        else:
            messages.success(request, f"Added a {item.name} to your cart.")
            return redirect("shop:cart")
    return product_page(request, item, form=form, status=400)
