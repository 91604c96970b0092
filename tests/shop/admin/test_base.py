"""The admin base (shop/admin/base.py): what staff type or put in a URL is checked before a query,
so the admin answers a 404 or a message, never a 500 (issue 19)."""
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payroll.models import Skill
from shop.admin.base import MAX_SEARCH, as_id, filter_problem
from shop.models import Order, Product, ProductVariant
from tests.payroll.factories import EmployeeFactory
from tests.payroll.volunteers.factories import VolunteerFactory
from tests.support.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

PAST_64_BITS = str(2**64)
BAD_IDS = ("abc", PAST_64_BITS, str(2**63), "0", "9" * 40, "\u0661\u0662", "-1", "1e3", "9" * 5000)


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def queries_on(table, queries):
    return [q["sql"] for q in queries if f'"{table}"' in q["sql"]]


def test_as_id_takes_only_ids_a_database_can_hold():
    assert [as_id(v) for v in ("1", " 42 ", str(2**63 - 1))] == [1, 42, 2**63 - 1]
    assert [as_id(v) for v in BAD_IDS] == [None] * len(BAD_IDS)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_object_id_no_record_can_have_is_a_404_before_any_query(client, superuser, bad):
    product = ProductFactory()
    for suffix in ("change/", "delete/", "history/"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/admin/shop/product/{bad}/{suffix}")
        assert response.status_code == 404, suffix
        assert queries_on("shop_product", queries) == []
    assert client.get(f"/admin/shop/product/{product.pk}/change/").status_code == 200


def test_a_user_password_page_and_an_employee_with_a_bad_id_are_404s(client, superuser):
    EmployeeFactory()
    assert client.get(f"/admin/shop/user/{PAST_64_BITS}/password/").status_code == 404
    assert client.get(f"/admin/shop/user/{superuser.pk}/password/").status_code == 200
    # The employee admin reads the record for its audit line before Django does: "abc" was a ValueError.
    assert client.get("/admin/payroll/employee/abc/change/").status_code == 404
    assert client.get(f"/admin/payroll/employee/{PAST_64_BITS}/change/").status_code == 404


def test_a_missing_but_possible_id_keeps_djangos_message(client, superuser):
    response = client.get("/admin/shop/product/987654/change/")
    assert response.status_code == 302
    assert any("doesn’t exist" in m for m in messages_of(response))


@pytest.mark.parametrize("query", [
    f"id__exact={PAST_64_BITS}",
    f"id__in=1,{PAST_64_BITS}",
    f"pk__in={PAST_64_BITS}",
    f"category={PAST_64_BITS}",
    f"category__id__in={PAST_64_BITS}",
    f"category__id__exact=-{PAST_64_BITS}",
    f"variants__stock__gt={'9' * 40}",
    "id__exact=\u0661",
    "wage_content__lt=NaN",
    "wage_content__gte=1e309",
    "created_at__gte=9999-12-31T23:59",
    "created_at__year=99999999999",
])
def test_a_changelist_filter_no_column_can_hold_is_refused_with_a_message(client, superuser, query):
    ProductFactory()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/admin/shop/product/?{query}")
    assert (response.status_code, response["Location"]) == (302, "/admin/shop/product/")
    assert any(m.startswith("That filter was not applied") for m in messages_of(response))
    assert queries_on("shop_product", queries) == []


def test_sane_changelist_filters_still_filter(client, superuser):
    kept, other = ProductFactory(), ProductFactory()
    response = client.get(f"/admin/shop/product/?id__in={kept.pk},{2**63 - 1}&category__id__exact={kept.category_id}"
                          "&created_at__gte=2000-01-01&wage_content__lt=100")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [kept]
    assert other.name not in response.content.decode()
    # A list filter of its own (not a field lookup) keeps its own values.
    assert client.get("/admin/shop/order/?total=under50").status_code == 200


def test_a_many_to_many_filter_past_64_bits_is_refused(client, superuser):
    response = client.get(f"/admin/payroll/volunteer/?skills__in={PAST_64_BITS}")
    assert response.status_code == 302
    assert any(m.startswith("That filter was not applied") for m in messages_of(response))


def test_an_action_on_a_selection_no_record_can_have_does_nothing_and_says_so(client, superuser):
    category = CategoryFactory()
    response = client.post("/admin/shop/category/", {"action": "delete_selected", "post": "yes",
                                                     "_selected_action": [str(category.pk), PAST_64_BITS]})
    assert response.status_code == 302
    assert any("nothing was done" in m for m in messages_of(response))
    assert category.__class__.objects.filter(pk=category.pk).exists()


def test_a_long_search_is_not_run_and_a_warning_says_why(client, superuser):
    product = ProductFactory(name="Indigo scarf")
    VariantFactory(product=product)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/shop/product/", {"q": "x" * 100_000})  # SQLite: LIKE pattern too complex
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert [q for q in queries_on("shop_product", queries) if "LIKE" in q] == []
    assert f"search for at most {MAX_SEARCH} characters (100000 given)" in response.content.decode()

    at_most = client.get("/admin/shop/product/", {"q": "Indigo" + " " * (MAX_SEARCH - 6)})
    assert list(at_most.context["cl"].result_list) == [product]
    assert "The search was not run" not in at_most.content.decode()


def test_the_filter_check_reads_lookups_through_relations():
    assert filter_problem(Product, "category__id__in", ["1,2"]) is None
    assert filter_problem(Product, "category__id__in", [f"1,{PAST_64_BITS}"])
    assert filter_problem(Product, "name__icontains", ["x" * 500]) is None  # text: searched as text
    assert filter_problem(Product, "no_such_field", [PAST_64_BITS]) is None  # Django refuses it (400)
    assert filter_problem(Product, "name__id", [PAST_64_BITS]) is None  # not the product's id: Django refuses it
    assert filter_problem(Product, "variants__id", [PAST_64_BITS])  # the variant's id, through the reverse relation
    assert filter_problem(Order, "total__lt", ["12.50"]) is None
    assert filter_problem(Order, "total__lt", ["-Infinity"])


def test_model_choice_fields_past_64_bits_are_field_errors(client, superuser):
    """A foreign key (the product's category) and a many-to-many (a volunteer's skills)."""
    category = CategoryFactory()
    for typed in (PAST_64_BITS, "9" * 5000):
        response = client.post("/admin/shop/product/add/", {
            "category": typed, "name": "Scarf", "slug": "scarf", "wage_content": "5", "gift_slots": "1",
            "variants-TOTAL_FORMS": "0", "variants-INITIAL_FORMS": "0", "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0"})
        assert response.status_code == 200
        assert "Select a valid choice" in str(response.context["adminform"].form.errors["category"])
    assert not Product.objects.exists() and category.products.count() == 0

    volunteer = VolunteerFactory()
    Skill.objects.create(name="Sorting")
    response = client.post(f"/admin/payroll/volunteer/{volunteer.pk}/change/", {
        "full_name": "Ann Lee", "email": "ann@example.org", "skills": [PAST_64_BITS],
        "waivers-TOTAL_FORMS": "0", "waivers-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert "skills" in response.context["adminform"].form.errors
    assert volunteer.skills.count() == 0


# -- the product admin's variant inline ------------------------------------------------------------


def product_post(product, variant, **changes):
    data = {
        "category": str(product.category_id), "name": product.name, "slug": product.slug,
        "description": product.description, "story": "", "wage_content": str(product.wage_content),
        "gift_slots": "1", "is_active": "on",
        "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "1", "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000", "variants-0-id": str(variant.pk), "variants-0-product": str(product.pk),
        "variants-0-sku": variant.sku, "variants-0-options": '{"colour": "Indigo"}', "variants-0-price": "20.00",
        "variants-0-stock": "10", "variants-0-position": "0",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0", "images-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def variant_errors(response):
    return [form.errors for formset in response.context["inline_admin_formsets"] for form in formset.formset.forms]


@pytest.mark.parametrize("options", ["[1, 2]", "3", '"Indigo"', "true"])
def test_variant_options_that_are_not_an_object_are_a_field_error(client, superuser, options):
    variant = VariantFactory()
    product = variant.product
    response = client.post(f"/admin/shop/product/{product.pk}/change/",
                           product_post(product, variant, **{"variants-0-options": options}))
    assert response.status_code == 200
    assert "Options must be an object" in " ".join(variant_errors(response)[0]["options"])
    variant.refresh_from_db()
    assert variant.options == {"colour": "Indigo"}


@pytest.mark.parametrize("counts", [{"variants-INITIAL_FORMS": "-1"}, {"variants-TOTAL_FORMS": "-1"}])
def test_an_inline_whose_form_counts_are_negative_is_refused_not_inserted_again(client, superuser, counts):
    """A negative INITIAL_FORMS made every row new: the saved variant inserted again (a 500)."""
    variant = VariantFactory()
    product = variant.product
    response = client.post(f"/admin/shop/product/{product.pk}/change/", product_post(product, variant, **counts))
    assert response.status_code == 200
    assert any("ManagementForm data is missing or has been tampered with" in str(f.formset.non_form_errors())
               for f in response.context["inline_admin_formsets"])
    assert list(ProductVariant.objects.filter(product=product)) == [variant]


def test_a_wage_content_the_form_could_not_read_is_its_field_error_not_a_crash(client, superuser):
    variant = VariantFactory()
    product = variant.product
    for typed in ("", "abc", "1e309", "NaN"):
        response = client.post(f"/admin/shop/product/{product.pk}/change/",
                               product_post(product, variant, wage_content=typed, **{"variants-0-price": "12.00"}))
        assert response.status_code == 200, typed
        assert "wage_content" in response.context["adminform"].form.errors, typed
    product.refresh_from_db()
    assert product.wage_content == Decimal("5.00")


def test_the_wage_content_rule_still_holds_for_a_readable_wage_content(client, superuser):
    variant = VariantFactory()
    product = variant.product
    response = client.post(f"/admin/shop/product/{product.pk}/change/",
                           product_post(product, variant, wage_content="25.00"))
    assert response.status_code == 200
    assert "less than the product's wage content" in " ".join(variant_errors(response)[0]["price"])
    assert ProductVariant.objects.get(pk=variant.pk).price == Decimal("20.00")


def test_admin_dates_and_numbers_are_read_as_every_other_form_reads_them(client, superuser):
    """A discount code's dates keep the 2000-2100 window and its limits ASCII digits, in the admin too."""
    page = client.get("/admin/shop/discountcode/add/")
    assert page.status_code == 200
    response = client.post("/admin/shop/discountcode/add/", {
        "code": "ADMIN10", "kind": "percent", "value": "10", "minimum_spend": "0",
        "starts_at_0": "0001-01-01", "starts_at_1": "00:00", "ends_at_0": "", "ends_at_1": "",
        "usage_limit": "\uff15", "per_customer_limit": "", "description": "x", "is_active": "on"})
    assert response.status_code == 200  # shown again with errors, nothing saved
    errors = response.context["adminform"].form.errors
    assert "starts_at" in errors and "usage_limit" in errors, errors
    from shop.models import DiscountCode
    assert not DiscountCode.objects.filter(code="ADMIN10").exists()
