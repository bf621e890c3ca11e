"""The test harness for a Flask-SQLAlchemy app: the file to copy into your project.

Edit only the block between the two "YOUR APP" lines; the rest is the same in
every project (docs/copying-the-harness.md). It gives:

- ``app``: the app, built once per session (per xdist worker) on a database of its
  own, with everything a test writes rolled back after the test;
- ``db``, ``client``, ``runner`` and ``backend`` ("sqlite" or "postgresql");
- the markers ``postgres`` and ``sqlite`` for tests that need one backend;
- guards: no variable of the developer's shell reaches the app, and no test
  leaves a Flask context pushed.

Isolation (figures in docs/database-isolation.md): the schema is created once.
Each test begins a transaction on a connection kept for the session; ``db.session`` joins
that transaction with ``join_transaction_mode="create_savepoint"``, so the app's
``commit()`` only releases a SAVEPOINT, and the transaction is rolled back after
the test.

Patterns: session-scoped app fixture; SAVEPOINT rollback per test; listeners on
the app's session kept by the harness; reference data created once per session;
one suite on SQLite and PostgreSQL; one database per xdist worker; tests that
run only on PostgreSQL or SQLite; client and runner fixtures; no request context
pushed around tests; context-leak guard; developer environment kept out of tests;
a plain-function test run that does not load the app; the objects collection
made frozen out of the garbage collector.
"""

import contextlib
import functools
import gc
import os
import re
import sys
from pathlib import Path

import pytest

# --- YOUR APP: the only block to edit (docs/copying-the-harness.md) ----------
from sample_app.config import ENVIRONMENT_VARIABLES

# This repository's own fixtures, one module each (tests/fixtures/).
pytest_plugins = [
    "pytester",
    "tests.fixtures.accounts",
    "tests.fixtures.after_commit",
    "tests.fixtures.api",
    "tests.fixtures.books",
    "tests.fixtures.files",
    "tests.fixtures.hypothesis_profiles",
    "tests.fixtures.live_server",
    "tests.fixtures.lookup_service",
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


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist, before starting a worker: hand it TEST_DATABASE_URL, which the
    worker's environment no longer has (the guard below cleared it here)."""
    node.workerinput["test_database_url"] = TEST_DATABASE_URL


def pytest_configure(config):
    global TEST_DATABASE_URL
    if hasattr(config, "workerinput"):  # an xdist worker: its environment was cleared
        TEST_DATABASE_URL = config.workerinput["test_database_url"]
    for marker, backend in BACKEND_MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: runs only when the tests run on {backend}")
    config.addinivalue_line("markers", OWN_APP_MARKER)
    database_backend()  # a bad TEST_DATABASE_URL stops the run before any test
    _remove_app_environment()


def pytest_unconfigure(config):
    _ENVIRONMENT.undo()


def pytest_runtest_setup(item):
    if _SHADOWED in item.stash:  # see pytest_collection_modifyitems
        pytest.fail(item.stash[_SHADOWED], pytrace=False)
    for marker, backend in BACKEND_MARKERS.items():
        if item.get_closest_marker(marker) and database_backend() != backend:
            pytest.skip(f"needs {backend}; this run uses {database_backend()} (TEST_DATABASE_URL)")


# Collection imports the app and its frameworks (Flask, SQLAlchemy): objects that live
# for the whole run. Left alone, Python's cyclic collector scans them over and over while
# they are made, then at every full collection of the run, and once more when pytest exits.
GC_THRESHOLD_DURING_COLLECTION = 100_000


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    """Collect garbage rarely while collecting; after it, collect once and freeze what
    survived (``gc.freeze``): later collections skip it. (Not skipped when
    ``gc.get_freeze_count()`` is already non-zero: Python 3.12 starts with objects frozen.)"""
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD_DURING_COLLECTION, *thresholds[1:])
    try:
        return (yield)
    finally:
        gc.set_threshold(*thresholds)
        gc.collect()
        gc.freeze()


# --- databases ---------------------------------------------------------------


def _postgres_admin(url, statement):
    import sqlalchemy as sa

    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(statement)
    engine.dispose()


def _create_empty_postgres(url):
    _postgres_admin(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    _postgres_admin(url, f'CREATE DATABASE "{url.database}"')


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
    _create_empty_postgres(url)
    yield url.render_as_string(hide_password=False)
    for database in [url, *_BIND_DATABASES]:
        _postgres_admin(database, f'DROP DATABASE IF EXISTS "{database.database}" WITH (FORCE)')


_BIND_DATABASES = []  # made by bind_database_url(), dropped with the main one


def bind_database_url(database_url, bind_key):
    """A database of its own for one bind of SQLALCHEMY_BINDS, beside
    ``database_url`` (a SQLite file in the same folder, or PostgreSQL's
    ``<name>_<bind_key>``): created empty, dropped at the end of the run.
    Call it from ``create_test_app``."""
    import sqlalchemy as sa

    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        main = Path(url.database)
        return url.set(database=str(main.with_name(f"{main.stem}-{bind_key}{main.suffix}"))).render_as_string()
    url = url.set(database=f"{url.database}_{bind_key}")
    _create_empty_postgres(url)
    _BIND_DATABASES.append(url)
    return url.render_as_string(hide_password=False)


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
def _app(database_url):
    """The one app of the session, with its schema and reference data committed."""
    import sqlalchemy as sa

    sa.event.listen(sa.engine.Engine, "engine_connect", _refuse_escaped_connection)
    app = create_test_app(database_url)
    app_db = _db(app)
    with app.app_context():
        for engine in app_db.engines.values():
            if engine.dialect.name == "sqlite":
                _enable_sqlite_savepoints(engine)
        app_db.create_all()
        add_reference_data()
        app_db.session.commit()
    yield app
    for connection in _KEPT.pop(app, {}).values():
        connection.close()
    with app.app_context():
        for engine in app_db.engines.values():
            engine.dispose()
    sa.event.remove(sa.engine.Engine, "engine_connect", _refuse_escaped_connection)


def _db(app):
    """The app's Flask-SQLAlchemy object (``db``), which registers itself on the app."""
    return app.extensions["sqlalchemy"]


# --- isolation: one transaction per test, rolled back ---------------------------

# The open test transaction's connections, one per engine (SQLALCHEMY_BINDS too).
# Module level, not on a session: every session and thread of the test reads it.
_CONNECTIONS = {}
# Each app's connections, opened by its first test and kept until the session
# ends: a test then pays for a BEGIN and a ROLLBACK, not a pool checkout and reset.
_KEPT = {}
# Connections a test opened around the harness (each a failure, see below).
_ESCAPES = []
ESCAPE_RULE = (
    "a test's database work goes through db.session, which the harness keeps in the "
    "test's transaction; this connection is outside it, so it cannot see the test's rows, "
    "what it writes is not rolled back, and on PostgreSQL it can wait forever for their "
    "locks. Use db.session (db.session.connection() for Core statements and DDL, as in "
    "metadata.create_all(bind=db.session.connection())), not db.engine.connect(), "
    "db.create_all() or a second engine on the test database."
)


def _same_database(first, second):
    if first.get_backend_name() != second.get_backend_name() or first.database in (None, "", ":memory:"):
        return False  # two SQLite in-memory databases are never the same one
    return (first.host, first.port, first.database) == (second.host, second.port, second.database)


def _refuse_escaped_connection(connection):
    """``engine_connect`` listener on every engine: while a test's transaction is
    open, a new connection to one of its databases is an escape."""
    if not _CONNECTIONS:
        return
    url = connection.engine.url
    if any(_same_database(url, engine.url) for engine in _CONNECTIONS):
        message = f"connection opened outside the test's transaction ({url!r}): {ESCAPE_RULE}"
        _ESCAPES.append(message)
        connection.close()
        raise RuntimeError(message)


@functools.cache
def _test_session_factory(app_factory):
    """A sessionmaker like the app's (class, options) whose sessions join the
    test's transaction; made once per app, as it holds no connection."""
    import sqlalchemy as sa

    # A subclass, not a new class: listeners registered on db.session and the
    # app's own session class (session_options={"class_": ...}) keep working.
    class TestSession(app_factory.class_):
        def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
            # The engine the app's session picks (its binds, Flask-SQLAlchemy's
            # bind_key rules), swapped for the test's connection to it.
            engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
            return _CONNECTIONS.get(engine, engine)

    return sa.orm.sessionmaker(class_=TestSession, **{**app_factory.kw, "join_transaction_mode": "create_savepoint"})


def _fail_on_escapes():
    escapes, _ESCAPES[:] = list(_ESCAPES), []
    assert not escapes, "\n".join(escapes)


@contextlib.contextmanager
def _rolled_back(app):
    """Everything written inside is rolled back at exit.

    The outermost block begins a transaction on the app's kept connection to
    each of its engines and re-points ``db.session`` (the same object, so references taken at
    import, such as factory_boy's ``sqlalchemy_session = db.session``, follow)
    at sessions that join them. A block inside another (class- or module-scoped
    data, then each test) is a SAVEPOINT on those connections.
    """
    import sqlalchemy as sa

    if _CONNECTIONS:
        savepoints = [connection.begin_nested() for connection in _CONNECTIONS.values()]
        try:
            yield app
        finally:
            for savepoint in reversed(savepoints):
                if savepoint.is_active:
                    savepoint.rollback()
        _fail_on_escapes()
        return
    connections = _kept_connections(app)
    transactions = [connection.begin() for connection in connections.values()]
    app_db = _db(app)
    scoped = app_db.session
    app_factory, app_registry = scoped.session_factory, scoped.registry
    scoped.session_factory = _test_session_factory(app_factory)
    # A new registry of the app's kind (the same scope: Flask-SQLAlchemy's is the app context).
    scoped.registry = sa.orm.scoped_session(
        scoped.session_factory, scopefunc=getattr(app_registry, "scopefunc", None)
    ).registry
    _CONNECTIONS.update(connections)
    try:
        yield app
    finally:
        _CONNECTIONS.clear()
        # Sessions were closed as each app context ended; put the app's own back.
        scoped.session_factory, scoped.registry = app_factory, app_registry
        for transaction in transactions:
            transaction.rollback()
    _fail_on_escapes()


def _kept_connections(app):
    """``{engine: connection}`` for every engine of ``app``, reopened if one was
    closed or lost (a test that closed it, a database server restarted)."""
    kept = _KEPT.get(app)
    if kept is None or any(connection.closed or connection.invalidated for connection in kept.values()):
        for connection in (kept or {}).values():
            connection.close()
        with app.app_context():
            engines = list(_db(app).engines.values())
        kept = _KEPT[app] = {engine: engine.connect() for engine in engines}
    return kept


@pytest.fixture(scope="session")
def rolled_back(_app):
    """``with rolled_back() as app:``: rows written inside are rolled back at the
    end of the block. For data built once for a module or class: tests inside
    the block each run in a SAVEPOINT of it (docs/copying-the-harness.md)."""
    return functools.partial(_rolled_back, _app)


@pytest.fixture
def app(_app):
    """The app, with everything the test writes rolled back after it.

    Cheap per test: the app, its schema and one connection per database are made
    once per session; only a transaction is begun here.
    """
    with _rolled_back(_app) as app:
        yield app


@pytest.fixture
def db(app):
    """The Flask-SQLAlchemy object, isolated. Use it inside ``with app.app_context():``."""
    return _db(app)


# --- query counts --------------------------------------------------------------

# What only the harness sends (each test's commit is a SAVEPOINT released):
# not counted, so a count is the one the app makes in production.
HARNESS_STATEMENTS = re.compile(r"(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)


@contextlib.contextmanager
def _counted_queries(limit, exact):
    import sqlalchemy as sa

    statements = []

    def record(connection, cursor, statement, parameters, context, executemany):
        if not HARNESS_STATEMENTS.match(statement):
            statements.append(statement)

    connections = list(_CONNECTIONS.values())
    for connection in connections:
        sa.event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for connection in connections:
            sa.event.remove(connection, "before_cursor_execute", record)
    if len(statements) > limit or (exact and len(statements) != limit):
        listed = "\n".join(f"{n}. {statement}" for n, statement in enumerate(statements, 1))
        pytest.fail(f"{len(statements)} queries ran, {'expected' if exact else 'at most'} {limit}:\n{listed}")


@pytest.fixture
def assert_num_queries(app):
    """``with assert_num_queries(2):`` fails unless exactly 2 statements ran on the
    test's connections inside the block; the failure lists them. Yields the list."""
    return functools.partial(_counted_queries, exact=True)


@pytest.fixture
def assert_max_num_queries(app):
    """``with assert_max_num_queries(3):``: at most 3 statements (the N+1 guard)."""
    return functools.partial(_counted_queries, exact=False)


@pytest.fixture
def backend(app):
    """``"sqlite"`` or ``"postgresql"``: the backend of the engine the app uses."""
    with app.app_context():
        return _db(app).engine.dialect.name


@pytest.fixture
def assert_in_test_transaction():
    """``assert_in_test_transaction(db.session)`` fails unless that session works in
    the harness's per-test transaction. The isolation proof tests call it, so they
    cannot pass in a suite where the harness is shadowed or bypassed."""

    def check(session):
        assert any(session.connection() is connection for connection in _CONNECTIONS.values()), (
            "this session is not in the harness's per-test transaction: the harness's app "
            "fixture is not in use (a closer fixture replaced it, or the app was made another "
            "way), so the test's rows are not rolled back by it."
        )

    return check


@pytest.fixture
def client(app):
    """A test client. Not entered with ``with``: each request gets fresh
    contexts. A test that needs to inspect them writes ``with client:``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_context(app):
    """Opt-in: the whole test inside an app context (for suites whose tests call
    ``Model.query`` or factories with no ``with app.app_context():``). Test-client
    requests made meanwhile share that context's ``g``: Flask-Login's
    ``current_user`` then leaks from one request to the next."""
    with app.app_context() as context:
        yield context


@pytest.fixture
def request_context(app):
    """Opt-in: the whole test inside a request context (``url_for``, ``request``),
    with the same ``g`` pitfall as ``app_context``."""
    with app.test_request_context() as context:
        yield context


# --- guards ------------------------------------------------------------------


_ENVIRONMENT = pytest.MonkeyPatch()


def _remove_app_environment():
    """Remove what a developer's shell (a .env, direnv) could set for the app:
    APP_ENVIRONMENT and FLASK_*. Done when pytest starts, before any test module
    is imported, so settings read at import (a settings module, a config class,
    factories importing the models) never see them; restored when pytest exits."""
    for name in list(os.environ):
        if name in APP_ENVIRONMENT or name.startswith("FLASK_"):
            _ENVIRONMENT.delenv(name)


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's autouse fixture of the same name (harmless without it).

    pytest-flask pushes a request context around every test that uses ``app``.
    Test-client requests then share that context's ``g``, and Flask-Login's
    cached ``current_user`` leaks from one request to the next. Here nothing
    is pushed: a test opens a context itself, around direct database work.
    """


@pytest.fixture(autouse=True)
def _monkeypatch_response_class():
    """Replace pytest-flask's autouse fixture of the same name: for every test that
    uses ``app`` it made a new response class (so ``response == 200`` works) and set it
    with a monkeypatch. Flask's own ``response.status_code`` and ``response.json`` do."""


@pytest.fixture(autouse=True)
def _configure_application(request):
    """pytest-flask's ``@pytest.mark.options(NAME=value)``, in place of its autouse fixture
    of the same name, which set up a monkeypatch for every test using ``app``, marked or not."""
    markers = list(request.node.iter_markers("options"))
    if not markers or "app" not in request.fixturenames:
        return
    monkeypatch, config = request.getfixturevalue("monkeypatch"), request.getfixturevalue("app").config
    for options in markers:
        for key, value in options.kwargs.items():
            monkeypatch.setitem(config, key.upper(), value)


def _current_contexts(flask):
    request = flask.globals.request_ctx._get_current_object() if flask.has_request_context() else None
    app = flask.globals.app_ctx._get_current_object() if flask.has_app_context() else None
    return request, app


@pytest.fixture(autouse=True)
def _no_context_leak():
    """Fail a test that leaves an app or request context pushed (as Flask's own
    test suite does): it would leak ``g`` and the session into the next test.
    Only what the test pushed is popped: a run started inside a context (a
    ``flask test`` command calling ``pytest.main``) keeps its own."""
    flask = sys.modules.get("flask")
    request_before, app_before = _current_contexts(flask) if flask else (None, None)
    yield
    flask = sys.modules.get("flask")
    if flask is None:  # a test that never loaded Flask pushed no context
        return
    leaked = []
    while flask.has_request_context() and flask.globals.request_ctx._get_current_object() is not request_before:
        leaked.append(flask.globals.request_ctx._get_current_object())
        leaked[-1].pop()
    while flask.has_app_context() and flask.globals.app_ctx._get_current_object() is not app_before:
        leaked.append(flask.globals.app_ctx._get_current_object())
        leaked[-1].pop()
    assert not leaked, f"test left contexts pushed: {leaked}"


# --- the harness in use ------------------------------------------------------

HARNESS_FIXTURES = ("app", "db", "client", "runner")
OWN_APP_MARKER = "own_app: the test's app fixture builds an app and database of its own, not the harness's"


def _is_the_harness(definition):
    return Path(definition.func.__code__.co_filename) == Path(__file__)


def _shadowing_definition(name, definitions):
    """The definition of ``name`` a test would use in place of the harness's, or None.

    ``def app(app): ...`` extends the harness's and is fine; so is a ``db``,
    ``client`` or ``runner`` built on ``app``."""
    for definition in reversed(definitions):
        if _is_the_harness(definition) or (name != "app" and "app" in definition.argnames):
            return None
        if name not in definition.argnames:
            return definition
    return None


_SHADOWED = pytest.StashKey[str]()


def pytest_collection_modifyitems(config, items):
    """Stop the run if a closer conftest or module replaces one of the harness's
    fixtures: pytest would quietly give tests that one, outside the rollback."""
    shadows = {}
    for item in items:
        definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        if item.get_closest_marker("own_app"):
            continue
        for name in HARNESS_FIXTURES:
            definition = _shadowing_definition(name, definitions.get(name, ()))
            if definition is not None:
                code = definition.func.__code__
                where = f"{os.path.relpath(code.co_filename, config.rootpath)}:{code.co_firstlineno}"
                shadows.setdefault((name, where), []).append(item)
    if not shadows:
        return
    lines = [
        f"`{name}` defined at {where} replaces the harness's `{name}` (conftest.py) for "
        f"{len(tests)} test(s), the first {tests[0].nodeid}"
        for (name, where), tests in shadows.items()
    ]
    message = (
        "\n".join(lines) + "\nThose tests would run outside the harness's rolled-back transaction. "
        "Either delete that fixture and use the harness's (to add to it, take it as an argument: "
        "`def app(app): ...`), or, if those tests need an app and database of their own (a live "
        "server on a committed database), mark them `@pytest.mark.own_app`."
    )
    if not hasattr(config, "workerinput"):
        raise pytest.UsageError(message)
    # An xdist worker cannot stop the run with a readable message: each such test fails with it.
    for tests in shadows.values():
        for item in tests:
            item.stash[_SHADOWED] = message
