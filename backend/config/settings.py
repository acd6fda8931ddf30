"""Django settings for Printbell. Every value comes from the environment or `.env`; see
`docs/deployment.md` for the full list."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from config.env import BACKEND_DIR, REPO_DIR, data_dir, env, load_dotenv, secret_key  # noqa: F401

load_dotenv()

DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env.bool("DEBUG", default=False)

SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"{_site.scheme}://{_site.netloc}"])
if _site.scheme == "https":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally: the docs page works offline
    "huey.contrib.djhuey",
    "core",
    "accounts",
    "printers",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Embedded default: SQLite in WAL mode in the data folder. Scale-out: DATABASE_URL=postgres://...
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'printbell.sqlite3'}")}
_db = DATABASES["default"]
_db.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=600))
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            # Writers queue behind each other instead of failing; IMMEDIATE avoids the
            # read-then-upgrade deadlock that makes SQLite answer "database is locked".
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=30000;"
            ),
        }
    )
    _db.setdefault("TEST", {})["NAME"] = str(DATA_DIR / "test.sqlite3")

# --- Task queue (Huey) ----------------------------------------------------------------------
# Embedded default: a SQLite-backed queue in the data folder. Scale-out: REDIS_URL=redis://...
REDIS_URL = env("REDIS_URL", default="")
HUEY_NAME = env("HUEY_NAME", default="printbell")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": HUEY_NAME,
        "url": REDIS_URL,
        "blocking": True,
        "results": False,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "core.queue.EmbeddedHuey",
        "name": HUEY_NAME,
        "filename": str(DATA_DIR / "queue.sqlite3"),
        "results": False,
        "immediate": False,
        "timeout": 30,
    }
# Huey imports the Redis and PostgreSQL drivers whenever they are installed, and DRF imports the
# PostgreSQL one too: about 30 MB in every process. Hide the drivers this configuration does not
# use: Redis while Huey loads; PostgreSQL for good when the database is not PostgreSQL.
_uses_postgres = _db["ENGINE"].endswith("postgresql")
if not _uses_postgres and "psycopg" not in sys.modules:
    sys.modules["psycopg"] = None  # `import psycopg` now raises ImportError
if not REDIS_URL and "redis" not in sys.modules:
    sys.modules["redis"] = None
    try:
        import huey.storage  # noqa: F401
    finally:
        del sys.modules["redis"]

WORKER_THREADS = env.int("WORKER_THREADS", default=16)
# Idle workers poll the embedded queue; these bound how quickly a new task is noticed.
WORKER_POLL_INITIAL_SECONDS = env.float("WORKER_POLL_INITIAL_SECONDS", default=0.002)
WORKER_POLL_MAX_SECONDS = env.float("WORKER_POLL_MAX_SECONDS", default=0.05)

# --- Delivery -------------------------------------------------------------------------------
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=8)
DELIVERY_RETRY_BASE_SECONDS = env.float("DELIVERY_RETRY_BASE_SECONDS", default=5.0)
DELIVERY_RETRY_MAX_SECONDS = env.float("DELIVERY_RETRY_MAX_SECONDS", default=3600.0)
# A delivery claimed by a worker that then dies becomes claimable again after this long.
DELIVERY_LEASE_SECONDS = env.float("DELIVERY_LEASE_SECONDS", default=120.0)
# How often each worker looks for work that was lost (expired leases, tasks that vanished).
DELIVERY_SWEEP_SECONDS = env.float("DELIVERY_SWEEP_SECONDS", default=10.0)
# Test messages are sent synchronously from the request; they must answer within this.
TEST_MESSAGE_TIMEOUT_SECONDS = env.float("TEST_MESSAGE_TIMEOUT_SECONDS", default=15.0)

# --- Outbound HTTP (one place: notifications/http.py) ---------------------------------------
OUTBOUND_CONNECT_TIMEOUT = env.float("OUTBOUND_CONNECT_TIMEOUT", default=5.0)
OUTBOUND_READ_TIMEOUT = env.float("OUTBOUND_READ_TIMEOUT", default=10.0)
OUTBOUND_MAX_RESPONSE_BYTES = env.int("OUTBOUND_MAX_RESPONSE_BYTES", default=1024 * 1024)

# --- Plugins --------------------------------------------------------------------------------
# Extra folders of plugin folders, separated like PATH (":" on Unix).
NOTIFICATION_PLUGIN_DIRS = [p for p in env("NOTIFICATION_PLUGIN_DIRS", default="").split(os.pathsep) if p]
NOTIFICATION_PLUGIN_ENTRY_POINT_GROUP = "printbell.notification_plugins"

# --- Ingestion limits -----------------------------------------------------------------------
MAX_EVENT_REQUEST_BYTES = env.int("MAX_EVENT_REQUEST_BYTES", default=12 * 1024 * 1024)
MAX_SNAPSHOT_BYTES = env.int("MAX_SNAPSHOT_BYTES", default=10 * 1024 * 1024)
MAX_SNAPSHOT_PIXELS = env.int("MAX_SNAPSHOT_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_JSON_BODY_BYTES", default=256 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email (used by the email plugin) --------------------------------------------------------
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Printbell <printbell@localhost>")

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [p for p in [REPO_DIR / "frontend" / "dist"] if p.is_dir()]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Auth, API ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/api-auth/login/"
# After the first account (which becomes the administrator), may anyone sign up?
ALLOW_SIGNUP = env.bool("ALLOW_SIGNUP", default=False)
# Sign-in and sign-up attempts per client address, to slow down password guessing.
AUTH_RATE_LIMIT = env("AUTH_RATE_LIMIT", default="30/min")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Printbell API",
    "DESCRIPTION": "Notifications for 3D printers: printers, events, channels and deliveries.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "huey": {"level": env("HUEY_LOG_LEVEL", default="WARNING")},
        "django.db.backends": {"level": "WARNING"},
    },
}


# --- Serving --------------------------------------------------------------------------------
SERVE_HOST = env("HOST", default="127.0.0.1")
SERVE_PORT = env.int("PORT", default=8000)
WEB_WORKERS = env.int("WEB_WORKERS", default=2)
WEB_THREADS = env.int("WEB_THREADS", default=4)
WEB_ACCESS_LOG = env.bool("WEB_ACCESS_LOG", default=False)
