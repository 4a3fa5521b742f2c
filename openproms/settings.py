"""Django settings for openproms, read from environment variables with safe defaults.

Every setting that differs between a laptop and a deployment comes from an
``OPENPROMS_*`` variable; see docs/deployment.md. With nothing set, openproms runs
on SQLite in a ``var/`` data folder beside the working directory, DEBUG off.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from openproms import __version__

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [part.strip() for part in value.split(",") if part.strip()]
    return items or default


# Under pytest the suite runs tasks inline and keeps its files in a temporary folder.
TESTING = _env_bool("OPENPROMS_TESTING", "pytest" in sys.modules)
_default_data_dir = (
    Path(tempfile.mkdtemp(prefix="openproms-test-")) if TESTING else Path.cwd() / "var"
)
DATA_DIR = Path(os.environ.get("OPENPROMS_DATA_DIR") or _default_data_dir).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The secret key: from the environment, else generated once into the data folder."""
    given = os.environ.get("OPENPROMS_SECRET_KEY")
    if given:
        return given
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key = secrets.token_urlsafe(64)
        # Create with owner-only permissions; never overwrite a key another process made.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Keys that encrypt provider secrets stored in the database (core/encryption.py),
# newest first; unset: the data folder's encryption_keys file (decision 0035).
ENCRYPTION_KEYS = _env_list("OPENPROMS_ENCRYPTION_KEYS", [])
DEBUG = _env_bool("OPENPROMS_DEBUG")
HTTPS = _env_bool("OPENPROMS_HTTPS")
VERSION = __version__
ALLOWED_HOSTS = _env_list(
    "OPENPROMS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = _env_list("OPENPROMS_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("OPENPROMS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "openproms.core",
    "openproms.audit",
    "openproms.accounts",
    "openproms.catalogue",
    "openproms.translations",
    "openproms.people",
    "openproms.collection",
    "openproms.reports",
    "openproms.scans",
    "openproms.imports",
    "openproms.choosing",
    "openproms.reminders",
    "openproms.governance",
    "openproms.sharing",
    "openproms.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their long cache; every page the
    # application makes is not stored (decision 0015).
    "openproms.core.headers.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openproms.audit.reads.ReadAuditMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "openproms.accounts.middleware.SessionLimitsMiddleware",
    "openproms.collection.kiosk.KioskMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openproms.urls"
WSGI_APPLICATION = "openproms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openproms.core.context_processors.openproms",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("OPENPROMS_DATABASE_URL")
        or f"sqlite:///{DATA_DIR / 'openproms.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while the other writes.
    # Sorts and groupings too large for the page cache go to memory rather than
    # temporary files, and each connection keeps up to 32 MiB of the database's
    # pages (SQLite's default is 2 MiB) rather than reading the same index pages
    # again and again: the weekly collection page at 100,000 people spent about a
    # quarter of its time in those reads (decision 0039).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler spends longer (about 0.3 s) compiling a report's
    # queries over 100,000 episodes than they take to run (benchmarks/README.md,
    # Reports); an "options" in the URL's query string takes precedence.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL only: a request or task for one organisation names it on its connection,
# and the row-level security policies hide every other organisation's rows
# (openproms/core/row_security.py, decision 0016). Off: nothing is named and the
# policies show every row (the selectors' filters are then the only wall).
ROW_LEVEL_SECURITY = _env_bool("OPENPROMS_ROW_LEVEL_SECURITY", True)
# The folder holding pg_dump and pg_restore for `openproms backup` / `restore`; empty:
# Debian's /usr/lib/postgresql/N/bin for the server's version or later, else the PATH.
OPENPROMS_PG_BIN = os.environ.get("OPENPROMS_PG_BIN", "")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "openproms.accounts.passwords.MaximumLengthValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Lockout against password guessing, keyed on username + address together so an
# attacker elsewhere cannot lock a real user out (reliability-security.md AU4).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "openproms.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("OPENPROMS_PROXY_COUNT", "0")) or None

OTP_TOTP_ISSUER = "openproms"
OTP_TOTP_TOLERANCE = 1

# Sessions: idle timeout of 30 minutes, absolute limit of 12 hours (AU5).
SESSION_COOKIE_AGE = int(os.environ.get("OPENPROMS_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "openproms.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (decision 0015): scripts, styles, fonts and everything else
# from this site only; no inline script or style (templates use static files),
# no eval (charts use Vega's interpreter). Images may be data: URIs (QR codes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy: no page uses a device or sensor; the clinician summary's
# "copy" button writes to the clipboard of this site only.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "clipboard-write": ["self"],
    "display-capture": [],
    "fullscreen": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("OPENPROMS_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
# Staff pages are in English; the pages a person answers and reads their progress
# on are shown in their preferred language (people.ServiceUser.preferred_language),
# activated per person by openproms.translations.activation, not by the browser's
# Accept-Language (decision 0028). The catalogue is openproms/locale.
LANGUAGES = [("en", "English"), ("cy", "Welsh (Cymraeg)")]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG

EMAIL_BACKEND = os.environ.get(
    "OPENPROMS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("OPENPROMS_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("OPENPROMS_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("OPENPROMS_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("OPENPROMS_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("OPENPROMS_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get(
    "OPENPROMS_DEFAULT_FROM_EMAIL", "openproms@localhost"
)

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if _env_bool("OPENPROMS_TASKS_IMMEDIATE", TESTING)
            else "django_tasks_db.backend.DatabaseBackend"
        ),
    }
}

INVITATION_MAX_AGE = timedelta(days=7)

# Scanned pages that never became answers (refused, duplicates, never assigned) lose
# their images after this many days; saved pages keep theirs with the answers.
OPENPROMS_SCAN_RETENTION_DAYS = int(
    os.environ.get("OPENPROMS_SCAN_RETENTION_DAYS", "90")
)
# Uploaded import files never imported are deleted after this many days (decision 0024).
OPENPROMS_IMPORT_RETENTION_DAYS = int(
    os.environ.get("OPENPROMS_IMPORT_RETENTION_DAYS", "30")
)
DATA_UPLOAD_MAX_NUMBER_FILES = 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("OPENPROMS_LOG_LEVEL", "INFO"),
    },
    "loggers": {"axes": {"level": "WARNING"}},
}
