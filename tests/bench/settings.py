"""Settings for the benchmark servers: the project's own settings (``DJANGO_ENV=production`` when
the benchmark sets it, as ``python -m tests.bench pages`` does), DEBUG off, plus:

- ``ROOT_URLCONF`` adds /bench/bare/ (tests/bench/urls.py);
- ``tests.bench.middleware.BenchMiddleware`` first: it forces a cache miss or counts queries
  only for a request that asks with a header; every other request passes straight through;
- ``MENDED_BENCH_STATIC``: where collectstatic writes (production serves the manifest's files);
- without ``DATABASE_URL``, a throw-away SQLite file named by ``MENDED_BENCH_DB``
  (``python -m tests.bench`` creates it in a temporary directory), so the developer's
  db.sqlite3 is never touched.
"""
import os
import tempfile

from config.settings import *  # noqa: F401,F403
from config.settings import MIDDLEWARE, STATIC_ROOT

ROOT_URLCONF = "tests.bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
MIDDLEWARE = ["tests.bench.middleware.BenchMiddleware", *MIDDLEWARE]
STATIC_ROOT = os.environ.get("MENDED_BENCH_STATIC", STATIC_ROOT)

if not os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("MENDED_BENCH_DB", os.path.join(tempfile.gettempdir(), "mended-bench.sqlite3")),
        }
    }
