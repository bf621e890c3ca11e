"""Configuration tests as unittest classes on tests/base.py's FlaskTestCase; the
pytest functions for the same module are in test_config.py.

Patterns: FlaskTestCase base class; class configured through class attributes; fast
password hashing in tests only.
"""

from flask import current_app

from sample_app.models import User
from tests.base import FlaskTestCase


class BasicsTestCase(FlaskTestCase):
    """The classic first Flask test class (``BasicsTestCase`` in Miguel Grinberg's *Flask Web
    Development*), on FlaskTestCase: the app exists and is testing."""

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
