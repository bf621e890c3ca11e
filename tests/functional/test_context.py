"""Flask's contexts in tests, and proof that the harness does not leak them.

Patterns: with client to inspect session and g; session_transaction; two
clients with separate sessions; test_request_context; app context only around
database work; no request context pushed around tests; context-leak guard;
testing the harness with pytester; response headers from request hooks;
logged-in client fixtures.

Why no context is pushed for these tests: pytest-flask pushes a test
request context around every test that uses ``app``, and the root conftest
replaces that fixture with one that does nothing. With a context held open
for the whole test, each test-client request would reuse its app context,
so ``g`` -- and Flask-Login's cached user, which lives on ``g`` -- would
carry over from one request to the next. The tests below show that it does
not, and one shows the mechanism the conftest avoids.
"""

import re
from pathlib import Path

import flask
import pytest
from flask import g, session, url_for
from flask_login import current_user

from sample_app.models import User
from tests.helpers import SECURITY_HEADERS, log_in, security_headers

ROOT = Path(__file__).resolve().parents[2]
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


# --- no context is left over ---------------------------------------------------


def test_no_context_is_pushed_around_a_test_that_uses_app(app):
    """
    GIVEN a test that asks for the ``app`` fixture
    WHEN it checks Flask's context stacks
    THEN neither a request nor an app context is pushed for it
    """
    assert not flask.has_request_context()
    assert not flask.has_app_context()


def test_request_made_inside_an_open_app_context_shares_its_g(app, client):
    """
    GIVEN an app context pushed around a test-client request (what pytest-flask's
          autouse fixture does, and what the root conftest switches off)
    WHEN the request runs
    THEN it reuses that app context, so a value left on ``g`` reaches the request
    """
    with app.app_context():
        g.left_over = "set before the request"
        with client:
            client.get("/about")

            assert g.left_over == "set before the request"


def test_g_of_one_request_is_gone_in_the_next(client):
    """
    GIVEN a value left on ``g`` of a finished request (``with client:`` keeps it open)
    WHEN the same client makes another request
    THEN the new request has a fresh ``g``: the value is gone, the request id is new
    """
    with client:
        first = client.get("/about")
        first_id = g.request_id
        g.left_over = "from the first request"

        second = client.get("/about")

        assert "left_over" not in g
        assert first_id == first.headers["X-Request-ID"]
        assert g.request_id == second.headers["X-Request-ID"]
        assert g.request_id != first_id


def test_current_user_is_the_user_put_in_the_session(client, user):
    """
    GIVEN a session pre-seeded with a user id (``session_transaction``)
    WHEN a page is requested inside ``with client:``
    THEN ``current_user`` is that user and the page says who is signed in
    """
    log_in(client, user)

    with client:
        response = client.get("/about")

        assert current_user.is_authenticated
        assert current_user.id == user.id
    assert "Signed in as reader" in response.text


def test_current_user_is_anonymous_in_the_request_after_logout(client, user):
    """
    GIVEN a logged-in client whose ``current_user`` was loaded (and cached on ``g``)
    WHEN it logs out and requests another page
    THEN ``current_user`` in that request is anonymous and the session holds no user id
    """
    log_in(client, user)

    with client:
        client.get("/about")
        assert current_user.id == user.id

        client.post("/auth/logout")
        response = client.get("/about")

        assert not current_user.is_authenticated
        assert "_user_id" not in session
    assert "Signed in as" not in response.text
    assert "Log in" in response.text


def test_login_form_stores_the_user_id_in_the_session(client, auth, user):
    """
    GIVEN a registered user
    WHEN they log in through the real form inside ``with client:``
    THEN the request's ``session`` holds their id (read it after the request)
    """
    with client:
        auth.login(email=user.email)

        assert session["_user_id"] == str(user.id)


def test_session_can_be_read_outside_a_request_with_session_transaction(client, auth, user):
    """
    GIVEN a client that has logged in through the form
    WHEN the test opens ``session_transaction()`` without making a request
    THEN it sees the session the client's cookie carries
    """
    auth.login(email=user.email)

    with client.session_transaction() as sess:
        assert sess["_user_id"] == str(user.id)


def test_two_logged_in_clients_do_not_share_a_session(user_client, admin_client, user, admin):
    """
    GIVEN one client logged in as a reader and another logged in as an admin
    WHEN they take turns making requests
    THEN each request sees its own client's user, never the other's
    """
    with user_client:
        reader_page = user_client.get("/about")
        assert current_user.id == user.id
    with admin_client:
        admin_page = admin_client.get("/about")
        assert current_user.id == admin.id
    with user_client:
        reader_again = user_client.get("/about")
        assert current_user.id == user.id

    assert "Signed in as reader" in reader_page.text
    assert "Signed in as admin" in admin_page.text
    assert "Signed in as reader" in reader_again.text
    assert user_client.get_cookie("session").value != admin_client.get_cookie("session").value


def test_rows_written_in_an_app_context_are_seen_by_requests(app, db, client):
    """
    GIVEN a user written directly with the session, inside an app context
          closed again before the request (the only place a test pushes one)
    WHEN the home page is requested
    THEN the page counts that reader
    """
    with app.app_context():
        db.session.add(User(email="direct@example.com", username="direct", password="x"))
        db.session.commit()

    response = client.get("/")

    assert "0 books catalogued by 1 reader." in response.text


# --- the guard against contexts left pushed -------------------------------------


def test_guard_fails_a_test_that_leaves_an_app_context_pushed(pytester, monkeypatch):
    """
    GIVEN the root conftest, copied into a fresh pytest project
    WHEN a test there pushes an app context and never pops it
    THEN the guard fails that test at teardown, and pops the context so the next test runs clean
    """
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    pytester.makepyfile(
        test_leak="""
        import flask

        def test_forgets_to_pop():
            flask.Flask("leaky").app_context().push()

        def test_runs_after_the_leak():
            assert not flask.has_app_context()
        """
    )
    # The inner run must not see TEST_DATABASE_URL: its database fixture
    # would drop and recreate ours.
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)

    # In this process (about 0.1 s; a subprocess re-imports everything: 0.7 s).
    # If the guard failed to pop, this test's own guard would catch the leak.
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_forgets_to_pop*", "*test left contexts pushed*"])


# --- headers added to every response ---------------------------------------------


def test_request_id_is_generated_when_the_request_has_none(client):
    """
    GIVEN a request without an X-Request-ID header
    WHEN it is answered
    THEN the response carries a new id of 32 hex digits, different for each request
    """
    first = client.get("/about").headers["X-Request-ID"]
    second = client.get("/about").headers["X-Request-ID"]

    assert GENERATED_ID.fullmatch(first)
    assert GENERATED_ID.fullmatch(second)
    assert first != second


def test_valid_request_id_is_echoed_and_put_on_g(client):
    """
    GIVEN a request with a well-formed X-Request-ID (a caller tracing its call)
    WHEN it is answered
    THEN the response echoes that id, and the view saw it on ``g.request_id``
    """
    with client:
        response = client.get("/about", headers={"X-Request-ID": "trace-0123-abcd"})

        assert g.request_id == "trace-0123-abcd"
    assert response.headers["X-Request-ID"] == "trace-0123-abcd"


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param("short", id="too-short"),
        pytest.param("has spaces in it", id="spaces"),
        pytest.param("semi;colons;here", id="punctuation"),
        pytest.param("x" * 65, id="too-long"),
    ],
)
def test_malformed_request_id_is_replaced(client, sent):
    """
    GIVEN a request with an X-Request-ID that is not 8-64 letters, digits or dashes
    WHEN it is answered
    THEN the response carries a generated id instead (untrusted input is not echoed)
    """
    response = client.get("/about", headers={"X-Request-ID": sent})

    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_security_headers_are_on_html_responses(client):
    """
    GIVEN an HTML page
    WHEN it is requested
    THEN every security header is set
    """
    response = client.get("/about")

    assert response.mimetype == "text/html"
    assert security_headers(response) == SECURITY_HEADERS


def test_security_headers_are_on_json_responses(client, api_headers):
    """
    GIVEN an API endpoint
    WHEN it is requested with a valid token
    THEN the JSON response has every security header too
    """
    response = client.get("/api/v1/books", headers=api_headers)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert security_headers(response) == SECURITY_HEADERS


# --- request helpers outside a real request ---------------------------------------


def test_url_for_in_a_test_request_context_builds_a_path(app):
    """
    GIVEN a test request context (``url_for`` needs one, or an app context)
    WHEN a URL is built for an endpoint
    THEN it is the path the blueprint serves
    """
    with app.test_request_context():
        assert url_for("books.detail", book_id=3) == "/books/3"
        assert url_for("books.index", page=2) == "/books/?page=2"


def test_url_for_external_uses_the_test_request_base_url(app):
    """
    GIVEN a test request context with a base URL
    WHEN an external URL is built
    THEN it uses that scheme and host (the default base URL is http://localhost)
    """
    with app.test_request_context():
        assert url_for("main.about", _external=True) == "http://localhost/about"
    with app.test_request_context(base_url="https://bookshelf.example"):
        assert url_for("main.about", _external=True) == "https://bookshelf.example/about"


def test_test_request_context_sets_up_the_request(app):
    """
    GIVEN a test request context built with a path, query string and headers
    WHEN code reads ``request``
    THEN it sees them, as a view would (no view is called, no hooks run)
    """
    with app.test_request_context("/books/?q=dune", headers={"X-Request-ID": "trace-0123-abcd"}):
        assert flask.request.path == "/books/"
        assert flask.request.args["q"] == "dune"
        assert flask.request.headers["X-Request-ID"] == "trace-0123-abcd"
        assert "request_id" not in g
