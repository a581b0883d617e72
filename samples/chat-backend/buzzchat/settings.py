"""Settings for the BuzzChat sample backend, read entirely from the environment.

The variable names match the private backend this sample stands in for, so the
platform can configure both the same way.
"""
import os
import secrets

DEBUG = os.environ.get("DEBUG", "False").strip().lower() in {"true", "1", "yes"}

# Nothing depends on signed data that must survive a restart or be shared
# between replicas (no sessions, no auth), so a per-process key is fine.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)

# The backend listens on loopback behind nginx, which decides which Host names
# reach it; checking them again here would only couple the app to the
# platform's public host names.
ALLOWED_HOSTS = ["*"]

# Name of this replica, echoed in the X-BuzzTalk-Replica header and by /health
# so that tests can tell which replica answered. None when not set.
BUZZTALK_REPLICA = os.environ.get("BUZZTALK_REPLICA") or None

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

INSTALLED_APPS = ["rooms"]

# No CsrfViewMiddleware: nothing authenticates with cookies, so a cross-site
# request carries no credential worth forging, and every view is a JSON API
# view that would have to be csrf_exempt anyway. For the same reason FRONT
# (the frontend's public URL) needs no CSRF or CORS configuration: nginx
# serves the frontend and proxies the API on one origin.
MIDDLEWARE = [
    "buzzchat.middleware.ReplicaHeaderMiddleware",
    "django.middleware.security.SecurityMiddleware",
]

ROOT_URLCONF = "buzzchat.urls"
ASGI_APPLICATION = "buzzchat.asgi.application"

DB_ENGINE = os.environ.get("DB_ENGINE", "django.db.backends.mysql")
if DB_ENGINE == "django.db.backends.sqlite3":
    # Only for running makemigrations without a MariaDB at hand (the schema
    # uses a MySQL collation, so it does not migrate on SQLite); MYSQL_DB_NAME
    # is then the database file (default: in memory).
    DATABASES = {
        "default": {"ENGINE": DB_ENGINE, "NAME": os.environ.get("MYSQL_DB_NAME", ":memory:")}
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": DB_ENGINE,
            "NAME": os.environ.get("MYSQL_DB_NAME", "buzzchat"),
            "USER": os.environ.get("MYSQL_DB_USER", "buzzchat"),
            "PASSWORD": os.environ.get("MYSQL_DB_PASSWORD", ""),
            "HOST": os.environ.get("MYSQL_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("MYSQL_DB_PORT", "3306"),
            "OPTIONS": {
                "charset": "utf8mb4",
                # Bounds how long a request, /health included, waits for an
                # unreachable database. Connections are not reused
                # (CONN_MAX_AGE is 0), so every request goes through this.
                # Queries themselves are not capped so migrate's DDL is never
                # cut short.
                "connect_timeout": 2,
            },
        }
    }

USE_TZ = True
TIME_ZONE = "UTC"

# The JSON API accepts bodies up to 16 KiB (larger ones get a 413); websocket
# frames are held to the same limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024

CHANNEL_LAYERS = {
    "default": {
        # redis-py percent-decodes the user name and password in the URL, so
        # passwords with reserved characters work when URL-encoded.
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    # Drop Django's own handlers (a DEBUG-only console and mail_admins) so its
    # records, including request errors when DEBUG is off, reach stderr once
    # through the root logger.
    "loggers": {"django": {"handlers": [], "level": "INFO"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
