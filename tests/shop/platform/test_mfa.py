"""Two-factor authentication: payroll and program staff reach nothing until their login passed it.

TOTP codes are computed here with RFC 6238 arithmetic of the test's own (HMAC-SHA1 over the
30-second counter, dynamic truncation, 6 digits), not with allauth's helper.
"""
import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from shop.platform import roles
from shop.platform.mfa import CODE_MESSAGE, SETUP_MESSAGE
from tests.support.factories import UserFactory, add_recovery_codes, add_totp, login_with_mfa, totp_secret

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # UserFactory's
PAYROLL_PAGES = ("/staff/payroll/runs/", "/staff/wage-fund/", "/staff/payroll/reports/")
PROGRAM_PAGES = ("/staff/training/participants/", "/staff/training/dashboard/")


def totp(secret: str, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_the_totp_arithmetic_matches_rfc_6238():
    """RFC 6238 appendix B, SHA-1 seed "12345678901234567890", last 6 of the 8 digits."""
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59) == "287082"
    assert totp(secret, at=1111111109) == "081804"
    assert totp(secret, at=2000000000) == "279037"


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def password_login(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


# -- refused until set up ----------------------------------------------------------------


@pytest.mark.parametrize("role, pages", [(roles.PAYROLL_STAFF, PAYROLL_PAGES), (roles.PROGRAM_STAFF, PROGRAM_PAGES)])
def test_staff_without_mfa_are_sent_to_set_it_up(client, role, pages):
    user = UserFactory(roles=[role], mfa=False)
    client.force_login(user)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == reverse("mfa_activate_totp"), page
    followed = client.get(pages[0], follow=True)
    assert SETUP_MESSAGE in messages_of(followed)


def test_every_page_is_refused_not_only_payroll_ones(client):
    """Admin pages of payroll models, a pay stub, even the shop home: nothing until MFA is set up."""
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF], mfa=False))
    for page in ("/admin/", "/admin/payroll/employee/", "/", "/staff/payroll/w2/2026.csv"):
        response = client.get(page)
        assert (response.status_code, response["Location"]) == (302, reverse("mfa_activate_totp")), page


def test_posts_and_api_calls_are_refused(client):
    client.force_login(UserFactory(roles=[roles.PAYROLL_STAFF], mfa=False))
    assert client.post("/staff/payroll/runs/", {"period_start": "2026-01-05"}).status_code == 403
    assert client.post("/staff/payroll/runs/1/calculate/").status_code == 403
    progress = client.get("/staff/payroll/runs/1/progress/", HTTP_ACCEPT="application/json")
    assert progress.status_code == 302 and progress["Location"] == reverse("mfa_activate_totp")


def test_setup_pages_logout_quick_exit_and_health_stay_open(client):
    user = UserFactory(roles=[roles.PAYROLL_STAFF], mfa=False)
    client.force_login(user)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("shop:weather")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get("/static/shop/css/site.css").status_code == 200
    # A session with no recent password step is asked for the password before setting up MFA.
    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 302 and activate["Location"].startswith(reverse("account_reauthenticate"))
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_activating_totp_opens_the_payroll_pages(client, django_capture_on_commit_callbacks):
    user = UserFactory(roles=[roles.PAYROLL_STAFF], mfa=False)
    landing = password_login(client, user)
    assert landing.status_code == 302
    assert client.get(landing["Location"])["Location"] == reverse("mfa_activate_totp")  # home is refused too

    # allauth asks for the password again before changing two-factor settings.
    confirm = client.get(reverse("mfa_activate_totp"))
    assert confirm["Location"].startswith(reverse("account_reauthenticate"))
    assert client.post(confirm["Location"], {"password": PASSWORD})["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<?xml" not in html and "data:image" not in html  # the QR code, inline
    assert "<script" not in html.split("</header>", 1)[1].split("<footer", 1)[0]
    secret = page.context["form"].secret
    assert secret in html  # for entering by hand

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000" if totp(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=user).exists()
    assert client.get(PAYROLL_PAGES[0]).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert done.status_code == 302 and done["Location"] == reverse("mfa_view_recovery_codes")
    assert totp_secret(user) == secret  # stored, and readable only through the adapter's key
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored

    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200 and len(codes.context["unused_codes"]) == 10
    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert download.content.decode().split() == codes.context["unused_codes"]

    for page in PAYROLL_PAGES:
        assert client.get(page).status_code == 200, page


# -- the second factor at login ------------------------------------------------------------


def test_a_password_login_is_asked_for_the_code_and_only_then_reaches_payroll(client):
    user = UserFactory(roles=[roles.PAYROLL_STAFF], mfa=False)
    secret = add_totp(user)
    response = password_login(client, user)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not logged in yet
    assert client.get(PAYROLL_PAGES[0])["Location"].startswith(reverse("account_login"))

    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200 and "authenticator app" in page.content.decode()
    refused = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp(secret) != "000000" else "111111"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session

    accepted = client.post(reverse("mfa_authenticate"), {"code": totp(secret)})
    assert accepted.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(PAYROLL_PAGES[0]).status_code == 200


def test_a_recovery_code_works_once(client):
    user = UserFactory(roles=[roles.PROGRAM_STAFF], mfa=False)
    add_totp(user)
    code = add_recovery_codes(user)[3]

    password_login(client, user)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(PROGRAM_PAGES[0]).status_code == 200
    client.post(reverse("account_logout"))

    password_login(client, user)
    again = client.post(reverse("mfa_authenticate"), {"code": code})
    assert again.status_code == 200 and "_auth_user_id" not in client.session
    assert client.get(PROGRAM_PAGES[0]).status_code == 302


def test_a_session_that_skipped_the_code_is_asked_for_it(client):
    """A login from before the authenticator app was set up (elsewhere) has not entered a code."""
    user = UserFactory(roles=[roles.PAYROLL_STAFF])  # has an authenticator app
    secret = totp_secret(user)
    client.force_login(user, mfa=False)
    response = client.get(PAYROLL_PAGES[0])
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_reauthenticate") + "?next=%2Fstaff%2Fpayroll%2Fruns%2F"
    assert CODE_MESSAGE in messages_of(client.get(response["Location"]))

    confirmed = client.post(response["Location"], {"code": totp(secret)})
    assert confirmed["Location"] == PAYROLL_PAGES[0]
    assert client.get(PAYROLL_PAGES[0]).status_code == 200


def test_test_logins_count_as_having_entered_the_code(client):
    """The suite's helpers: a factory-made payroll user has an app, and a test login passes it."""
    user = UserFactory(roles=[roles.PAYROLL_STAFF])
    assert Authenticator.objects.filter(user=user).count() == 2  # the app and recovery codes
    client.force_login(user)
    assert client.get(PAYROLL_PAGES[0]).status_code == 200
    plain = Client()  # a plain Django client, as the browser tests use
    login_with_mfa(plain, user)
    assert plain.get(PAYROLL_PAGES[0]).status_code == 200
    plain.force_login(UserFactory(roles=[roles.PAYROLL_STAFF]))  # without the helper: asked for a code
    assert plain.get(PAYROLL_PAGES[0])["Location"].startswith(reverse("mfa_reauthenticate"))


def test_superusers_must_use_it_too(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, mfa=False))
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


# -- who is not asked ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.SHOP_STAFF, roles.VOLUNTEER_COORDINATOR, None])
def test_shop_staff_coordinators_and_customers_are_not_asked(client, role):
    user = UserFactory(roles=[role] if role else [])
    assert not Authenticator.objects.filter(user=user).exists()
    response = password_login(client, user)
    assert response.status_code == 302 and response["Location"] != reverse("mfa_authenticate")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").status_code == 200
    page = {roles.SHOP_STAFF: "/staff/gifts/", roles.VOLUNTEER_COORDINATOR: "/staff/volunteers/"}.get(role, "/orders/")
    assert client.get(page).status_code == 200


def test_a_customer_who_chose_mfa_is_asked_for_the_code_but_never_forced(client):
    customer = UserFactory(mfa=True)
    assert password_login(client, customer)["Location"] == reverse("mfa_authenticate")
    other = UserFactory()
    client.force_login(other)
    assert client.get("/orders/").status_code == 200


# -- keys ------------------------------------------------------------------------------------


def test_rotating_encryption_keys_keeps_authenticators_working(client, settings):
    from cryptography.fernet import Fernet

    user = UserFactory(roles=[roles.PAYROLL_STAFF], mfa=False)
    secret = add_totp(user)
    code = add_recovery_codes(user)[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_encryption_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    assert totp_secret(user) == secret
    password_login(client, user)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(PAYROLL_PAGES[0]).status_code == 200


@pytest.mark.parametrize("role", [roles.PAYROLL_STAFF, roles.PROGRAM_STAFF, None])
def test_reauthenticating_by_e_mailed_code_is_off_the_password_is_the_way(client, mailoutbox, role):
    """allauth 65.22 added reauthenticate/code/ and its confirm page. Whoever reads the mailbox
    must not stand in for the password: both pages refuse, no code is ever e-mailed (even to a
    verified address), and the password page is what reauthentication offers."""
    from allauth.account.models import EmailAddress

    user = UserFactory(roles=[role] if role else [], mfa=role is not None)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    client.force_login(user)
    assert client.get(reverse("account_request_reauthentication_code")).status_code == 403
    assert client.post(reverse("account_request_reauthentication_code"), {"email": user.email}).status_code == 403
    assert client.get(reverse("account_confirm_reauthentication_code")).status_code == 403
    assert mailoutbox == []
    page = client.get(reverse("account_reauthenticate"))
    assert page.status_code == 200
    assert "Send me a sign-in code" not in page.content.decode()
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
