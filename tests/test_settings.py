"""Settings are read from the environment; production refuses to start half-configured."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "prod-" + "k7Qz9xW2mN4vB8cR1tY6uI3oP5aS0dF" * 2,
    "DJANGO_ALLOWED_HOSTS": "shop.example.org",
    "DATABASE_URL": "postgres://mended@db.example.org:5432/mended",
    "CELERY_BROKER_URL": "redis://cache.example.org:6379/0",
    "FIELD_ENCRYPTION_KEYS": "u-H2xt60aqyGxCAtruXZ5QqIPIk4E6EZqdbWvYKHg-4=",
    "STRIPE_SECRET_KEY": "sk_live_example",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
}


def manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_its_secrets():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in ("STRIPE_WEBHOOK_SECRET", "FIELD_ENCRYPTION_KEYS")}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_ENV=production needs these environment variables: FIELD_ENCRYPTION_KEYS, STRIPE_WEBHOOK_SECRET" in result.stderr


def test_production_passes_check_deploy_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_are_strict():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0,"
        " s.CELERY_TASK_ALWAYS_EAGER, s.STRIPE_API_BASE, s.DATABASES['default']['ENGINE'])"
    )
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "False True True True True False https://api.stripe.com django.db.backends.postgresql"
    )


def test_embedded_default_needs_no_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.STRIPE_API_BASE, s.EMAIL_BACKEND,"
        " s.STORAGES['default']['BACKEND'])"
    )
    result = manage("shell", "-c", code, env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "django.db.backends.sqlite3 True http://127.0.0.1:8420 django.core.mail.backends.console.EmailBackend "
        "django.core.files.storage.FileSystemStorage"
    )


def test_s3_storage_when_a_bucket_is_configured():
    code = "from django.conf import settings as s; print(s.STORAGES['default']['BACKEND'], s.STORAGES['default']['OPTIONS']['bucket_name'])"
    result = manage("shell", "-c", code, env={"AWS_STORAGE_BUCKET_NAME": "mended-media", "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "storages.backends.s3.S3Storage mended-media"


def test_production_headers_hsts_and_the_proxy():
    """A production request over plain HTTP is redirected; over HTTPS (as the proxy says) it
    gets HSTS for a year with subdomains and preload, and the CSP allows Stripe itself."""
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='shop.example.org');"
        "r = c.get('/weather/'); print(r.status_code, r['Location']);"
        "r = c.get('/weather/', HTTP_X_FORWARDED_PROTO='https');"
        "print(r.status_code, r['Strict-Transport-Security']);"
        "csp = dict((p.split()[0], p.split()[1:]) for p in r['Content-Security-Policy'].split(';'));"
        "print(' '.join(x for x in csp['script-src'] if 'nonce' not in x), ' '.join(csp['connect-src']),"
        " r['Permissions-Policy'])"
    )
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-3:] == [
        "301 https://shop.example.org/weather/",
        "200 max-age=31536000; includeSubDomains; preload",
        "'self' https://js.stripe.com https://*.js.stripe.com 'self' https://js.stripe.com https://api.stripe.com "
        "camera=(), microphone=(), geolocation=(), payment=(self)",
    ]


def test_the_proxy_is_a_setting():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_PROXY_SSL_HEADER, s.ALLAUTH_TRUSTED_PROXY_COUNT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    behind = manage("shell", "-c", code, env=PRODUCTION_ENV)
    direct = manage("shell", "-c", code, env={**PRODUCTION_ENV, "BEHIND_PROXY": "false"})
    assert behind.returncode == direct.returncode == 0, behind.stderr + direct.stderr
    assert behind.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https') 1 True True"
    assert direct.stdout.strip().splitlines()[-1] == "None 0 True True"


def test_production_keeps_database_connections_and_checks_them_before_reuse():
    code = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    assert manage("shell", "-c", code, env=PRODUCTION_ENV).stdout.strip().splitlines()[-1] == "600 True"
    behind_pgbouncer = manage("shell", "-c", code, env={**PRODUCTION_ENV, "DATABASE_CONN_MAX_AGE": "0"})
    assert behind_pgbouncer.stdout.strip().splitlines()[-1] == "0 True"
    assert manage("shell", "-c", code, env={}).stdout.strip().splitlines()[-1] == "0 True"  # embedded: no pool


def test_behind_pgbouncer_server_side_cursors_can_be_turned_off():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    assert manage("shell", "-c", code, env=PRODUCTION_ENV).stdout.strip().splitlines()[-1] == "False"
    behind = manage("shell", "-c", code, env={**PRODUCTION_ENV, "DATABASE_CONN_MAX_AGE": "0",
                                              "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "1"})
    assert behind.stdout.strip().splitlines()[-1] == "True", behind.stderr
