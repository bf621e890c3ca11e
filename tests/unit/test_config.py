"""Unit tests of configuration: what each config ships, ``create_app(name, **overrides)``
and the environment. The unittest classes for it are in test_config_unittest.py.

Patterns: shipped configuration stated in a table; environment variables with
monkeypatch; environment passed as an argument; refusing unsafe production
settings; fast password hashing in tests only; pytest.raises with match and
excinfo; parametrize with ids; stacked parametrize.
"""

import pytest

from sample_app import create_app
from sample_app.config import ENVIRONMENT_VARIABLES, TestingConfig, env_overrides
from tests.helpers import SECURITY_HEADERS, security_headers

STRONG_KEY = "s" * 32  # the shortest key production accepts


# --- what each config ships --------------------------------------------------

# Everything that matters for safety or limits, written out for each config.
# Change one value in config.py (or an extension's default) and one case fails.
MIB = 1024 * 1024
SHARED = {
    "MAX_CONTENT_LENGTH": MIB,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "API_TOKEN_TTL": 3600,
    "CONFIRM_TOKEN_TTL": 86400,
    "LOOKUP_CONNECT_TIMEOUT": 3.05,
    "LOOKUP_READ_TIMEOUT": 5,
    "LOOKUP_RETRIES": 2,
    "BOOKS_PER_PAGE": 10,
    "API_PAGE_SIZE": 20,
    "API_MAX_PAGE_SIZE": 100,
    # No broker: background jobs are skipped with a log line (make run needs no Redis).
    "CELERY_BROKER_URL": None,
    "security headers": SECURITY_HEADERS,
}
SHIPPED = {
    "development": {
        **SHARED,
        "debug": True,
        "testing": False,
        "CSRF checked": True,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "31-character SECRET_KEY accepted": True,
        "PASSWORD_HASH_METHOD": "scrypt",
        "pool_pre_ping": True,
        "MAIL_BACKEND": "console",
        "LOG_LEVEL": "DEBUG",
        "LOOKUP_BACKOFF": 0.2,
    },
    "testing": {
        **SHARED,
        "debug": False,
        "testing": True,
        "CSRF checked": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "31-character SECRET_KEY accepted": True,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        "pool_pre_ping": None,
        "MAIL_BACKEND": "smtp",
        "LOG_LEVEL": "WARNING",
        "LOOKUP_BACKOFF": 0,
    },
    "production": {
        **SHARED,
        "debug": False,
        "testing": False,
        "CSRF checked": True,
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "31-character SECRET_KEY accepted": False,
        "PASSWORD_HASH_METHOD": "scrypt",
        "pool_pre_ping": True,
        "MAIL_BACKEND": "smtp",
        "LOG_LEVEL": "INFO",
        "LOOKUP_BACKOFF": 0.2,
    },
}


def shipped_settings(config_name):
    """What an app of ``config_name`` ships with, read from the app and its responses."""
    app = create_app(config_name)
    # A form post without a CSRF token: 400 where CSRF is checked, else the
    # logout view's login redirect. Nobody is logged in: no database needed.
    response = app.test_client().post("/auth/logout")
    try:
        create_app(config_name, SECRET_KEY="k" * 31)
        weak_key_accepted = True
    except RuntimeError:
        weak_key_accepted = False
    config = app.config
    return {
        "debug": app.debug,
        "testing": app.testing,
        "CSRF checked": response.status_code == 400,
        "31-character SECRET_KEY accepted": weak_key_accepted,
        "pool_pre_ping": config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"),
        "security headers": security_headers(response),
        # Flask-Login's default when a config leaves it out.
        "REMEMBER_COOKIE_SECURE": config.get("REMEMBER_COOKIE_SECURE", False),
        **{key: config[key] for key in SHARED if key in config},
        **{
            key: config[key]
            for key in ("SESSION_COOKIE_SECURE", "PASSWORD_HASH_METHOD", "MAIL_BACKEND", "LOG_LEVEL", "LOOKUP_BACKOFF")
        },
    }


@pytest.mark.parametrize("config_name", ["development", "testing", "production"])
def test_each_config_ships_its_safety_settings_and_limits(monkeypatch, config_name):
    # GIVEN a config class and a clean environment (the root conftest's guard)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")  # never the developer's database file
    monkeypatch.setenv("SECRET_KEY", "k" * 64)  # production refuses to start without one

    # WHEN an app is built from it
    shipped = shipped_settings(config_name)

    # THEN CSRF, limits, cookies, the key rule, headers, token lifetimes, page sizes, hashing and mail are the table's
    assert shipped == SHIPPED[config_name]


# --- SECRET_KEY in production ------------------------------------------------


@pytest.mark.parametrize(
    "environ",
    [
        pytest.param({}, id="missing"),
        pytest.param({"SECRET_KEY": ""}, id="empty"),
        # Long enough: refused because it is the development config's key.
        pytest.param({"SECRET_KEY": "dev-secret-key-change-me-in-production-please"}, id="development-key"),
        pytest.param({"SECRET_KEY": "s" * 31}, id="one-character-too-short"),
    ],
)
def test_production_refuses_a_weak_secret_key(monkeypatch, environ):
    # GIVEN a production environment whose SECRET_KEY is missing, empty, the development default or too short
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    # WHEN the app is created
    with pytest.raises(RuntimeError, match="at least 32 characters") as excinfo:
        create_app("production")

    # THEN it refuses to start, saying how to make a good key
    assert "secrets.token_hex()" in str(excinfo.value)


def test_production_starts_with_a_strong_secret_key(monkeypatch):
    # GIVEN SECRET_KEY set in the environment to a long enough random string
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)

    # WHEN the production app is created
    app = create_app("production")

    # THEN it starts with that key and secure cookies
    assert app.config["SECRET_KEY"] == STRONG_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_production_validates_keyword_overrides_too(monkeypatch):
    # GIVEN a strong SECRET_KEY in the environment
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)

    # WHEN the app gets a weak key as a keyword override, THEN it still refuses: validation sees the final settings
    with pytest.raises(RuntimeError, match="Production needs SECRET_KEY"):
        create_app("production", SECRET_KEY="short")


# --- environment overrides ---------------------------------------------------


def test_environment_overrides_are_converted_to_the_right_types(monkeypatch):
    # GIVEN settings in environment variables (always strings)
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")

    # WHEN the app is created
    config = create_app("testing").config

    # THEN the config holds ints, bools and strings as the app expects
    assert config["MAIL_PORT"] == 2525
    assert config["MAX_CONTENT_LENGTH"] == 2048
    assert config["MAIL_USE_TLS"] is True
    assert config["MAIL_SERVER"] == "smtp.example.com"


def test_broker_url_from_the_environment_reaches_the_config_and_the_celery_app(monkeypatch):
    # GIVEN CELERY_BROKER_URL in the environment
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://broker.example:6379/0")

    # WHEN the app is created
    app = create_app("testing")

    # THEN the config holds it and the app's Celery app sends through it
    assert app.config["CELERY_BROKER_URL"] == "redis://broker.example:6379/0"
    assert app.extensions["celery"].conf.broker_url == "redis://broker.example:6379/0"


def test_variables_celery_reads_itself_are_kept_out_of_the_tests():
    # GIVEN the variables Celery reads from the environment over the app's settings
    celery_reads = {"CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL", "CELERY_RESULT_BACKEND"}

    # WHEN they are looked for in the list of variables the harness removes
    missing = celery_reads - ENVIRONMENT_VARIABLES

    # THEN every one of them is on it, with the app's CELERY_BROKER_URL
    assert missing == set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1", True, id="1"),
        pytest.param("true", True, id="true"),
        pytest.param("YES", True, id="yes-upper-case"),
        pytest.param(" on ", True, id="on-with-spaces"),
        pytest.param("0", False, id="0"),
        pytest.param("false", False, id="false"),
        pytest.param("off", False, id="off"),
        pytest.param("", False, id="empty"),
    ],
)
def test_boolean_environment_values(value, expected):
    """env_overrides() takes the environment as an argument: a dict stands in for it, no monkeypatching."""
    # GIVEN MAIL_USE_TLS set to one of the usual spellings
    environ = {"MAIL_USE_TLS": value}

    # WHEN the environment overrides are read
    overrides = env_overrides(TestingConfig, environ)

    # THEN it becomes the matching bool
    assert overrides == {"MAIL_USE_TLS": expected}


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("abc", id="word"),
        pytest.param("1.5", id="decimal"),
        pytest.param("10MB", id="with-unit"),
        pytest.param("", id="empty"),
    ],
)
@pytest.mark.parametrize("variable", ["MAIL_PORT", "MAX_CONTENT_LENGTH"])
def test_bad_integer_in_the_environment_names_the_variable(monkeypatch, variable, value):
    # GIVEN an integer setting whose environment value is not an integer (2 variables x 4 bad values)
    monkeypatch.setenv(variable, value)

    # WHEN the app is created
    with pytest.raises(ValueError, match=f"Environment variable {variable}=") as excinfo:
        create_app("testing")

    # THEN ValueError names the variable and its value, without int()'s own error chained behind it
    assert repr(value) in str(excinfo.value)
    assert excinfo.value.__suppress_context__


# --- which database ----------------------------------------------------------


@pytest.mark.parametrize(
    ("config_name", "variable"),
    [
        pytest.param("testing", "TEST_DATABASE_URL", id="testing-TEST_DATABASE_URL"),
        pytest.param("development", "DATABASE_URL", id="development-DATABASE_URL"),
        pytest.param("production", "DATABASE_URL", id="production-DATABASE_URL"),
    ],
)
def test_each_config_reads_its_own_database_variable(monkeypatch, tmp_path, config_name, variable):
    # GIVEN both DATABASE_URL and TEST_DATABASE_URL set
    urls = {name: f"sqlite:///{tmp_path / name.lower()}.sqlite" for name in ("DATABASE_URL", "TEST_DATABASE_URL")}
    for name, url in urls.items():
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)

    # WHEN an app is created for a config
    app = create_app(config_name)

    # THEN it uses the variable its config names: the tests never touch the developer's database
    assert app.config["SQLALCHEMY_DATABASE_URI"] == urls[variable]


def test_testing_config_ignores_database_url(monkeypatch, tmp_path):
    # GIVEN only DATABASE_URL set (a developer's own database)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dev.sqlite'}")

    # WHEN the testing app is created
    app = create_app("testing")

    # THEN it keeps its in-memory SQLite database
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


# --- names, overrides, defaults ----------------------------------------------


def test_unknown_config_name_is_refused():
    # GIVEN a config name that does not exist
    # WHEN the app is created
    with pytest.raises(ValueError, match="Unknown config 'staging'") as excinfo:
        create_app("staging")

    # THEN a ValueError (not a subclass) names it and lists the choices
    assert excinfo.type is ValueError
    assert "development, testing, production" in str(excinfo.value)


def test_keyword_overrides_win_over_environment_and_class(monkeypatch):
    # GIVEN MAIL_PORT in the environment
    monkeypatch.setenv("MAIL_PORT", "2525")

    # WHEN the app is created with MAIL_PORT (and BOOKS_PER_PAGE) as keywords
    config = create_app("testing", MAIL_PORT=587, BOOKS_PER_PAGE=3).config

    # THEN the keywords win over both the environment and the config class
    assert (config["MAIL_PORT"], config["BOOKS_PER_PAGE"]) == (587, 3)
