"""OpenNPS settings: every value comes from the environment (see docs/configuration.md)."""

import os
import re
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The demo and the test suite are just other environments: a file named by NPS_ENV_FILE is read first,
# and real environment variables always win over it.
if os.environ.get("NPS_ENV_FILE"):
    environ.Env.read_env(BASE_DIR / os.environ["NPS_ENV_FILE"], overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# No default: production must fail at start-up, naming the missing variable.
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])

INSTALLED_APPS = [
    "nps",
    "surveys",
    "responses",
    "dashboards",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Serves the API docs page from the swagger-ui files it ships (no CDN).
    "ninja",
    "phonenumber_field",
    "anymail",
    "axes",
    "csp",
    "corsheaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Keeps the request for audit.record(): who acts, from which client address (nps/audit/).
    "nps.audit.AuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nps.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Under DEBUG, our 404 page instead of Django's technical one (the demo), with the headers above; nothing
    # otherwise.
    "nps.middleware.ProductNotFoundPageMiddleware",
    # Axes must come last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# The answer pages (/r/…) run through this subset only (see nps/wsgi.py): they use no session, user,
# message, CSRF token, CORS or htmx.
PUBLIC_PATH_PREFIX = "/r/"
PUBLIC_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nps.middleware.CSPMiddleware",
]

ROOT_URLCONF = "nps.urls"
WSGI_APPLICATION = "nps.wsgi.application"

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
                "nps.context_processors.product",
                "responses.cases.context.case_counts",  # the menu's case badge (cached, lazy)
            ],
            # Template tag libraries of the nps sub-packages, which are not apps of their own.
            "libraries": {"accounts": "nps.accounts.templatetags"},
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # gunicorn's sync workers and Celery's prefork workers each serve one request (task) at a time, so one
    # connection kept open per process does what a pool would, without a checkout and a checkin per
    # request. DATABASE_POOL=true swaps in Django's psycopg pool instead (for a threaded server).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = env.bool("DATABASE_POOL", default=False)
    DATABASES["default"]["CONN_MAX_AGE"] = (
        0 if DATABASES["default"]["OPTIONS"]["pool"] else env.int("DATABASE_CONN_MAX_AGE", default=600)
    )
    # Statements on server-side-binding cursors (only the answer hot path uses them) are prepared after
    # this many runs on a connection. Django's own cursors bind client-side and are never prepared.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif REDIS_URL:
    # Shared by every web process: rate limits and login throttling must count across workers.
    CACHES = {"default": {"BACKEND": "nps.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "nps.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "nps:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "nps:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
TEAM_INVITATION_DAYS = env.int("TEAM_INVITATION_DAYS", default=7)

# Login throttling: django-axes locks a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The sign-in form's field is "username"; axes would otherwise look for the model's "email".
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "nps.accounts.forms.lockout_username"
AXES_RESET_ON_SUCCESS = True
# The client's address (behind TRUSTED_PROXIES, IPv6 per /64), the same one every rate limit counts.
AXES_CLIENT_IP_CALLABLE = "nps.ratelimit.client_address"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("hi", "हिन्दी"),
    ("ta", "தமிழ்"),
    ("bn", "বাংলা"),
    ("es", "Español"),
    ("pt", "Português"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("ar", "العربية"),
    ("ja", "日本語"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "nps" / "locale"]
# The workspace's time zone: days and weeks of dashboards are cut in it.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# Staff pages' digit grouping: `international` (1,234,567) or `indian` (12,34,567). Django's own
# NUMBER_GROUPING takes it as a sequence; nps/formats/en/formats.py makes English follow it, so that
# intcomma and every localised number on a staff page groups the workspace's way.
_NUMBER_GROUPINGS = {"international": 3, "indian": (3, 2, 0)}
_number_grouping = env.str("NUMBER_GROUPING", default="").strip().lower() or "international"
if _number_grouping not in _NUMBER_GROUPINGS:
    raise environ.ImproperlyConfigured(
        f"NUMBER_GROUPING must be international or indian, not {_number_grouping!r}."
    )
NUMBER_GROUPING = _NUMBER_GROUPINGS[_number_grouping]
FORMAT_MODULE_PATH = ["nps.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Phone numbers without a country code are read in this region, wherever they come in (forms, CSV
# imports, both APIs: surveys.contacts.normalize_phone); contact CSV uploads above the limit are refused.
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="IN")
CONTACT_IMPORT_MAX_MB = env.int("CONTACT_IMPORT_MAX_MB", default=200)
# The uploaded file of a CSV import is deleted when the import ends; its rejected rows (for the admin to fix)
# this many days later, by a nightly task (surveys.import_files). Imports left waiting this long are cancelled.
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=7)
# Retention (docs/privacy.md): a nightly task (nps.retention) erases contacts without activity for this many
# months, anonymises or deletes answers older than this many months, and deletes finished webhook deliveries
# and invitations' error texts older than this many days. 0 keeps forever, the default.
RETENTION_CONTACT_MONTHS = env.int("RETENTION_CONTACT_MONTHS", default=0)
RETENTION_CONTACT_ACTION = env.str("RETENTION_CONTACT_ACTION", default="anonymise")
RETENTION_ANSWER_MONTHS = env.int("RETENTION_ANSWER_MONTHS", default=0)
RETENTION_ANSWER_ACTION = env.str("RETENTION_ANSWER_ACTION", default="anonymise")
RETENTION_DELIVERY_LOG_DAYS = env.int("RETENTION_DELIVERY_LOG_DAYS", default=0)
for _name in ("RETENTION_CONTACT_MONTHS", "RETENTION_ANSWER_MONTHS", "RETENTION_DELIVERY_LOG_DAYS"):
    if not 0 <= globals()[_name] <= 1200 * (30 if _name.endswith("DAYS") else 1):
        raise environ.ImproperlyConfigured(f"{_name} must be 0 (keep forever) or a positive number.")
for _name in ("RETENTION_CONTACT_ACTION", "RETENTION_ANSWER_ACTION"):
    if globals()[_name] not in ("anonymise", "delete"):
        raise environ.ImproperlyConfigured(f"{_name} must be anonymise or delete, not {globals()[_name]!r}.")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Mail: any django-anymail ESP (or SMTP) chosen by EMAIL_BACKEND; every ANYMAIL_* variable is passed on.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")
}
# An anymail ESP's tracking webhook is mounted (surveys/channels/email/webhooks.py) and takes a bounce or a
# complaint, which stops every survey to that address, only with ANYMAIL_WEBHOOK_SECRET ("user:password")
# as HTTP basic auth. Production with an ESP does not start without one (docs/operations.md).
_ESP = EMAIL_BACKEND.split(".")[2] if EMAIL_BACKEND.startswith("anymail.backends.") else ""
if (not DEBUG and _ESP not in {"", "test", "console"}) or ANYMAIL.get("WEBHOOK_SECRET"):
    _hook_user, _, _hook_password = env.str("ANYMAIL_WEBHOOK_SECRET").partition(":")
    if not _hook_user or len(_hook_password) < 16 or "CHANGE-ME" in _hook_password:
        raise environ.ImproperlyConfigured(
            "ANYMAIL_WEBHOOK_SECRET must be user:password, with a random password of at least 16 "
            "characters; the same credentials go into the webhook URL at your email provider."
        )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="OpenNPS <nps@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds; an SMTP send must end well inside the delivery lease (surveys/delivery.py, docs/delivery.md).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
MAIL_OUTBOX_DIR = env.path("MAIL_OUTBOX_DIR", default=BASE_DIR / "var" / "outbox")
# Optional mailbox that receives "unsubscribe" mails, offered in List-Unsubscribe beside the https link.
UNSUBSCRIBE_MAILTO = env.str("UNSUBSCRIBE_MAILTO", default="")
# Where customers' answers to a case reply go (responses/cases/replies.py): each reply carries a signed
# Reply-To "<local>+c<case id>.<signature>@<domain>" of it, and the ESP's inbound webhook, mounted only while
# this is set, brings the answer back onto the case. The ESP must route all mail of that address (and its
# "+tags") to /anymail/<esp>/inbound/ (docs/operations.md). Empty: replies carry no signed Reply-To.
CASE_REPLY_ADDRESS = env.str("CASE_REPLY_ADDRESS", default="").strip()
if CASE_REPLY_ADDRESS and not re.fullmatch(
    r"[A-Za-z0-9._-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", CASE_REPLY_ADDRESS
):
    raise environ.ImproperlyConfigured(
        "CASE_REPLY_ADDRESS must be a plain address such as replies@support.example.com (no name, no +tag)."
    )

# Texts (SMS and WhatsApp, docs/sms-and-whatsapp.md): "twilio" in production; "file" writes one JSON file
# per message to SMS_OUTBOX_DIR and turns on the phone simulator (demo).
SMS_BACKEND = env.str("SMS_BACKEND", default="twilio")
SMS_OUTBOX_DIR = env.path("SMS_OUTBOX_DIR", default=BASE_DIR / "var" / "sms-outbox")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
# Also checks the signature of every incoming Twilio webhook: without it, they are all refused.
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
# The default sender of SMS (E.164 number or alphanumeric sender ID) or Messaging Service ("MG…"); a brand
# may name its own. WhatsApp templates need a Messaging Service.
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_WHATSAPP_FROM = env.str("TWILIO_WHATSAPP_FROM", default="")
# Twilio's REST API; tests point it at a local stub.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="https://api.twilio.com").rstrip("/")
# Seconds; a send must end well inside the delivery lease.
TWILIO_TIMEOUT = env.int("TWILIO_TIMEOUT", default=30)
# A reply-mode conversation by text waits this long for the customer's replies.
TEXT_CONVERSATION_HOURS = env.int("TEXT_CONVERSATION_HOURS", default=24)
# Texts go only inside these local hours of the recipient (US TCPA: 08:00-21:00); stricter regions are rows
# on the quiet hours page.
TEXT_QUIET_HOURS = env.str("TEXT_QUIET_HOURS", default="08:00-21:00")
# Countries whose numbers cannot reply to an SMS (India: no two-way SMS): always link mode there.
TEXT_LINK_ONLY_REGIONS = env.list("TEXT_LINK_ONLY_REGIONS", default=["IN"])

# Outbound URLs (webhooks; Slack and Teams alerts): only public addresses, see nps/outbound.py. Loopback
# (127.0.0.1, ::1, localhost) only for development receivers: never on a server.
OUTBOUND_ALLOW_LOOPBACK = env.bool("OUTBOUND_ALLOW_LOOPBACK", default=DEBUG)

# Alerts (responses/alerts/): an answer's alert waits this many seconds before it goes, because the comment
# usually follows the score a few seconds later; alerts due together become one summary message.
ALERT_SETTLE_SECONDS = env.int("ALERT_SETTLE_SECONDS", default=30)
# Comment themes (responses/themes/): a comment gets its themes from the minute's pass of Celery beat; with no
# beat (the demo, tasks in process) each saved comment gets them at once, in its request.
THEMES_ASSIGN_AT_ONCE = env.bool("THEMES_ASSIGN_AT_ONCE", default=False)
# At most one message per destination this often (Slack allows about one a second per webhook).
ALERT_MIN_INTERVAL_SECONDS = env.float("ALERT_MIN_INTERVAL_SECONDS", default=1.0)
# The demo's Slack and Teams catcher (nps/demo/slack.py): alerts posted to /demo/slack/hooks/… become JSON
# files in ALERT_OUTBOX_DIR, shown to admins on /demo/slack/. Only with DEBUG: never on a server.
DEMO_ALERT_CATCHER = DEBUG and env.bool("DEMO_ALERT_CATCHER", default=False)
ALERT_OUTBOX_DIR = env.path("ALERT_OUTBOX_DIR", default=BASE_DIR / "var" / "alerts")

# Celery: the broker is Redis in production; the demo runs tasks in process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Celery's Django fixup closes the database connection before and after every task unless this is set: a new
# PostgreSQL connection per email was most of a send's time. nps/celery.py closes a connection that failed
# or outlived DATABASE_CONN_MAX_AGE instead, as Django does between two requests.
CELERY_DB_REUSE_MAX = 1_000_000

# Security headers. Answer pages stay strict; dashboards need inline styles for plotly.js.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# Behind a TLS proxy, HTTPS only by default: plain HTTP is redirected and browsers are told (HSTS).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=BEHIND_TLS_PROXY)
# Container and load-balancer health checks probe over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if BEHIND_TLS_PROXY else 0)
# Subdomains and preloading bind other hosts of the domain to HTTPS for good: only when asked for.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# `check --deploy` asks for both; they are a decision about the whole domain, documented in configuration.md.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
# SQLite (the demo) cannot make the theme rollups' unique key treat NULLs as equal; it keeps no rollups.
SILENCED_SYSTEM_CHECKS += ["models.W047"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Every form of ours posts to this site; a redirect after a POST stays on it too.
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks); see nps/clientip.py.
# Empty: the peer is the client and X-Forwarded-For is ignored.
TRUSTED_PROXIES = tuple(env.list("TRUSTED_PROXIES", default=[]))
# Password reset requests, per client address and per email address (mail bombing).
PASSWORD_RESET_RATELIMIT = env.str("PASSWORD_RESET_RATELIMIT", default="10/h")
PASSWORD_RESET_EMAIL_RATELIMIT = env.str("PASSWORD_RESET_EMAIL_RATELIMIT", default="3/h")
# Answer pages, per client IP: all requests, and requests with an unknown or expired token (guessing).
ANSWER_RATELIMIT = env.str("ANSWER_RATELIMIT", default="300/m")
ANSWER_MISS_RATELIMIT = env.str("ANSWER_MISS_RATELIMIT", default="20/m")
# Public share links of dashboards (/s/<token>/), per client IP.
SHARE_RATELIMIT = env.str("SHARE_RATELIMIT", default="60/m")
# Public links of campaigns (/l/<token>/), per client IP: answers submitted and unknown tokens tried.
LINK_RATELIMIT = env.str("LINK_RATELIMIT", default="30/m")
# Requests per API key, counted in the shared cache over both APIs ("600/m", "10/s", "5000/h").
API_RATELIMIT = env.str("API_RATELIMIT", default="600/m")
# Twilio's webhooks (incoming texts, status callbacks), per client address: generous, since Twilio calls
# from a pool of addresses and a big campaign's status callbacks come in bursts.
TWILIO_WEBHOOK_RATELIMIT = env.str("TWILIO_WEBHOOK_RATELIMIT", default="3000/m")
# Kiosk pages and their answers (/k/…), per client address: one tablet flushing a day offline waits a
# little, the rest are kept in its queue (responses/kiosk_views.py).
KIOSK_RATELIMIT = env.str("KIOSK_RATELIMIT", default="120/m")
# CORS: only the on-site widget's API (/w/api/<site key>/…) answers other origins, and only those on its
# site's list: responses.widget_api.cors_enabled (a check_request_enabled receiver) decides per request.
# No path is enabled for every origin, so a preflight from any other origin reaches the view (403).
CORS_URLS_REGEX = r"^/w/api/(?!)"
CORS_ALLOW_METHODS = ["POST"]
CORS_ALLOW_HEADERS = ["content-type"]
CORS_PREFLIGHT_MAX_AGE = 86400

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(client_ip)s %(message)s"}},
    # client_ip: the client of the request being logged (nps.clientip), "-" outside a request.
    "filters": {"client_ip": {"()": "nps.clientip.ClientAddressFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_ip"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
# Every line once, through the root's handler: Django's "django" logger has a console handler of its own
# under DEBUG (and mail_admins, with no ADMINS here), which printed each of its lines twice. A 4xx it logs
# is one line, without the traceback of the exception behind it (nps/logsafe.py).
LOGGING["filters"]["client_error_without_traceback"] = {"()": "nps.logsafe.ClientErrorWithoutTraceback"}
LOGGING["loggers"]["django"] = {"handlers": []}
LOGGING["loggers"]["django.request"] = {"filters": ["client_error_without_traceback"]}
