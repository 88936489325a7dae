"""Settings for the Letters from Iwo Jima reference site: one module, configured from the environment.

DJANGO_DEBUG          "1"/"true" turns debug on; off unless set.
DJANGO_SECRET_KEY     required when debug is off.
DJANGO_ALLOWED_HOSTS  comma-separated host names (debug adds localhost and 127.0.0.1).
DATABASE_URL          e.g. postgres://user:pass@host:5432/iwojima; default: SQLite file db.sqlite3 here.
DJANGO_TRUSTED_PROXY_COUNT  how many reverse proxies in front of the site append to X-Forwarded-For; the client
                      address comes from there only then (iwojima_site/clients.py); default 0: REMOTE_ADDR.
DJANGO_HTTPS          "1" when TLS ends at a proxy in front: trust its X-Forwarded-Proto, redirect to HTTPS,
                      send HSTS and secure cookies. Off by default (plain HTTP on 127.0.0.1).
DJANGO_ADMINS         "Name <address>, …": who is mailed a 500's traceback (besides the log on stderr).
DJANGO_RELEASE        what identifies this build (e.g. a git commit); it is part of every ETag.
DJANGO_SITE_URL       the site's public address, e.g. https://iwojima.example.org: canonical links, link previews,
                      citations, the sitemap and the API's page addresses; default http://127.0.0.1:8000.
DJANGO_API_RATE       how often one client address may ask the API, e.g. "600/hour" (DRF's rate syntax).
"""

import copy
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from iwojima_site.security import static_file_headers

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name):
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string, or set DJANGO_DEBUG=1 for local use."
        )
    SECRET_KEY = "insecure-local-development-key"

ALLOWED_HOSTS = [host.strip() for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if host.strip()]
if DEBUG:
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]"]

INSTALLED_APPS = [
    "iwojima_site.admin_site.SiteAdminConfig",  # the admin, with its "Recent changes" page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_filters",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "iwojima_site",
    "characters",
    "scenes",
]

MIDDLEWARE = [
    "iwojima_site.middleware.HeadWithoutBodyMiddleware",  # outermost: whatever answers, HEAD sends no body
    "django.middleware.security.SecurityMiddleware",
    "iwojima_site.security.SecurityHeadersMiddleware",  # a script prefix on this site; Permissions-Policy
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "iwojima_site.caching.NotModifiedMiddleware",  # a page's revalidation answered 304 before everything else
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "iwojima_site.middleware.HtmlWithoutNulMiddleware",  # no U+0000 in any page, error pages included
    "iwojima_site.middleware.AdminRejectsNulBytesMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "iwojima_site.caching.CommonMiddleware",  # Django's; its trailing-slash redirect shared as the others are
    "iwojima_site.security.MethodNotAllowedMiddleware",  # 405 for a method the view does not take, before CSRF's 403
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "iwojima_site.snapshots.ConsistentReadMiddleware",  # one database snapshot per page read
    "iwojima_site.caching.HttpCachingMiddleware",  # ETag, Last-Modified, Cache-Control; 304 before the view
    "iwojima_site.horizon.HorizonMiddleware",  # watch-along: `at` read once; links keep it; inside the headers
    "axes.middleware.AxesMiddleware",  # keep last: it turns a locked-out sign-in into the 429 page
]

ROOT_URLCONF = "iwojima_site.urls"
WSGI_APPLICATION = "iwojima_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} for routes without arguments from a cache of reverse()'s answers (see the module).
            "builtins": ["iwojima_site.templatetags.addresses"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "iwojima_site.links.site_links",  # the canonical address and the site's name for link previews
                "iwojima_site.horizon.context",  # watch-along: the horizon and the page without it
            ],
        },
    },
    {
        # The list pages' content ({% list_content %}) and the data links ({% data_links %}): iwojima_site/jinja2.py.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "iwojima_site.jinja2.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, translating each statement's placeholders once (iwojima_site/sqlite3/base.py).
    DATABASES["default"]["ENGINE"] = "iwojima_site.sqlite3"
    # WAL lets readers and one writer work at once; IMMEDIATE transactions take the write lock up front
    # and the timeout waits for it, so an admin save during reads never fails with "database is locked".
    # Temporary tables in memory: a sort over a materialised subquery (the people facet's counts in the order of
    # prominence) otherwise opens a temporary file, 0.3 ms of a 0.08 ms statement.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Keep connections open between requests, as on PostgreSQL: opening one (and its PRAGMAs) costs as much as a
    # whole small request. Health checks drop a connection that broke.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    # The test database is a file too (not SQLite's shared in-memory one), so tests meet WAL's snapshots and
    # locking as the site does; one file per test process, so two runs in one folder never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and a statement prepared once a connection has run it five times (psycopg's
    # prepare_threshold): the site's statements are the same few on every request (iwojima_site.baked), so the
    # server stops parsing and planning them again. A pooler in front must keep session state (as LISTEN needs too):
    # a prepared statement lives on its server connection.
    # A server that takes the connection and then says nothing (stopped, or cut off by the network) is given up after
    # connect_timeout seconds (libpq's), so a page answers the 503 rather than hang until gunicorn kills the worker.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": 5,
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": 5,
    }

# The API's throttle counts on a connection of its own to the same database (iwojima_site.throttling): in
# autocommit, outside the read snapshot a request's default connection holds, so a concurrent writer can never
# refuse its write. In tests it is a mirror of default (no database of its own), and conftest.py lets every test
# use it.
DATABASES["throttle"] = {
    **copy.deepcopy(DATABASES["default"]),
    "ATOMIC_REQUESTS": False,
    "TEST": {"MIRROR": "default"},
}
if DATABASES["throttle"]["ENGINE"] == "iwojima_site.sqlite3":
    # Wait less than the site's writers do for SQLite's write lock (held through a whole reload): an API request
    # should not hang on its count, and one the throttle cannot count goes through.
    DATABASES["throttle"]["OPTIONS"]["timeout"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "iwojima_site.storage.SiteStaticFilesStorage"
    },
}
# Serve files straight from the app folders when nothing was collected (tests, make run), finding them as
# they are asked for; production serves what `collectstatic` put in STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or not STATIC_ROOT.is_dir()
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers  # the CSP and frame denial, as every page has

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

LOGIN_URL = "admin:login"

# How many reverse proxies append to X-Forwarded-For in front of the site (see iwojima_site/clients.py).
TRUSTED_PROXY_COUNT = (os.environ.get("DJANGO_TRUSTED_PROXY_COUNT") or "0").strip()
if not TRUSTED_PROXY_COUNT.isascii() or not TRUSTED_PROXY_COUNT.isdigit():
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be a whole number (0 without a proxy).")
TRUSTED_PROXY_COUNT = int(TRUSTED_PROXY_COUNT)

# Sign-in throttling (django-axes): after 5 wrong passwords for one username from one client address, that pair is
# refused with a 429 page for 15 minutes (each further try restarts the wait). Per pair, not per username: a
# stranger guessing at "admin" locks out only themselves, and the editors sign in from their own addresses as usual.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: it refuses a locked-out client before any password is hashed
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "iwojima_site.clients.client_address"
AXES_LOCKOUT_CALLABLE = "iwojima_site.admin_site.locked_out"  # the 429 page, with Retry-After
AXES_HTTP_RESPONSE_CODE = 429

SECURE_CONTENT_TYPE_NOSNIFF = True
# Everything a page uses comes from the site's own static files: no inline script, event handler, <style> or
# style attribute anywhere (the admin included), so an injected one does nothing. A page that would need an
# exception gets it narrowly, with csp.decorators, never here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],  # the admin's autocomplete fields ask the server as one types
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
# A form sent without its CSRF token: the site's own page (Django's has an inline <style>), or 405 where the page
# takes no such method.
CSRF_FAILURE_VIEW = "iwojima_site.security.csrf_failure"

# TLS ends at the proxy in front (DJANGO_HTTPS=1): believe its X-Forwarded-Proto, send everyone to HTTPS, and tell
# browsers to stay there (HSTS, a year, with subdomains). Off, the site speaks plain HTTP (make serve, the benchmark).
HTTPS = env_flag("DJANGO_HTTPS")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
# A load balancer probes each app server itself, over plain HTTP: the health check answers it there, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The site's public address: every absolute link the site gives out (canonical, previews, citations, sitemap, API).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"

# The read-only API (Django REST framework): JSON, or CSV by `?format=csv`, chosen by the address alone; no sign-in;
# anonymous use throttled per client address (behind DJANGO_TRUSTED_PROXY_COUNT proxies, the one the outermost wrote),
# counted in fixed windows of the rate's duration in the shared database (iwojima_site/throttling.py).
API_RATE = os.environ.get("DJANGO_API_RATE", "").strip() or "600/hour"
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_RATE):
    # DRF reads the rate at the first API request: a rate it cannot read would make every one of them a 500.
    raise ImproperlyConfigured(
        f"DJANGO_API_RATE must be requests per second, minute, hour or day, e.g. 600/hour (not {API_RATE!r})."
    )
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "iwojima_site.renderers.CSVRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "iwojima_site.renderers.AddressFormatNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["iwojima_site.throttling.FixedWindowAnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": API_RATE},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "iwojima_site.api.SiteAutoSchema",
    "EXCEPTION_HANDLER": "iwojima_site.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Letters from Iwo Jima, scene by scene: the data",
    "DESCRIPTION": "The site's scenes, people, letters, flashbacks, places and cast, read-only, as JSON or CSV. "
    "Lists take the same filters as the site's pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The documentation page's scripts and styles come from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# What identifies this build; part of every ETag, so that a deployment never serves old pages as current.
RELEASE = os.environ.get("DJANGO_RELEASE", "")

ADMINS = [
    (name.strip(), address.strip(" <>"))
    for name, _, address in (entry.strip().rpartition(" ") for entry in os.environ.get("DJANGO_ADMINS", "").split(","))
    if address.strip(" <>")
]

# Production logs: one line per event on stderr, for a log collector; a 500 is logged with its traceback, on
# the same line (iwojima_site.logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "iwojima_site.logs.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    },
    "filters": {"as_warning": {"()": "iwojima_site.logs.AsWarning"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "line"},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["stderr", "mail_admins"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        # A request for a host the site does not answer to is the client's error, not the site's: one line on stderr
        # at WARNING (Django logs it at ERROR with a traceback), never mailed; it is still answered 400.
        "django.security.DisallowedHost": {
            "handlers": ["stderr"],
            "filters": ["as_warning"],
            "level": "WARNING",
            "propagate": False,
        },
    },
}
