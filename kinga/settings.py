"""Kinga's settings: every deployment choice comes from an environment variable.

``KINGA_ENV`` is ``production`` (the default), ``development`` (``make run``) or
``test`` (the test suite). Production refuses to start unless the secret key and the
field keys are given; the other two fill them in for a laptop.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kinga.core import devsecrets
from kinga.core.env import env_bool, env_int, env_list, env_str, parse_database_url
from kinga.vault.keyring import parse_field_keys, parse_index_key

BASE_DIR = Path(__file__).resolve().parent.parent
KINGA_ENV = env_str("KINGA_ENV", "production")
if KINGA_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(
        f"KINGA_ENV must be production, development or test, not {KINGA_ENV!r}"
    )

_TEST_SECRETS = {
    "KINGA_SECRET_KEY": "test-only-secret-key-never-used-outside-the-test-suite-0123456789",
    "KINGA_FIELD_KEYS": "test1:" + "A" * 43,
    "KINGA_INDEX_KEY": "B" * 43,
}
if KINGA_ENV == "development":
    _fallback = devsecrets.load_or_create(BASE_DIR / "var" / "dev-secrets.env")
elif KINGA_ENV == "test":
    _fallback = _TEST_SECRETS
else:
    _fallback = {}


def _secret(name: str) -> str | None:
    return env_str(name) or _fallback.get(name)


DEBUG = env_bool("KINGA_DEBUG", KINGA_ENV == "development")
DEMO = env_bool("KINGA_DEMO", KINGA_ENV != "production")

SECRET_KEY = _secret("KINGA_SECRET_KEY") or ""
if KINGA_ENV == "production":
    if len(SECRET_KEY) < 50 or SECRET_KEY in _TEST_SECRETS.values():
        raise ImproperlyConfigured(
            "KINGA_SECRET_KEY must be set to a random string of at least 50 characters "
            "in production"
        )
    if DEBUG:
        raise ImproperlyConfigured("KINGA_DEBUG must be false in production")

FIELD_KEYRING = parse_field_keys(_secret("KINGA_FIELD_KEYS"))
BLIND_INDEX_KEY = parse_index_key(_secret("KINGA_INDEX_KEY"))
if KINGA_ENV == "production" and (
    _secret("KINGA_FIELD_KEYS") == _TEST_SECRETS["KINGA_FIELD_KEYS"]
    or _secret("KINGA_INDEX_KEY") == _TEST_SECRETS["KINGA_INDEX_KEY"]
):
    raise ImproperlyConfigured("KINGA_FIELD_KEYS / KINGA_INDEX_KEY hold the published test keys")

ALLOWED_HOSTS = env_list(
    "KINGA_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "testserver"] if KINGA_ENV != "production" else [],
)
CSRF_TRUSTED_ORIGINS = env_list("KINGA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks_db",
    "kinga.core",
    "kinga.geo",
    "kinga.vault",
    "kinga.accounts",
    "kinga.audit",
    "kinga.cases",
    "kinga.research",
    "kinga.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kinga.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kinga.accounts.middleware.SessionGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "kinga.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "kinga.urls"
WSGI_APPLICATION = "kinga.wsgi.application"
ASGI_APPLICATION = "kinga.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kinga.core.context_processors.kinga",
            ],
        },
    }
]

DATABASES = {
    "default": parse_database_url(
        "DATABASE_URL",
        env_str("DATABASE_URL", "sqlite:///var/kinga.sqlite3") or "",
        base_dir=str(BASE_DIR),
    ).as_django()
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if KINGA_ENV == "test":
    # Argon2's cost is the point in production; the suite would spend minutes on it.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
AUTHENTICATION_BACKENDS = ["kinga.accounts.backends.LockoutAwareBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in protection.
KINGA_LOCKOUT_ATTEMPTS = env_int("KINGA_LOCKOUT_ATTEMPTS", 5, minimum=1)
KINGA_LOCKOUT_IP_ATTEMPTS = env_int("KINGA_LOCKOUT_IP_ATTEMPTS", 20, minimum=1)
KINGA_LOCKOUT_MINUTES = env_int("KINGA_LOCKOUT_MINUTES", 15, minimum=1)
KINGA_IDLE_TIMEOUT_MINUTES = env_int("KINGA_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
KINGA_REQUIRE_MFA = env_bool("KINGA_REQUIRE_MFA", not DEMO)
KINGA_MAX_BODY_BYTES = env_int("KINGA_MAX_BODY_BYTES", 10 * 1024 * 1024, minimum=1024)
# How many reverse proxies stand in front of the app; their X-Forwarded-For entries are
# trusted to name the client. 0 (the default) means the client connects directly.
KINGA_TRUSTED_PROXY_COUNT = env_int("KINGA_TRUSTED_PROXY_COUNT", 0)
KINGA_TOKEN_DAYS = env_int("KINGA_TOKEN_DAYS", 30, minimum=1)
KINGA_AUDIT_IP = env_str("KINGA_AUDIT_IP", "truncated")  # full | truncated | none
if KINGA_AUDIT_IP not in {"full", "truncated", "none"}:
    raise ImproperlyConfigured("KINGA_AUDIT_IP must be full, truncated or none")
KINGA_SMALL_CELL = env_int("KINGA_SMALL_CELL", 5, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = KINGA_MAX_BODY_BYTES

SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and KINGA_ENV == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("KINGA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("KINGA_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}

LANGUAGE_CODE = "en"
FORMAT_MODULE_PATH = ["kinga.formats"]
LANGUAGES = [("en", _("English")), ("sw", _("Kiswahili"))]
LOCALE_PATHS = [BASE_DIR / "kinga" / "locale"]
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Africa/Nairobi"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Outside production, WhiteNoise serves straight from the apps' static folders.
STATIC_ROOT = BASE_DIR / "var" / "static" if KINGA_ENV == "production" else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if KINGA_ENV != "production"
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = KINGA_ENV != "production"
MEDIA_ROOT = BASE_DIR / "var" / "media"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if KINGA_ENV != "test"
        else "django.tasks.backends.immediate.ImmediateBackend",
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kinga.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kinga.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "kinga.core.api.Pagination",
    "NUM_PROXIES": KINGA_TRUSTED_PROXY_COUNT,
    "PAGE_SIZE": 25,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kinga API",
    "DESCRIPTION": "Child-protection case management, intake and evaluation.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kinga.core.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # Request bodies and query strings never reach the log: they may hold identity.
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "kinga": {"handlers": ["console"], "level": env_str("KINGA_LOG_LEVEL", "INFO")},
    },
}

os.environ.setdefault("MPLBACKEND", "Agg")
