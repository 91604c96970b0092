import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
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


SIGN_UP = {"password1": "a long enough passphrase", "password2": "a long enough passphrase"}


def test_email_is_unique_whatever_its_case(client):
    UserFactory(email="taken@example.org")
    response = client.post(reverse("account_signup"), {"email": "TAKEN@example.org", **SIGN_UP})
    assert response.status_code == 302
    assert User.objects.count() == 1  # no second account with the address
    assert "_auth_user_id" not in client.session


def _without_secrets(html, address):
    """The page with the address typed, the CSP nonces and the CSRF tokens (different on every page) taken out."""
    html = html.replace(address, "<address>")
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)


def _sign_up(email):
    """A fresh visitor signs up; what they are shown (the page after the redirect), and the mail sent."""
    from django.test import Client

    visitor = Client()
    mail.outbox.clear()
    response = visitor.post(reverse("account_signup"), {"email": email, **SIGN_UP})
    page = visitor.get(response.url)
    return response, page, list(mail.outbox), visitor


def test_sign_up_with_a_taken_address_looks_exactly_like_a_new_one_and_tells_the_owner():
    """Sign-up never reveals an account (ACCOUNT_PREVENT_ENUMERATION): the same redirect and
    the same page either way; the owner of the taken address is e-mailed that someone tried."""
    owner = UserFactory(email="owner@example.org")
    new, new_page, new_mail, new_visitor = _sign_up("newcomer@example.org")
    taken, taken_page, taken_mail, taken_visitor = _sign_up("Owner@Example.org")

    assert (new.status_code, new.url) == (taken.status_code, taken.url) == (302, reverse("account_email_verification_sent"))
    shown = [_without_secrets(page.content.decode(), address)
             for page, address in ((new_page, "newcomer@example.org"), (taken_page, "owner@example.org"))]
    assert new_page.status_code == taken_page.status_code == 200
    assert shown[0] == shown[1]
    assert "already registered" not in shown[1]
    assert "_auth_user_id" not in new_visitor.session and "_auth_user_id" not in taken_visitor.session

    # The newcomer got an account and an e-mail to confirm it; the owner a notice, and no second account.
    assert User.objects.filter(email__iexact="owner@example.org").get() == owner
    assert User.objects.filter(email="newcomer@example.org").exists()
    assert [m.to for m in new_mail] == [["newcomer@example.org"]] and "confirm" in new_mail[0].body.lower()
    assert [m.to for m in taken_mail] == [["owner@example.org"]]
    assert "an account using that email address already exists" in taken_mail[0].body
    assert reverse("account_reset_password") in taken_mail[0].body


def test_a_new_customer_can_still_log_in_before_confirming_the_address(client):
    """Verification stays optional at login: only the sign-up page waits for the e-mail."""
    client.post(reverse("account_signup"), {"email": "fresh@example.org", **SIGN_UP})
    response = client.post(reverse("account_login"), {"login": "fresh@example.org", "password": SIGN_UP["password1"]})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(User.objects.get().pk)


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


def _flash(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_signing_in_greets_the_person_by_name_never_by_username(client):
    UserFactory(username="dana", email="dana@example.org", first_name="Dana", last_name="Reyes")
    response = client.post(reverse("account_login"), {"login": "dana@example.org", "password": "correct horse battery"},
                           follow=True)
    assert _flash(response) == ["Welcome back, Dana."]
    assert "Welcome back, Dana." in response.content.decode() and "Successfully signed in" not in response.content.decode()


def test_signing_in_without_a_name_on_file_does_not_show_the_username(client):
    UserFactory(username="dana", email="dana@example.org")
    response = client.post(reverse("account_login"), {"login": "dana@example.org", "password": "correct horse battery"},
                           follow=True)
    assert _flash(response) == ["Welcome back: you are signed in."]


def test_signing_out_and_confirming_the_address_say_so_plainly(client):
    client.post(reverse("account_signup"), {"email": "fresh@example.org", **SIGN_UP})
    [message] = [m for m in mail.outbox if "confirm-email" in m.body]
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", message.body).group(1)
    confirmed = client.post(reverse("account_confirm_email", args=[key]), follow=True)
    assert "Thank you: fresh@example.org is confirmed." in _flash(confirmed)
    client.post(reverse("account_login"), {"login": "fresh@example.org", "password": SIGN_UP["password1"]}, follow=True)
    signed_out = client.post(reverse("account_logout"), follow=True)
    assert _flash(signed_out) == ["You are signed out. See you soon."]


def test_every_allauth_message_has_the_sites_own_wording():
    """allauth's flash messages are templates; each of the installed apps' has its override in
    shop/templates (plain words, no "Successfully …")."""
    from pathlib import Path

    import allauth

    shipped = Path(allauth.__file__).parent / "templates"
    ours = Path(__file__).resolve().parents[2] / "shop" / "templates"
    names = sorted(str(p.relative_to(shipped)) for app in ("account", "mfa") for p in (shipped / app / "messages").glob("*.txt"))
    assert len(names) >= 19  # fourteen of account's, five of mfa's in allauth 65
    assert [name for name in names if not (ours / name).exists()] == []
    for name in names:
        assert "Successfully" not in (ours / name).read_text()
