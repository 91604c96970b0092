"""Failed logins are throttled (per account and per IP, the site's login and the admin's
form alike) and logged without the password; staff sessions end after inactivity."""
import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from shop.platform import roles
from shop.platform.security import account_fingerprint
from tests.support.factories import UserFactory, add_totp

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests/support/factories.py
WRONG = "Tr0ub4dor&3-not-it"
REFUSED = "Too many failed login attempts. Try again later."
NOT_CORRECT = "The email address and/or password you specified are not correct."


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def security_lines(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "security"]


# -- throttling --------------------------------------------------------------------------


def test_the_sixth_failure_on_one_account_is_refused_even_with_the_right_password(client):
    user = UserFactory(email="casey@example.org")
    for attempt in range(5):
        response = log_in(client, user.email, WRONG)
        assert NOT_CORRECT in response.content.decode(), f"attempt {attempt + 1} was not simply refused"
    response = log_in(client, user.email, PASSWORD)
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_account_is_not_locked_by_failures_on_the_first(client):
    victim, other = UserFactory(), UserFactory()
    for _ in range(5):
        log_in(client, victim.email, WRONG)
    response = log_in(client, other.email, PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(other.pk)


def test_ten_failures_from_one_ip_lock_that_ip_out_of_every_account(client):
    people = [UserFactory() for _ in range(4)]
    for person in people[:3]:
        for _ in range(3 if person is not people[2] else 4):  # 3 + 3 + 4 = 10, none over its own 5
            assert NOT_CORRECT in log_in(client, person.email, WRONG).content.decode()
    response = log_in(client, people[3].email, PASSWORD)
    assert REFUSED in response.content.decode() and "_auth_user_id" not in client.session
    # From another address the same account may still log in.
    response = client.post(reverse("account_login"), {"login": people[3].email, "password": PASSWORD},
                           REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302


def test_the_limit_is_lifted_after_its_window(client):
    user = UserFactory()
    start = timezone.now()
    with freeze_time(start) as clock:
        for _ in range(5):
            log_in(client, user.email, WRONG)
        assert REFUSED in log_in(client, user.email, PASSWORD).content.decode()
        clock.move_to(start + timedelta(minutes=5, seconds=1))
        assert log_in(client, user.email, PASSWORD).status_code == 302


def test_the_admin_login_form_counts_against_the_same_limits(client):
    """Someone logged in without staff access sees Django's own admin login form: it is
    throttled too, and its failures count with the site login's for the same account."""
    client.force_login(UserFactory())
    staff = UserFactory(roles=[roles.SHOP_STAFF])
    for attempt in range(5):
        response = client.post(reverse("admin:login"), {"username": staff.username, "password": WRONG})
        assert response.status_code == 200, f"attempt {attempt + 1}"
    response = client.post(reverse("admin:login"), {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 429 and REFUSED in response.content.decode()
    client.logout()
    assert REFUSED in log_in(client, staff.email, PASSWORD).content.decode()


def test_a_successful_admin_login_does_not_count_as_a_failure(client):
    client.force_login(UserFactory())
    staff = UserFactory(roles=[roles.SHOP_STAFF])
    for _ in range(4):
        client.post(reverse("admin:login"), {"username": staff.username, "password": WRONG})
    for _ in range(3):
        response = client.post(reverse("admin:login"), {"username": staff.username, "password": PASSWORD})
        assert response.status_code == 302
        client.force_login(UserFactory())


ATTACKER, OWNER = "198.51.100.66", "203.0.113.20"


def test_the_owner_logs_in_from_a_fresh_ip_while_the_attackers_ip_is_throttled():
    """Failures are counted per IP and per account+IP, never per account alone: someone who
    knows payroll's address cannot lock payroll out on pay day."""
    from django.test import Client

    from tests.shop.platform.test_mfa import totp

    owner = UserFactory(roles=[roles.PAYROLL_STAFF], mfa=False)
    secret = add_totp(owner)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for attempt in range(5):
        assert NOT_CORRECT in log_in(attacker, owner.email, WRONG).content.decode(), attempt
    assert REFUSED in log_in(attacker, owner.email, PASSWORD).content.decode()  # that IP: even the right password

    payroll = Client(REMOTE_ADDR=OWNER)
    response = log_in(payroll, owner.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert payroll.post(reverse("mfa_authenticate"), {"code": totp(secret)}).status_code == 302
    assert payroll.session["_auth_user_id"] == str(owner.pk)
    assert payroll.get("/staff/payroll/runs/").status_code == 200
    assert REFUSED in log_in(attacker, owner.email, PASSWORD).content.decode()  # still refused there


def test_wrong_codes_from_one_ip_do_not_lock_the_code_step_elsewhere():
    """The code step counts failures per account+IP too: someone who has the password and
    fails the code from their address does not lock the owner out of it."""
    from django.test import Client

    from tests.shop.platform.test_mfa import totp

    owner = UserFactory(roles=[roles.PAYROLL_STAFF], mfa=False)
    secret = add_totp(owner)
    wrong_code = "000000" if totp(secret) != "000000" else "111111"
    attacker = Client(REMOTE_ADDR=ATTACKER)
    log_in(attacker, owner.email, PASSWORD)
    for _ in range(5):
        assert "Incorrect code" in attacker.post(reverse("mfa_authenticate"), {"code": wrong_code}).content.decode()
    refused = attacker.post(reverse("mfa_authenticate"), {"code": totp(secret)})
    assert "Too many" in refused.content.decode() and "_auth_user_id" not in attacker.session

    payroll = Client(REMOTE_ADDR=OWNER)
    log_in(payroll, owner.email, PASSWORD)
    assert payroll.post(reverse("mfa_authenticate"), {"code": totp(secret)}).status_code == 302
    assert payroll.session["_auth_user_id"] == str(owner.pk)


def test_an_ips_failures_on_many_accounts_still_lock_that_ip():
    """The per-IP limit stays: ten failures a minute from one address, whatever the accounts."""
    from django.test import Client

    attacker = Client(REMOTE_ADDR=ATTACKER)
    people = [UserFactory() for _ in range(11)]
    for person in people[:10]:
        assert NOT_CORRECT in log_in(attacker, person.email, WRONG).content.decode()
    assert REFUSED in log_in(attacker, people[10].email, PASSWORD).content.decode()
    assert log_in(Client(REMOTE_ADDR=OWNER), people[10].email, PASSWORD).status_code == 302


# -- logging -----------------------------------------------------------------------------


def test_each_failed_login_is_logged_with_a_hash_of_the_account_and_the_ip_never_the_password(client, caplog):
    user = UserFactory(email="robin.private@example.org")
    caplog.set_level(logging.INFO, logger="security")
    log_in(client, "Robin.Private@example.org", WRONG)
    lines = security_lines(caplog)
    assert lines == [f"login failed: account={account_fingerprint(user.email)} ip=127.0.0.1 path=/accounts/login/"]
    everything = caplog.text + "".join(lines)
    assert WRONG not in everything and "robin" not in everything.lower()


def test_the_fingerprint_is_keyed_not_a_plain_hash():
    import hashlib

    email = "robin.private@example.org"
    assert account_fingerprint(email) == account_fingerprint(" ROBIN.private@example.org ")
    assert account_fingerprint(email) not in (hashlib.sha256(email.encode()).hexdigest()[:16],
                                              hashlib.md5(email.encode()).hexdigest()[:16])  # noqa: S324


def test_refused_attempts_and_admin_form_failures_are_logged_too(client, caplog):
    user = UserFactory()
    caplog.set_level(logging.INFO, logger="security")
    for _ in range(6):
        log_in(client, user.email, WRONG)
    fingerprint = account_fingerprint(user.email)
    lines = security_lines(caplog)
    assert lines.count(f"login failed: account={fingerprint} ip=127.0.0.1 path=/accounts/login/") == 5
    assert lines[-1] == f"login refused, too many failures: account={fingerprint} ip=127.0.0.1 path=/accounts/login/"

    caplog.clear()
    client.force_login(UserFactory())
    client.post(reverse("admin:login"), {"username": "someone@example.org", "password": WRONG})
    assert security_lines(caplog) == [
        f"login failed: account={account_fingerprint('someone@example.org')} ip=127.0.0.1 path=/admin/login/"
    ]
    assert WRONG not in caplog.text


# -- staff idle timeout ------------------------------------------------------------------


@pytest.mark.parametrize("make_staff", [
    lambda: UserFactory(roles=[roles.SHOP_STAFF]),
    lambda: UserFactory(roles=[roles.VOLUNTEER_COORDINATOR]),
    lambda: UserFactory(is_staff=True),
], ids=["shop staff", "volunteer coordinator", "is_staff"])
def test_staff_are_logged_out_after_thirty_idle_minutes(client, settings, caplog, make_staff):
    assert settings.SESSION_STAFF_IDLE_SECONDS == 30 * 60
    staff = make_staff()
    start = timezone.now()
    with freeze_time(start) as clock:
        client.force_login(staff)
        assert client.get(reverse("shop:order_list")).status_code == 200
        clock.move_to(start + timedelta(minutes=29))
        assert client.get(reverse("shop:order_list")).status_code == 200  # activity restarts the clock
        clock.move_to(start + timedelta(minutes=29 + 29))
        assert client.get(reverse("shop:order_list")).status_code == 200
        clock.move_to(start + timedelta(minutes=29 + 29 + 31))
        caplog.set_level(logging.INFO, logger="security")
        response = client.get(reverse("shop:order_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert "You were logged out after 30 minutes without activity." in page.content.decode()
    assert any(line.startswith(f"staff session ended after inactivity: user={staff.pk} ")
               for line in security_lines(caplog))


def test_customers_keep_the_normal_session(client):
    customer = UserFactory()
    start = timezone.now()
    with freeze_time(start) as clock:
        client.force_login(customer)
        assert client.get(reverse("shop:order_list")).status_code == 200
        clock.move_to(start + timedelta(hours=8))
        assert client.get(reverse("shop:order_list")).status_code == 200
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_the_idle_limit_is_a_setting(client, settings):
    settings.SESSION_STAFF_IDLE_SECONDS = 60
    staff = UserFactory(roles=[roles.SHOP_STAFF])
    start = timezone.now()
    with freeze_time(start) as clock:
        client.force_login(staff)
        assert client.get(reverse("shop:order_list")).status_code == 200
        clock.move_to(start + timedelta(seconds=61))
        assert client.get(reverse("shop:order_list")).status_code == 302


# -- the staff menu ----------------------------------------------------------------------


def test_staff_links_are_grouped_in_one_staff_menu(client):
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF, roles.VOLUNTEER_COORDINATOR]))
    html = client.get(reverse("shop:order_list")).content.decode()
    menu = html[html.index("<summary>Staff</summary>"):html.index("</details>")]
    for name in ("shop:gift_pipeline", "shop:staff_giving", "payroll:coordinator_week", "admin:index"):
        assert f'href="{reverse(name)}"' in menu, name
    assert f'href="{reverse("payroll:payruns")}"' not in html  # not a payroll role
    nav = html[html.index('<nav aria-label="Main"'):html.index("</nav>")]
    assert nav.count(f'href="{reverse("shop:staff_giving")}"') == 1  # only inside the menu


def test_customers_have_no_staff_menu(client):
    client.force_login(UserFactory())
    assert "<summary>Staff</summary>" not in client.get(reverse("shop:order_list")).content.decode()
