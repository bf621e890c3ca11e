"""The harness refuses to be replaced quietly: fixtures that shadow it, and proofs that would pass without it.

Patterns: shadowed harness fixtures refused; isolation proof that the harness is in use;
testing the harness with pytester.

pytest gives a fixture defined closer to a test (a ``tests/conftest.py``, the test
module) precedence over the root conftest's. A project's own ``app`` would then
quietly replace the harness's, and every test, the isolation proof included,
would pass outside its transaction. Each test below runs a small suite of its
own in a new pytest process, with the root conftest.py copied in.
"""

import pytest

from tests.helpers import ROOT, inner_database_variables, inner_pytest_environment

pytestmark = pytest.mark.slow

OWN_APP = """
import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy


@pytest.fixture
def app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    SQLAlchemy(app)
    return app
"""

PROOF = """
def test_proof(app, db, assert_in_test_transaction):
    with app.app_context():
        assert_in_test_transaction(db.session)
"""


@pytest.fixture
def inner_suite(pytester, monkeypatch, backend, database_url):
    """``inner_suite(conftest, test_module)`` writes a suite beside the root conftest.py
    (its own conftest in ``suite/``: ``tests`` is this repository's package) and
    returns a function that runs it."""

    def write(conftest, test_module):
        pytester.makeconftest((ROOT / "conftest.py").read_text(encoding="utf-8"))
        tests = pytester.mkpydir("suite")
        (tests / "conftest.py").write_text(conftest, encoding="utf-8")
        (tests / "test_inner.py").write_text(test_module, encoding="utf-8")
        inner_pytest_environment(
            monkeypatch, PYTHONPATH=str(ROOT), **inner_database_variables(backend, database_url, "shadows")
        )
        return lambda *options: pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider", *options)

    return write


def test_own_app_fixture_errors_each_of_its_tests_under_xdist(inner_suite):
    # GIVEN a tests/conftest.py with an app fixture of its own
    run = inner_suite(OWN_APP, "def test_one(app):\n    assert app\n\n\ndef test_two(app):\n    assert app\n")

    # WHEN the suite runs under -n 2 (a worker cannot stop the whole run with a message)
    result = run("-n", "2")

    # THEN each of its tests errors at set-up with the harness's message, naming the line
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*`app` defined at suite/conftest.py:7 replaces the harness's `app`*"])


def test_app_fixture_that_takes_the_harness_app_extends_it(inner_suite):
    # GIVEN a tests/conftest.py whose app takes the harness's app and adds to it
    run = inner_suite(
        "import pytest\n\n\n@pytest.fixture\ndef app(app):\n    app.config['SHOP_NAME'] = 'extended'\n    return app\n",
        PROOF + "\n\ndef test_extended(app):\n    assert app.config['SHOP_NAME'] == 'extended'\n",
    )

    # WHEN the suite runs
    result = run()

    # THEN it passes, the proof included: the app is still the harness's
    result.assert_outcomes(passed=2)


def test_client_built_on_the_harness_app_is_accepted(inner_suite):
    # GIVEN a tests/conftest.py with a client fixture of its own, made from the harness's app
    run = inner_suite(
        "import pytest\n\n\n@pytest.fixture\ndef client(app):\n    return app.test_client(use_cookies=False)\n",
        "def test_client(client):\n    assert client.get('/nowhere').status_code == 404\n",
    )

    # WHEN the suite runs
    result = run()

    # THEN it passes: that client talks to the harness's app
    result.assert_outcomes(passed=1)


def test_isolation_proof_fails_in_a_suite_whose_app_is_not_the_harness(inner_suite):
    # GIVEN an app fixture of its own, allowed with the own_app marker, and the recipe's proof
    run = inner_suite(OWN_APP, "import pytest\n\npytestmark = pytest.mark.own_app\n" + PROOF)

    # WHEN the suite runs
    result = run()

    # THEN the proof fails, saying the session is not in the harness's transaction
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*this session is not in the harness's per-test transaction*"])


@pytest.mark.postgres
def test_backend_names_the_engine_the_app_uses(inner_suite):
    # GIVEN a run on PostgreSQL, and a module whose own app is on SQLite
    run = inner_suite(
        OWN_APP,
        "import pytest\n\npytestmark = pytest.mark.own_app\n\n\n"
        "def test_backend(backend):\n    assert backend == 'sqlite'\n",
    )

    # WHEN the module's test asks for the backend
    result = run()

    # THEN it is told SQLite, the app's, not the run's PostgreSQL
    result.assert_outcomes(passed=1)
