"""Unit tests of configuration: ``create_app(name, **overrides)`` and the environment.

Patterns: environment variables with monkeypatch; environment passed as an
argument; refusing unsafe production settings; fast password hashing in tests only; pytest.raises with match and
excinfo; parametrize with ids; stacked parametrize; FlaskTestCase base class;
class configured through class attributes; addCleanup and addClassCleanup.

In detail: ``monkeypatch.setenv`` / ``delenv`` before calling the app factory
(undone after each test), passing a plain dict to a function that takes the
environment as an argument (no patching needed), ``pytest.raises`` with
``match`` and ``excinfo``, ``parametrize`` with ``ids`` and stacked
``parametrize``; the seed notes' ``BasicsTestCase`` and a FlaskTestCase
configured through class attributes (``config_name``, ``config_overrides``)
with ``addClassCleanup``.

Every ``create_app()`` reconfigures the shared "sample_app" logger (Flask
names the logger after the app): the fixtures below put it back, so a
development or production app made here does not change later tests' logging.
"""

import logging

import pytest
from flask import current_app

from sample_app import create_app
from sample_app.config import (
    DEV_SECRET_KEY,
    MIN_SECRET_KEY_LENGTH,
    TestingConfig,
    env_overrides,
)
from sample_app.models import User
from tests.base import FlaskTestCase

STRONG_KEY = "s" * MIN_SECRET_KEY_LENGTH  # the shortest key production accepts


def snapshot_app_logger():
    """Return a function that restores the app logger's level and handlers."""
    logger = logging.getLogger("sample_app")
    level, handlers = logger.level, list(logger.handlers)

    def restore():
        logger.setLevel(level)
        logger.handlers[:] = handlers

    return restore


@pytest.fixture(autouse=True)
def restore_app_logger():
    restore = snapshot_app_logger()
    yield
    restore()


# --- SECRET_KEY in production ------------------------------------------------


@pytest.mark.parametrize(
    "environ",
    [{}, {"SECRET_KEY": ""}, {"SECRET_KEY": DEV_SECRET_KEY}, {"SECRET_KEY": STRONG_KEY[:-1]}],
    ids=["missing", "empty", "development-key", "one-character-too-short"],
)
def test_production_refuses_a_weak_secret_key(monkeypatch, environ):
    """
    GIVEN a production environment whose SECRET_KEY is missing, empty, the
          development default or too short
    WHEN the app is created
    THEN it refuses to start, saying how to make a good key
    """
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(RuntimeError, match=f"at least {MIN_SECRET_KEY_LENGTH} characters") as excinfo:
        create_app("production")

    assert "secrets.token_hex()" in str(excinfo.value)


def test_production_starts_with_a_strong_secret_key(monkeypatch):
    """
    GIVEN SECRET_KEY set in the environment to a long enough random string
    WHEN the production app is created
    THEN it starts with that key and secure cookies
    """
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)

    app = create_app("production")

    assert app.config["SECRET_KEY"] == STRONG_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_production_validates_keyword_overrides_too(monkeypatch):
    """
    GIVEN a strong SECRET_KEY in the environment
    WHEN the production app is created with a weak key as a keyword override
    THEN it still refuses: validation sees the final settings
    """
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)

    with pytest.raises(RuntimeError, match="Production needs SECRET_KEY"):
        create_app("production", SECRET_KEY="short")


# --- environment overrides ---------------------------------------------------


def test_environment_overrides_are_converted_to_the_right_types(monkeypatch):
    """
    GIVEN settings in environment variables (always strings)
    WHEN the app is created
    THEN the config holds ints, bools and strings as the app expects
    """
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")

    config = create_app("testing").config

    assert config["MAIL_PORT"] == 2525
    assert config["MAX_CONTENT_LENGTH"] == 2048
    assert config["MAIL_USE_TLS"] is True
    assert config["MAIL_SERVER"] == "smtp.example.com"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("off", False),
        ("", False),
    ],
    ids=["1", "true", "yes-upper-case", "on-with-spaces", "0", "false", "off", "empty"],
)
def test_boolean_environment_values(value, expected):
    """
    GIVEN MAIL_USE_TLS set to one of the usual spellings
    WHEN the environment overrides are read
    THEN it becomes the matching bool

    env_overrides() takes the environment as an argument, so a dict does:
    no monkeypatching is needed for a function that doesn't read os.environ.
    """
    assert env_overrides(TestingConfig, {"MAIL_USE_TLS": value}) == {"MAIL_USE_TLS": expected}


@pytest.mark.parametrize("value", ["abc", "1.5", "10MB", ""], ids=["word", "decimal", "with-unit", "empty"])
@pytest.mark.parametrize("variable", ["MAIL_PORT", "MAX_CONTENT_LENGTH"])
def test_bad_integer_in_the_environment_names_the_variable(monkeypatch, variable, value):
    """
    GIVEN an integer setting whose environment value is not an integer
          (2 variables x 4 bad values)
    WHEN the app is created
    THEN ValueError names the variable and its value, without int()'s own
         error chained behind it
    """
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValueError, match=f"Environment variable {variable}=") as excinfo:
        create_app("testing")

    assert repr(value) in str(excinfo.value)
    assert excinfo.value.__suppress_context__


# --- which database ----------------------------------------------------------


@pytest.mark.parametrize(
    ("config_name", "variable"),
    [("testing", "TEST_DATABASE_URL"), ("development", "DATABASE_URL"), ("production", "DATABASE_URL")],
)
def test_each_config_reads_its_own_database_variable(monkeypatch, tmp_path, config_name, variable):
    """
    GIVEN both DATABASE_URL and TEST_DATABASE_URL set
    WHEN an app is created for a config
    THEN it uses the variable its config names: the tests never touch the
         developer's database
    """
    urls = {name: f"sqlite:///{tmp_path / name.lower()}.sqlite" for name in ("DATABASE_URL", "TEST_DATABASE_URL")}
    for name, url in urls.items():
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)

    app = create_app(config_name)

    assert app.config["SQLALCHEMY_DATABASE_URI"] == urls[variable]


def test_testing_config_ignores_database_url(monkeypatch, tmp_path):
    """
    GIVEN only DATABASE_URL set (a developer's own database)
    WHEN the testing app is created
    THEN it keeps its in-memory SQLite database
    """
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dev.sqlite'}")

    app = create_app("testing")

    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


# --- names, overrides, defaults ----------------------------------------------


def test_unknown_config_name_is_refused():
    """
    GIVEN a config name that does not exist
    WHEN the app is created
    THEN ValueError names it and lists the choices
    """
    with pytest.raises(ValueError, match="Unknown config 'staging'") as excinfo:
        create_app("staging")

    assert excinfo.type is ValueError
    assert "development, testing, production" in str(excinfo.value)


def test_keyword_overrides_win_over_environment_and_class(monkeypatch):
    """
    GIVEN MAIL_PORT in the environment
    WHEN the app is created with MAIL_PORT (and BOOKS_PER_PAGE) as keywords
    THEN the keywords win over both the environment and the config class
    """
    monkeypatch.setenv("MAIL_PORT", "2525")

    config = create_app("testing", MAIL_PORT=587, BOOKS_PER_PAGE=3).config

    assert (config["MAIL_PORT"], config["BOOKS_PER_PAGE"]) == (587, 3)


@pytest.mark.parametrize(
    ("config_name", "method"),
    [("production", "scrypt"), ("development", "scrypt"), ("testing", "pbkdf2:sha256:1")],
)
def test_only_testing_lowers_the_password_hash_cost(monkeypatch, config_name, method):
    """
    GIVEN each config
    WHEN its password hashing method is read
    THEN production and development keep scrypt; only testing uses a cheap
         hash (a speed trade-off that must never reach production)
    """
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)

    assert create_app(config_name).config["PASSWORD_HASH_METHOD"] == method


@pytest.mark.parametrize(
    ("config_name", "pre_ping"),
    [("production", True), ("development", True), ("testing", None)],
)
def test_only_testing_turns_off_the_connection_pre_ping(monkeypatch, config_name, pre_ping):
    """
    GIVEN each config
    WHEN its engine options are read
    THEN production and development check a pooled connection before use;
         only testing skips it (a speed trade-off for a local test database)
    """
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)

    assert create_app(config_name).config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping") is pre_ping


def test_development_sends_mail_to_the_console_and_debugs():
    """
    GIVEN the development config
    WHEN the app is created
    THEN debug is on and e-mail is logged instead of sent
    """
    app = create_app("development")

    assert app.debug is True
    assert app.config["MAIL_BACKEND"] == "console"


# --- unittest classes ----------------------------------------------------------


class BasicsTestCase(FlaskTestCase):
    """The first test class in the seed notes: the app exists and is testing."""

    def test_app_exists(self):
        """
        GIVEN the app built in setUpClass and the context pushed in setUp
        WHEN current_app is looked up
        THEN there is an app
        """
        self.assertIsNotNone(current_app)

    def test_current_app_is_this_tests_app(self):
        """
        GIVEN the app context pushed in setUp
        WHEN current_app is resolved to the real object
        THEN it is the class's app (not some other app left pushed)
        """
        self.assertIs(current_app._get_current_object(), self.app)

    def test_app_is_testing(self):
        """
        GIVEN the app built with the "testing" config
        WHEN its config is read
        THEN TESTING is on
        """
        self.assertTrue(current_app.config["TESTING"])


class ProductionAppTestCase(FlaskTestCase):
    """A production app, configured by class attributes, built once for the class."""

    config_name = "production"
    config_overrides = {"SECRET_KEY": "p" * 64}

    @classmethod
    def setUpClass(cls):
        # A class cleanup runs after tearDownClass, even if setUpClass fails later on.
        cls.addClassCleanup(snapshot_app_logger())
        super().setUpClass()

    def test_production_hashes_passwords_with_scrypt(self):
        """
        GIVEN the production app
        WHEN a user's password is set
        THEN it is hashed with scrypt, the strong default
        """
        user = User(email="prod@example.com", username="prod", password="a long passphrase")

        self.assertTrue(user.password_hash.startswith("scrypt:"))

    def test_production_is_neither_debug_nor_testing(self):
        """
        GIVEN the production app
        WHEN its flags are read
        THEN debug and testing are off
        """
        self.assertFalse(self.app.debug)
        self.assertFalse(self.app.testing)
