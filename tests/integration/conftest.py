"""Fixtures for tests against real services: PostgreSQL, Redis, a Celery worker, localstripe.

tests/conftest.py collects this folder only when DATABASE_URL names a reachable PostgreSQL
and CELERY_BROKER_URL a reachable Redis. Here:

- Every test in this folder gets the ``integration`` marker, so tests/conftest.py leaves
  Celery's eager mode alone, and ``_celery_sends_to_broker`` (autouse) switches eager mode
  off and routes tasks to this session's own queue, restoring both afterwards.
- ``celery_worker_process`` (session): a real ``celery -A config worker`` child process,
  started after pytest-django has created the test database and pointed at it, consuming
  a queue named ``mended-test-<hex>`` that nothing else uses, with the same MEDIA_ROOT as
  the tests. Tests using it need ``@pytest.mark.django_db(transaction=True)``: the worker
  is another process and sees only committed rows. If a test kills the worker, the next
  test that asks for it gets it started again. Its log is appended to failing reports.
- ``localstripe_server`` lives in tests/conftest.py: every test may use it.

Helpers (``wait_for``, ``capture_tasks``, the process classes) live in ``support.py``.
"""
import os
import uuid
from pathlib import Path

import pytest

from tests.support.processes import CeleryWorker, postgres_url

HERE = Path(__file__).resolve().parent
WORKER_FIXTURE = "celery_worker_process"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Append the worker's and localstripe's logs to the report of a failing test here.

    (A fixture that fails to start a process puts that process's log in its own message.)
    """
    report = yield
    if report.failed and report.when != "setup" and HERE in Path(item.path).resolve().parents:
        for name in (WORKER_FIXTURE, "localstripe_process"):
            process = getattr(item, "funcargs", {}).get(name)
            if process is not None:
                report.sections.append((f"{process.name} log ({process.log_path})", process.log_tail()))
    return report


@pytest.fixture(scope="session")
def celery_queue():
    """The queue this session's tasks go to and its worker consumes."""
    return f"mended-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def _celery_sends_to_broker(request, settings, celery_queue):
    """Publish tasks to the broker, on this session's queue, for the test's duration."""
    from config.celery import app

    if not request.node.get_closest_marker("integration"):  # pragma: no cover - defensive
        yield
        return
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = celery_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = celery_queue
    if WORKER_FIXTURE in request.fixturenames:
        _require_transactional_db(request)
        request.getfixturevalue(WORKER_FIXTURE).ensure_running()
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous


def _require_transactional_db(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if not transactional:
        pytest.fail(
            f"{request.node.nodeid} uses {WORKER_FIXTURE} and so needs "
            "@pytest.mark.django_db(transaction=True): the worker only sees committed rows.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, _media_root, celery_queue, localstripe_process, tmp_path_factory):
    """A real Celery worker process on the test database and this session's queue.

    ``django_db_setup`` has created the test database (and renamed the connection to it)
    and tests/conftest.py's ``_media_root`` has moved MEDIA_ROOT before this reads both.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]  # its NAME is the test database by now
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url(database),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_QUEUE": celery_queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "STRIPE_API_BASE": localstripe_process.base_url,
        "EMAIL_URL": f"filemail:///{mail_dir}",  # path after the third slash
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TEST_DATABASE_NAME", None)
    worker = CeleryWorker(
        queue=celery_queue, env=env, log_path=tmp_path_factory.mktemp("celery-worker") / "worker.log"
    )
    worker.mail_dir = mail_dir  # the e-mails the worker sends land here, one file each
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        worker.delete_queue()
