"""The escape guard: a test whose code opens a connection around the test's transaction fails.

Patterns: escaped connections fail the test; testing the harness with pytester.

A small test module runs once in a pytest of its own, with the root conftest.py,
on this run's backend; each test below reads one result of its JUnit report. A
connection to the test database opened outside ``db.session`` cannot see the
test's rows and is not rolled back, and on PostgreSQL it waits for their locks:
the guard refuses it at once (no hang), and fails the test at teardown even
when the app's code caught the error.
"""

import re
import shutil
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from tests.helpers import ROOT, inner_database_variables, inner_pytest_environment

ESCAPE_MESSAGE = re.compile(r"connection opened outside the test's transaction .*Use db\.session", re.DOTALL)

# One module, run once by a pytest of its own; each test below reads one of its results.
INNER_TESTS = """
import sqlalchemy as sa


def test_engine_connect(app, db):
    with app.app_context():
        db.engine.connect()


def test_second_engine(app, db):
    with app.app_context():
        url = db.engine.url
    engine = sa.create_engine(url)
    try:
        engine.connect()
    finally:
        engine.dispose()


def test_create_all(app, db):
    with app.app_context():
        db.create_all()


def test_escape_caught_by_the_app(app, db):
    with app.app_context():
        try:
            db.engine.connect()
        except Exception:
            pass


def test_ddl_through_the_session(app, db):
    with app.app_context():
        db.metadata.create_all(bind=db.session.connection())
        assert db.session.scalar(sa.text("SELECT 1")) == 1
"""


@pytest.fixture(scope="module")
def inner_results(tmp_path_factory, database_url):
    """``{test name: {"failure": message or None, "error": message or None}}`` of INNER_TESTS,
    run with the root conftest.py on this run's backend."""
    folder = tmp_path_factory.mktemp("escapes")
    shutil.copy(ROOT / "conftest.py", folder)
    (folder / "test_inner.py").write_text(INNER_TESTS, encoding="utf-8")
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with pytest.MonkeyPatch.context() as monkeypatch:
        inner_pytest_environment(
            monkeypatch, PYTHONPATH=str(ROOT), **inner_database_variables(backend, database_url, "escapes")
        )
        subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "--junitxml=report.xml"],
            cwd=folder,
            capture_output=True,
            check=False,
            timeout=120,  # the guard must answer at once: a hang fails here, not forever
        )
    results = {}
    # A test that fails and then errors at teardown has two entries of its name.
    for case in ElementTree.parse(folder / "report.xml").iter("testcase"):
        result = results.setdefault(case.get("name"), {"failure": None, "error": None})
        for node in case:
            if node.tag in result:
                result[node.tag] = node.get("message")
    return results


@pytest.mark.parametrize("name", ["test_engine_connect", "test_second_engine", "test_create_all"])
def test_connection_outside_the_test_transaction_fails_the_test_with_the_fix(inner_results, name):
    # GIVEN a test that opens its own connection to the test database
    # WHEN it runs under the harness
    result = inner_results[name]

    # THEN it fails where it connected, and again at teardown, saying what to do instead
    assert ESCAPE_MESSAGE.search(result["failure"])
    assert ESCAPE_MESSAGE.search(result["error"])


def test_escape_caught_by_the_apps_code_still_fails_the_test(inner_results):
    # GIVEN a test whose code catches the guard's error, as an app's broad except would
    # WHEN it runs under the harness
    result = inner_results["test_escape_caught_by_the_app"]

    # THEN the body passes, and the teardown fails with the guard's message
    assert result["failure"] is None
    assert ESCAPE_MESSAGE.search(result["error"])


def test_ddl_through_the_sessions_connection_is_not_an_escape(inner_results):
    # GIVEN a test that runs DDL and a Core statement on db.session's connection
    # WHEN it runs under the harness
    result = inner_results["test_ddl_through_the_session"]

    # THEN it passes: that connection is the test's own
    assert result == {"failure": None, "error": None}
