"""The catalogue's search and filters: one results page with its facets, in a fixed number of
queries whatever the catalogue's size (``Search``: the count, the page's ids, its cards and
their images, the facet counts in two queries (four with a colour, price or stock filter); the vocabulary, one more, when the cache lacks it).

A query's words (``shop.search.read_query``: singular, no stop words, price words such as
"under $40" taken out as a price filter) must each be found in a product (all words, any
weight). How a word is found depends on the database:

- PostgreSQL: full-text search on the stored ``search_vector`` (English stemming; weights A
  name, B variant names, colours and category, C description), ranked by ``SearchRank``; a
  word the catalogue does not have is also found by trigram word similarity (``pg_trgm``'s
  ``%>`` on ``search_text``, GIN-indexed) and ranked by it, so "scarff" finds scarves.
- SQLite (the embedded default): the stored weighted words (``search_words``); a word the
  catalogue does not have also matches the catalogue's words one edit away from it
  (``shop.search.near``); the rank is the sum of each word's weight (name 4, variants,
  colours and category 2, description 1). Simpler, documented, and enough for the demo.

Either way a word the catalogue lacks, with a word one edit away, gives "Did you mean ...".
Known words are found only exactly (after stemming), so "scarf" does not also find "scarlet".

Filters combine and all live in the URL: category (the category page), colour, price band,
in stock, and the sort (featured: the rank when searching, else the catalogue's order;
newest; price low to high or high to low). Each facet's counts are of the products matching
everything else chosen (so another colour's count is what choosing it would show).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower

from shop import search
from shop.models import Category, Product, ProductVariant
from shop.platform.compiled import CompiledRead
from shop.selectors.catalog import CATALOG_ORDER, cards_for

Product._meta.get_field("search_text").register_lookup(TrigramWordSimilar)  # "%>": the GIN trigram index

SORTS = {"featured": "Featured", "newest": "Newest", "price": "Price: low to high", "price-desc": "Price: high to low"}
# Price bands: a product is in a band when one of its variants is priced in it (from, below).
PRICE_BANDS = {
    "under-25": ("Under $25", None, Decimal("25")),
    "25-50": ("$25 to $50", Decimal("25"), Decimal("50")),
    "50-100": ("$50 to $100", Decimal("50"), Decimal("100")),
    "100-up": ("$100 and over", Decimal("100"), None),
}
MAX_COLOURS = 40  # colours offered as filters at most (the most common first)


@dataclass(frozen=True)
class Criteria:
    """What the shopper asked for (the view normalised it)."""

    query: str = ""
    category: Category | None = None
    colour: str = ""  # casefolded
    price: str = ""  # a PRICE_BANDS key or ""
    in_stock: bool = False
    sort: str = "featured"

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.colour or self.price or self.in_stock or self.sort != "featured")


@dataclass
class Match:
    """How the query's words are found: per word a filter, the rank, and the corrections."""

    read: search.Query
    filters: list[Q] = field(default_factory=list)
    aliases: dict = field(default_factory=dict)
    rank: object = None
    suggestion: str = ""  # the query with its unknown words corrected ("" when none was)


def vocabulary_words() -> frozenset[str]:
    """Every word of the active catalogue's documents (one query). Cached by the view with
    the page (``shop.views.catalog``), under the catalog's version."""
    found = set()
    for document in Product.objects.filter(is_active=True).values_list("search_words", flat=True):
        found |= search.document_words(document)
    return frozenset(found - search.STOPWORDS)  # never a correction ("form" is not "from")


def match(query: str, vocabulary: frozenset[str]) -> Match:
    read = search.read_query(query)
    result = Match(read)
    postgres = connection.vendor == "postgresql"
    ranks, corrections = [], {}
    tsqueries = None
    for n, word in enumerate(read.words):
        known = word in vocabulary
        alternatives = [] if known else search.near(word, vocabulary)
        if alternatives:
            corrections[word] = alternatives[0]
        candidates = [word, *alternatives]
        if postgres:
            tsquery = SearchQuery(candidates[0], config="english")
            for other in candidates[1:]:
                tsquery |= SearchQuery(other, config="english")
            found = Q(search_vector=tsquery)
            if not known:
                result.aliases[f"similar_{n}"] = TrigramWordSimilarity(Value(word), "search_text")
                found |= Q(search_text__trigram_word_similar=word)
                ranks.append(F(f"similar_{n}"))
            tsqueries = tsquery if tsqueries is None else tsqueries | tsquery
        else:
            found = Q()
            for candidate in candidates:
                found |= Q(search_words__contains=f":{candidate} ")
            ranks.append(sum((Case(*[When(search_words__contains=f" {weight}:{candidate} ", then=Value(points))
                                     for weight, points in search.WEIGHTS.items()],
                                   default=Value(0), output_field=IntegerField())
                              for candidate in candidates), Value(0)))
        result.filters.append(found)
    if read.words:
        if postgres:
            ranks.insert(0, SearchRank(F("search_vector"), tsqueries))
        result.rank = sum(ranks[1:], ranks[0])
    if read.price_min is not None:
        result.filters.append(_priced(read.price_min, None, inclusive=True))
    if read.price_max is not None:
        result.filters.append(_priced(None, read.price_max, inclusive=True))
    if corrections:
        result.suggestion = search.respell(query, corrections)
    return result


def _priced(low: Decimal | None, high: Decimal | None, inclusive: bool = False) -> Q:
    """A variant priced from ``low`` and below ``high`` (up to it, inclusive: "under $40"
    includes a $40 scarf, as a shopper means it)."""
    variants = ProductVariant.objects.filter(product=OuterRef("pk"))
    if low is not None:
        variants = variants.filter(price__gte=low)
    if high is not None:
        variants = variants.filter(price__lte=high) if inclusive else variants.filter(price__lt=high)
    return Q(Exists(variants))


def _in_stock() -> Q:
    return Q(Exists(ProductVariant.objects.filter(product=OuterRef("pk"), stock__gt=0)))


def _coloured(colour: str) -> Q:
    return Q(Exists(ProductVariant.objects.annotate(colour_key=Lower(KeyTextTransform("colour", "options")))
                    .filter(product=OuterRef("pk"), colour_key=colour)))


def _filters(criteria: Criteria, found: Match) -> dict[str, list[Q]]:
    chosen = {"text": found.filters, "category": [], "colour": [], "price": [], "stock": []}
    if criteria.category is not None:
        chosen["category"].append(Q(category=criteria.category))
    if criteria.colour:
        chosen["colour"].append(_coloured(criteria.colour))
    if criteria.price in PRICE_BANDS:
        _label, low, high = PRICE_BANDS[criteria.price]
        chosen["price"].append(_priced(low, high))
    if criteria.in_stock:
        chosen["stock"].append(_in_stock())
    return chosen


def _products(found: Match, chosen: dict[str, list[Q]], without: str | None = None):
    products = Product.objects.filter(is_active=True)
    if found.aliases:
        products = products.alias(**found.aliases)
    for facet, filters in chosen.items():
        if facet != without:
            for one in filters:
                products = products.filter(one)
    return products


class Search:
    """One search (or filtered listing): its count, a page of its cards, its facets."""

    def __init__(self, criteria: Criteria, vocabulary: frozenset[str] = frozenset()):
        self.criteria = criteria
        self.found = match(criteria.query, vocabulary)
        self.chosen = _filters(criteria, self.found)
        self.suggestion = self.found.suggestion
        self.price_words = _price_words(self.found.read)

    def count(self) -> int:
        return _products(self.found, self.chosen).count()

    def cards(self, start: int, stop: int | None) -> list[dict]:
        """The page's cards: its ids in the chosen order (one query), then ``shop.selectors.catalog.cards_for`` (one)."""
        ordered = _products(self.found, self.chosen)
        if self.criteria.sort in ("price", "price-desc"):
            ordered = ordered.alias(price_from=Subquery(
                ProductVariant.objects.filter(product=OuterRef("pk")).order_by("price").values("price")[:1]))
        if self.found.rank is not None:
            ordered = ordered.alias(rank=self.found.rank)
        order = {
            "featured": (("-rank",) if self.found.rank is not None else ()) + CATALOG_ORDER,
            "newest": ("-created_at", "-id"),
            "price": ("price_from", "name", "id"),
            "price-desc": ("-price_from", "name", "id"),
        }[self.criteria.sort]
        return cards_for(list(ordered.order_by(*order).values_list("id", flat=True)[start:stop]))

    def facets(self, categories: list[dict]) -> tuple[dict, int | None]:
        """The facets, and the listing's count when they give it (``_facets``)."""
        return _facets(self.criteria, self.found, self.chosen, categories)


def _facets(criteria: Criteria, found: Match, chosen: dict, categories: list[dict]) -> tuple[dict, int | None]:
    """The counts of each facet's values among the products matching everything else chosen,
    and the listing's own count when they give it (else None). When no colour, price band or
    stock filter is chosen (the plain listing, a category, a search) every facet counts the
    same products (the words', in the chosen category, or in every category for the category
    facet), so two queries grouped by category give them all and the count; otherwise four."""
    if chosen["colour"] or chosen["price"] or chosen["stock"]:
        by_category, colour_counts, bands, in_stock = _counts_apart(found, chosen)
        total = None
    else:
        by_category, colour_counts, bands, in_stock, total = _counts_by_category(criteria, found, chosen)
    colours = [{"value": key, "label": key.title(), "count": n, "chosen": key == criteria.colour}
               for key, n in colour_counts]
    if criteria.colour and not any(c["chosen"] for c in colours):
        colours.append({"value": criteria.colour, "label": criteria.colour.title(), "count": 0, "chosen": True})
    facets = {
        "categories": [{**c, "count": by_category.get(c["id"], 0),
                        "chosen": criteria.category is not None and c["id"] == criteria.category.pk}
                       for c in categories],
        "colours": colours,
        "prices": [{"value": key, "label": label, "count": bands[key], "chosen": key == criteria.price}
                   for key, (label, _low, _high) in PRICE_BANDS.items()],
        "in_stock": {"count": in_stock, "chosen": criteria.in_stock},
    }
    return facets, total


def _colour_key(options: str = "options"):
    return Lower(KeyTextTransform("colour", options))


def _top_colours(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_COLOURS]


_BAND_NAMES = {key: f"band{n}" for n, key in enumerate(PRICE_BANDS)}


def _category_rows(base):
    """Per category: its products, those in each price band, those in stock (one pass over the
    products joined to their variants)."""
    return base.values("category_id").annotate(
        n=Count("id", distinct=True),
        stocked=Count("id", distinct=True, filter=Q(variants__stock__gt=0)),
        **{_BAND_NAMES[key]: Count("id", distinct=True, filter=_variant_priced(low, high))
           for key, (_label, low, high) in PRICE_BANDS.items()})


def _colour_rows(base):
    """Per category and colour: the products."""
    return (base.annotate(colour_key=_colour_key("variants__options"))
            .exclude(colour_key=None).exclude(colour_key="")
            .values("category_id", "colour_key").annotate(n=Count("id", distinct=True)))


def _active():
    return Product.objects.filter(is_active=True).order_by()


# Without words the two reads are the same SQL every time: compiled once (shop.platform.compiled).
_PLAIN_CATEGORY_ROWS = CompiledRead(lambda: _category_rows(_active()))
_PLAIN_COLOUR_ROWS = CompiledRead(lambda: _colour_rows(_active()))


def _counts_by_category(criteria: Criteria, found: Match, chosen: dict):
    """The facets' counts in two queries when only the words and the category are chosen: per
    category its products, those in each price band and in stock; per category and colour its
    products. The chosen category's rows (or every category's, summed) give every facet but
    the category's, and the listing's count."""
    if found.filters or found.aliases:
        base = _products(found, chosen, without="category").order_by()
        rows, colour_rows = list(_category_rows(base)), list(_colour_rows(base))
    else:
        rows, colour_rows = _PLAIN_CATEGORY_ROWS.rows(), _PLAIN_COLOUR_ROWS.rows()
    by_category = {row["category_id"]: row["n"] for row in rows}
    chosen_id = criteria.category.pk if criteria.category is not None else None
    counted = [row for row in rows if chosen_id is None or row["category_id"] == chosen_id]
    colours: dict[str, int] = {}
    for row in colour_rows:
        if chosen_id is None or row["category_id"] == chosen_id:  # a product is in one category: none twice
            colours[row["colour_key"]] = colours.get(row["colour_key"], 0) + row["n"]
    bands = {key: sum(row[_BAND_NAMES[key]] for row in counted) for key in PRICE_BANDS}
    return (by_category, _top_colours(colours), bands, sum(row["stocked"] for row in counted),
            sum(row["n"] for row in counted))


def _variant_priced(low: Decimal | None, high: Decimal | None) -> Q:
    """A joined variant priced from ``low`` and below ``high`` (``_priced``, on the join)."""
    q = Q()
    if low is not None:
        q &= Q(variants__price__gte=low)
    if high is not None:
        q &= Q(variants__price__lt=high)
    return q


def _counts_apart(found: Match, chosen: dict):
    """The facets' counts in four queries: each facet counts the products matching everything
    else chosen."""
    by_category = dict(_products(found, chosen, without="category").order_by()
                       .values_list("category_id").annotate(n=Count("id")))
    colour_rows = (ProductVariant.objects.filter(product__in=_products(found, chosen, without="colour").values("id"))
                   .annotate(colour_key=_colour_key())
                   .exclude(colour_key=None).exclude(colour_key="")
                   .values_list("colour_key").annotate(n=Count("product_id", distinct=True))
                   .order_by("-n", "colour_key")[:MAX_COLOURS])
    bands = _products(found, chosen, without="price").aggregate(
        **{key: Count("id", filter=_priced(low, high)) for key, (_label, low, high) in PRICE_BANDS.items()})
    in_stock = _products(found, chosen, without="stock").filter(_in_stock()).count()
    return by_category, list(colour_rows), bands, in_stock


def _price_words(read: search.Query) -> str:
    """What the query's price words mean, to show beside the results ("" when none)."""
    low, high = read.price_min, read.price_max
    if low is not None and high is not None:
        return f"${low:f} to ${high:f}"
    if high is not None:
        return f"up to ${high:f}"
    if low is not None:
        return f"${low:f} and over"
    return ""
