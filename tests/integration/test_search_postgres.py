"""Search on PostgreSQL's own full-text search and trigrams (tests/integration runs only on PostgreSQL)."""
from django.db import connection

import pytest

from shop.models import Product
from shop.selectors.search import Criteria, Search, vocabulary_words
from tests.shop.test_search import SCARVES, catalogue  # noqa: F401 (fixture)


@pytest.mark.django_db
def test_postgresql_has_the_trigram_extension_the_indexes_and_a_stored_vector(catalogue):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'shop_product' AND indexname LIKE 'product_search%%'")
        assert {row[0] for row in cursor.fetchall()} == {"product_search_vector", "product_search_trgm"}
    vector = Product.objects.values_list("search_vector", flat=True).get(name="Canvas Tote Bag")
    assert "'tote':2A" in vector and "'bag':3A" in vector and "'blue':5B" in vector


@pytest.mark.django_db
def test_postgresql_trigrams_find_a_typo_two_edits_away(catalogue):
    names = {card["name"] for card in Search(Criteria(query="scarfff"), vocabulary_words()).cards(0, None)}
    assert SCARVES <= names


