"""Helpers shared by several test modules: actions, assertions, token forgers, SQL probes.

Patterns: AuthActions helper; logged-in client fixtures; shared assertion helper;
expected values written in the test; forged tokens; recorded SQL statements;
unordered results exposed with a pragma.

Helpers that are not fixtures live here, so that no test module imports
from another one; the fixtures in tests/fixtures/ use them too.
"""

import base64
import contextlib
import json
import logging
import os
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import jwt
import sqlalchemy as sa

from sample_app.models import Book
from tests.factories import DEFAULT_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = ROOT / "tests" / "assets"

# Expected values shared by several modules. Written here, not imported from
# sample_app: a header or message changed in the app must fail the tests, not
# change on both sides of the comparison.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'",
}
NUL_MESSAGE = "The request contains a NUL character, which no text field accepts."


def duplicate_isbn_message(isbn):
    return f"A book with ISBN {isbn} is already in the catalogue."


# --- logging in -------------------------------------------------------------------


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


def log_in(client, user):
    """Log ``client`` in as ``user`` through the session, not the form: one
    request fewer per test (the form itself is tested in test_auth.py).
    Writes what Flask-Login's ``login_user()`` stores; returns the client."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def assert_json_error(response, status, message=None, error=None):
    """The response is a JSON error ``{"error", "message"}`` with ``status``
    (and this ``message`` and ``error`` name, when given)."""
    __tracebackhide__ = True  # pytest reports the failing line in the test
    assert response.status_code == status, response.text
    assert response.mimetype == "application/json"
    assert "<html" not in response.text.lower()
    assert set(response.json) >= {"error", "message"}
    assert response.json["message"]
    if message is not None:
        assert response.json["message"] == message
    if error is not None:
        assert response.json["error"] == error


# --- the database, seen from a test ----------------------------------------------


def row_count(app, db, model):
    """How many rows ``model``'s table holds, read in an app context of its own."""
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def stored_book(app, db, book_id):
    """The book as stored (``Book.to_dict()``), or None if there is none."""
    with app.app_context():
        book = db.session.get(Book, book_id)
        return None if book is None else book.to_dict()


def day(n):
    """A fixed, timezone-aware moment: day ``n`` of January 2024 (creation
    times that order books without waiting for the clock)."""
    return datetime(2024, 1, n, tzinfo=UTC)


class _InputValues(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and "name" in attrs:
            self.values[attrs["name"]] = attrs.get("value")


def input_values(page):
    """``{name: value}`` of the page's <input>s, parsed (the stdlib parser
    unescapes values), so tests don't depend on attribute order."""
    parser = _InputValues()
    parser.feed(page)
    return parser.values


def log_record(message="something happened", level=logging.WARNING):
    """A bare record of the "sample_app" logger, to run through a filter or handler."""
    return logging.LogRecord("sample_app", level, __file__, 1, message, None, None)


def security_headers(response):
    """The response's values for the headers of :data:`SECURITY_HEADERS` (None if missing)."""
    return {name: response.headers.get(name) for name in SECURITY_HEADERS}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html):
    """The first CSRF token in ``html`` (a page, or the part of it from one form
    on), as form.hidden_tag() or csrf_token() render it."""
    __tracebackhide__ = True  # pytest reports the failing line in the test
    match = CSRF_TOKEN.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


def confirmation_link(message, base="http://localhost"):
    """The confirmation URL, on a line of its own, in an e-mail the app sent (an
    ``email.message.EmailMessage``); ``base`` is the address the app is served at."""
    __tracebackhide__ = True  # pytest reports the failing line in the test
    pattern = rf"^{re.escape(base)}/auth/confirm/[A-Za-z0-9_.-]+$"
    match = re.search(pattern, message.get_content(), re.MULTILINE)
    assert match, f"no confirmation link in:\n{message.get_content()}"
    return match.group()


# --- forged tokens (JWTs, and itsdangerous' payload.timestamp.signature) ----------


def b64url_json(data):
    """``data`` as JSON in unpadded URL-safe base64, as a token part."""
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def flip_signature_character(token):
    """``token`` (a JWT, an itsdangerous token, or a link ending in one: the
    signature comes after the last dot) with one signature character changed."""
    head, _, signature = token.rpartition(".")
    # A middle character: the last one of an HS256 signature also carries
    # padding bits, and some changes to it decode to the very same bytes.
    i = len(signature) // 2
    replacement = "A" if signature[i] != "A" else "B"
    return f"{head}.{signature[:i]}{replacement}{signature[i + 1 :]}"


def change_subject(token):
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(int(claims["sub"]) + 1)
    return f"{header}.{b64url_json(claims)}.{signature}"


def unsigned_copy(token):
    """The same claims with ``"alg": "none"`` and no signature."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, None, algorithm="none")


FORGERIES = {
    "flipped-signature-character": flip_signature_character,
    "changed-subject": change_subject,
    "alg-none": unsigned_copy,
}


def forged(token, change):
    """``token`` as an attacker changed it: one of the names in :data:`FORGERIES`,
    so a case table can hold plain strings."""
    return FORGERIES[change](token)


# --- SQL statements --------------------------------------------------------------


@contextlib.contextmanager
def recorded_statements(engine):
    """Collect the SQL text of every statement ``engine`` runs inside the block.

    For assertions about how a result is reached, when the result alone cannot
    tell: no extra query per row, no INSERT tried when a check should stop it.
    """
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@contextlib.contextmanager
def unordered_selects_reversed(db):
    """SQLite only, inside an app context: return unordered rows backwards.

    SQLite answers a SELECT without ORDER BY in rowid (= id) order, so a
    query that lost its ``ORDER BY id`` still passes every test. Under
    ``PRAGMA reverse_unordered_selects`` it no longer does. The pragma belongs
    to the connection, which the next test reuses: it is switched off after.
    """
    db.session.execute(db.text("PRAGMA reverse_unordered_selects = ON"))
    try:
        yield
    finally:
        db.session.execute(db.text("PRAGMA reverse_unordered_selects = OFF"))


# --- pytest sessions inside a test ----------------------------------------------


def inner_pytest_environment(monkeypatch, **variables):
    """Prepare ``os.environ`` for a pytest run inside a test (pytester), then set ``variables``.

    The outer run's settings reach child processes through the environment: an
    xdist worker's id would make the inner run think it is a worker, pytest-cov's
    and coverage's variables would measure it with the outer run's settings,
    mutmut's would make it record mutants, and TEST_DATABASE_URL would point it
    at the outer run's database.
    """
    outer_runners = ("PYTEST_XDIST_", "COV_CORE_", "COVERAGE_", "MUTANT_", "MUTMUT_")
    for name in list(os.environ):
        if name.startswith(outer_runners) or name == "TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def inner_database_variables(backend, database_url, suffix):
    """The environment that puts a pytest run inside a test on this run's backend:
    on PostgreSQL a database of its own (``<this worker's database>_<suffix>``)."""
    if backend != "postgresql":
        return {}
    url = sa.make_url(database_url)
    return {"TEST_DATABASE_URL": url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)}


# The copy recipes of docs/copying-the-harness.md: "<!-- transplant: APP PATH -->" before a code block.
_RECIPE = re.compile(r"<!-- transplant: (?P<app>\S+) (?P<path>\S+) -->\n```\w*\n(?P<code>.*?)^```", re.M | re.S)


def copy_recipes():
    """``{(app, path): code}`` for every copy recipe in docs/copying-the-harness.md (``app`` is ``*`` for all apps)."""
    text = (ROOT / "docs" / "copying-the-harness.md").read_text(encoding="utf-8")
    return {(match["app"], match["path"]): match["code"] for match in _RECIPE.finditer(text)}


def year_range_message(last_year):
    """The catalogue's one message for a bad year, when ``last_year`` is next year (a clock frozen in
    ``last_year - 1``): out of range, not a number, not an int."""
    return f"Must be a whole number from 1450 to {last_year}."


def app_log_records(caplog):
    """The records ``caplog`` caught from the app's own ("sample_app") logger, without other libraries'."""
    return [record for record in caplog.records if record.name == "sample_app"]


def skip_duplicate_isbn_check(monkeypatch):
    """Make the catalogue's duplicate-ISBN check (the form's and add_book's) find nothing, as when another
    request saves the same ISBN between the check and the save: the unique constraint is then the only guard."""
    monkeypatch.setattr("sample_app.catalogue.isbn_in_use", lambda isbn, exclude_book_id=None: False)


def repository_settings():
    """The ``[tool:pytest]`` section of setup.cfg, as written."""
    text = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    section = text[text.index("[tool:pytest]") :]
    return section[: section.index("\n[")] + "\n"
