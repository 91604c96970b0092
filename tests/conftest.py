"""Suite-wide fixtures.

Unit tests run Celery tasks eagerly even when a broker is configured; the integration
tests switch that off and use a real worker process. Where PostgreSQL, Redis or Chromium
are missing, the tests that need them are not collected and the run says so;
``MENDED_REQUIRE_SERVICES=1`` (set by .ci/run) turns that into a failure instead.
"""
import os
import shutil

import pytest
from django.test import override_settings

from tests.services import missing_services

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


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _fast_and_eager(settings, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if request.node.get_closest_marker("integration"):
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
