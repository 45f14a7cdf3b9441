"""Yiwang settings: one base, driven by the environment (see `environment.py` and `.env.example`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from yiwang.config.environment import REPOSITORY_DIR, read_environment
from yiwang.config.secrets import MASTER_KEY_FILE, OIDC_PRIVATE_KEY_FILE, SECRET_KEY_FILE, read_secret

ENV = read_environment()
BASE_DIR = REPOSITORY_DIR
VAR_DIR = ENV.var_dir
DEBUG = ENV.debug


def _secret(value: str | None, file_name: str, variable: str) -> str:
    found = value or read_secret(VAR_DIR, file_name)
    if not found:
        raise ImproperlyConfigured(
            f"{variable} is not set and {VAR_DIR / file_name} does not exist: set {variable}, "
            "or run any `yiwang` command once to create development secrets."
        )
    return found


SECRET_KEY = _secret(ENV.secret_key, SECRET_KEY_FILE, "SECRET_KEY")
YIWANG_MASTER_KEY = _secret(ENV.master_key, MASTER_KEY_FILE, "YIWANG_MASTER_KEY")
YIWANG_PUBLIC_URL = ENV.public_url
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Yiwang's apps come before the libraries whose templates they override (consent, logout).
    "yiwang.core",
    "yiwang.org",
    "yiwang.identity",
    "yiwang.web",
    "yiwang.datahub",
    "yiwang.exchange",
    "yiwang.services",
    "yiwang.cases",
    "yiwang.licenses",
    "yiwang.demo",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "oauth2_provider",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]
if ENV.redis_url:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yiwang.exchange.middleware.GatewayLogMiddleware",
    "yiwang.core.middleware.RefuseNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yiwang.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yiwang.core.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "yiwang.identity.middleware.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The gateway's own handler (config/wsgi.py): security headers and the access log, nothing for browsers.
YIWANG_GATEWAY_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yiwang.exchange.middleware.GatewayLogMiddleware",
    "yiwang.core.middleware.RefuseNulCharactersMiddleware",
]

ROOT_URLCONF = "yiwang.config.urls"
WSGI_APPLICATION = "yiwang.config.wsgi.application"
ASGI_APPLICATION = "yiwang.config.asgi.application"

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
                "yiwang.web.context_processors.shell",
            ],
        },
    },
]


# --- database --------------------------------------------------------------
def _database(url: str, pool: bool) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url))
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait for it (busy_timeout)
            # instead of failing with "database is locked" when a read transaction tries to write.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
        }
    elif engine == "django.db.backends.postgresql":
        config["ENGINE"] = "django.db.backends.postgresql"
        options: dict[str, Any] = config.setdefault("OPTIONS", {})
        # PostgreSQL's JIT compiles the plans of large aggregates (the hotline's analytics) for up to seconds and
        # gained nothing on them (docs/benchmarks.md, "Case analytics"); a URL's own options are kept.
        options.setdefault("options", "-c jit=off")
        if pool:
            options["pool"] = {"min_size": 2, "max_size": 20, "timeout": 10}
            config["CONN_MAX_AGE"] = 0
    else:
        raise ImproperlyConfigured(f"DATABASE_URL must be sqlite:// or postgres://, got engine {engine}")
    return config


DATABASES = {"default": _database(ENV.database_url, ENV.database_pool)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and background tasks ---------------------------------------------
if ENV.redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ENV.redis_url}}
    RQ_QUEUES = {"default": {"URL": ENV.redis_url, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "yiwang_cache",
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- identity ----------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "yiwang.identity.backends.LoginNameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yiwang.identity.passwords.CharacterClassValidator", "OPTIONS": {"classes": 3}},
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
YIWANG_STAFF_REQUIRE_TOTP = ENV.staff_require_totp
YIWANG_STAFF_IDLE_MINUTES = ENV.staff_idle_minutes
YIWANG_CITIZEN_IDLE_MINUTES = ENV.citizen_idle_minutes
# Dotted path of a callable `(real_name, id_number) -> RealNameMatch`: the population registry answers.
YIWANG_REAL_NAME_MATCHER: str | None = "yiwang.datahub.registry.selectors.population_real_name_match"
OTP_TOTP_ISSUER = "Yiwang 一网通"

AXES_FAILURE_LIMIT = ENV.login_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=ENV.login_lockout_minutes)
# Lock the account, not the address: whole offices sit behind one NAT address, and a per-account counter
# cannot be dodged by changing address or browser.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "yiwang.identity.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "yiwang.identity.views.account_locked"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_PROXY_COUNT = 1 if ENV.behind_tls_proxy else 0

SESSION_COOKIE_AGE = int(timedelta(hours=10).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- OpenID Connect provider -------------------------------------------------
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _secret(ENV.oidc_private_key, OIDC_PRIVATE_KEY_FILE, "YIWANG_OIDC_PRIVATE_KEY"),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_ACCEPT_EXPIRED_TOKENS": True,
    # Without YIWANG_PUBLIC_URL the issuer is derived from each request (the site root).
    "OIDC_ISS_ENDPOINT": ENV.public_url if ENV.public_url_configured else None,
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if not ENV.production else ["https"],
    "OAUTH2_VALIDATOR_CLASS": "yiwang.identity.oidc.YiwangValidator",
    "SCOPES": {
        "openid": _("Your identity on Yiwang"),
        "profile": _("Your name and account type"),
        "phone": _("Your mobile phone number"),
        "id_number": _("Your resident ID number"),
        "department": _("Your department and roles (staff only)"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # Citizens see the consent screen on every sign-in (ConsentView also ignores a client's approval_prompt).
    "REQUEST_APPROVAL_PROMPT": "force",
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_SERVER_CLASS": "yiwang.identity.oidc_server.S256OnlyServer",
}

# --- internationalisation -----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "yiwang" / "locale"]
LANGUAGE_COOKIE_NAME = "yiwang_language"
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static and media files ----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if ENV.production
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not ENV.production
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest file an applicant may upload as an application's material (the services app checks it).
YIWANG_UPLOAD_MAX_BYTES = ENV.upload_max_bytes

# --- security headers -------------------------------------------------------------
CSRF_FAILURE_VIEW = "yiwang.web.views.csrf_failure_view"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS is only ever sent on HTTPS responses, so it is safe to set unconditionally.
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page's meta tag, not the cookie
if ENV.behind_tls_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    USE_X_FORWARDED_HOST = True
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
        "frame-ancestors": ["'none'"],
    }
}

# --- mail --------------------------------------------------------------------------
if ENV.email_url.startswith("smtp://"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    _mail = urlsplit(ENV.email_url)
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = _mail.username or ""
    EMAIL_HOST_PASSWORD = _mail.password or ""
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "noreply@yiwang.invalid"

# --- audit -------------------------------------------------------------------------
YIWANG_AUDIT_CHAIN_LANES = ENV.audit_chain_lanes

# --- exchange ---------------------------------------------------------------------
YIWANG_EXCHANGE_COMPLIANCE_DAYS = ENV.exchange_compliance_days
YIWANG_EXCHANGE_SOURCE_DAYS = ENV.exchange_source_days
YIWANG_EXCHANGE_DEMAND_DAYS = ENV.exchange_demand_days
YIWANG_GATEWAY_CACHE_SECONDS = ENV.gateway_cache_seconds

# --- licenses ----------------------------------------------------------------------
# A TrueType font with Chinese characters for seal pictures and license PDFs; empty: Debian's AR PL UMing
# (fonts-arphic-uming) or another font found in the usual places (`licenses.fonts`).
YIWANG_CJK_FONT = ENV.cjk_font
# The services app asks the licenses app whether an item's result names a known license type (a seam upwards).
YIWANG_LICENSE_TYPE_RESOLVER = "yiwang.licenses.services.license_type_name"

# --- cases (12345 hotline and grid) ----------------------------------------------------
# An unsatisfied follow-up reopens a case (重办) at most this many times; then it is closed as unsatisfied.
YIWANG_CASES_MAX_REOPENS = ENV.cases_max_reopens
# A late case is escalated (督办) to level 1 on its first late working day, one level more every this many days.
YIWANG_CASES_ESCALATION_STEP_DAYS = ENV.cases_escalation_step_days
# Units with fewer cases than this in a period are shown but not ranked (样本不足).
YIWANG_CASES_RANKING_MIN_VOLUME = ENV.cases_ranking_min_volume
# The Open311 jurisdiction_id this server answers for (the city's domain).
YIWANG_OPEN311_JURISDICTION = ENV.open311_jurisdiction
# Interfaces that answer a NUL character in their own error format instead of RFC 7807 (core.middleware).
YIWANG_NUL_REFUSALS = {"/open311/": "yiwang.cases.open311.views.nul_refusal"}
# Where the codes of anonymous reporters' phone checks go: a class with send(phone, text), an SMS gateway's adapter;
# empty: printed on the console in development (DEBUG), refused elsewhere (`cases.sms`).
YIWANG_SMS_BACKEND = ENV.sms_backend

# Enqueued by `yiwang worker` at these intervals (seconds): (task's dotted path, interval).
YIWANG_PERIODIC_TASKS: list[tuple[str, int]] = [
    ("yiwang.exchange.tasks.seal_access_log", 60),
    ("yiwang.exchange.tasks.chase_access_requests", 3600),
    ("yiwang.services.tasks.deem_applications_accepted", 3600),
    ("yiwang.services.tasks.watch_supervision_warnings", 3600),
    ("yiwang.services.tasks.conclude_bundle_applications", 3600),
    ("yiwang.services.tasks.fire_process_timers", 60),
    ("yiwang.services.tasks.recompute_application_deadlines", 86400),
    ("yiwang.licenses.tasks.issue_pending_licenses", 300),
    ("yiwang.licenses.tasks.sweep_licenses_to_exchange", 600),
    ("yiwang.cases.tasks.watch_case_deadlines", 900),
    ("yiwang.cases.tasks.recount_case_deadlines", 86400),
]

# --- logging: never personal data ------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": ENV.log_level},
    "loggers": {"axes": {"level": "WARNING"}, "spiff": {"level": "WARNING"}},  # SpiffWorkflow logs every state
}
