import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse

from shop.platform import roles
from shop.models import User
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_customer_signs_up_and_logs_in_by_email(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "New.Customer@Example.org", "password1": "a long enough passphrase", "password2": "a long enough passphrase"},
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email.lower() == "new.customer@example.org"
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new.customer@example.org", "password": "a long enough passphrase"})
    assert response.status_code == 302
    assert client.get(reverse("shop:home")).context["user"] == user


def test_email_is_unique_whatever_its_case(client):
    UserFactory(email="taken@example.org")
    response = client.post(
        reverse("account_signup"),
        {"email": "TAKEN@example.org", "password1": "a long enough passphrase", "password2": "a long enough passphrase"},
    )
    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert User.objects.count() == 1


def test_failed_logins_are_throttled(client):
    UserFactory(email="casey@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "casey@example.org", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "casey@example.org", "password": "correct horse battery"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()


def test_staff_roles_exist_and_shop_staff_manage_the_catalog():
    assert set(Group.objects.filter(name__in=roles.STAFF_ROLES).values_list("name", flat=True)) == set(roles.STAFF_ROLES)
    shop_staff = UserFactory(roles=[roles.SHOP_STAFF])
    payroll_staff = UserFactory(roles=[roles.PAYROLL_STAFF])
    assert shop_staff.has_perm("shop.change_product") and shop_staff.has_perm("shop.add_taxrate")
    assert shop_staff.has_perm("shop.change_shippingmethod")
    assert not shop_staff.has_perm("shop.change_user")
    assert not payroll_staff.has_perm("shop.change_product")
    assert not Permission.objects.filter(group__name=roles.SHOP_STAFF, content_type__app_label="payroll").exists()


def test_admin_login_goes_through_the_throttled_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_shop_staff_reach_the_catalog_admin_and_customers_do_not(client):
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    assert client.get(reverse("admin:shop_product_changelist")).status_code == 200
    assert client.get(reverse("admin:shop_taxrate_changelist")).status_code == 200
    assert client.get(reverse("admin:shop_user_changelist")).status_code == 403
    client.force_login(UserFactory())
    assert client.get(reverse("admin:shop_product_changelist")).status_code == 302
