"""Settings for the benchmark server: the project's settings, production-like (DEBUG off).

The database is ``DATABASE_URL`` when set; otherwise a throw-away SQLite file named by
``MENDED_BENCH_DB`` (``python -m tests.bench`` creates it in a temporary directory), so
the developer's db.sqlite3 is never touched.
"""
import os
import tempfile

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "tests.bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

if not os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("MENDED_BENCH_DB", os.path.join(tempfile.gettempdir(), "mended-bench.sqlite3")),
        }
    }
