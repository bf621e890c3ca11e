"""Configuration classes, selected by name in :func:`sample_app.create_app`.

Values that differ between machines come from environment variables, read
when the app is created (not at import time) so a test can set them with
``monkeypatch.setenv`` before calling the factory.
"""

# Not a secret: ProductionConfig refuses to start with it.
DEV_SECRET_KEY = "dev-secret-key-change-me-in-production-please"  # nosec B105
MIN_SECRET_KEY_LENGTH = 32


def _env_bool(value):
    return value.strip().lower() in {"1", "true", "yes", "on"}


# environment variable -> (config key, converter). Not Flask's from_prefixed_env():
# it converts with json.loads, so "off" stays a (true) string and a bad number is
# no error; each of these is converted, and refused with its name if it is bad.
ENV_SETTINGS = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", _env_bool),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_SENDER": ("MAIL_SENDER", str),
    "MAIL_BACKEND": ("MAIL_BACKEND", str),
    "MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int),
    "LOG_LEVEL": ("LOG_LEVEL", str),
    "LOOKUP_URL": ("LOOKUP_URL", str),
    # The same name Celery itself reads, so the app and its worker share one setting.
    "CELERY_BROKER_URL": ("CELERY_BROKER_URL", str),
}
# Read by Celery itself (celery.app.utils.Settings), over anything the app sets:
# the test harness removes them too.
CELERY_ENVIRONMENT = frozenset({"CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL", "CELERY_RESULT_BACKEND"})


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = DEV_SECRET_KEY
    # Each config names the variable its database URL comes from, so that
    # running the tests never touches the DATABASE_URL of a developer's app.
    DATABASE_URL_ENV = "DATABASE_URL"
    # Relative: Flask-SQLAlchemy puts it in the app's instance/ folder, creating the folder.
    SQLALCHEMY_DATABASE_URI = "sqlite:///bookshelf.sqlite"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB: CSV imports and JSON bodies
    BOOKS_PER_PAGE = 10
    API_PAGE_SIZE = 20
    API_MAX_PAGE_SIZE = 100
    API_TOKEN_TTL = 3600  # seconds
    CONFIRM_TOKEN_TTL = 24 * 3600  # seconds a confirmation link stays valid

    # The book catalogue service asked for a book's details by ISBN (Open Library's API).
    LOOKUP_URL = "https://openlibrary.org"
    LOOKUP_CONNECT_TIMEOUT = 3.05  # seconds to connect
    LOOKUP_READ_TIMEOUT = 5  # seconds to wait for each part of the answer
    LOOKUP_RETRIES = 2  # more tries after a failed connection or a 502, 503 or 504
    # Seconds; urllib3 retries once at once, then waits 2 x this, 4 x this...
    LOOKUP_BACKOFF = 0.2

    # Background jobs (sample_app/jobs.py) go through this broker, e.g.
    # redis://127.0.0.1:6379/0. None: no broker, and each job is skipped with a
    # log line saying so (`make run` needs no Redis; an import never waits for it).
    CELERY_BROKER_URL = None
    # Celery's own settings (its lower-case names), read by celery_init_app.
    CELERY = {
        # The app never reads a job's result: no result backend to fill.
        "task_ignore_result": True,
        # Celery 5's default, stated: Celery 6 stops reading broker_connection_retry at startup.
        "broker_connection_retry_on_startup": True,
    }

    # A werkzeug hash method name, not a password (bandit B105 guesses from the name).
    PASSWORD_HASH_METHOD = "scrypt"  # nosec B105

    MAIL_BACKEND = "smtp"  # "smtp" sends through MAIL_SERVER, "console" logs
    MAIL_ASYNC = True
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "Bookshelf <noreply@bookshelf.example>"
    MAIL_TIMEOUT = 10

    LOG_LEVEL = "INFO"

    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    @staticmethod
    def validate(config):
        """Refuse settings that must never reach a running app."""


class DevelopmentConfig(Config):
    DEBUG = True
    MAIL_BACKEND = "console"
    LOG_LEVEL = "DEBUG"


class TestingConfig(Config):
    TESTING = True
    DATABASE_URL_ENV = "TEST_DATABASE_URL"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # No pre-ping ("SELECT 1" each time a pooled connection is taken): the
    # harness takes one per test, and a test database is local and short-lived.
    SQLALCHEMY_ENGINE_OPTIONS = {}
    # Tests only (PyJWT warns about HMAC keys shorter than 32 bytes).
    SECRET_KEY = "testing-secret-key-that-is-long-enough-for-hs256"  # nosec B105
    # The forms are tested without CSRF; one test class turns it back on
    # to show how a token is fetched and sent.
    WTF_CSRF_ENABLED = False
    # One hashing iteration: hashing is the slowest thing a test does, and
    # the strength of the hash is not what the tests check.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"  # nosec B105
    MAIL_ASYNC = False
    LOG_LEVEL = "WARNING"
    # Nothing listens on port 9 (discard) of this machine: a lookup that was not
    # replaced by the test fails at once, and pytest-socket blocks any other host.
    LOOKUP_URL = "http://127.0.0.1:9"
    LOOKUP_BACKOFF = 0  # a retry in a test has nothing to wait for


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @staticmethod
    def validate(config):
        key = config.get("SECRET_KEY") or ""
        if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
            raise RuntimeError(
                f"Production needs SECRET_KEY set to a random string of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters, e.g. "
                f'python -c "import secrets; print(secrets.token_hex())"'
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


# Every variable any config reads: the test harness removes them all, so that
# a developer's shell (a .env, direnv) cannot change the app under test.
ENVIRONMENT_VARIABLES = (
    frozenset(ENV_SETTINGS) | {config.DATABASE_URL_ENV for config in CONFIGS.values()} | CELERY_ENVIRONMENT
)


def get_config_class(name):
    try:
        return CONFIGS[name]
    except KeyError:
        raise ValueError(f"Unknown config {name!r}; choose one of {', '.join(CONFIGS)}") from None


def env_overrides(config_class, environ):
    """Return the settings that ``environ`` overrides for ``config_class``."""
    overrides = {}
    database_url = environ.get(config_class.DATABASE_URL_ENV)
    if database_url:
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url
    for variable, (key, convert) in ENV_SETTINGS.items():
        if variable in environ:
            try:
                overrides[key] = convert(environ[variable])
            except ValueError:
                raise ValueError(f"Environment variable {variable}={environ[variable]!r} is not valid") from None
    return overrides
