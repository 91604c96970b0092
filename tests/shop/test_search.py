"""The catalogue's search (shop/search.py, shop/services/search.py, shop/selectors/search.py,
the catalog view): a shopper's words find what they mean in a catalogue of over 200 products,
with typos, plurals, colours and price words; facets and sort combine, with counts, in the URL;
the results page costs the same queries for a bigger catalogue.

These tests run on the database the suite runs on: SQLite by default (the embedded ranking),
PostgreSQL when DATABASE_URL names one, as on CI (full-text search and trigram similarity).
The expected products are written down here, not worked out by the code under test."""
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop import search
from shop.models import Product
from tests.support.factories import CategoryFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

# The products a shopper's searches are about: (category, name, [(colour, price, stock)], description).
MEANT = [
    ("bags", "Market Tote", [("Indigo", "48.00", 5), ("Rust", "48.00", 5), ("Natural", "48.00", 0)],
     "A roomy canvas carry-all with leather handles."),
    ("bags", "Canvas Tote Bag", [("Navy Blue", "42.00", 3), ("Oat", "42.00", 3)], "Sturdy and washable."),
    ("bags", "Mini Tote", [("Rose", "30.00", 0), ("Sage", "30.00", 0)], "Small enough for a lunch."),
    ("bags", "Crossbody Satchel", [("Charcoal", "72.00", 4), ("Ochre", "72.00", 4)], "Adjustable strap."),
    ("bags", "Weekender Duffel", [("Charcoal", "128.00", 2)], "Waxed canvas, brass hardware."),
    ("accessories", "Woven Scarf", [("Blue", "36.00", 6), ("Plum", "36.00", 6)], "Hand-loomed cotton."),
    ("accessories", "Silk Scarf", [("Blue", "58.00", 2)], "Hand-rolled edges."),
    ("accessories", "Wool Scarf", [("Rust", "38.00", 4), ("Oat", "38.00", 4)], "Warm merino."),
    ("accessories", "Cotton Scarf", [("Sky Blue", "28.00", 9)], "Light and airy."),
    ("accessories", "Leather Keychain", [("Rust", "16.00", 20), ("Charcoal", "16.00", 20)], "Stamped with a heart."),
    ("accessories", "Beaded Bracelet", [("Indigo", "24.00", 10)], "Glass beads."),
    ("home", "Rust Stripe Cushion", [("Oat", "44.00", 3)], "Block-printed stripes."),
]
TOTES = {"Market Tote", "Canvas Tote Bag", "Mini Tote"}
SCARVES = {"Woven Scarf", "Silk Scarf", "Wool Scarf", "Cotton Scarf"}
RUST = {"Market Tote", "Wool Scarf", "Leather Keychain", "Rust Stripe Cushion"}
BLUE_SCARVES_UNDER_40 = {"Woven Scarf", "Cotton Scarf"}

# The rest of the catalogue: 200 products of other kinds, colours and words.
FILLER_KINDS = {
    "home": ["Napkin Set", "Cushion Cover", "Table Runner", "Coaster Set", "Throw", "Basket", "Apron", "Tea Towel"],
    "candles": ["Candle", "Travel Tin", "Taper Pair", "Wax Melt"],
    "paper": ["Journal", "Notebook", "Card Set", "Planner", "Bookmark"],
    "jewellery": ["Earrings", "Necklace", "Ring", "Anklet"],
    "bags": ["Pouch", "Wallet", "Purse"],
}
FILLER_WORDS = ["Cedar", "Citrus", "Lavender", "Linen", "Coiled", "Stamped", "Quilted", "Braided", "Dyed",
                "Embroidered", "Hammered", "Pressed", "Marbled", "Knotted", "Folded", "Painted", "Carved", "Gilded"]
FILLER_COLOURS = ["Sage", "Oat", "Plum", "Ochre", "Charcoal", "Teal", "Natural", "Rose"]
CATEGORIES = {"bags": "Bags", "accessories": "Accessories", "home": "Home", "candles": "Candles",
              "paper": "Paper goods", "jewellery": "Jewellery"}


def make_product(category, name, variants, description="Made by hand in our workshop.", n=[0]):
    n[0] += 1
    product = ProductFactory(category=category, name=name, slug=f"p-{n[0]}", description=description,
                             wage_content=Decimal("5.00"))
    for colour, price, stock in variants:
        VariantFactory(product=product, options={"colour": colour}, price=Decimal(price), stock=stock)
    return product


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """212 products, built once for the module (rolled back at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        categories = {slug: CategoryFactory(name=name, slug=slug, position=i)
                      for i, (slug, name) in enumerate(CATEGORIES.items())}
        for slug, name, variants, description in MEANT:
            make_product(categories[slug], name, variants, description)
        made = 0
        for i, word in enumerate(FILLER_WORDS):
            for slug, kinds in FILLER_KINDS.items():
                for j, kind in enumerate(kinds):
                    if made == 200 or (i + j) % 2:
                        continue
                    colours = [FILLER_COLOURS[(i + j) % 8], FILLER_COLOURS[(i + 3 * j + 1) % 8]]
                    price = f"{12 + (i * 7 + j * 11) % 90}.00"
                    make_product(categories[slug], f"{word} {kind}", [(c, price, (i + j) % 4) for c in colours])
                    made += 1
        assert made == 200, made
        yield categories
        transaction.set_rollback(True)


def found(client, **params) -> list[str]:
    """The names on the results page, in order (the page holds every result), rendered now."""
    cache.clear()
    response = client.get(reverse("shop:catalog"), params)
    assert response.status_code == 200
    return [card["name"] for card in response.context["page"].object_list]


@pytest.fixture(autouse=True)
def _one_page(settings):
    settings.SHOP_PAGE_SIZE = 300


# -- what a shopper means ------------------------------------------------------------------

def test_the_catalogue_is_big_enough(catalogue):
    assert Product.objects.count() == 212


def test_tote_bag_finds_the_totes_the_one_named_so_first(client, catalogue):
    names = found(client, q="tote bag")
    assert set(names) == TOTES
    assert names[0] == "Canvas Tote Bag"  # both words in its name


def test_totes_finds_every_tote(client, catalogue):
    assert set(found(client, q="totes")) == TOTES
    assert set(found(client, q="Tote")) == TOTES


def test_a_typo_finds_the_scarves_and_says_did_you_mean(client, catalogue):
    response = client.get(reverse("shop:catalog"), {"q": "scarff"})
    assert {card["name"] for card in response.context["page"].object_list} == SCARVES
    html = response.content.decode()
    assert "Did you mean" in html and '?q=scarf"' in html


def test_a_colour_finds_what_comes_in_it_a_name_first(client, catalogue):
    names = found(client, q="rust")
    assert set(names) == RUST
    assert names[0] == "Rust Stripe Cushion"  # in its name, the others in a colour


def test_blue_scarf_under_40_is_a_blue_scarf_at_most_40(client, catalogue):
    response = client.get(reverse("shop:catalog"), {"q": "blue scarf under $40"})
    assert {card["name"] for card in response.context["page"].object_list} == BLUE_SCARVES_UNDER_40
    assert "price up to $40" in response.content.decode()


def test_a_known_word_is_not_stretched_to_a_near_one(client, catalogue):
    make_product(catalogue["accessories"], "Scarlet Headband", [("Rose", "18.00", 3)])
    assert set(found(client, q="scarf")) == SCARVES
    assert "Did you mean" not in client.get(reverse("shop:catalog"), {"q": "scarf"}).content.decode()


def test_a_word_nothing_has_finds_nothing_and_suggests_nothing(client, catalogue):
    response = client.get(reverse("shop:catalog"), {"q": "zzyzx"})
    assert list(response.context["page"].object_list) == []
    assert "Did you mean" not in response.content.decode()
    assert "No products found" in response.content.decode()


def test_search_in_a_category_keeps_to_it(client, catalogue):
    response = client.get(reverse("shop:category", args=["home"]), {"q": "rust"})
    assert [card["name"] for card in response.context["page"].object_list] == ["Rust Stripe Cushion"]


# -- facets and sort -----------------------------------------------------------------------

def test_facets_combine_with_a_search_and_count_the_rest(client, catalogue):
    response = client.get(reverse("shop:catalog"), {"q": "scarf", "colour": "blue"})
    assert {card["name"] for card in response.context["page"].object_list} == {"Woven Scarf", "Silk Scarf"}
    html = response.content.decode()
    # Colour counts are of the scarves whatever their colour; price counts of the blue scarves.
    assert re.search(r"Blue <span class=\"facet-count\">\(2\)</span>", html)
    assert re.search(r"Sky Blue <span class=\"facet-count\">\(1\)</span>", html)
    assert re.search(r"Rust <span class=\"facet-count\">\(1\)</span>", html)
    assert re.search(r"\$25 to \$50 <span class=\"facet-count\">\(1\)</span>", html)
    assert re.search(r"\$50 to \$100 <span class=\"facet-count\">\(1\)</span>", html)
    assert re.search(r"Accessories <span class=\"facet-count\">\(2\)</span>", html)
    # Every facet link keeps the search and the colour.
    assert 'href="/shop/?q=scarf&amp;colour=blue&amp;price=50-100"' in html


def test_filters_and_sort_combine_in_a_shareable_url(client, catalogue):
    params = {"colour": "rust", "price": "25-50", "stock": "1", "sort": "price-desc"}
    # A rust variant ($16 keychain: not in the band; the cushion's stripe is in its name, no rust variant).
    assert found(client, **params) == ["Market Tote", "Wool Scarf"]
    params["sort"] = "price"
    assert found(client, **params) == ["Wool Scarf", "Market Tote"]
    html = client.get(reverse("shop:catalog"), params).content.decode()
    assert '<option value="price" selected>' in html
    assert '<input type="hidden" name="colour" value="rust">' in html


def test_in_stock_leaves_out_the_sold_out(client, catalogue):
    assert set(found(client, q="tote", stock="1")) == {"Market Tote", "Canvas Tote Bag"}  # the Mini Tote is sold out


def test_newest_first(client, catalogue):
    newest = make_product(catalogue["bags"], "Beach Tote", [("Teal", "40.00", 2)])
    assert found(client, q="tote", sort="newest")[0] == newest.name


def test_a_category_page_counts_its_own_and_the_others(client, catalogue):
    html = client.get(reverse("shop:category", args=["accessories"]), {"colour": "rust"}).content.decode()
    assert re.search(r"Accessories <span class=\"facet-count\">\(2\)</span>", html)  # Wool Scarf, Leather Keychain
    assert re.search(r"Bags <span class=\"facet-count\">\(1\)</span>", html)  # the Market Tote
    assert 'href="/shop/category/bags/?colour=rust"' in html


def test_filter_values_that_are_not_ours_are_no_filter(client, catalogue):
    everything = found(client)
    assert len(everything) == 212
    assert found(client, price="cheap", sort="random", stock="yes", colour="<b>") == everything


def test_the_listing_has_one_search_box(client, catalogue):
    for url in (reverse("shop:catalog"), reverse("shop:catalog") + "?q=tote", reverse("shop:category", args=["bags"])):
        html = client.get(url).content.decode()
        assert html.count('type="search"') == 1, url
    assert client.get(reverse("shop:home")).content.decode().count('type="search"') == 1


# -- the search document stays current -----------------------------------------------------

def test_a_new_colour_and_a_renamed_category_are_found(client, catalogue):
    keychain = Product.objects.get(name="Leather Keychain")
    VariantFactory(product=keychain, options={"colour": "Saffron"}, price=Decimal("16.00"))
    assert found(client, q="saffron") == ["Leather Keychain"]
    home = catalogue["home"]
    home.name = "Homeware"
    home.save()
    assert "Rust Stripe Cushion" in found(client, q="homeware")


# -- queries -------------------------------------------------------------------------------

def results_queries(client, params) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("shop:catalog"), params).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("params", [{"q": "tote bag"}, {"q": "scarff under $40", "colour": "blue", "sort": "price"},
                                    {"colour": "rust", "stock": "1"}])
def test_a_results_page_costs_the_same_queries_for_a_bigger_catalogue(client, catalogue, params):
    before = results_queries(client, params)
    for n in range(60):
        make_product(catalogue["bags"], f"Extra Tote {n}", [("Blue", "30.00", 1), ("Rust", "35.00", 1)])
    after = results_queries(client, params)
    assert after == before
    assert before <= 10  # words, count, page ids, cards, images, categories, four facets


# -- the words (shop/search.py) --------------------------------------------------------------

@pytest.mark.parametrize("word, singular", [("totes", "tote"), ("bags", "bag"), ("boxes", "box"), ("berries", "berry"),
                                            ("scarves", "scarf"), ("glass", "glass"), ("canvas", "canvas"),
                                            ("bus", "bus"), ("tote", "tote")])
def test_plurals_become_singular(word, singular):
    assert search.stem(word) == singular


def test_near_is_one_edit_against_the_vocabulary():
    vocabulary = {"scarf", "tote", "cushion", "bag", "rust"}
    assert search.near("scarff", vocabulary) == ["scarf"]
    assert search.near("cushoin", vocabulary) == ["cushion"]  # a swap
    assert search.near("toet", vocabulary) == ["tote"]
    assert search.near("tote", vocabulary) == []  # known
    assert search.near("bg", vocabulary) == []  # too short to guess
    assert search.near("scrrff", vocabulary) == []  # two edits


@pytest.mark.parametrize("text, words, low, high", [
    ("blue scarf under $40", ("blue", "scarf"), None, "40"),
    ("candles below 20 dollars", ("candle",), None, "20"),
    ("totes over $50", ("tote",), "50", None),
    ("bags $20-$40", ("bag",), "20", "40"),
    ("a gift between 15 and 30", ("gift",), "15", "30"),
    ("the 8 oz candle", ("8", "oz", "candle"), None, None),
    ("something for my mum that does not cost too much", ("something", "mum", "cost", "much"), None, None),
])
def test_price_words_become_a_price_filter(text, words, low, high):
    read = search.read_query(text)
    assert read.words == words
    assert read.price_min == (Decimal(low) if low else None)
    assert read.price_max == (Decimal(high) if high else None)


def test_did_you_mean_keeps_the_rest_as_typed():
    assert search.respell("Blue SCARFF under $40", {"scarff": "scarf"}) == "Blue scarf under $40"


@pytest.mark.parametrize("q", ["tote & bag | !scarf", "'; DROP TABLE shop_product; --", "100%_off", "under $", "$-5",
                               "between 50 and 10", "ßcarf", "😀 tote", ":* (a) <-> b", "x" * 40, "under $9999999999",
                               "ТОТЕ"])
def test_any_typed_query_is_an_answer_never_an_error(client, catalogue, q):
    response = client.get(reverse("shop:catalog"), {"q": q, "colour": q[:20], "price": q, "sort": q})
    assert response.status_code == 200, q


def test_a_query_with_a_control_character_is_refused_with_a_message(client, catalogue):
    response = client.get(reverse("shop:catalog"), {"q": "scarf\u0000"})
    assert response.status_code == 400
    assert "control character" in response.content.decode().lower()


def test_quick_criteria_are_the_search_forms_without_the_form():
    from django.http import QueryDict

    from shop.forms.search import SearchForm, quick_criteria

    plain = {"query": "", "colour": "", "price": "", "in_stock": False, "sort": "featured"}
    cases = {
        "": plain,
        "page=2&utm_source=x": plain,
        "q=+Wool++Scarf+&colour=Dusty%20ROSE&price=25-50&stock=1&sort=price": {
            "query": "Wool Scarf", "colour": "dusty rose", "price": "25-50", "in_stock": True, "sort": "price"},
        "q=tote&q=scarf&colour=r3d&price=1-2&stock=yes&sort=cheap": {**plain, "query": "scarf"},  # the last q, junk ignored
        "q=" + "a" * 100: {**plain, "query": "a" * 100},
        "q=%20" + "a" * 100 + "%20": {**plain, "query": "a" * 100},  # stripped first, as the field does
    }
    for query, expected in cases.items():
        data = QueryDict(query)
        assert quick_criteria(data) == expected, query
        assert SearchForm(data).criteria() == expected and SearchForm(data).is_valid(), query
    for invalid in ("q=" + "a" * 101, "q=to%00te", "colour=red%00"):  # the form has an error to show: it is made
        data = QueryDict(invalid)
        assert quick_criteria(data) is None, invalid
        assert not SearchForm(data).is_valid(), invalid
