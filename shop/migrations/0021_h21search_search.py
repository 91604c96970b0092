"""The catalog's search document (shop/search.py, shop/services/search.py): three columns on
Product, filled for the products there are; on PostgreSQL also pg_trgm and two GIN indexes
(the tsvector, and the plain words with gin_trgm_ops). On SQLite the extension and the
indexes are skipped (SQLite has neither), so this migration is the columns only there."""
import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

INDEXES = {
    "product_search_vector": "CREATE INDEX IF NOT EXISTS product_search_vector ON shop_product USING gin (search_vector)",
    "product_search_trgm": "CREATE INDEX IF NOT EXISTS product_search_trgm ON shop_product USING gin (search_text gin_trgm_ops)",
}


class TrigramExtensionOnPostgres(TrigramExtension):
    """pg_trgm on PostgreSQL; nothing on SQLite either way (Django's checks the vendor only
    on the way forward)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def make_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in INDEXES.values():
            schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def fill(apps, schema_editor):
    from shop.services.search import product_search_refresh

    Product, ProductVariant = apps.get_model("shop", "Product"), apps.get_model("shop", "ProductVariant")
    product_search_refresh(Product.objects.values_list("id", flat=True), Product, ProductVariant)


class Migration(migrations.Migration):
    dependencies = [("shop", "0020_h21mobile_addresses_restock")]

    operations = [
        TrigramExtensionOnPostgres(),
        migrations.AddField("product", "search_words", models.TextField(blank=True, default="", editable=False)),
        migrations.AddField("product", "search_text", models.TextField(blank=True, default="", editable=False)),
        migrations.AddField("product", "search_vector",
                            django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
        migrations.RunPython(make_indexes, drop_indexes),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
