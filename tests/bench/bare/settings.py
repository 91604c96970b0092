"""The bare project's settings: nothing installed, nothing in the way, DEBUG off."""
SECRET_KEY = "bench-bare-not-secret"  # noqa: S105 - a benchmark's throw-away project
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.bench.bare.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": False}]
USE_TZ = True
