"""auditloop settings: one file, driven by the environment.

DATABASE_URL chooses the database (default: a SQLite file in the project folder).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

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
    # django-ninja is not an app here: the API documentation is a page of the product
    # (auditloop.api.views), so nothing needs its swagger templates or static files, and
    # leaving it out keeps pydantic out of every process's start-up (the command line's
    # import of a list, the worker), which never serves the API.
    "django_tasks_db",
    # twofactor: TOTP and recovery codes (django-otp); passkeys are accounts' own devices.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # twofactor
    "django.contrib.messages.middleware.MessageMiddleware",
    # sessions part: signs out leavers; notes a session's last-seen time when it is renewed.
    "auditloop.accounts.middleware.SignedInSessionMiddleware",
    "auditloop.core.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "auditloop.core.middleware.AccessLogMiddleware",
    "auditloop.core.middleware.NoStoreMiddleware",
    "auditloop.core.middleware.RefusedRequestMiddleware",
    "auditloop.accounts.middleware.SecondFactorRequiredMiddleware",  # twofactor
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

# How long a thread keeps its database connection between requests. On PostgreSQL each kept
# connection holds a server process, counted against max_connections, so keeping them is the
# council's choice (README, *Running it for real*); on SQLite the default is below.
_CONN_MAX_AGE = os.environ.get("AUDITLOOP_CONN_MAX_AGE")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'auditloop.sqlite3'}"),
        conn_max_age=int(_CONN_MAX_AGE) if _CONN_MAX_AGE is not None else 0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if _CONN_MAX_AGE is None:
        # A SQLite connection is a file handle, kept by default: opening one (and its
        # PRAGMAs) was 7% of a loaded server's time on the large council (py-spy, 20 users),
        # the first query of every request.
        DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            # Every transaction takes the write lock when it begins, so two writers queue
            # rather than one failing half way; with write-ahead logging readers never wait
            # for a writer; a writer waits up to `timeout` seconds (a large import's one
            # transaction) before giving up with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": float(os.environ.get("AUDITLOOP_SQLITE_TIMEOUT", "20")),
            # Temporary tables (an import's staged rows, imports/services/annex_a.py) in
            # memory: in a temporary file, each batch's own implicit transaction cost more
            # than writing the rows (0.48 s of a 50,000-row re-import's 2.5 s of CPU, against
            # 0.15 s). That import's peak memory stayed 115 MB: the sheet, held whole while
            # it is read, is the peak either way.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
            ),
        }
    )
# Access-log rows the database refused (e.g. SQLite locked by a long import) wait here, one
# file per request, until they can be written: see auditloop/core/accesslog.py.
ACCESS_LOG_SPOOL_DIR = Path(
    os.environ.get("AUDITLOOP_ACCESS_LOG_SPOOL", str(BASE_DIR / "var" / "access-log-spool"))
)
# Dashboards' figures are kept, per reader, under the data version every committed write to
# their tables raises (auditloop/core/dataversion.py), so no reader is shown figures from
# before a change once it is committed. The lifetime bounds only what the product cannot see
# (a write made with psql); 0 turns the cache off. Each server process keeps its own copies:
# the version is in the key, so a shared cache is never needed for correctness.
AUDITLOOP_FIGURE_CACHE_SECONDS = int(os.environ.get("AUDITLOOP_FIGURE_CACHE_SECONDS", "300"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "auditloop-figures",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
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
# Django's database store, with each page's read of the session written out once
# (auditloop.core.session_store).
SESSION_ENGINE = "auditloop.core.session_store"
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
# A load balancer's health check often asks over plain HTTP, straight to the server: /health/
# answers it there rather than redirecting (it says nothing about anyone).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# supplychain: HSTS for the site's subdomains too, and the "preload" token that lets the
# domain join the browsers' built-in HTTPS-only list: both off unless the council wants them
# (every subdomain must then serve HTTPS; leaving the preload list takes months). Saying
# either way in the environment is a decision made, so `check --deploy` no longer asks.
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("AUDITLOOP_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _env_bool("AUDITLOOP_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    check
    for variable, check in (
        ("AUDITLOOP_HSTS_INCLUDE_SUBDOMAINS", "security.W005"),
        ("AUDITLOOP_HSTS_PRELOAD", "security.W021"),
    )
    if os.environ.get(variable, "").strip()
]
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

# Part sso: single sign-on with OpenID Connect (mozilla-django-oidc), on once a client id is
# set; the identity provider's endpoints are given one by one (README: Microsoft Entra ID and
# Google Workspace). A person signs in only as an active member of staff with a login whose
# email matches the ID token's, case aside; nobody is created by signing in.
OIDC_RP_CLIENT_ID = os.environ.get("AUDITLOOP_OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("AUDITLOOP_OIDC_CLIENT_SECRET", "")
AUDITLOOP_OIDC_ISSUER = os.environ.get("AUDITLOOP_OIDC_ISSUER", "").strip()
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("AUDITLOOP_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("AUDITLOOP_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("AUDITLOOP_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("AUDITLOOP_OIDC_JWKS_ENDPOINT", "")
AUDITLOOP_OIDC_PROVIDER_NAME = os.environ.get(
    "AUDITLOOP_OIDC_PROVIDER_NAME", "Sign in with your council account"
)
# Google Workspace: only accounts of this domain (the ID token's `hd` claim).
AUDITLOOP_OIDC_HOSTED_DOMAIN = os.environ.get("AUDITLOOP_OIDC_HOSTED_DOMAIN", "").strip()
AUDITLOOP_SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_CREATE_USER = False
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_STORE_ACCESS_TOKEN = False
OIDC_STORE_ID_TOKEN = False
OIDC_TIMEOUT = 15
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_AUTH_REQUEST_EXTRA_PARAMS = (
    {"hd": AUDITLOOP_OIDC_HOSTED_DOMAIN} if AUDITLOOP_OIDC_HOSTED_DOMAIN else {}
)
AUTHENTICATION_BACKENDS += ["auditloop.accounts.backends.StaffSignOnBackend"]
# The provider throttles the guessing of passwords; the sign-on callback (the only GET that
# authenticates) is neither locked out nor counted by axes, so that people the staff list
# does not know cannot lock an office's address out. Each refusal is a failed sign-in.
AXES_NEVER_LOCKOUT_GET = True
# Password sign-in, on by default; off, only the break-glass usernames (active
# administrators) may still sign in with a password, at the sign-in page's `?password` form.
AUDITLOOP_PASSWORD_SIGNIN = _env_bool("AUDITLOOP_PASSWORD_SIGNIN", True)
AUDITLOOP_PASSWORD_SIGNIN_BREAK_GLASS = tuple(
    name.strip()
    for name in os.environ.get("AUDITLOOP_PASSWORD_SIGNIN_BREAK_GLASS", "").split(",")
    if name.strip()
)
# twofactor: the roles that must pass a second factor after their password (anyone who has
# set one up passes it too), comma-separated role values; and whether a sign-in through the
# council's single sign-on, whose provider says it used multi-factor authentication, counts.
AUDITLOOP_SECOND_FACTOR_ROLES = [
    role.strip()
    for role in os.environ.get(
        "AUDITLOOP_SECOND_FACTOR_ROLES",
        "administrator,moderator,senior_leader,data_protection,partner",
    ).split(",")
    if role.strip()
]
AUDITLOOP_SSO_MFA_COUNTS = _env_bool("AUDITLOOP_SSO_MFA_COUNTS", True)
# The name authenticator apps show beside the code, and the passkeys' relying party name.
OTP_TOTP_ISSUER = COUNCIL_NAME + " auditloop"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("AUDITLOOP_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# `auditloop serve` (and the container image) collect the static files into STATIC_ROOT with a
# hash of their content in each name, compressed, and serve them with a year's caching: a new
# release's files have new names, so no browser keeps an old stylesheet. Without it (the tests,
# `make demo`'s runserver) files keep their names and whitenoise finds them in the apps' folders,
# so nothing needs collecting first.
STATIC_HASHED = _env_bool("AUDITLOOP_STATIC_HASHED", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "auditloop.core.staticfiles.HashedStaticFilesStorage"
        if STATIC_HASHED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_HASHED
# Collected, only the hashed names are kept (half the files to compress), and source maps,
# which only a developer's tools ask for, are not compressed. The rest are whitenoise's own
# list (`whitenoise.compress.Compressor`), written out: importing it here loaded brotli and
# the compressor into every process, the command line's import of a list included (a test
# keeps the two in step).
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"),
    *("swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4"),
    *("mpeg", "mpg", "webm", "wmv"),
    "map",
]
WHITENOISE_AUTOREFRESH = DEBUG

# Background work (imports, reports) through Django's task framework with a database-backed
# queue: `auditloop worker` runs the tasks. AUDITLOOP_TASKS_IMMEDIATE=1 runs them in the
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

# `auditloop worker` records a heartbeat this often; a worker not heard from for the stale
# time is counted as gone (the health endpoint, an import's progress page). On SQLite a long
# import holds the write lock for up to AUDITLOOP_SQLITE_TIMEOUT, so keep the stale time above
# that plus the interval.
AUDITLOOP_WORKER_HEARTBEAT_SECONDS = float(
    os.environ.get("AUDITLOOP_WORKER_HEARTBEAT_SECONDS", "10")
)
AUDITLOOP_WORKER_STALE_SECONDS = float(os.environ.get("AUDITLOOP_WORKER_STALE_SECONDS", "60"))

# The most rows an import reads from one file (a workbook's sheets together), checked before
# a workbook's sheet is loaded: a sheet is held in memory whole, a cell for every row and
# column of its used range. The largest council's Annex A lists come to well under 100,000.
AUDITLOOP_IMPORT_MAX_ROWS = int(os.environ.get("AUDITLOOP_IMPORT_MAX_ROWS", "500000"))
# On SQLite, a running import holds an flock on a file here (auditloop/imports/holding.py),
# so that a run whose process was killed is shown as interrupted: every process using the
# database file must see the same folder. (On PostgreSQL the lock is the database's own.)
AUDITLOOP_IMPORT_LOCK_DIR = Path(
    os.environ.get("AUDITLOOP_IMPORT_LOCK_DIR", str(BASE_DIR / "var" / "import-locks"))
)

MAILERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": os.environ.get(
            "AUDITLOOP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
    }
}
# supplychain: the mail relay for Django's SMTP backend, which sends nothing without a host
# (`check --deploy` says so: auditloop.core.checks). STARTTLS unless told otherwise; the port
# is the backend's default for the choice (587 with STARTTLS, 465 with TLS, else 25).
if os.environ.get("AUDITLOOP_EMAIL_HOST", "").strip():
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ["AUDITLOOP_EMAIL_HOST"].strip(),
        "port": int(os.environ["AUDITLOOP_EMAIL_PORT"])
        if os.environ.get("AUDITLOOP_EMAIL_PORT")
        else None,
        "username": os.environ.get("AUDITLOOP_EMAIL_USER", ""),
        "password": os.environ.get("AUDITLOOP_EMAIL_PASSWORD", ""),
        "use_tls": _env_bool("AUDITLOOP_EMAIL_USE_TLS", True),
        "use_ssl": _env_bool("AUDITLOOP_EMAIL_USE_SSL", False),
        "timeout": 30,
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
