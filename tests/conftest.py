"""Suite-wide fixtures.

Unit tests run Celery tasks eagerly even when a broker is configured; the integration
tests switch that off and use a real worker process. Where PostgreSQL, Redis or Chromium
are missing, the tests that need them are not collected and the run says so;
``MENDED_REQUIRE_SERVICES=1`` (set by .ci/run) turns that into a failure instead.
"""
import os
import shutil

import django.test
import pytest
from django.test import override_settings

from tests.support.reachable_services import missing_services
from tests.support.processes import LocalstripeServer, free_port

REQUIRE_SERVICES = os.environ.get("MENDED_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

collect_ignore = []
_not_run = []
_missing = missing_services()
if _missing:
    collect_ignore.append("integration")
    _not_run.append(f"tests/integration: {'; '.join(_missing)}")
if not shutil.which(CHROMIUM):
    collect_ignore.append("browser")
    _not_run.append(f"tests/browser: no chromium at {CHROMIUM} (apt-get install chromium)")


def pytest_configure(config):
    if _not_run and REQUIRE_SERVICES:
        raise pytest.UsageError(
            "MENDED_REQUIRE_SERVICES=1 but these tests cannot run:\n  " + "\n  ".join(_not_run)
        )


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    lines = [f"mended: database={db} broker={settings.CELERY_BROKER_URL.split('://')[0]}"]
    lines += [f"mended: NOT RUN {line}" for line in _not_run]
    return lines


class Client(django.test.Client):
    """Django's test client; ``force_login`` of a user with an authenticator app counts as a
    login that entered its code (the site refuses payroll and program staff otherwise).
    ``force_login(user, mfa=False)`` is a password-only login, for the MFA tests."""

    def force_login(self, user, backend=None, mfa=None):
        from shop.platform.mfa import has_authenticator_app, mark_session_mfa

        super().force_login(user, backend)
        if mfa if mfa is not None else has_authenticator_app(user):
            session = self.session
            mark_session_mfa(session, user)
            session.save()


@pytest.fixture
def client():
    return Client()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as migrated, less the county surtax rows migration 0024 loads from
    shop/data/fl_county_surtax.csv: tests that price a Florida sale set the county rates they
    use (tests/shop/test_county_surtax.py), so the others keep their hand-worked 6%. The
    shipped table itself is checked there by running the migration's loader."""
    with django_db_blocker.unblock():
        from shop.models import CountySurtax

        CountySurtax.objects.all().delete()


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _fast_and_eager(settings, request):
    from django.core.cache import cache

    from shop.platform import sms

    cache.clear()  # cached catalog pages and login throttles never leak between tests
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_BACKEND = "locmem"  # texts kept in sms.outbox, like mail.outbox
    sms.outbox.clear()
    if request.node.get_closest_marker("integration"):
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def localstripe_process(tmp_path_factory):
    """The localstripe child process (tests usually want ``localstripe_server``)."""
    log_path = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    # The free port may be taken between probing it and localstripe binding it: retry.
    for _attempt in range(3):
        server = LocalstripeServer(port=free_port(), env={**os.environ}, log_path=log_path)
        if server.start():
            break
    else:
        server.fail("localstripe exited before answering, three times")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def localstripe_server(localstripe_process):
    """Base URL of a fresh localstripe, with Stripe's SDK and settings pointed at it."""
    import stripe
    from django.conf import settings

    base = localstripe_process.base_url
    previous = stripe.api_base, stripe.api_key
    with override_settings(STRIPE_API_BASE=base, STRIPE_JS_URL=localstripe_process.js_url):
        stripe.api_base = base
        stripe.api_key = settings.STRIPE_SECRET_KEY
        try:
            yield base
        finally:
            stripe.api_base, stripe.api_key = previous
