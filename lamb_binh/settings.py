"""Settings for the "3 cùng" tracker, read from the environment (see .env.example)."""

import datetime
import os
from pathlib import Path

import environ

# _check_secret_key is the very test `check --deploy` applies (security.W009); it is private,
# which is fine while Django is pinned to 5.2.
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.checks.security.base import (  # type: ignore[attr-defined]  # private: no stub
    _check_secret_key as secret_key_is_strong,
)
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (`make run` writes one: DEBUG=on and a generated key) is optional; real
# environment variables always win. ENV_FILE names another file, or none when empty: the
# test suite reads none, so that a developer's .env cannot change what it tests.
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE, overwrite=False)


def env_flag(name: str, default: bool) -> bool:
    """A yes/no variable; anything but a clear yes or no stops the start."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} không phải giá trị bật/tắt: hãy đặt {name}=on hoặc {name}=off."
    )


DEBUG = env_flag("DEBUG", default=False)

NEW_KEY_COMMAND = "python3 -c 'import secrets; print(secrets.token_urlsafe(60))'"

# Production secrets have no default: with DEBUG off, a missing value or a key that
# `check --deploy` calls weak stops the start (a warning alone would let it serve).
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="") or "insecure-local-development-key"
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "Thiếu SECRET_KEY: khi DEBUG=off (chạy thật) phải đặt SECRET_KEY là một chuỗi "
            f"ngẫu nhiên dài, tạo bằng {NEW_KEY_COMMAND}, trong môi trường hoặc tệp .env. "
            "Trên máy phát triển: DEBUG=on (make run tự tạo tệp .env như vậy)."
        )
    if not secret_key_is_strong(SECRET_KEY):
        raise ImproperlyConfigured(
            f"SECRET_KEY quá yếu: cần ít nhất {SECRET_KEY_MIN_LENGTH} ký tự, ít nhất "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} ký tự khác nhau và không bắt đầu bằng "
            f"“{SECRET_KEY_INSECURE_PREFIX}”. Tạo khóa mới bằng {NEW_KEY_COMMAND} rồi đặt "
            "lại SECRET_KEY."
        )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Thiếu ALLOWED_HOSTS: khi DEBUG=off phải đặt tên miền của trang, cách nhau bằng "
            "dấu phẩy, ví dụ ALLOWED_HOSTS=3cung.lambinh.gov.vn, trong môi trường hoặc tệp .env."
        )

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "auditlog",
    # django-axes under a Vietnamese name in the admin (its own AppConfig has none).
    "lamb_binh.apps.AxesConfig",
    "csp",
    "activities",
    "housing",
    # The project itself, the top layer: its management commands (the benchmarks, the load test).
    "lamb_binh",
]

MIDDLEWARE = [
    # First: a load balancer probing /suc-khoe/ by IP address gets its answer although its
    # Host is not in ALLOWED_HOSTS; every other request is validated as usual.
    "lamb_binh.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the application server, compressed and cache-busted.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the audit trail.
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "lamb_binh.urls"

# The kinds of spreadsheet import, in the order they are listed (activities/imports/registry.py).
IMPORT_KINDS = [
    "activities.imports.kinds.CommuneImport",
    "activities.imports.kinds.VillageImport",
    "activities.imports.kinds.UnitImport",
    "activities.imports.kinds.AssignmentImport",
    "activities.imports.kinds.ActivityImport",
    "housing.imports.HousingCaseImport",
]

# The other apps' parts of the activity form (activities/forms.py form_parts): housing's case.
ACTIVITY_FORM_PARTS = ["housing.forms.ActivityCasePart"]
WSGI_APPLICATION = "lamb_binh.wsgi.application"

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
                "lamb_binh.context_processors.roles",
            ],
            "libraries": {"report_tags": "lamb_binh.dashboard.tags"},
        },
    },
]

# SQLite is the zero-setup default; DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work during a write; IMMEDIATE transactions and a busy timeout make
    # a second writer wait for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        }
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A kept connection is checked before each request reuses it, so that the app carries on by
# itself once the database is back after a restart.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff log in once on their own phone and stay logged in for the working week.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=7 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Lockout after repeated failed logins (per account and address), lifted after a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False


def client_address_settings(proxies: int) -> dict:
    """How django-axes (through django-ipware) finds the client's address behind `proxies`
    reverse proxies. Without a proxy, X-Forwarded-For is the client's own word: ignored.
    Behind N proxies the header reads "client, proxy1, …, proxyN-1" (the last proxy is
    REMOTE_ADDR); what ipware calls proxy_count is that N-1, counted from the right, so the
    address our own proxy appended is used even when the client sent a forged header first
    (IPWARE_STRICT off: a longer chain is not rejected, its forged left part is skipped)."""
    if proxies <= 0:
        return {
            "AXES_IPWARE_PROXY_COUNT": None,
            "AXES_IPWARE_META_PRECEDENCE_ORDER": ["REMOTE_ADDR"],
            "IPWARE_STRICT": False,
        }
    return {
        "AXES_IPWARE_PROXY_COUNT": proxies - 1,
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        "IPWARE_STRICT": False,
    }


# Reverse proxies in front: AXES_PROXY_COUNT=1 behind nginx (README, Deployment).
PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
_client_address = client_address_settings(PROXY_COUNT)
AXES_IPWARE_PROXY_COUNT = _client_address["AXES_IPWARE_PROXY_COUNT"]
AXES_IPWARE_META_PRECEDENCE_ORDER = _client_address["AXES_IPWARE_META_PRECEDENCE_ORDER"]
IPWARE_STRICT = _client_address["IPWARE_STRICT"]

# The audit trail keeps old → new values; the actor comes from AuditlogMiddleware.
AUDITLOG_INCLUDE_ALL_MODELS = False
# Loading a backup (raw saves) restores the audit trail; it must not add to it.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# Our Vietnamese page (no inline style, which the CSP would block) instead of Django's.
CSRF_FAILURE_VIEW = "lamb_binh.views.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# Vietnamese for the libraries' strings that show through (compiled .mo committed).
LOCALE_PATHS = [BASE_DIR / "lamb_binh" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy, 1.780 and 327,65 everywhere, input included.
FORMAT_MODULE_PATH = ["lamb_binh.formats"]
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` gathers the files whitenoise serves in production; while developing,
# whitenoise (and runserver) serve them straight from static/.
STATIC_ROOT = env.str("STATIC_ROOT", default="") or (None if DEBUG else BASE_DIR / "staticfiles")
WHITENOISE_USE_FINDERS = DEBUG

# The province, and the body that issues its reports (printed under the party header) when
# the reader's account has no organisation; an organisation's reports carry its own name.
PROVINCE_NAME = env.str("PROVINCE_NAME", default="Tuyên Quang")
ISSUING_BODY = env.str("ISSUING_BODY", default="BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY")
# Store "Xã Bình An" rather than an id, so old entries stay readable after renames.
AUDITLOG_USE_FK_STRING_REPRESENTATION = True

# Spreadsheet imports: the upload cap (checked before reading), the most rows the admin's
# preview handles in one request (larger files: `manage.py import_data`), and how long an
# unconfirmed upload is kept.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_MB", default=10) * 1024 * 1024
IMPORT_ADMIN_MAX_ROWS = env.int("IMPORT_ADMIN_MAX_ROWS", default=10_000)
IMPORT_TMP_DIR = env.str("IMPORT_TMP_DIR", default="")
IMPORT_TMP_MAX_AGE = 2 * 3600

# --- Production: security headers, HTTPS, static files, logs ---------------------------
# Behind nginx (or another proxy) that terminates HTTPS and sets X-Forwarded-Proto.
if env_flag("BEHIND_HTTPS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer's and the monitoring's probe talks plain HTTP to gunicorn directly.
SECURE_REDIRECT_EXEMPT = [r"^suc-khoe/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env_flag("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_flag("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere: every page loads its JS and CSS from static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if not DEBUG:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}
