"""A unittest base class for Flask tests that run under both runners.

Patterns: FlaskTestCase base class; setUpClass for expensive set-up; addCleanup
and addClassCleanup; class configured through class attributes; developer
environment kept out of tests.

``pytest`` and ``python -m unittest discover -s tests -t .`` both run the
classes built on it. The standard-library runner has no fixtures, so the
class builds what conftest.py would give: an app (once per class, in
``setUpClass``: building it is the expensive part), a fresh schema per test,
an app context pushed around each test, and a test client.

Each class gets its own in-memory SQLite database, whatever
TEST_DATABASE_URL says: it must never create or drop tables in the
database the pytest harness is using. As in the root conftest, the variables
the app's configuration reads are removed while the class runs, so a
developer's shell cannot change its app. Change ``config_overrides`` (a class
attribute, as in microblog-api's BaseTestCase) to configure the app.
"""

import os
import unittest
from unittest import mock

from sample_app import create_app
from sample_app.config import ENVIRONMENT_VARIABLES
from sample_app.extensions import db
from sample_app.models import Role
from tests.factories import DEFAULT_PASSWORD


class FlaskTestCase(unittest.TestCase):
    config_name = "testing"
    config_overrides = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enterClassContext(mock.patch.dict(os.environ))  # restored after the class
        for name in list(os.environ):
            if name in ENVIRONMENT_VARIABLES or name.startswith("FLASK_"):  # Flask reads FLASK_DEBUG
                del os.environ[name]
        cls.app = create_app(cls.config_name, SQLALCHEMY_DATABASE_URI="sqlite://", **cls.config_overrides)

    @classmethod
    def tearDownClass(cls):
        with cls.app.app_context():
            db.engine.dispose()
        super().tearDownClass()

    def setUp(self):
        self.app_context = self.app.app_context()
        self.app_context.push()
        # Registered right after the push: it runs even if the rest of setUp fails.
        self.addCleanup(self.app_context.pop)
        db.create_all()
        self.addCleanup(db.drop_all)
        self.addCleanup(db.session.remove)
        Role.insert_roles()
        self.client = self.app.test_client()

    def login(self, email, password=DEFAULT_PASSWORD):
        """Log in through the real login form, as a user would."""
        return self.client.post("/auth/login", data={"email": email, "password": password}, follow_redirects=True)
