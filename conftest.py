"""Fixtures for the whole suite: the first file to read, and to copy.

Patterns: session-scoped app fixture; SAVEPOINT rollback per test; reference
data created once per session; one suite on SQLite and PostgreSQL; one database
per xdist worker; tests that run only on PostgreSQL or SQLite; client and
runner fixtures; factory fixtures; logged-in client fixtures; AuthActions
helper; API token fixtures; e-mail outbox fixture; assets folder fixture; no
request context pushed around tests; context-leak guard; developer environment
kept out of tests; one Hypothesis profile for the suite.

In detail: the backend is chosen by the environment (``TEST_DATABASE_URL``),
the outbox captures e-mail at the app's own seam, and pytest-flask's fixtures
(``config``, the ``options`` marker, ``live_server``) work with all of it.

How the database is isolated (see docs/database-isolation.md for figures):
the schema is created once per session (per worker under xdist). Each test
opens one connection, begins a transaction on it, and points
``db.session`` at that connection with ``join_transaction_mode=
"create_savepoint"``: when the app calls ``db.session.commit()`` only a
SAVEPOINT is released, and the outer transaction is rolled back after the
test, so nothing a test writes is seen by the next one.
"""

import os
from pathlib import Path

import flask
import pytest
import sqlalchemy as sa
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from hypothesis import settings

from sample_app import create_app
from sample_app.api.tokens import issue_token
from sample_app.extensions import db as _db
from sample_app.models import Role
from tests.factories import DEFAULT_PASSWORD, create_book, create_user

ASSETS_DIR = Path(__file__).parent / "tests" / "assets"

# pytester: run a pytest session inside a test (used to test the harness itself).
pytest_plugins = ["pytester"]

# Property tests: no per-example deadline. On a loaded 2-core CI machine a
# slow example is noise, not a bug, and a deadline would make them flaky.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


# --- databases ---------------------------------------------------------------


def _worker_id():
    # Set by pytest-xdist in each worker ("gw0", "gw1", ...).
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_admin_engine(url):
    return sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _create_postgres_database(url):
    engine = _postgres_admin_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    engine.dispose()


def _drop_postgres_database(url):
    engine = _postgres_admin_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    engine.dispose()


def _enable_sqlite_savepoints(engine):
    """pysqlite does not emit BEGIN, so the first SAVEPOINT would become the
    transaction and the app's commit() would really commit. Let SQLAlchemy
    emit BEGIN itself (SQLAlchemy's pysqlite dialect docs, "Savepoints")."""

    @sa.event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _emit_begin(connection):
        connection.exec_driver_sql("BEGIN")


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy 3.1's ``get_bind()`` ignores a session's ``bind=``
    (pallets-eco/flask-sqlalchemy#1167) and would pick a pooled connection
    outside the test's transaction. This session uses the connection it was given."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite file per worker by default; TEST_DATABASE_URL picks PostgreSQL,
    with a database per worker that this fixture creates and drops."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        path = tmp_path_factory.mktemp("db") / f"test-{_worker_id()}.sqlite"
        yield f"sqlite:///{path}"
        return
    url = sa.make_url(base)
    if url.get_backend_name() != "postgresql":
        yield base
        return
    if _worker_id() != "main":
        url = url.set(database=f"{url.database}_{_worker_id()}")
    _create_postgres_database(url)
    yield url.render_as_string(hide_password=False)
    _drop_postgres_database(url)


@pytest.fixture(scope="session")
def _app(database_url):
    """The one app of the session, with its schema and roles committed."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        if _db.engine.dialect.name == "sqlite":
            _enable_sqlite_savepoints(_db.engine)
        _db.create_all()
        Role.insert_roles()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def app(_app):
    """The app, with everything the test writes rolled back after it.

    Cheap per test: the app and schema are built once per session; only a
    connection and a transaction are opened here.
    """
    with _app.app_context():
        engine = _db.engine
    connection = engine.connect()
    transaction = connection.begin()
    app_session = _db.session
    # A private Flask-SQLAlchemy helper: it keeps the app-context scoping.
    _db.session = _db._make_scoped_session(
        {"class_": _ConnectionBoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    yield _app
    # Sessions were closed as each app context ended; put the app's own back.
    _db.session = app_session
    transaction.rollback()
    connection.close()


@pytest.fixture
def db(app):
    """The Flask-SQLAlchemy object, isolated. Use it inside ``with app.app_context():``."""
    return _db


@pytest.fixture
def backend(database_url):
    """``"sqlite"`` or ``"postgresql"``: the backend this run uses."""
    return sa.make_url(database_url).get_backend_name()


# --- clients and helpers -----------------------------------------------------


@pytest.fixture
def client(app):
    """A test client. Not entered with ``with``: each request gets fresh
    contexts. A test that needs to inspect them writes ``with client:``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def assets():
    """The folder of small, named input files (``tests/assets/``)."""
    return ASSETS_DIR


@pytest.fixture
def make_user(app):
    """Create and commit a user: ``make_user(role="Administrator", email=...)``.

    Returns a detached object with its columns loaded (read ``.id``,
    ``.email``; open an app context to follow relationships). Its password
    is ``tests.factories.DEFAULT_PASSWORD`` unless ``password=`` is given.
    """

    def make_user(**overrides):
        with app.app_context():
            user = create_user(**overrides)
            _db.session.refresh(user)
            return user

    return make_user


@pytest.fixture
def make_book(app, make_user):
    """Create and commit a book: ``make_book(owner=user, tags=["sf"], title=...)``."""

    def make_book(**overrides):
        if "owner" not in overrides:
            overrides["owner"] = make_user()
        with app.app_context():
            book = create_book(**overrides)
            _db.session.refresh(book)
            return book

    return make_book


@pytest.fixture
def user(make_user):
    return make_user(username="reader", email="reader@example.com")


@pytest.fixture
def admin(make_user):
    return make_user(username="admin", email="admin@example.com", role="Administrator")


def _logged_in_client(app, user):
    # Log in through the session instead of the form: one request fewer per
    # test. The login form itself is tested in tests/functional/test_auth.py.
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


@pytest.fixture
def user_client(app, user):
    """A client logged in as ``user`` (role User)."""
    return _logged_in_client(app, user)


@pytest.fixture
def admin_client(app, admin):
    """A client logged in as ``admin`` (role Administrator)."""
    return _logged_in_client(app, admin)


class AuthActions:
    """Drive the real register / login / logout forms from a test."""

    def __init__(self, client):
        self._client = client

    def register(self, email="new@example.com", username="newreader", password=DEFAULT_PASSWORD, **kwargs):
        data = {"email": email, "username": username, "password": password, "password2": password}
        return self._client.post("/auth/register", data=data, **kwargs)

    def login(self, email="reader@example.com", password=DEFAULT_PASSWORD, remember=False, next=None, **kwargs):
        data = {"email": email, "password": password}
        if remember:
            data["remember_me"] = "y"
        query = {"next": next} if next is not None else None
        return self._client.post("/auth/login", data=data, query_string=query, **kwargs)

    def logout(self, **kwargs):
        return self._client.post("/auth/logout", **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def api_token(app, user):
    """A valid bearer token for ``user``."""
    with app.app_context():
        return issue_token(user.id)


@pytest.fixture
def api_headers(api_token):
    return {"Authorization": f"Bearer {api_token}", "Accept": "application/json"}


@pytest.fixture
def outbox(monkeypatch):
    """E-mails the app sends, captured at its own seam (``sample_app.email.deliver``)."""
    sent = []

    def fake_deliver(config, msg):
        sent.append(msg)
        return True

    monkeypatch.setattr("sample_app.email.deliver", fake_deliver)
    return sent


# --- guards ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's autouse fixture of the same name.

    pytest-flask pushes a request context around every test that uses
    ``app``. Test-client requests then reuse that context's app context, so
    ``g`` (and Flask-Login's cached ``current_user``) leaks from one request
    to the next. Here nothing is pushed: a test opens a context itself,
    only around direct database work. tests/functional/test_context.py
    proves the leak is gone.
    """


@pytest.fixture(autouse=True)
def _no_context_leak():
    """Fail a test that leaves an app or request context pushed (as Flask's
    own test suite does): it would leak ``g`` and the session into the next test."""
    yield
    leaked = []
    while flask.has_request_context():
        ctx = flask.globals.request_ctx._get_current_object()
        leaked.append(ctx)
        ctx.pop()
    while flask.has_app_context():
        ctx = flask.globals.app_ctx._get_current_object()
        leaked.append(ctx)
        ctx.pop()
    assert not leaked, f"test left contexts pushed: {leaked}"


@pytest.fixture(autouse=True)
def _clean_flask_environment(monkeypatch):
    """Variables from a developer's shell must not change a test's app."""
    for name in list(os.environ):
        if name.startswith("FLASK_") or name in {"SECRET_KEY", "MAIL_BACKEND", "MAX_CONTENT_LENGTH"}:
            monkeypatch.delenv(name)


def pytest_runtest_setup(item):
    """Skip backend-specific tests (markers ``postgres`` / ``sqlite``) on the other backend."""
    backend = "postgresql" if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") else "sqlite"
    if item.get_closest_marker("postgres") and backend != "postgresql":
        pytest.skip("needs PostgreSQL: run with TEST_DATABASE_URL=postgresql+psycopg://... (make test-postgres)")
    if item.get_closest_marker("sqlite") and backend != "sqlite":
        pytest.skip("SQLite-specific test")
