"""Tests of the harness itself: proof that the fixtures in conftest.py isolate.

Patterns: SAVEPOINT rollback per test; reference data created once per session;
session-scoped app fixture; factory fixtures; app context only around database
work; random order with pytest-randomly; tests that run only on PostgreSQL or
SQLite; pytest-flask config fixture and options marker; listeners on the app's
session kept by the harness; developer environment kept out of tests; testing
the harness with pytester; factory_boy factories in the test transaction; query
count limits; data built once for a class or module; isolation proof that the harness is
in use.
"""

import sys

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from sample_app.extensions import db as app_db
from sample_app.models import Book, Role, Tag, User
from tests.factories import BookFactory, UserFactory
from tests.helpers import ROOT, inner_database_variables, inner_pytest_environment

# The two tests below commit the same unique row. Each passes only if the
# other's commit was rolled back, whichever runs first (try -p randomly).
SHARED_EMAIL = "committed-in-one-test@example.com"


def _commit_shared_user(db):
    db.session.add(User(email=SHARED_EMAIL, username="committer", password="x"))
    db.session.commit()


def _shared_user_count(db):
    return db.session.scalar(db.select(db.func.count()).where(User.email == SHARED_EMAIL))


def test_committed_row_is_rolled_back_after_test_first(app, db, assert_in_test_transaction):
    # GIVEN an isolated database: the session works in the harness's per-test transaction
    with app.app_context():
        assert_in_test_transaction(db.session)  # else the pair would prove nothing
        found_before = _shared_user_count(db)

        # WHEN the test commits a user
        _commit_shared_user(db)

    with app.app_context():
        found_after = _shared_user_count(db)

    # THEN the row was not there before, and is visible in this test once committed
    # (and gone again in the next one)
    assert found_before == 0
    assert found_after == 1


def test_committed_row_is_rolled_back_after_test_second(app, db, assert_in_test_transaction):
    # GIVEN the other test in this module committed the same unique user
    with app.app_context():
        assert_in_test_transaction(db.session)

        # WHEN this test looks for it and commits it again
        found_before = _shared_user_count(db)
        _commit_shared_user(db)
        found_after = _shared_user_count(db)

    # THEN it is not there, and committing it does not violate the unique index
    assert found_before == 0
    assert found_after == 1


def test_rollback_after_a_failed_commit_keeps_earlier_commits_of_the_test(app, db, make_user):
    # GIVEN a user committed earlier in the test
    existing = make_user()

    # WHEN a later commit fails on a unique constraint and the app rolls back
    with app.app_context():
        db.session.add(User(email=existing.email, username="duplicate", password="x"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()

        # THEN only the failed unit of work is undone (the SAVEPOINT), not the test's data
        assert db.session.get(User, existing.id).email == existing.email


# --- factory_boy: a session taken at import --------------------------------------

# Unique, like SHARED_EMAIL: each test passes only if the other's commit, made by
# factory_boy through the db.session it captured at import, was rolled back.
FACTORY_EMAIL = "committed-by-factory-boy@example.com"


def _factory_user_count(db):
    return db.session.scalar(db.select(db.func.count()).where(User.email == FACTORY_EMAIL))


def test_factory_boy_commit_is_rolled_back_after_test_first(app, db):
    # GIVEN UserFactory, whose Meta took ``db.session`` at import and commits
    # WHEN it makes a user with a unique e-mail
    with app.app_context():
        UserFactory(email=FACTORY_EMAIL)

        # THEN the test's own session sees the row: it was written in the test's transaction
        assert _factory_user_count(db) == 1


def test_factory_boy_commit_is_rolled_back_after_test_second(app, db):
    # GIVEN the other test of the pair made the same unique user through UserFactory
    # WHEN this test makes it again
    with app.app_context():
        UserFactory(email=FACTORY_EMAIL)

        # THEN there is one such user: whichever test runs second finds no row left
        assert _factory_user_count(db) == 1


def test_db_session_in_a_test_is_the_object_taken_at_import(app, db):
    # GIVEN ``db.session`` as a module took it at import (factory_boy's Meta)
    taken_at_import = UserFactory._meta.sqlalchemy_session

    # WHEN a test runs
    session_in_test = db.session

    # THEN ``db.session`` is still that object, so the reference taken early follows the harness
    assert session_in_test is taken_at_import


def test_session_level_reference_data_survives_rollback(app, db):
    # GIVEN roles inserted once per session, before any test
    # WHEN a test reads them
    with app.app_context():
        names = db.session.scalars(db.select(Role.name).order_by(Role.name)).all()

    # THEN all three roles are there (they are not rolled back with test data)
    assert names == ["Administrator", "Moderator", "User"]


def test_factories_make_unique_rows(make_book):
    # GIVEN the make_book factory fixture
    # WHEN it is called twice without arguments
    first, second = make_book(), make_book()

    # THEN the books get different ids, titles and ISBNs (sequences, not constants)
    assert first.id != second.id
    assert first.title != second.title
    assert first.isbn != second.isbn


def test_make_book_links_owner_and_tags(app, db, make_user, make_book):
    # GIVEN a user
    owner = make_user()

    # WHEN a book is made for that owner with tags
    book = make_book(owner=owner, tags=["Science Fiction", "classic"])

    # THEN the relationships are stored
    with app.app_context():
        stored = db.session.get(Book, book.id)
        assert stored.owner.id == owner.id
        assert [t.name for t in stored.tags] == ["classic", "science fiction"]


def test_books_made_without_an_owner_share_one_owner(make_book):
    """One user for all of them, not one per book: a test about owners passes its own."""
    # GIVEN the make_book factory fixture

    # WHEN two books are made without an owner
    first, second = make_book(), make_book()

    # THEN they have the same owner
    assert first.owner_id == second.owner_id


def test_made_user_is_read_without_a_context_as_it_was_written(make_user):
    # GIVEN the make_user factory fixture

    # WHEN an administrator is made, and read once its app context has ended
    admin = make_user(username="boss", email="boss@example.com", role="Administrator")

    # THEN its columns and role are there, and its password checks
    assert (admin.username, admin.email, admin.role.name) == ("boss", "boss@example.com", "Administrator")
    assert admin.id is not None
    assert admin.verify_password("correct-horse-battery-staple")


def test_config_fixture_is_the_app_config(config, app):
    # GIVEN pytest-flask's ``config`` fixture
    # WHEN it is compared with the app's config
    app_config = app.config

    # THEN it is the same object, with the testing settings
    assert config is app_config
    assert config["TESTING"] is True


@pytest.mark.options(books_per_page=3)
def test_options_marker_overrides_config_for_one_test(config):
    # GIVEN the pytest-flask ``options`` marker on a test
    # WHEN the test reads the config
    per_page = config["BOOKS_PER_PAGE"]

    # THEN the override is in place (and undone after the test)
    assert per_page == 3


def test_every_autouse_fixture_of_pytest_flask_is_replaced_by_the_harness():
    """The harness replaces them by name: a renamed or new one in a pytest-flask
    release would run again around every test, so this lists them."""
    import pytest_flask.plugin

    # GIVEN pytest-flask's autouse fixtures (pytest keeps @pytest.fixture's arguments on the function)
    autouse = {
        name
        for name, value in vars(pytest_flask.plugin).items()
        if getattr(getattr(value, "_fixture_function_marker", None), "autouse", False)
    }

    # WHEN they are looked up in the root conftest.py
    harness_conftest = next(
        module for module in list(sys.modules.values()) if getattr(module, "__file__", "") == str(ROOT / "conftest.py")
    )
    harness = {name for name in autouse if name in vars(harness_conftest)}

    # THEN there are the three the harness knows, and it defines each
    assert autouse == {"_configure_application", "_monkeypatch_response_class", "_push_request_context"}
    assert harness == autouse


def test_options_marker_override_does_not_outlive_its_test(config):
    # GIVEN another test overrode BOOKS_PER_PAGE with the options marker
    # WHEN this test reads it
    per_page = config["BOOKS_PER_PAGE"]

    # THEN the default from TestingConfig is back
    assert per_page == 10


@pytest.mark.postgres
def test_runs_on_postgresql(backend, app, db):
    # GIVEN TEST_DATABASE_URL pointing at PostgreSQL (this test is skipped on SQLite)
    # WHEN the test asks the server for its version
    with app.app_context():
        version = db.session.scalar(db.text("select version()"))

    # THEN it is a PostgreSQL server
    assert backend == "postgresql"
    assert version.startswith("PostgreSQL")


WORKERS_BACKEND = """
import os

import pytest


@pytest.mark.parametrize("n", range(4))
def test_worker_runs_on_the_exported_database(backend, n):
    assert os.environ["PYTEST_XDIST_WORKER"].startswith("gw")
    assert backend == "postgresql"
"""


@pytest.mark.postgres
@pytest.mark.slow
def test_xdist_workers_run_on_the_exported_postgresql_database(pytester, monkeypatch, backend, database_url):
    # The environment guard clears TEST_DATABASE_URL before xdist starts its workers:
    # unless the controller hands it over, every -n run on PostgreSQL runs on SQLite.
    # GIVEN TEST_DATABASE_URL exported for PostgreSQL, and the root conftest
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    pytester.makepyfile(test_workers=WORKERS_BACKEND)
    inner_pytest_environment(
        monkeypatch, PYTHONPATH=str(ROOT), **inner_database_variables(backend, database_url, "workers")
    )

    # WHEN the suite runs on two xdist workers
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly", "-p", "no:cacheprovider")

    # THEN every test, on either worker, ran on PostgreSQL
    result.assert_outcomes(passed=4)


# --- the app's session, as the app configured it -------------------------------

# Registered at import, before any test, as an app registers its listeners
# (the Flask Mega-Tutorial indexes search this way). A harness that gave the
# tests a new session class would leave it silent.
COMMITS = []
sa.event.listen(app_db.session, "after_commit", lambda session: COMMITS.append(session))


def test_listener_on_the_apps_session_counts_every_commit_of_a_test(app, db):
    # GIVEN an after_commit listener registered on the app's ``db.session``
    before = len(COMMITS)

    # WHEN a test commits twice
    with app.app_context():
        db.session.add(User(email="first@example.com", username="first", password="x"))
        db.session.commit()
        db.session.add(User(email="second@example.com", username="second", password="x"))
        db.session.commit()
        session = db.session()

    # THEN the listener has counted two commits, made by the test's session
    assert len(COMMITS) == before + 2
    assert COMMITS[-1] is session


# --- query counts --------------------------------------------------------------------


def test_assert_num_queries_counts_the_apps_statements_not_the_harness_savepoints(app, db, assert_num_queries):
    # GIVEN a block that adds a tag and commits (under the harness: SAVEPOINT,
    # INSERT, RELEASE SAVEPOINT)
    # WHEN it runs inside ``assert_num_queries(1)``
    with app.app_context(), assert_num_queries(1) as statements:
        db.session.add(Tag(name="counted"))
        db.session.commit()

    # THEN it passes with the one statement the app sends in production, the INSERT
    assert statements[0].startswith("INSERT INTO tags")


def test_assert_max_num_queries_fails_an_n_plus_one_listing_with_its_statements(
    app, db, make_user, make_book, assert_max_num_queries
):
    # GIVEN three books of three owners
    for _ in range(3):
        make_book(owner=make_user())

    # WHEN their owners are read the N+1 way (one lazy load per book) inside
    # ``assert_max_num_queries(2)``
    with app.app_context(), pytest.raises(pytest.fail.Exception) as failure:
        with assert_max_num_queries(2):
            [book.owner.username for book in db.session.scalars(db.select(Book))]

    # THEN the block fails, saying how many ran and listing each statement
    message = str(failure.value)
    assert message.startswith("4 queries ran, at most 2:\n1. SELECT books.")
    assert message.count("FROM users") == 3


# --- data built once for a class ------------------------------------------------------


@pytest.fixture(scope="class")
def shelf(rolled_back):
    """Three books built once for the class that uses it, rolled back after it."""
    with rolled_back() as app:
        with app.app_context():
            isbns = [BookFactory().isbn for _ in range(3)]
        yield isbns


def _book_count(db):
    return db.session.scalar(db.select(db.func.count()).select_from(Book))


class TestRowsBuiltOnceForTheClass:
    """Each test runs in a SAVEPOINT inside the class's block: what one test
    changes in the shelf, the next does not see."""

    # Two runs of one test, in either order: each deletes a book, so the one that runs
    # second finds three only if the first one's delete was rolled back.
    @pytest.mark.parametrize("run", ["first", "second"])
    def test_each_test_starts_with_the_class_rows(self, app, db, shelf, run):
        # GIVEN the class's three books (the other run, if it came first, deleted one in its own test)
        with app.app_context():
            found_at_start = _book_count(db)

            # WHEN this run deletes one of them and commits
            db.session.delete(db.session.scalar(db.select(Book).filter_by(isbn=shelf[0])))
            db.session.commit()
            found_after = _book_count(db)

        # THEN it started with all three, and its own delete was committed
        assert found_at_start == 3
        assert found_after == 2


def test_rows_written_in_a_rolled_back_block_are_gone_after_it(rolled_back):
    # GIVEN a ``rolled_back()`` block (what a class- or module-scoped fixture opens)
    # in which a user is committed
    email = "built-for-a-class@example.com"
    with rolled_back() as app, app.app_context():
        UserFactory(email=email)

    # WHEN a new block looks for that user
    with rolled_back() as app, app.app_context():
        found = app_db.session.scalar(app_db.select(app_db.func.count()).where(User.email == email))

    # THEN it is gone
    assert found == 0


# --- the developer's shell -------------------------------------------------------

HOSTILE_ENVIRONMENT = {
    "SECRET_KEY": "short",
    "MAX_CONTENT_LENGTH": "10",
    "LOG_LEVEL": "DEBUG",
    "MAIL_BACKEND": "console",
    "MAIL_SERVER": "mail.invalid",
    "DATABASE_URL": "sqlite:////nonexistent/developer.sqlite",
    "FLASK_DEBUG": "1",
}

PROBE = f"""
import unittest

from tests.base import FlaskTestCase

HOSTILE = {HOSTILE_ENVIRONMENT!r}
SETTINGS = ["SECRET_KEY", "MAX_CONTENT_LENGTH", "LOG_LEVEL", "MAIL_BACKEND", "MAIL_SERVER"]


def leaked(app):
    found = {{name: app.config[name] for name in SETTINGS if str(app.config[name]) == HOSTILE[name]}}
    if app.config["SQLALCHEMY_DATABASE_URI"] == HOSTILE["DATABASE_URL"]:
        found["SQLALCHEMY_DATABASE_URI"] = HOSTILE["DATABASE_URL"]
    if app.debug:
        found["DEBUG"] = True
    return found


def test_app_fixture_ignores_the_shell(app):
    assert leaked(app) == {{}}


class FlaskTestCaseIgnoresTheShell(FlaskTestCase):
    def test_app(self):
        self.assertEqual(leaked(self.app), {{}})
"""


def write_probe(pytester, monkeypatch):
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    pytester.makepyfile(test_probe=PROBE)
    inner_pytest_environment(monkeypatch, PYTHONPATH=str(ROOT), **HOSTILE_ENVIRONMENT)


def test_shell_variables_do_not_reach_the_apps_of_the_pytest_harness(pytester, monkeypatch):
    # GIVEN a shell exporting hostile values for the settings the app reads
    write_probe(pytester, monkeypatch)

    # WHEN the root conftest's ``app`` and a FlaskTestCase build their apps, in a new pytest process
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    # THEN neither app has any of those values
    result.assert_outcomes(passed=2)


def test_shell_variables_do_not_reach_the_app_of_a_unittest_class(pytester, monkeypatch):
    # GIVEN the same shell
    write_probe(pytester, monkeypatch)

    # WHEN a FlaskTestCase runs under ``python -m unittest`` (no conftest, no fixtures)
    result = pytester.run(sys.executable, "-m", "unittest", "test_probe")

    # THEN its app has none of those values either
    assert result.ret == 0, result.stderr.str()
    result.stderr.fnmatch_lines(["Ran 1 test in *", "OK"])


# --- TEST_DATABASE_URL that the harness cannot honour -----------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param(
            "mysql+pymysql://root@127.0.0.1/shop_test",
            "*PostgreSQL, or on SQLite when TEST_DATABASE_URL is unset; no other backend*",
            id="other-backend",
        ),
        pytest.param(
            "postgresql+psycopg://postgres@127.0.0.1:5432/bookshelf",
            "*the database name must contain 'test'*",
            id="name-without-test",
        ),
    ],
)
def test_unusable_test_database_url_stops_the_run_with_a_reason(pytester, monkeypatch, url, message):
    # GIVEN TEST_DATABASE_URL naming another backend, or a database that may be a real one
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    pytester.makepyfile(test_nothing="def test_nothing():\n    assert False\n")
    inner_pytest_environment(monkeypatch, TEST_DATABASE_URL=url)

    # WHEN pytest starts with the root conftest
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    # THEN it stops before any test (usage error), saying why, and drops nothing
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
