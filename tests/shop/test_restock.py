"""Sold out: the disabled button, "E-mail me when it's back" (once per address and option,
rate-limited), and one e-mail per request when stock returns (on commit of the restock)."""
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from shop.models import Order, ProductVariant, RestockRequest
from shop.services.orders import CheckoutDetails, order_cancel, order_place
from shop.services.restock import RestockError, restock_request_add, restock_requests_release, restock_send_notice
from tests.support.factories import ProductFactory, ShippingMethodFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def towels():
    return VariantFactory(product=ProductFactory(name="Tea Towels", slug="tea-towels"), price=Decimal("22.00"), stock=0)


def notify(client, variant, email, ip="203.0.113.9", posted_variant=None):
    data = {"variant": posted_variant or variant.pk, "email": email}
    return client.post(f"/shop/product/{variant.product.slug}/notify/", data, REMOTE_ADDR=ip)


def restock(variant, units, django_capture_on_commit_callbacks):
    """Staff put stock back (as the admin's save does), the e-mails leave after the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            ProductVariant.objects.filter(pk=variant.pk).update(stock=units)
            restock_requests_release([variant.pk])


def test_a_sold_out_product_shows_a_disabled_sold_out_button_and_the_request_form(client, towels):
    html = client.get("/shop/product/tea-towels/").content.decode()
    assert '<button type="submit" class="button" disabled>Sold out</button>' in html
    assert "Add to cart</button>" not in html
    assert 'action="/shop/product/tea-towels/notify/"' in html
    assert 'autocomplete="email"' in html and 'type="email"' in html


def test_a_product_in_stock_has_no_request_form_and_an_enabled_button(client):
    VariantFactory(product=ProductFactory(slug="tote"), stock=3)
    html = client.get("/shop/product/tote/").content.decode()
    assert '<button type="submit" class="button">Add to cart</button>' in html
    assert "notify/" not in html and "Sold out</button>" not in html


def test_one_sold_out_option_of_several_takes_requests_for_that_option_only(client):
    product = ProductFactory(slug="scarf")
    VariantFactory(product=product, options={"colour": "Rust"}, stock=4)
    indigo = VariantFactory(product=product, options={"colour": "Indigo"}, stock=0)
    html = client.get("/shop/product/scarf/").content.decode()
    assert "Add to cart</button>" in html and "notify/" in html
    restock_form = html.split('class="restock-form"')[1].split("</form>")[0]
    assert "Indigo: sold out for now" in restock_form
    assert f'<input type="hidden" name="variant" value="{indigo.pk}"' in restock_form and "Rust" not in restock_form


def test_with_two_options_sold_out_the_shopper_chooses_which(client):
    product = ProductFactory(slug="scarf")
    VariantFactory(product=product, options={"colour": "Rust"}, stock=0)
    indigo = VariantFactory(product=product, options={"colour": "Indigo"}, stock=0)
    html = client.get("/shop/product/scarf/").content.decode()
    restock_form = html.split('class="restock-form"')[1].split("</form>")[0]
    assert f'<option value="{indigo.pk}">Indigo</option>' in restock_form and ">Rust</option>" in restock_form


def test_the_address_is_recorded_once_per_option(client, towels):
    first = notify(client, towels, "Rae@Example.org")
    again = notify(client, towels, "rae@example.org ")
    assert first.status_code == again.status_code == 302
    assert list(RestockRequest.objects.values_list("variant_id", "email")) == [(towels.pk, "rae@example.org")]
    page = client.get(first["Location"]).content.decode()
    assert "we will e-mail rae@example.org once" in page


def test_a_bad_address_is_a_field_error_and_nothing_is_recorded(client, towels):
    response = notify(client, towels, "not-an-address")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not RestockRequest.objects.exists()


def test_an_option_in_stock_or_of_another_product_is_refused(client, towels):
    other = VariantFactory(stock=0)
    response = notify(client, towels, "rae@example.org", posted_variant=other.pk)
    assert response.status_code == 400 and not RestockRequest.objects.exists()
    towels.stock = 2
    towels.save()
    with pytest.raises(RestockError):
        restock_request_add(towels.pk, "rae@example.org")


def test_requests_are_rate_limited_per_address_and_per_visitor(client, towels, settings):
    settings.MENDED_RATE_LIMITS = {**settings.MENDED_RATE_LIMITS, "restock_request": "3/h/ip,2/d/email"}
    others = [VariantFactory(stock=0, product=ProductFactory(slug=f"sold-{n}")) for n in range(3)]
    assert notify(client, towels, "rae@example.org").status_code == 302
    assert notify(client, others[0], "rae@example.org").status_code == 302
    third = notify(client, others[1], "rae@example.org", ip="198.51.100.1")  # another IP, the same address
    assert third.status_code == 429 and "Too many back-in-stock requests" in third.content.decode()
    assert notify(client, others[1], "sam@example.org").status_code == 302
    assert notify(client, others[2], "tom@example.org").status_code == 429  # the fourth from one IP
    assert RestockRequest.objects.count() == 3


def test_stock_returning_sends_one_e_mail_per_request_once(towels, django_capture_on_commit_callbacks):
    for email in ("rae@example.org", "sam@example.org"):
        restock_request_add(towels.pk, email)
    restock(towels, 5, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["rae@example.org", "sam@example.org"]
    assert mail.outbox[0].subject == "Tea Towels is back in stock"
    assert "http://" in mail.outbox[0].body and "/shop/product/tea-towels/" in mail.outbox[0].body
    assert RestockRequest.objects.filter(notified_at__isnull=False, emailed_at__isnull=False).count() == 2
    # More stock later, or the task run twice: nobody gets a second e-mail.
    restock(towels, 9, django_capture_on_commit_callbacks)
    assert restock_send_notice(RestockRequest.objects.first().pk) is False
    assert len(mail.outbox) == 2


def test_a_restock_that_rolls_back_sends_nothing_and_leaves_the_request_waiting(towels, django_capture_on_commit_callbacks):
    restock_request_add(towels.pk, "rae@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                ProductVariant.objects.filter(pk=towels.pk).update(stock=5)
                restock_requests_release([towels.pk])
                raise RuntimeError("the save failed")
    assert callbacks == [] and mail.outbox == []
    assert RestockRequest.objects.get().notified_at is None


def test_no_e_mail_while_the_variant_is_still_sold_out(towels, django_capture_on_commit_callbacks):
    restock_request_add(towels.pk, "rae@example.org")
    restock(towels, 0, django_capture_on_commit_callbacks)
    assert mail.outbox == [] and RestockRequest.objects.get().notified_at is None


def test_a_cancelled_order_putting_stock_back_notifies_the_waiting(towels, django_capture_on_commit_callbacks):
    towels.stock = 1
    towels.save()
    from shop.models import Cart, CartLine

    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=towels, quantity=1)
    order = order_place(cart, CheckoutDetails(email="b@example.org", name="B", shipping_method=ShippingMethodFactory(),
                                              line1="1 A St", city="Tampa", state="FL", postal_code="33602"))
    towels.refresh_from_db()
    assert towels.stock == 0
    restock_request_add(towels.pk, "rae@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order.pk, "Payment was cancelled.")
    assert Order.objects.get().state == Order.State.CANCELLED
    assert [m.to for m in mail.outbox] == [["rae@example.org"]]


def test_the_admin_saving_new_stock_notifies_the_waiting(client, towels, django_capture_on_commit_callbacks):
    restock_request_add(towels.pk, "rae@example.org")
    staff = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(staff)
    product = towels.product
    form = client.get(f"/admin/shop/product/{product.pk}/change/")
    assert form.status_code == 200
    data = {
        "category": product.category_id, "name": product.name, "slug": product.slug, "description": "",
        "story": "", "wage_content": str(product.wage_content), "gift_slots": "1", "is_active": "on",
        "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "1", "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000", "variants-0-id": towels.pk, "variants-0-product": product.pk,
        "variants-0-sku": towels.sku, "variants-0-options": "{}", "variants-0-price": "22.00",
        "variants-0-stock": "6", "variants-0-position": "0",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0", "images-MIN_NUM_FORMS": "0", "images-MAX_NUM_FORMS": "1000",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/shop/product/{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    towels.refresh_from_db()
    assert towels.stock == 6
    assert [m.to for m in mail.outbox] == [["rae@example.org"]]


def test_asking_again_after_an_e_mail_reopens_the_one_request(towels, django_capture_on_commit_callbacks):
    restock_request_add(towels.pk, "rae@example.org")
    restock(towels, 1, django_capture_on_commit_callbacks)
    ProductVariant.objects.filter(pk=towels.pk).update(stock=0)
    request, new = restock_request_add(towels.pk, "RAE@example.org")
    assert new and RestockRequest.objects.count() == 1 and request.notified_at is None
    restock(towels, 2, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
