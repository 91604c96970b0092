"""Mended settings: one module, read from environment variables.

With no environment at all the project runs on its embedded default: SQLite, Celery
tasks run eagerly in the web process, a localstripe server on 127.0.0.1:8420 stands in
for Stripe, and e-mail is printed to the console. ``DJANGO_ENV=production`` refuses to
start until every secret and production part is configured.
"""
from datetime import date
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
# Production runs behind a TLS-terminating proxy that sets X-Forwarded-Proto/-For by default.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=PRODUCTION)

PRODUCTION_REQUIRED = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "FIELD_ENCRYPTION_KEYS",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
)
if PRODUCTION:
    missing = [name for name in PRODUCTION_REQUIRED if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: " + ", ".join(missing)
        )

# A development-only key; production must set DJANGO_SECRET_KEY (checked above).
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-mended-secret-key-never-use-in-production-0123456789")
# Retired keys, newest first: signed links and gift-card codes made under them keep working
# (cards are re-keyed when next used). Comma-separated.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",  # django-csp: the Content-Security-Policy header (shop.platform.security adds Stripe.js)
    # shop comes before allauth so its templates restyle allauth's pages.
    "shop",
    "payroll",
    # After shop: shop/templates/admin/base_site.html gives the admin the staff navigation.
    "django.contrib.admin",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shop.platform.security.ContentSecurityPolicyMiddleware",
    "shop.platform.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # A query string or form field with NUL or another control character: 400 before the view.
    "shop.platform.security.ControlCharacterMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff are logged out after SESSION_STAFF_IDLE_SECONDS without a request.
    "shop.platform.security.StaffIdleTimeoutMiddleware",
    # Cache-Control: no-store on every logged-in response and on secret-link pages.
    "shop.platform.security.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A check-in kiosk's session reaches the kiosk's pages and nothing else (payroll/kiosk.py).
    "payroll.kiosk.KioskMiddleware",
    # The audit trail learns who is acting and from where (shop/platform/audit.py).
    "shop.platform.audit.AuditContextMiddleware",
    # Payroll and program staff reach nothing until their login passed two-factor authentication.
    "shop.platform.mfa.StaffMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.platform.context_processors.site",
            ],
            # {% extends %} that finds the root template's blocks once (shop/platform/template_extends.py)
            "builtins": ["shop.platform.template_extends"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Production keeps each worker's database connection open between requests (opening one
# cost a fifth to a third of a page's time), checked before reuse; with many workers put
# PgBouncer (transaction pooling) in front and set DATABASE_CONN_MAX_AGE=0 (README).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling a server-side cursor (.iterator()) does not survive (README).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False)
# The embedded default (SQLite) serves a browser and localstripe's webhooks at the same time.
# WAL lets readers run beside the one writer; the timeout makes a second writer wait for the
# lock instead of failing; BEGIN IMMEDIATE takes the write lock when a transaction starts, so a
# transaction that read first never has to upgrade its lock, which SQLite refuses at once with
# "database is locked" whatever the timeout (tests/test_sqlite_concurrency.py).
SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DATABASES["default"].setdefault("TEST", {})
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://mended")}

AUTH_USER_MODEL = "shop.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "shop:home"

# django-allauth: customers sign up and log in with their e-mail address.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up never reveals whether an address has an account (shop/forms/accounts.py): both
# answers are "check your e-mail"; the owner of a taken address is e-mailed that someone tried.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_FORMS = {"signup": "shop.forms.accounts.SignupForm"}
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
# Before a sensitive change (two-factor settings) allauth asks the person to prove it is them
# again: by password or authenticator app only, never by a code e-mailed to them (allauth's
# default since 65.22), which would let whoever reads the mailbox stand in for the password.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# Login throttling: failed logins are limited per IP and per account (cache-backed).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    # Password reset e-mails: five an hour from one IP and five an hour to one address.
    "reset_password": env("RESET_PASSWORD_RATE_LIMIT", default="5/h/ip,5/h/key"),
}
# Mended's own limits (shop/platform/ratelimit.py), written as allauth writes its own: what costs
# money or sends e-mail to an address a visitor types. Kept in the cache, shared by all hosts.
MENDED_RATE_LIMITS = {
    # Card payments (orders, gift boxes, gifts, tickets, sponsorships, card updates), to stop
    # card testing: every confirmation counts per session and per IP...
    "payment_confirm": env("PAYMENT_CONFIRM_RATE_LIMIT", default="5/10m/session,10/h/ip"),
    # ...and a card (Stripe's fingerprint of its number) refused three times rests for an hour.
    "card_failure": env("CARD_FAILURE_RATE_LIMIT", default="3/h/card"),
    # The card page's SetupIntents: with each, Stripe.js has Stripe check a card.
    "payment_setup": env("PAYMENT_SETUP_RATE_LIMIT", default="5/10m/session,10/h/ip"),
    "hosting_request": env("HOSTING_REQUEST_RATE_LIMIT", default="3/h/ip"),
    "pledge": env("PLEDGE_RATE_LIMIT", default="3/h/ip"),
    # Organisation and giving-circle invitations: each address invited counts.
    "invitation": env("INVITATION_RATE_LIMIT", default="20/h/user"),
    # Ready for gift claim links and gift card codes (call shop.platform.ratelimit.hit with these names).
    "gift_claim": env("GIFT_CLAIM_RATE_LIMIT", default="10/h/ip"),
    # Gift card codes typed at checkout that are no active card (shop/views/checkout.py).
    "gift_card_code": env("GIFT_CARD_CODE_RATE_LIMIT", default="5/10m/session,10/h/ip"),
    # "E-mail me when it's back" (a typed address): per visitor's IP and per address asked for.
    "restock_request": env("RESTOCK_REQUEST_RATE_LIMIT", default="10/h/ip,5/d/email"),
    # Discount codes typed at checkout that are no code at all (guessing); over it, every code
    # is refused for the rest of the window (shop/views/checkout.py).
    "discount_code": env("DISCOUNT_CODE_RATE_LIMIT", default="5/10m/session,20/h/ip"),
    # Wrong PINs at a check-in kiosk (payroll/views/kiosk.py): five per kiosk in 15 minutes, and
    # twenty an hour from one address; then a coordinator's login is the way out.
    "kiosk_pin": env("KIOSK_PIN_RATE_LIMIT", default="5/15m/kiosk,20/h/ip"),
}
# Logs a login refused by the limits above (failed logins are logged by shop.platform.security too).
ACCOUNT_ADAPTER = "shop.platform.security.AccountAdapter"
# Behind a proxy, the client IP for the per-IP limits is the last X-Forwarded-For hop the
# proxies we run added (0: REMOTE_ADDR, no proxy).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
# Two-factor authentication (django-allauth MFA): an authenticator app with recovery codes.
# Payroll and program staff (and superusers) must use it (shop/platform/mfa.py); others may.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default=env("ORG_NAME", default="Mended Threads"))
MFA_ADAPTER = "shop.platform.mfa.MendedMFAAdapter"  # secrets stored encrypted with FIELD_ENCRYPTION_KEYS
# The code step of the login counts failures per account and IP, like the password step.
MFA_FORMS = {"authenticate": "shop.platform.mfa.AuthenticateForm"}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Uploaded and generated files: local disk by default; S3-compatible storage when a
# bucket is configured, so several web and worker hosts share them.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    # Pay stubs and other personal documents: never public, served only through views
    # that check who is asking.
    private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**default_storage["OPTIONS"], "location": "private", "default_acl": "private"},
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")), "base_url": None},
    }
STORAGES = {
    "default": default_storage,
    "private": private_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not PRODUCTION and not AWS_STORAGE_BUCKET_NAME)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Mended Threads <hello@mended.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker configured, tasks run eagerly in the calling process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not env.str("CELERY_BROKER_URL", default=""))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="mended")
# Keep a worker's database connection for this many tasks instead of reconnecting for each.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message taken by a worker that dies unacked is redelivered after this many seconds
# (Redis); workers look for such messages every 10 s rather than kombu's default 100 s.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "release-expired-reservations": {"task": "shop.tasks.release_expired_reservations", "schedule": 300.0},
    "sweep-stripe-events": {"task": "shop.tasks.sweep_stripe_events", "schedule": 120.0},
    "sweep-wage-fund": {"task": "payroll.tasks.sweep_wage_fund", "schedule": 600.0},
    "anonymise-training-records": {"task": "payroll.tasks.anonymise_training_records", "schedule": crontab(day_of_month=1, hour=3, minute=0)},
    "remind-overdue-invoices": {"task": "shop.tasks.remind_overdue_invoices", "schedule": crontab(hour=9, minute=0)},
    # Gifts sent by claim link: reminders to the unclaimed, then the expired orders settled.
    "gift-claims-daily": {"task": "shop.tasks.gift_claims_daily", "schedule": crontab(hour=9, minute=15)},
    # Gift cards whose chosen day has come (each e-mailed once, shop.services.giftcards).
    "send-gift-cards-due": {"task": "shop.tasks.send_gift_cards_due", "schedule": crontab(minute=15)},
    "reconcile-wage-fund-nightly": {
        "task": "payroll.tasks.reconcile_wage_fund_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # A fund below zero, or short of the next payroll's draw: logged and e-mailed to payroll staff.
    "check-fund-levels-nightly": {"task": "payroll.tasks.check_fund_levels_nightly", "schedule": crontab(hour=2, minute=40)},
    "remind-training-followups": {
        "task": "payroll.tasks.remind_training_followups",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
    "refresh-ended-consents": {"task": "payroll.tasks.refresh_ended_consents", "schedule": crontab(hour=0, minute=5)},
    "send-volunteer-shift-reminders": {"task": "payroll.tasks.send_shift_reminders", "schedule": 600.0},
    "auto-check-out-volunteers": {"task": "payroll.tasks.auto_check_out_volunteers", "schedule": 900.0},
    "release-expired-event-holds": {"task": "shop.tasks.release_expired_event_holds", "schedule": 300.0},
    "year-end-giving-statements": {
        "task": "shop.tasks.start_year_end_statements",
        "schedule": crontab(month_of_year=1, day_of_month=15, hour=6, minute=0),
    },
}

# Stripe. The embedded default points the API and Stripe.js at a local localstripe.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com" if PRODUCTION else "http://127.0.0.1:8420")
STRIPE_JS_URL = env(
    "STRIPE_JS_URL",
    default="https://js.stripe.com/v3/" if PRODUCTION else STRIPE_API_BASE.rstrip("/") + "/js.stripe.com/v3/",
)
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="sk_test_mended_local")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="pk_test_mended_local")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="whsec_mended_local")

# Survivor personal data is encrypted with MultiFernet over these keys (newest first).
# The default is a development-only key; production must set FIELD_ENCRYPTION_KEYS.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=["u-H2xt60aqyGxCAtruXZ5QqIPIk4E6EZqdbWvYKHg-4="])

# The organisation. Demo values describe a fictional organisation.
MENDED_ORG = {
    "NAME": env("ORG_NAME", default="Mended Threads"),
    "LEGAL_NAME": env("ORG_LEGAL_NAME", default="Mended Threads Collective, Inc."),
    "EIN": env("ORG_EIN", default="12-3456789"),
    "ADDRESS": env("ORG_ADDRESS", default="100 Harbor Street, Suite 4, Tampa, FL 33602"),
    "SUPPORT_EMAIL": env("ORG_SUPPORT_EMAIL", default="hello@mended.example"),
    "STATE": env("ORG_STATE", default="FL"),
    "POSTAL_CODE": env("ORG_POSTAL_CODE", default="33602"),  # its county's surtax is charged on pickups
    "MISSION": env(
        "ORG_MISSION",
        default=(
            "We employ survivors of human trafficking at a steady, fair wage to make beautiful "
            "goods, and fund their training, counselling and care from every sale and gift."
        ),
    ),
    "IMPACT_LINE": env(
        "ORG_IMPACT_LINE",
        default="Every purchase pays for hours of survivor-made work at a living wage.",
    ),
    "HOTLINE_TEXT": env(
        "ORG_HOTLINE_TEXT",
        default=(
            "National Human Trafficking Hotline: call 1-888-373-7888 or text 233733. "
            "Confidential, 24/7."
        ),
    ),
}
# How a client's finance team pays a gift-box invoice (the invoice PDF and e-mail print these).
# The demo values are plainly not a real bank: set every one in production. Only the last
# four digits of the account are ever printed; the full number is given by phone on request,
# so a forged e-mail cannot redirect a payment by "changing our bank details".
GIFT_INVOICE = {
    "REMIT_TO": env("INVOICE_REMIT_TO", default=f"{MENDED_ORG['LEGAL_NAME']}, Accounts receivable, {MENDED_ORG['ADDRESS']}"),
    "BANK_NAME": env("INVOICE_BANK_NAME", default="Example Demo Bank (not a real bank)"),
    "ACH_ROUTING": env("INVOICE_ACH_ROUTING", default="000000000"),
    "ACCOUNT_LAST4": env("INVOICE_ACCOUNT_LAST4", default="0000"),
    "ACCOUNT_NAME": env("INVOICE_ACCOUNT_NAME", default=MENDED_ORG["LEGAL_NAME"]),
    "PHONE": env("INVOICE_PHONE", default="(555) 010-0100"),
    "TERMS_DAYS": env.int("INVOICE_TERMS_DAYS", default=30),
}
# Where the quick-exit button sends a visitor. A local neutral page by default, so it
# works without network; production may point it at a neutral public site.
QUICK_EXIT_URL = env("QUICK_EXIT_URL", default="/weather/")

SHOP_PAGE_SIZE = env.int("SHOP_PAGE_SIZE", default=24)

# Security (README "Security"). Production is HTTPS-only, by default behind a proxy that
# sets X-Forwarded-Proto (BEHIND_PROXY=false when gunicorn terminates TLS itself).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(self)"
# Staff (any staff role, is_staff or superuser) are logged out after this long without a
# request; customers keep the normal session age.
SESSION_STAFF_IDLE_SECONDS = env.int("SESSION_STAFF_IDLE_SECONDS", default=30 * 60)
# Content-Security-Policy (django-csp 4): no inline script without the page's nonce, no
# eval, no inline style attributes. shop.platform.security adds the Stripe.js origins, derived from
# STRIPE_JS_URL and STRIPE_API_BASE at each request (Stripe, or localstripe locally).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF, "data:", "blob:"],  # data: the MFA QR code; blob: the gift logo preview
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "frame-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
if PRODUCTION:
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Error reports (mail_admins, debug pages) carry code and names, never variable values, form
# fields, query strings, cookies or the signed-in person's address; every log record is masked
# for SSNs, bank and card numbers and e-mail addresses as it is made (shop/platform/redact.py).
DEFAULT_EXCEPTION_REPORTER = "shop.platform.redact.PrivateExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "shop.platform.redact.PrivateExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failed and throttled logins, staff sessions ended for inactivity (shop/platform/security.py).
        "security": {"level": "INFO"},
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        # With eager tasks there is no broker; kombu would warn that the memory one has no host.
        "kombu.connection": {"level": "ERROR" if CELERY_TASK_ALWAYS_EAGER else "WARNING"},
    },
}
STOCK_RESERVATION_MINUTES = env.int("STOCK_RESERVATION_MINUTES", default=30)
# The site's public address, for links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The longest a public page's shared part is kept (shop/platform/page_cache.py); a change to
# what it shows retires it at once, this bounds what another process's per-process cache shows.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
AVERAGE_HOURLY_WAGE = Decimal(env("AVERAGE_HOURLY_WAGE", default="17.50"))  # for impact figures

# Payroll: biweekly periods counted from a Monday; pay day a few days after a period ends.
PAY_PERIOD_ANCHOR = date.fromisoformat(env("PAY_PERIOD_ANCHOR", default="2026-01-05"))
PAY_DATE_OFFSET_DAYS = env.int("PAY_DATE_OFFSET_DAYS", default=5)
# The employer's state unemployment tax (ORG_STATE names it: payroll/tax_tables/states.json).
STATE_UNEMPLOYMENT_RATE = Decimal(env("STATE_UNEMPLOYMENT_RATE", default="0.027"))
STATE_UNEMPLOYMENT_WAGE_BASE = Decimal(env("STATE_UNEMPLOYMENT_WAGE_BASE", default="7000"))
# A pay rate above this (or over three times the median current rate) must be confirmed: typos like $155.00.
PAY_RATE_CONFIRM_ABOVE = Decimal(env("PAY_RATE_CONFIRM_ABOVE", default="60.00"))
# 501(c)(3) organisations pay no FUTA and file no Form 940: the standing before the first
# PayrollSetting row (payroll.selectors.filings.settings_on); later rows say it by date.
FUTA_EXEMPT = env.bool("FUTA_EXEMPT", default=True)
# Direct deposit (NACHA): the organisation's bank (ODFI) and company identification.
PAYROLL_BANK_ROUTING = env("PAYROLL_BANK_ROUTING", default="021000021")
PAYROLL_BANK_NAME = env("PAYROLL_BANK_NAME", default="DEMO COMMUNITY BANK")
# What a survivor's bank statement and pay e-mails show as the payer: a neutral business name,
# never the program's description (NACHA company name: 16 characters; entry description: 10).
PAYROLL_PAYER_NAME = env("PAYROLL_PAYER_NAME", default="MT PAYROLL")
PAYROLL_ENTRY_DESCRIPTION = env("PAYROLL_ENTRY_DESCRIPTION", default="PAYROLL")
# A new bank account first gets a zero-dollar test entry (a prenote) and that pay goes by paper check.
PAYROLL_PRENOTES = env.bool("PAYROLL_PRENOTES", default=True)
# Years after a training exit before the record's free text is removed (counts are kept).
TRAINING_RETENTION_YEARS = env.int("TRAINING_RETENTION_YEARS", default=7)
# The longest a participant's consent to share their information may run (days): a release is time-limited.
CONSENT_MAX_DAYS = env.int("CONSENT_MAX_DAYS", default=365)

# Corporate gift boxes.
GIFT_LOGO_FEE = Decimal(env("GIFT_LOGO_FEE", default="3.00"))  # per box
GIFT_INITIALS_FEE = Decimal(env("GIFT_INITIALS_FEE", default="2.00"))  # per box
GIFT_ASSEMBLY_WAGE = Decimal(env("GIFT_ASSEMBLY_WAGE", default="4.00"))  # survivor labour per box, credited to the wage fund
GIFT_SHIPPING_PER_RECIPIENT = Decimal(env("GIFT_SHIPPING_PER_RECIPIENT", default="12.00"))
GIFT_BULK_SHIPPING_BASE = Decimal(env("GIFT_BULK_SHIPPING_BASE", default="40.00"))
GIFT_BULK_SHIPPING_PER_BOX = Decimal(env("GIFT_BULK_SHIPPING_PER_BOX", default="1.50"))
GIFT_PRODUCTION_DAYS = env.int("GIFT_PRODUCTION_DAYS", default=10)  # working days after proof approval
# Gifts sent by claim link: a reminder to an e-mailed recipient who has not claimed, this many
# days before the expiry date (each sent once).
GIFT_CLAIM_REMINDER_DAYS = tuple(int(d) for d in env.list("GIFT_CLAIM_REMINDER_DAYS", default=["7", "2"]))
GIFT_EXTRA_DAYS_PER_100 = env.int("GIFT_EXTRA_DAYS_PER_100", default=2)  # more for larger orders

# Volunteer work days.
VOLUNTEER_WAIVER_VALID_DAYS = env.int("VOLUNTEER_WAIVER_VALID_DAYS", default=365)  # then it must be signed again
VOLUNTEER_ADULT_AGE = env.int("VOLUNTEER_ADULT_AGE", default=18)  # younger volunteers need a guardian's co-signature
VOLUNTEER_AUTO_CHECKOUT_HOURS = env.int("VOLUNTEER_AUTO_CHECKOUT_HOURS", default=12)  # then signed out and flagged
# Who signs the hours certificate (the organisation's volunteer coordinator).
VOLUNTEER_SIGNER_NAME = env("VOLUNTEER_SIGNER_NAME", default="Jordan Avery")
VOLUNTEER_SIGNER_TITLE = env("VOLUNTEER_SIGNER_TITLE", default="Volunteer Coordinator")
# The value of a volunteer hour for the coordinator's reports, dated: each (from, dollars,
# source); a report uses the newest rate in force on its last day. Independent Sector
# publishes the national figure each April (BLS average hourly earnings of private
# non-supervisory workers, plus 12% for benefits). VOLUNTEER_HOUR_VALUE adds a newer one
# ("YYYY-MM-DD:dollars"), e.g. Florida's state figure or next April's.
VOLUNTEER_HOUR_VALUES = [
    ("2024-04-16", "33.49", "Independent Sector, value of a volunteer hour, national, April 2024"),
    ("2025-04-22", "34.79", "Independent Sector, value of a volunteer hour, national, April 2025"),
]
if env("VOLUNTEER_HOUR_VALUE", default=""):
    _from, _dollars = env("VOLUNTEER_HOUR_VALUE").split(":", 1)
    VOLUNTEER_HOUR_VALUES.append((_from, _dollars, "VOLUNTEER_HOUR_VALUE setting"))

# Text reminders (shop/platform/sms.py): printed on the console unless a provider is set. With
# TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM (a number or a Messaging Service SID)
# they go through Twilio; its replies webhook is /volunteer/texts/replies/ (STOP, START, HELP).
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env("TWILIO_FROM", default="")
SMS_BACKEND = env("SMS_BACKEND", default="twilio" if TWILIO_ACCOUNT_SID else "console")

# Giving: the card fee a donor may cover (percent + fixed), failed monthly charges before a
# monthly gift is cancelled, and the Florida charitable-solicitation registration number.
DONATION_FEE_PERCENT = Decimal(env("DONATION_FEE_PERCENT", default="2.9"))
DONATION_FEE_FIXED = Decimal(env("DONATION_FEE_FIXED", default="0.30"))
DONATION_MAX_FAILED_CHARGES = env.int("DONATION_MAX_FAILED_CHARGES", default=3)
DONATION_PRESETS = [Decimal(a) for a in env.list("DONATION_PRESETS", default=["25", "50", "100", "250"])]
FL_SOLICITATION_REGISTRATION = env("FL_SOLICITATION_REGISTRATION", default="CH00000")

# Events: an unpaid ticket or sponsorship holds its place this long, then is released;
# hosting requests are announced to this address (the shop staff's).
EVENT_HOLD_MINUTES = env.int("EVENT_HOLD_MINUTES", default=30)
SHOP_STAFF_EMAIL = env("SHOP_STAFF_EMAIL", default=MENDED_ORG["SUPPORT_EMAIL"])
