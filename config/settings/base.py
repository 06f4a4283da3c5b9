"""Settings shared by every environment, driven by environment variables.

Safe by default: debug is off, cookies are secure and a secret key is required.
`local.py` and `test.py` relax only what development and tests need.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Cohortline refuses to start with debug off and "
            'no secret key. Generate one with: python -c "import secrets; '
            'print(secrets.token_urlsafe(50))" and export it as DJANGO_SECRET_KEY.'
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-do-not-use"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The product's name in emails and page text, whatever host serves it.
SITE_NAME = env.str("SITE_NAME", default="Cohortline")
# The staff list's indexes carry the status as a non-key column (INCLUDE) so that PostgreSQL can
# answer from the index alone; SQLite, used by the demo, builds them without it and would warn.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

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
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "django_filters",
    # The API docs page (/api/v1/docs) then serves Swagger UI from static files, without the
    # CDN and inline script that the Content-Security-Policy blocks.
    "ninja",
    "csp",
    "core",
    "accounts",
    "notifications",
    "programmes",
    "exports",
    "cohorts",
    "applications",
    "reviews",
    "selection",
    "compute",
    "mentoring",
    "courses",
    "certificates",
    "dashboards",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    # First, so every log line of a request, errors included, carries its id.
    "core.request_id.RequestIdMiddleware",
    # Under /api/, a 404 or 405 answers JSON like every other API error.
    "core.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL character in the address, or an out-of-range value, is a 400, never a 500.
    "core.middleware.InputGuardMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "programmes.middleware.ProgrammeRolesMiddleware",
    "programmes.middleware.AdminMfaRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "programmes.context_processors.navigation",
                "config.context_processors.navigation",
            ],
        },
    },
    {
        # Plain-text parts of emails and in-app texts: no HTML escaping ("Q&A", not "Q&amp;A").
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise (PostgreSQL in production).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the cache and (unless CELERY_BROKER_URL says otherwise) the Celery broker. The cache
# holds the sign-in rate limits and the used TOTP codes, so it must be shared by every process;
# while it is unreachable, pages that need it answer 503 (core.error_pages), never fail open.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # COHORTLINE_UNSAFE_PER_PROCESS_CACHE=true is for the test settings (which replace CACHES)
    # and single-process trials only.
    if not DEBUG and not env.bool("COHORTLINE_UNSAFE_PER_PROCESS_CACHE", default=False):
        raise ImproperlyConfigured(
            "REDIS_URL is not set. Cohortline refuses to start with debug off and no shared "
            "cache: a per-process cache gives every worker its own sign-in rate limits and its "
            "own record of used two-factor codes. Run Redis and export REDIS_URL, e.g. "
            "redis://127.0.0.1:6379/1."
        )
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Fragments derived from the code and the language alone (an empty sign-up form), never from
# data: each process keeps its own, and a deploy (new processes) starts afresh.
CACHES["code"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "code"}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "accounts.validators.ProductNamePasswordValidator",
        "OPTIONS": {
            "words": ["Cohortline", "cohort", "programme", "program"],
            # Read from the database when a password is checked; labels, not imports, because
            # accounts must not import the app that owns programmes and partners.
            "name_sources": ["programmes.Programme.name", "programmes.Partner.name"],
        },
    },
]
LOGIN_URL = "account_login"
LOGIN_URL_PATH = "/accounts/login/"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth: email is the login, verification is mandatory, enumeration is prevented
# and allauth's rate limits stay on (they use the cache).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
}
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_UNIQUE_EMAIL = True
# No "[site]" prefix: allauth's emails read like every other email (the sender is the product).
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Changing email addresses (and, through allauth.mfa, two-factor settings), applicant exports and
# team changes ask for the password or an authenticator code again unless it was given within
# the timeout (accounts.reauthentication).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_TIMEOUT_SECONDS", default=300)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Cohortline"

# MFA is mandatory for platform and programme admins unless this is switched off (demo only).
COHORTLINE_ADMIN_MFA_REQUIRED = env.bool("COHORTLINE_ADMIN_MFA_REQUIRED", default=True)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console by default; EMAIL_URL=smtp://user:pass@host:587/?tls=True in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cohortline <no-reply@cohortline.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _next_redis_database(url: str) -> str:
    """The same Redis server, next database: the broker must not share the cache's database
    (clearing the cache would drop queued tasks)."""
    if not url:
        return ""
    base, _, tail = url.rpartition("/")
    if base.endswith(":") or not tail.isdigit():  # no database in the URL: the cache uses 0
        return url.rstrip("/") + "/1"
    return f"{base}/{(int(tail) + 1) % 16}"


# Celery: Redis as broker; without a broker tasks run eagerly in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_next_redis_database(REDIS_URL))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Above the longest task and the longest retry countdown (NOTIFICATIONS_RETRY_MAX_SECONDS).
    "visibility_timeout": 7200,
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = "UTC"
# The periodic schedule lives here, and only here.
CELERY_BEAT_SCHEDULE: dict = {
    "sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 60.0},
    "application-deadline-reminders": {
        "task": "applications.application_deadline_reminders",
        "schedule": 900.0,
    },
    "application-status-counts-compact": {
        "task": "applications.status_counts_compact",
        "schedule": 300.0,
    },
    "review-deadline-reminders": {"task": "reviews.review_deadline_reminders", "schedule": 900.0},
    "assignment-runs-sweep": {"task": "reviews.assignment_runs_sweep", "schedule": 60.0},
    "offers-expire": {"task": "selection.offers_expire", "schedule": 300.0},
    "selection-runs-sweep": {"task": "selection.selection_runs_sweep", "schedule": 120.0},
    "waitlist-promote": {"task": "selection.waitlist_promote", "schedule": 300.0},
    "offer-reminders": {"task": "selection.offer_reminders", "schedule": 900.0},
    "mentoring-nudges": {"task": "mentoring.pairings_nudge", "schedule": 3600.0},
    "courses-reminders": {"task": "courses.reminders_send", "schedule": 900.0},
    "exports-expire": {"task": "exports.exports_expire", "schedule": 3600.0},
    "exports-sweep": {"task": "exports.exports_sweep", "schedule": 120.0},
    "certificates-issue-runs-sweep": {
        "task": "certificates.issue_runs_sweep",
        "schedule": 120.0,
    },
    "privacy-erasures": {"task": "privacy.erasures_carry_out", "schedule": 3600.0},
    "privacy-retention": {"task": "privacy.retention_purge", "schedule": 86400.0},
}

# Erasure (docs/operations.md, "Erasure"): an account is erased this many days after its owner
# asks, so that a mistaken or forced request can still be cancelled.
COHORTLINE_ERASURE_GRACE_DAYS = env.int("COHORTLINE_ERASURE_GRACE_DAYS", default=14)

# Certificates: the Ed25519 keys that sign Open Badges credentials, one PKCS#8 PEM file per key
# (`manage.py certificates_keygen` adds one; the newest signs, every one stays published).
# Outside the database and the web root; on several machines, a shared secret volume.
COHORTLINE_SIGNING_KEYS_DIR = env.path("COHORTLINE_SIGNING_KEYS_DIR", default=str(VAR_DIR / "keys"))
# Requests one client address may make to the public verification pages per minute (429 above).
COHORTLINE_VERIFY_RATE_PER_MINUTE = env.int("COHORTLINE_VERIFY_RATE_PER_MINUTE", default=60)

# Exports (docs/exports.md): more rows than this are built by a worker into the private storage
# and offered for download from the export's page, which the file leaves after the expiry.
COHORTLINE_EXPORT_INLINE_MAX_ROWS = env.int("COHORTLINE_EXPORT_INLINE_MAX_ROWS", default=5000)
COHORTLINE_EXPORT_EXPIRY_DAYS = env.int("COHORTLINE_EXPORT_EXPIRY_DAYS", default=7)

# Email delivery from the outbox (notifications.services.email_chunk_send): a task claims up to
# NOTIFICATIONS_CHUNK_SIZE messages and sends them over one SMTP connection, recording each sent
# one at once (every NOTIFICATIONS_RECORD_EVERY; above 1, a worker killed outright may have sent
# that many unrecorded, and they go again with the same Message-ID). A chunk hands back what it
# has not sent after NOTIFICATIONS_CHUNK_SECONDS, well inside the soft task time limit.
NOTIFICATIONS_CHUNK_SIZE = env.int("NOTIFICATIONS_CHUNK_SIZE", default=100)
NOTIFICATIONS_RECORD_EVERY = env.int("NOTIFICATIONS_RECORD_EVERY", default=1)
NOTIFICATIONS_CHUNK_SECONDS = 120
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
NOTIFICATIONS_SMTP_TIMEOUT_SECONDS = 20
# Pending rows older than this are enqueued again by the sweeper (broker was down, task lost).
NOTIFICATIONS_STALE_PENDING_SECONDS = 120
# Rows still "sending" well after the hard task time limit belonged to a worker that died.
NOTIFICATIONS_STALE_SENDING_SECONDS = CELERY_TASK_TIME_LIMIT + 240

# Compute quotas: the Slurm account a cohort's participants are limited in, for
# `manage.py compute_slurm_limits` ({programme} and {cohort} are their slugs).
COMPUTE_SLURM_ACCOUNT_TEMPLATE = env.str(
    "COMPUTE_SLURM_ACCOUNT_TEMPLATE", default="{programme}-{cohort}"
)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Singapore")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
# CVs and other personal files: outside MEDIA_ROOT, downloadable only through checked views.
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
# Upload limits: the request body may hold a 5 MB CV plus the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def s3_private_storage(environ_: environ.Env) -> dict | None:
    """The "private" alias on an S3-compatible bucket when S3_BUCKET is set (None otherwise):
    private objects, encrypted at rest, never overwritten, read through short-lived signed URLs.
    Without S3_ACCESS_KEY_ID boto's own credential chain applies (instance role, AWS_* vars)."""
    bucket = environ_.str("S3_BUCKET", default="")
    if not bucket:
        return None
    endpoint = environ_.str("S3_ENDPOINT_URL", default="") or None
    from botocore.config import Config

    encryption = environ_.str("S3_SERVER_SIDE_ENCRYPTION", default="AES256")
    presigned_seconds = environ_.int("S3_PRESIGNED_SECONDS", default=60)
    if not 1 <= presigned_seconds <= 3600:
        raise ImproperlyConfigured(
            "S3_PRESIGNED_SECONDS must be between 1 and 3600: a signed link to personal data "
            "should not outlive the download it was made for."
        )
    addressing = environ_.str("S3_ADDRESSING_STYLE", default="path" if endpoint else "")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": environ_.str("S3_REGION", default="us-east-1"),
        "location": environ_.str("S3_PREFIX", default="private"),
        "default_acl": "private",
        "object_parameters": {"ServerSideEncryption": encryption} if encryption else {},
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": presigned_seconds,
        # Path style (endpoint/bucket/key) suits MinIO and most self-hosted endpoints. Short
        # timeouts and few retries: an unreachable bucket must fail a download or /healthz in
        # seconds, not hold a web worker for minutes (botocore's defaults: 60 s, 5 attempts).
        "client_config": Config(
            signature_version="s3v4",
            s3={"addressing_style": addressing or None},
            connect_timeout=environ_.float("S3_CONNECT_TIMEOUT_SECONDS", default=3.0),
            read_timeout=environ_.float("S3_READ_TIMEOUT_SECONDS", default=20.0),
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    }
    access_key = environ_.str("S3_ACCESS_KEY_ID", default="")
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = environ_.str("S3_SECRET_ACCESS_KEY", default="")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES["private"] = s3_private_storage(env) or STORAGES["private"]
# How private files stored in a bucket reach the browser: "redirect" (a 302 to a signed URL
# valid S3_PRESIGNED_SECONDS) or "stream" (through the web process). Files on disk always stream.
S3_DOWNLOADS = env.str("S3_DOWNLOADS", default="redirect")
if S3_DOWNLOADS not in ("redirect", "stream"):
    raise ImproperlyConfigured('S3_DOWNLOADS must be "redirect" or "stream".')

# Content Security Policy: our own origin only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Transport security. Behind a TLS-terminating proxy set DJANGO_SECURE_PROXY_SSL_HEADER=true.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies we run in front of the app. allauth then takes the client's address
# from that position of X-Forwarded-For (sign-in and verification rate limits); at 0 it ignores the
# header (a client can forge it) and uses REMOTE_ADDR, which behind a proxy is the proxy's own.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The __Host- prefix: browsers accept these cookies only over https, for path "/" and without a
# Domain attribute, so a sibling subdomain cannot set or overwrite them. Plain names over http.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
# Session lifetime (accounts.middleware.SessionLifetimeMiddleware): everyone is signed out this
# long after signing in; staff, superusers and anyone with a role in the model below also after
# this many minutes without a request.
SESSION_MAX_AGE_HOURS = env.int("SESSION_MAX_AGE_HOURS", default=12)
SESSION_IDLE_MINUTES_STAFF = env.int("SESSION_IDLE_MINUTES_STAFF", default=30)
SESSION_STAFF_ROLE_MODEL = "programmes.ProgrammeRole"
SESSION_COOKIE_AGE = SESSION_MAX_AGE_HOURS * 3600
X_FRAME_OPTIONS = "DENY"

# Virus scanning of uploads through clamd (core.virus_scan): tcp://host:3310 or
# unix:///run/clamav/clamd.ctl. Empty: uploads are not scanned. Configured but unreachable:
# uploads are refused until it answers.
CLAMD_URL = env.str("CLAMD_URL", default="")
CLAMD_TIMEOUT_SECONDS = env.float("CLAMD_TIMEOUT_SECONDS", default=15.0)
if CLAMD_URL and not CLAMD_URL.startswith(("tcp://", "unix://")):
    raise ImproperlyConfigured(
        f"CLAMD_URL={CLAMD_URL!r} is not understood. Use tcp://host:3310 or "
        "unix:///run/clamav/clamd.ctl, or leave it empty to upload without virus scanning."
    )

# Every line carries the request id ("-" outside a request); error pages show it as "Reference".
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
if CELERY_TASK_ALWAYS_EAGER:
    # Eager tasks still borrow a producer from kombu's pool, which warns "No hostname was
    # supplied" for the empty broker URL although nothing ever connects.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
