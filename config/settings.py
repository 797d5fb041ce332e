"""auditloop settings: one file, driven by the environment.

DATABASE_URL chooses the database (default: a SQLite file in the project folder).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("AUDITLOOP_DEBUG", False)
# The demo and tests run without a configured key; production must set one.
DEVELOPMENT_SECRET_KEY = "auditloop-insecure-development-key-set-AUDITLOOP_SECRET_KEY"  # noqa: S105
SECRET_KEY = os.environ.get("AUDITLOOP_SECRET_KEY", "")
if not SECRET_KEY:
    # `manage.py check --deploy` fails while this key is in use (auditloop.core.checks).
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("AUDITLOOP_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
# Figures for a team or group with fewer audits than this are suppressed wherever they are
# shown or exported, so that nobody can be pointed at (with secondary suppression of totals).
AUDITLOOP_SMALL_GROUP_MIN = int(os.environ.get("AUDITLOOP_SMALL_GROUP_MIN", "5"))
COUNCIL_NAME = os.environ.get("AUDITLOOP_COUNCIL_NAME", "Northshire County Council")
SITE_URL = os.environ.get("AUDITLOOP_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "auditloop.core",
    "auditloop.accounts",
    "auditloop.cases",
    "auditloop.audits",
    "auditloop.casefiles",
    "auditloop.imports",
    "auditloop.sampling",
    "auditloop.assurance",
    "auditloop.learning",
    "auditloop.reports",
    "auditloop.privacy",
    "auditloop.api",
    "auditloop.home",
    "auditloop.demo",
    "ninja",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # sessions part: signs out leavers; notes a session's last-seen time when it is renewed.
    "auditloop.accounts.middleware.SignedInSessionMiddleware",
    "auditloop.core.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "auditloop.core.middleware.AccessLogMiddleware",
    "auditloop.core.middleware.NoStoreMiddleware",
    "auditloop.core.middleware.RefusedRequestMiddleware",
    "auditloop.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
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
                "django.template.context_processors.csp",
                "auditloop.home.context_processors.service",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'auditloop.sqlite3'}"),
        conn_max_age=int(os.environ.get("AUDITLOOP_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            # Every transaction takes the write lock when it begins, so two writers queue
            # rather than one failing half way; with write-ahead logging readers never wait
            # for a writer; a writer waits up to `timeout` seconds (a large import's one
            # transaction) before giving up with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": float(os.environ.get("AUDITLOOP_SQLITE_TIMEOUT", "20")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Access-log rows the database refused (e.g. SQLite locked by a long import) wait here, one
# file per request, until they can be written: see auditloop/core/accesslog.py.
ACCESS_LOG_SPOOL_DIR = Path(
    os.environ.get("AUDITLOOP_ACCESS_LOG_SPOOL", str(BASE_DIR / "var" / "access-log-spool"))
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "auditloop.accounts.backends.OneTimePasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after idle time: a request renews the session, at most once a minute (a
# write on every page would make pages queue behind a long import on SQLite), and end
# after AUDITLOOP_SESSION_MAX_SECONDS from signing in whatever the activity
# (auditloop.core.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = int(os.environ.get("AUDITLOOP_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = False
AUDITLOOP_SESSION_RENEW_SECONDS = min(60, SESSION_COOKIE_AGE // 10)
AUDITLOOP_SESSION_MAX_SECONDS = int(
    os.environ.get("AUDITLOOP_SESSION_MAX_SECONDS", str(12 * 60 * 60))
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = _env_bool("AUDITLOOP_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Served over HTTPS (secure cookies on): browsers are told to use nothing else for a year.
# Django sends the header only on HTTPS requests; behind a TLS-terminating proxy, set
# AUDITLOOP_BEHIND_HTTPS_PROXY=1 so those requests are known to be secure.
SECURE_HSTS_SECONDS = int(
    os.environ.get("AUDITLOOP_HSTS_SECONDS", str(365 * 24 * 60 * 60 if SECURE_COOKIES else 0))
)
if _env_bool("AUDITLOOP_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _env_bool("AUDITLOOP_SSL_REDIRECT", False)
# Scripts, styles and images from this site only; the one inline script carries the nonce.
# A script injected into a page (should escaping ever fail) does not run.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Failed sign-ins (django-axes), counted over the last 30 minutes, lock out by three rules
# (auditloop.core.signin.SignInThrottle): a username from one address at
# AUDITLOOP_LOGIN_FAILURE_LIMIT; a username from every address at the higher account limit;
# an address, whatever the usernames, at the much higher address limit. The last two spare an
# address the account has signed in from in the last AUDITLOOP_LOGIN_KNOWN_ADDRESS_DAYS, so
# one person failing again and again cannot lock out a whole office behind one address, nor
# someone elsewhere lock a member of staff out of their office. Signing in clears the
# account's count.
AXES_FAILURE_LIMIT = int(os.environ.get("AUDITLOOP_LOGIN_FAILURE_LIMIT", "10"))
AUDITLOOP_LOGIN_ACCOUNT_FAILURE_LIMIT = int(
    os.environ.get("AUDITLOOP_LOGIN_ACCOUNT_FAILURE_LIMIT", "30")
)
AUDITLOOP_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("AUDITLOOP_LOGIN_ADDRESS_FAILURE_LIMIT", "100")
)
AUDITLOOP_LOGIN_KNOWN_ADDRESS_DAYS = int(os.environ.get("AUDITLOOP_LOGIN_KNOWN_ADDRESS_DAYS", "30"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["username"], ["ip_address"]]
AXES_HANDLER = "auditloop.core.signin.SignInThrottle"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = _env_bool("AUDITLOOP_AXES_ENABLED", True)
# The client's address: REMOTE_ADDR, or, when that is one of these proxies (addresses or
# networks, comma-separated), the nearest address in X-Forwarded-For that is not one of them.
AXES_CLIENT_IP_CALLABLE = "auditloop.core.signin.client_ip"
AUDITLOOP_TRUSTED_PROXIES = tuple(
    ipaddress.ip_network(proxy.strip(), strict=False)
    for proxy in os.environ.get("AUDITLOOP_TRUSTED_PROXIES", "").split(",")
    if proxy.strip()
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Background work (imports, reports) through Django's task framework with a database-backed
# queue: `auditloop db_worker` runs the tasks. AUDITLOOP_TASKS_IMMEDIATE=1 runs them in the
# request instead (a demo without a worker; the tests set it per test).
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if _env_bool("AUDITLOOP_TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# The most rows an import reads from one file (a workbook's sheets together), checked before
# a workbook's sheet is loaded: a sheet is held in memory whole, a cell for every row and
# column of its used range. The largest council's Annex A lists come to well under 100,000.
AUDITLOOP_IMPORT_MAX_ROWS = int(os.environ.get("AUDITLOOP_IMPORT_MAX_ROWS", "500000"))

MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "AUDITLOOP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("AUDITLOOP_FROM_EMAIL", "auditloop@northshire.example")
# Named in the accessibility statement, for problems and requests for another format.
ACCESSIBILITY_CONTACT_EMAIL = (
    os.environ.get("AUDITLOOP_ACCESSIBILITY_CONTACT_EMAIL") or DEFAULT_FROM_EMAIL
)

# Children's IDs never reach the logs: only opaque ids appear in URLs, and
# request logging does not include bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 404, a lockout's 429) is one line without a traceback; a server
    # error keeps its traceback (auditloop.core.logfilters).
    "filters": {"refusals_in_one_line": {"()": "auditloop.core.logfilters.RefusalsInOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["refusals_in_one_line"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("AUDITLOOP_LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's own console handler (on with AUDITLOOP_DEBUG) would print it all again.
        "django": {"handlers": [], "level": "INFO"},
        # axes keeps each failed sign-in in its tables; a lockout's line is the refused request's.
        "axes": {"level": "ERROR"},
    },
}
