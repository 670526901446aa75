"""Settings for Practica, read from the environment (12-factor).

Every variable is documented in README.md ("Configuration"). Nothing secret has a
default outside the demo: production refuses to start without SECRET_KEY.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no variable; anything unrecognised is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list, ignoring blanks and surrounding spaces."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from error


VAR_DIR = Path(os.environ.get("PRACTICA_VAR_DIR", BASE_DIR.parent / "var")).resolve()
DEMO = env_bool("PRACTICA_DEMO")
DEBUG = env_bool("DEBUG", default=False)


def _demo_secret_key() -> str:
    """The demo keeps a generated key under var/ so sessions survive restarts."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "demo-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEMO:
        SECRET_KEY = _demo_secret_key()
    elif DEBUG:
        SECRET_KEY = "development-only-" + "x" * 40
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string (see README, Configuration)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEMO or DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address every absolute link is built on (practica/site.py). Without SITE_URL,
# a local server's own address, so `PORT=8301 make demo` writes links to port 8301.
SITE_URL = (
    os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
).rstrip("/")

# Who may propose a new community for staff approval: "off", "stewards" (of any
# community) or "verified" (any member with a verified email). Staff always create.
COMMUNITY_PROPOSALS = os.environ.get("COMMUNITY_PROPOSALS", "stewards")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "practica",
    "practica.people",
    "practica.communities",
    "practica.privacy",
    "practica.conversations",
    "practica.library",
    "practica.evidence",
    "practica.learning",
    "practica.badges",
    "practica.events",
    "practica.bulletin",
    "practica.search",
    "practica.notifications",
    "practica.insights",
    "practica.api",
    "practica.reliability",
    "practica.portability",
]

MIDDLEWARE = [
    # Outermost: a request that lost the database is retried once, then answered 503.
    "practica.reliability.outage.DatabaseOutageMiddleware",
    # Off unless PRACTICA_TIMING=1: a Server-Timing header with queries, SQL and template ms.
    "practica.timing.RequestTimingMiddleware",
    "practica.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "practica.middleware.ContentSecurityPolicyMiddleware",
    "practica.middleware.QueryStringCleaningMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "practica.middleware.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "practica.middleware.TimezoneMiddleware",
]

ROOT_URLCONF = "practica.urls"
WSGI_APPLICATION = "practica.wsgi.application"

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
                "practica.context_processors.site",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                "practica.communities.templatetags.lanyards",
                "practica.templatetags.words",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "practica.sqlite3",
            "OPTIONS": {
                # WAL lets readers and the worker run beside a writer; IMMEDIATE avoids
                # "database is locked" on upgrade from a read to a write transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, sessions ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # One cache shared by every gunicorn worker on this machine, so rate limits and
    # failed-login lock-outs hold across processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
    # cached_db, with a session save cut off by the database treated as an outage.
    SESSION_ENGINE = "practica.reliability.sessions"

# --- background work ------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Every worker also runs the periodic scheduler (digests, email retries, pruning) unless
# this is off, e.g. where cron runs `practica schedule-tick` instead.
PRACTICA_SCHEDULER = env_bool("PRACTICA_SCHEDULER", default=True)
# A worker beats its heart this often; a task whose worker has not beaten for the lease is
# taken up again by another worker (every task is safe to run twice).
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 90)
# Finished task results are pruned hourly: successes after a day, failures after 30 days.
TASK_KEEP_SUCCEEDED_HOURS = env_int("TASK_KEEP_SUCCEEDED_HOURS", 24)
TASK_KEEP_FAILED_DAYS = env_int("TASK_KEEP_FAILED_DAYS", 30)
# /healthz?full=1 wants a worker heartbeat this recent and no ready task waiting longer.
HEALTH_WORKER_WITHIN_SECONDS = env_int("HEALTH_WORKER_WITHIN_SECONDS", 60)
HEALTH_QUEUE_MAX_AGE_SECONDS = env_int("HEALTH_QUEUE_MAX_AGE_SECONDS", 300)

# --- accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Practica] "
ACCOUNT_SIGNUP_FORM_CLASS = "practica.people.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "practica.people.adapter.AccountAdapter"
# Failed logins are counted per account and, separately, per address. An account that
# fails too often is paused (a clear lock-out). An address is allowed far more, because a
# whole hospital can sit behind one NAT address; past its limit, logins from it are slowed
# (each must wait LOGIN_SLOW_DOWN_SECONDS, then the right password still gets in), never
# locked. See practica/people/adapter.py.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("LOGIN_FAILED_ACCOUNT_LIMIT", "5/5m") + "/key",
    "login_failed_address": os.environ.get("LOGIN_FAILED_ADDRESS_LIMIT", "100/5m") + "/ip",
    # Logins tried (right or wrong) per address: high, for shift changes behind one NAT.
    "login": os.environ.get("LOGIN_LIMIT", "300/m") + "/ip",
    "signup": "20/m/ip",
    "confirm_email": "3/m/key",
    "reset_password": "20/m/ip,5/m/key",
}
LOGIN_SLOW_DOWN_SECONDS = env_int("LOGIN_SLOW_DOWN_SECONDS", 10)
# Behind a proxy or load balancer, the number of proxies that append to X-Forwarded-For:
# rate limits then count the client's address, not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- email ------------------------------------------------------------------------------
EMAIL_URL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    EMAIL_URL_BACKENDS["file"] if DEMO or DEBUG else EMAIL_URL_BACKENDS["smtp"],
)
EMAIL_BACKEND = EMAIL_URL_BACKENDS.get(EMAIL_BACKEND, EMAIL_BACKEND)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Practica <practica@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- internationalisation, time ----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- security -----------------------------------------------------------------------------
_production = not (DEBUG or DEMO)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_production)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=_production)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=_production)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _production else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_production)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=_production)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Send the Content-Security-Policy (practica.middleware) as report-only, to try it first.
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", default=False)
SESSION_COOKIE_HTTPONLY = True
# /healthz is asked over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- logging: one JSON line per request -------------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "practica.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "practica": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# Seconds a public page is served from the cache to visitors without a session (0 = off).
REQUEST_TIMING = env_bool("PRACTICA_TIMING")
ANONYMOUS_CACHE_SECONDS = env_int("ANONYMOUS_CACHE_SECONDS", 0 if DEBUG else 20)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
PRACTICA_PAGE_SIZE = 25
# Member profiles and the directory are for signed-in members; an instance whose members
# want to be found from outside turns this on (each member still chooses what is shown).
PUBLIC_PROFILES = env_bool("PUBLIC_PROFILES", default=False)

# --- similar questions (practica/search/similar.py) -----------------------------------------
# Semantic ranking with the packaged all-MiniLM-L6-v2 model: embeddings are made as threads
# are indexed and the typed question is embedded per lookup (about 95 MB of memory per
# process once loaded). Off: similar questions rank lexically (BM25F) only.
SIMILAR_SEMANTIC = env_bool("SIMILAR_SEMANTIC", True)
# lexical | semantic | fused (reciprocal-rank fusion of both); without the model, lexical.
SIMILAR_RANKING = os.environ.get("SIMILAR_RANKING", "fused")

# --- REST API (practica/api) ---------------------------------------------------------------
# Requests a minute per token, member or (anonymous) address; over it, 429 with Retry-After.
API_RATE_LIMITS = {
    "read": env_int("API_READS_PER_MINUTE", 600),
    "write": env_int("API_WRITES_PER_MINUTE", 60),
}
# Largest JSON body the API reads (a post's 20,000 characters fit several times over).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 256 * 1024)
# Webhooks refuse loopback and private addresses (no server-side request forgery).
# Tests and the demo set this to deliver to a receiver on this machine (http allowed there).
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", DEMO)
