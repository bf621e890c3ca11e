"""The test harness for a Flask-SQLAlchemy app: the file to copy into your project.

Edit only the block between the two "YOUR APP" lines; the rest is the same in
every project (README, "Copying the harness into your project"). It gives:

- ``app``: the app, built once per session (per xdist worker) on a database of its
  own, with everything a test writes rolled back after the test;
- ``db``, ``client``, ``runner`` and ``backend`` ("sqlite" or "postgresql");
- the markers ``postgres`` and ``sqlite`` for tests that need one backend;
- guards: no variable of the developer's shell reaches the app, and no test
  leaves a Flask context pushed.

Isolation (figures in docs/database-isolation.md): the schema is created once.
Each test opens a connection and begins a transaction on it; ``db.session`` joins
that transaction with ``join_transaction_mode="create_savepoint"``, so the app's
``commit()`` only releases a SAVEPOINT, and the transaction is rolled back after
the test.

Patterns: session-scoped app fixture; SAVEPOINT rollback per test; listeners on
the app's session kept by the harness; reference data created once per session;
one suite on SQLite and PostgreSQL; one database per xdist worker; tests that
run only on PostgreSQL or SQLite; client and runner fixtures; no request context
pushed around tests; context-leak guard; developer environment kept out of tests;
a plain-function test run that does not load the app.
"""

import functools
import os
import sys

import pytest

# --- YOUR APP: the only block to edit (README, "Copying the harness") ---------
from sample_app.config import ENVIRONMENT_VARIABLES

# This repository's own fixtures, one module each (tests/fixtures/).
pytest_plugins = [
    "pytester",
    "tests.fixtures.accounts",
    "tests.fixtures.api",
    "tests.fixtures.books",
    "tests.fixtures.files",
    "tests.fixtures.hypothesis_profiles",
    "tests.fixtures.live_server",
    "tests.fixtures.mail",
]

# Environment variables the app's configuration reads: removed for the whole run.
APP_ENVIRONMENT = ENVIRONMENT_VARIABLES


def create_test_app(database_url):
    """The app as the tests use it, on ``database_url``."""
    from sample_app import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)


def add_reference_data():
    """Rows every test needs; committed once per session, never rolled back."""
    from sample_app.models import Role

    Role.insert_roles()


# --- END OF YOUR APP: nothing below names the app -----------------------------

# The app and SQLAlchemy are imported inside the functions that use them: a run
# of tests that need no app (plain functions) starts without loading either.

# Read at import, before the guard below clears the environment for the tests.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKEND_MARKERS = {"postgres": "postgresql", "sqlite": "sqlite"}


def database_backend():
    """``"sqlite"`` (TEST_DATABASE_URL unset) or ``"postgresql"``: the one answer
    that fixtures, markers and hooks use."""
    if not TEST_DATABASE_URL:
        return "sqlite"
    import sqlalchemy as sa

    url = sa.make_url(TEST_DATABASE_URL)
    if url.get_backend_name() != "postgresql":
        raise pytest.UsageError(
            f"TEST_DATABASE_URL={TEST_DATABASE_URL}: this harness gives each xdist worker its own "
            "database on PostgreSQL, or on SQLite when TEST_DATABASE_URL is unset; no other backend."
        )
    # The harness drops and recreates this database: never let it be a real one.
    if "test" not in (url.database or ""):
        raise pytest.UsageError(f"TEST_DATABASE_URL={TEST_DATABASE_URL}: the database name must contain 'test'.")
    return "postgresql"


def pytest_configure(config):
    for marker, backend in BACKEND_MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: runs only when the tests run on {backend}")
    database_backend()  # a bad TEST_DATABASE_URL stops the run before any test


def pytest_runtest_setup(item):
    for marker, backend in BACKEND_MARKERS.items():
        if item.get_closest_marker(marker) and database_backend() != backend:
            pytest.skip(f"needs {backend}; this run uses {database_backend()} (TEST_DATABASE_URL)")


# --- databases ---------------------------------------------------------------


def _postgres_admin(url, statement):
    import sqlalchemy as sa

    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(statement)
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database for this xdist worker alone (``main`` without xdist), created
    empty for the session: a SQLite file, or PostgreSQL's ``<name>_gw0``..."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if database_backend() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / f'test-{worker}.sqlite'}"
        return
    import sqlalchemy as sa

    url = sa.make_url(TEST_DATABASE_URL)
    if worker != "main":
        url = url.set(database=f"{url.database}_{worker}")
    _postgres_admin(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    _postgres_admin(url, f'CREATE DATABASE "{url.database}"')
    yield url.render_as_string(hide_password=False)
    _postgres_admin(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def _enable_sqlite_savepoints(engine):
    """pysqlite never emits BEGIN, so the first SAVEPOINT would become the
    transaction and the app's commit() would really commit. Let SQLAlchemy
    emit BEGIN itself (SQLAlchemy's pysqlite dialect docs, "Savepoints")."""
    import sqlalchemy as sa

    @sa.event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _emit_begin(connection):
        connection.exec_driver_sql("BEGIN")

    engine.dispose()  # pooled connections were made without the first listener


@pytest.fixture(scope="session")
def _app(_clean_environment, database_url):
    """The one app of the session, with its schema and reference data committed."""
    app = create_test_app(database_url)
    app_db = _db(app)
    with app.app_context():
        if app_db.engine.dialect.name == "sqlite":
            _enable_sqlite_savepoints(app_db.engine)
        app_db.create_all()
        add_reference_data()
        app_db.session.commit()
    yield app
    with app.app_context():
        app_db.engine.dispose()


def _db(app):
    """The app's Flask-SQLAlchemy object (``db``), which registers itself on the app."""
    return app.extensions["sqlalchemy"]


def _use_given_connection(session, mapper=None, clause=None, bind=None, **kwargs):
    # Flask-SQLAlchemy 3.1 picks an engine and ignores the session's bind=
    # (pallets-eco/flask-sqlalchemy#1167): the test's connection would be bypassed.
    return bind if bind is not None else session.bind


@functools.cache
def _test_session_class(app_session_class):
    # A subclass, not a new class: listeners registered on db.session and the
    # app's own session class (session_options={"class_": ...}) keep working.
    return type(f"Test{app_session_class.__name__}", (app_session_class,), {"get_bind": _use_given_connection})


def _session_in_transaction(app_session, connection):
    """A scoped session like the app's (class, options, scope) whose sessions join
    the transaction open on ``connection``."""
    import sqlalchemy as sa

    factory = app_session.session_factory
    options = {**factory.kw, "bind": connection, "join_transaction_mode": "create_savepoint"}
    test_factory = sa.orm.sessionmaker(class_=_test_session_class(factory.class_), **options)
    return sa.orm.scoped_session(test_factory, scopefunc=app_session.registry.scopefunc)


@pytest.fixture
def app(_app):
    """The app, with everything the test writes rolled back after it.

    Cheap per test: the app and schema are built once per session; only a
    connection and a transaction are opened here.
    """
    app_db = _db(_app)
    with _app.app_context():
        engine = app_db.engine
    connection = engine.connect()
    transaction = connection.begin()
    app_session = app_db.session
    app_db.session = _session_in_transaction(app_session, connection)
    yield _app
    # Sessions were closed as each app context ended; put the app's own back.
    app_db.session = app_session
    transaction.rollback()
    connection.close()


@pytest.fixture
def db(app):
    """The Flask-SQLAlchemy object, isolated. Use it inside ``with app.app_context():``."""
    return _db(app)


@pytest.fixture
def backend():
    """``"sqlite"`` or ``"postgresql"``: the backend of this run."""
    return database_backend()


@pytest.fixture
def client(app):
    """A test client. Not entered with ``with``: each request gets fresh
    contexts. A test that needs to inspect them writes ``with client:``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- guards ------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _clean_environment():
    """Before any app is built, remove what a developer's shell (a .env, direnv)
    could set for the app: APP_ENVIRONMENT and FLASK_*. Restored after the run."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name in APP_ENVIRONMENT or name.startswith("FLASK_"):
                patch.delenv(name)
        yield


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's autouse fixture of the same name (harmless without it).

    pytest-flask pushes a request context around every test that uses ``app``.
    Test-client requests then share that context's ``g``, and Flask-Login's
    cached ``current_user`` leaks from one request to the next. Here nothing
    is pushed: a test opens a context itself, around direct database work.
    """


@pytest.fixture(autouse=True)
def _no_context_leak():
    """Fail a test that leaves an app or request context pushed (as Flask's own
    test suite does): it would leak ``g`` and the session into the next test."""
    yield
    flask = sys.modules.get("flask")
    if flask is None:  # a test that never loaded Flask pushed no context
        return
    leaked = []
    while flask.has_request_context():
        leaked.append(flask.globals.request_ctx._get_current_object())
        leaked[-1].pop()
    while flask.has_app_context():
        leaked.append(flask.globals.app_ctx._get_current_object())
        leaked[-1].pop()
    assert not leaked, f"test left contexts pushed: {leaked}"
