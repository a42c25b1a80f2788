"""One settings module, every value from the environment (12-factor).

Defaults are the *embedded* ones: SQLite under var/, a server-less Celery broker
(kombu's filesystem transport) under var/, and emails written as files under
var/mail/. Production switches hardening on with DEBUG=False and real URLs.
A bad value stops start-up with one line (ImproperlyConfigured), not a traceback.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from portal.storage import default_storage_config

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # before any setting is read, PORTAL_VAR_DIR included
VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))


def _url_setting(name: str, parse, default: str):
    raw = env.str(name, default=default)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # environ only *warns* about an unknown scheme
            value = parse(raw)
    except Exception as exc:  # environ raises several types for one problem
        raise ImproperlyConfigured(f"{name} is not a valid URL ({raw!r}): {exc}") from None
    if not value or (isinstance(value, dict) and not value.get("ENGINE", True)):
        raise ImproperlyConfigured(f"{name} is not a valid URL: {raw!r}")
    return value


# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=False.")
    SECRET_KEY = _DEV_SECRET
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
if not DEBUG and not env.str("ALLOWED_HOSTS", default=""):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG=False.")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "exemptions",
]

MIDDLEWARE = [
    "portal.middleware.RequestLogMiddleware",  # first: times and tags everything below
    "portal.middleware.BodySizeLimitMiddleware",  # before anything can read the body
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.PrivateNoStoreMiddleware",  # after WhiteNoise: static files keep their own caching
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.middleware.BadQueryMiddleware",  # a NUL or an impossible date in the query: 400, not a 500
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionExpiryMiddleware",  # after messages: it tells the user why they were signed out
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.StaffMFAMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires: turns a lockout into its page
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "exemptions.context_processors.portal",
                "portal.context_processors.session_timeout",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {"default": _url_setting("DATABASE_URL", env.db_url_config, f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE: concurrent web and worker writers without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: allauth's rate limits (failed logins, second-factor codes, registry checks) and its used-TOTP-code
# list live here. One process's memory by default; with several gunicorn workers or hosts set
# CACHE_URL=redis://…/1 so every process counts the same attempts. Sessions stay in the database (Django's
# default engine) and django-axes' lockouts too (its database handler): every host sees them.
CACHES = {"default": _url_setting("CACHE_URL", env.cache_url_config, "locmemcache://")}
# Several hosts serve the portal (behind one load balancer): portal/checks.py then warns about state one host
# would keep to itself (a per-process cache, files on a local disk).
PORTAL_MULTI_HOST = env.bool("PORTAL_MULTI_HOST", default=False)
# Object storage for every private file (an S3-compatible bucket); unset, files stay under MEDIA_ROOT.
STORAGE_URL = env.str("STORAGE_URL", default="")

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "exemptions.User"
AUTHENTICATION_BACKENDS = [
    "portal.auth.LockoutBackend",  # django-axes: first, so a locked-out login never reaches a password check
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "exemptions:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # verified before the first sign-in; also what stops sign-up enumeration
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Verified by the link in the browser that signed up: signed in, on "Start a request"; elsewhere: sign in first.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_REDIRECT_URL = "exemptions:request_start"
ACCOUNT_EMAIL_CONFIRMATION_ANONYMOUS_REDIRECT_URL = "/accounts/login/?next=/requests/new/"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # the portal's subjects name the site themselves
# Sign-up and allauth's other emails go through the outbox (delivered by the worker), so a sign-up with a new
# address answers as fast as one with an existing address; see portal/adapters.py.
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "portal.adapters.SignupForm"}
# allauth's rate limits: only the keys set here replace the library's defaults (the others stay as shipped).
# None has a per-address part that counts failures: one address (a clinic's NAT, a proxy) failing against many
# accounts never blocks another account's correct password.
# - "login_failed": failed passwords per account whatever the address (the library's per-key brake, default
#   5/5m/key), set above django-axes' per (account, address) limit so one address meets axes' pause first and
#   the same account still signs in from elsewhere; a distributed guess gets 10 tries per 15 minutes.
# - "second_factor_failed" (portal.auth): wrong second-factor codes per account, whatever the address or session:
#   5, then a 15-minute pause that refuses even the right code.
# - "login": the library's per-address flood brake on login POSTs (one minute).
# - "registry_lookup" (exemptions.views.registry): NPI registry checks per account while typing; 60 NPIs typed
#   by hand, each checked once or twice, stay well under it.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/15m/key"),
    "second_factor_failed": env.str("SECOND_FACTOR_RATE_LIMIT", default="5/15m/key"),
    "login": env.str("LOGIN_RATE_LIMIT", default="30/m/ip"),
    "registry_lookup": env.str("REGISTRY_LOOKUP_RATE_LIMIT", default="120/m/user"),
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"

# --- Internationalisation / time --------------------------------------------
LANGUAGE_CODE = "en-us"
# The portal's words for the account library's pages ("Sign in", "Create account"): locale/en/LC_MESSAGES.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STORAGES = {
    # Private files (uploads, letters, receipts, batches, bundles): MEDIA_ROOT, or with STORAGE_URL (or the AWS_*
    # variables) an S3-compatible bucket shared by every host (portal/storage.py). Served only through
    # permission-checked views, never by URL.
    "default": default_storage_config(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # silences WhiteNoise's "no directory" warning in dev
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2500 * 8 + 100  # 2,500 EPs of 8 fields each, plus the form's own fields

# --- Email ------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="eRx Hardship Exemption Requests <no-reply@erx.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_url = env.str("EMAIL_URL", default="file://" + str(VAR_DIR / "mail"))
if _email_url.startswith("file://"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = _email_url.removeprefix("file://")
elif _email_url in ("locmem://", "memory://"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif _email_url == "console://":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    globals().update(_url_setting("EMAIL_URL", env.email_url_config, _email_url))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Celery -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_IS_FILESYSTEM = CELERY_BROKER_URL.startswith("filesystem://")
_broker_dir = VAR_DIR / "broker"
if CELERY_BROKER_IS_FILESYSTEM:  # kombu's filesystem transport needs its folders to exist
    for _folder in ("queue", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_IS_FILESYSTEM
    else {
        # A hung Redis must never block a web worker: fail fast, the outbox catches it.
        "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=2.0),
        "socket_connect_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=2.0),
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
        "visibility_timeout": 3600,
    }
)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# One message at a time per process: letters and batches take seconds, and acks_late tasks re-run if prefetched
# messages die with a worker.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=1)
CELERY_WORKER_MAX_TASKS_PER_CHILD = 2000
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Workers log through LOGGING below (JSON lines in production, tagged task:<id> by portal.logs).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Forms / UI -------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Portal rules -----------------------------------------------------------
PORTAL_JUSTIFICATION_MAX_CHARS = 20000
PORTAL_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
PORTAL_DOCUMENTS_PER_REQUEST = 5
PORTAL_OUTBOX_REPUBLISH_AFTER_SECONDS = env.int("PORTAL_OUTBOX_REPUBLISH_AFTER_SECONDS", default=60)
# Who answers people's questions: shown on the Contact page, in every page footer and at the end of every email.
PORTAL_HELP_DESK_EMAIL = env.str("PORTAL_HELP_DESK_EMAIL", default="erx-hardship-help@example.gov")
PORTAL_HELP_DESK_PHONE = env.str("PORTAL_HELP_DESK_PHONE", default="1-866-288-8912")
PORTAL_HELP_DESK_HOURS = env.str("PORTAL_HELP_DESK_HOURS", default="Monday to Friday, 7:00 a.m. to 7:00 p.m. ET")

# --- Logging ----------------------------------------------------------------
# JSON lines (one per request from portal.middleware.RequestLogMiddleware) in production; text in development.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # axes logs every attempt with the username at INFO
    },
}

# --- Security (switched on by DEBUG=False) ----------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Probes come from the load balancer over plain HTTP: never redirect them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Proxies in front of gunicorn whose X-Forwarded-For / X-Forwarded-Proto are trusted (0 = none: the socket
# address is the client, and a client's X-Forwarded-Proto is ignored). allauth's rate limits read the same count.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Only a plain-HTTP test rig (bench/load) turns these off; `check --deploy` warns if it is.
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Content-Security-Policy (django-csp 4): every script and style is a file under static/; no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap's icons and allauth's TOTP QR code are data: SVGs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    },
}

# Sessions: 30 minutes idle, 12 hours absolute (NIST SP 800-63B AAL2), enforced by
# portal.middleware.SessionExpiryMiddleware; the browser warns PORTAL_SESSION_WARN_SECONDS before.
PORTAL_SESSION_IDLE_SECONDS = env.int("PORTAL_SESSION_IDLE_SECONDS", default=30 * 60)
PORTAL_SESSION_ABSOLUTE_SECONDS = env.int("PORTAL_SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
PORTAL_SESSION_WARN_SECONDS = 120
# The stored session outlives the idle limit so the middleware, not a silently vanished row, ends it and can
# say why; the cookie itself ends with the browser.
SESSION_COOKIE_AGE = PORTAL_SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Failed logins (django-axes): 5 wrong passwords for one account from one IP pause that pair for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the pause ends when it says it does
AXES_USERNAME_CALLABLE = "portal.auth.login_username"
AXES_CLIENT_IP_CALLABLE = "portal.auth.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.auth.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "oldpassword", "code"]
# Every refused password and second-factor code is a row in the admin's "Access failures" list (locked_out when
# it was refused by a pause); portal.auth adds the second-factor rows, which django-axes does not see.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Two-factor authentication (allauth.mfa): TOTP plus recovery codes; required for staff on the admin.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "eRx Hardship Exemptions"
# allauth's code forms, recording each refused code and the pause (ACCOUNT_RATE_LIMITS["login_failed"]) for admins.
MFA_FORMS = {"authenticate": "portal.auth.AuthenticateForm", "reauthenticate": "portal.auth.ReauthenticateForm"}
PORTAL_REQUIRE_STAFF_MFA = env.bool("PORTAL_REQUIRE_STAFF_MFA", default=True)
PORTAL_ADMIN_PATH = "/admin/"

# Request bodies: refused from Content-Length before reading (portal.middleware.BodySizeLimitMiddleware).
PORTAL_MAX_REQUEST_BYTES = 2 * PORTAL_DOCUMENT_MAX_BYTES + 1024 * 1024
