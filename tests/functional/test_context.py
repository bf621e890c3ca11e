"""Flask's contexts in tests, the harness pushing none around them, and the headers every response gets.

Patterns: with client to inspect session and g; session_transaction; two
clients with separate sessions; test_request_context; app context only around
database work; no request context pushed around tests; response headers from
request hooks; logged-in client fixtures.

Why no context is pushed for these tests: pytest-flask pushes a test
request context around every test that uses ``app``, and the root conftest
replaces that fixture with one that does nothing. With a context held open
for the whole test, each test-client request would reuse its app context,
so ``g`` -- and Flask-Login's cached user, which lives on ``g`` -- would
carry over from one request to the next. The tests below show that it does
not, and one shows the mechanism the conftest avoids. The guard that fails a
test leaving a context pushed is tested in tests/meta/test_context_guard.py.
"""

import re

import flask
import pytest
from flask import g, session, url_for
from flask_login import current_user

from sample_app.models import User
from tests.helpers import SECURITY_HEADERS, log_in, security_headers

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
TRACE_ID = "trace-0123-abcd"


# --- no context is left over ---------------------------------------------------


def test_no_context_is_pushed_around_a_test_that_uses_app(app):
    # GIVEN a test that asks for the ``app`` fixture
    # WHEN it looks at Flask's context stacks
    request_context, app_context = flask.has_request_context(), flask.has_app_context()

    # THEN neither a request nor an app context is pushed for it
    assert not request_context
    assert not app_context


def test_request_made_inside_an_open_app_context_shares_its_g(app, client):
    # GIVEN an app context pushed around a request, as pytest-flask's autouse fixture does (the conftest does not)
    with app.app_context():
        g.left_over = "set before the request"

        # WHEN the request runs
        with client:
            client.get("/about")
            seen = g.get("left_over")

    # THEN it reused that app context: the value left on ``g`` reached the request
    assert seen == "set before the request"


def test_g_of_one_request_is_gone_in_the_next(client):
    # GIVEN a value left on ``g`` of a finished request (``with client:`` keeps its context open)
    with client:
        first = client.get("/about")
        first_id = g.request_id
        g.left_over = "from the first request"

        # WHEN the same client makes another request
        second = client.get("/about")
        second_id, left_over = g.request_id, g.get("left_over")

    # THEN the new request has a fresh ``g``: the value is gone, the request id is new
    assert left_over is None
    assert first_id == first.headers["X-Request-ID"]
    assert second_id == second.headers["X-Request-ID"]
    assert second_id != first_id


def test_current_user_is_the_user_put_in_the_session(client, user):
    # GIVEN a session pre-seeded with a user id (``session_transaction``)
    log_in(client, user)

    # WHEN a page is requested inside ``with client:``
    with client:
        response = client.get("/about")
        authenticated, user_id = current_user.is_authenticated, current_user.id

    # THEN ``current_user`` is that user and the page says who is signed in
    assert authenticated
    assert user_id == user.id
    assert "Signed in as reader" in response.text


def test_current_user_is_anonymous_in_the_request_after_logout(client, user):
    # GIVEN a logged-in client whose ``current_user`` was loaded (and cached on ``g``)
    log_in(client, user)
    with client:
        client.get("/about")
        loaded_id = current_user.id

        # WHEN it logs out and requests another page
        client.post("/auth/logout")
        response = client.get("/about")
        authenticated, user_id_kept = current_user.is_authenticated, "_user_id" in session

    # THEN ``current_user`` in that request is anonymous and the session holds no user id
    assert loaded_id == user.id
    assert not authenticated
    assert not user_id_kept
    assert "Signed in as" not in response.text
    assert "Log in" in response.text


def test_login_form_stores_the_user_id_in_the_session(client, auth, user):
    # GIVEN a registered user
    # WHEN they log in through the real form inside ``with client:``
    with client:
        auth.login(email=user.email)
        stored_id = session["_user_id"]

    # THEN the request's ``session``, read after the request inside the block, holds their id
    assert stored_id == str(user.id)


def test_session_can_be_read_outside_a_request_with_session_transaction(client, auth, user):
    # GIVEN a client that has logged in through the form
    auth.login(email=user.email)

    # WHEN the test opens ``session_transaction()`` without making a request
    with client.session_transaction() as sess:
        stored_id = sess.get("_user_id")

    # THEN it sees the session the client's cookie carries
    assert stored_id == str(user.id)


def test_two_logged_in_clients_do_not_share_a_session(user_client, admin_client, user, admin):
    # GIVEN one client logged in as a reader and another logged in as an admin
    # WHEN they take turns making requests
    with user_client:
        reader_page = user_client.get("/about")
        reader_id = current_user.id
    with admin_client:
        admin_page = admin_client.get("/about")
        admin_id = current_user.id
    with user_client:
        reader_again = user_client.get("/about")
        reader_again_id = current_user.id

    # THEN each request sees its own client's user, never the other's
    assert (reader_id, admin_id, reader_again_id) == (user.id, admin.id, user.id)
    assert "Signed in as reader" in reader_page.text
    assert "Signed in as admin" in admin_page.text
    assert "Signed in as reader" in reader_again.text
    assert user_client.get_cookie("session").value != admin_client.get_cookie("session").value


def test_rows_written_in_an_app_context_are_seen_by_requests(app, db, client):
    # GIVEN a user written with the session in an app context, closed before the request (the one a test pushes)
    with app.app_context():
        db.session.add(User(email="direct@example.com", username="direct", password="x"))
        db.session.commit()

    # WHEN the home page is requested
    response = client.get("/")

    # THEN the page counts that reader
    assert "0 books catalogued by 1 reader." in response.text


# --- headers added to every response ---------------------------------------------


def test_request_id_is_generated_when_the_request_has_none(client):
    # GIVEN requests without an X-Request-ID header
    # WHEN two of them are answered
    first = client.get("/about").headers["X-Request-ID"]
    second = client.get("/about").headers["X-Request-ID"]

    # THEN each response carries a new id of 32 hex digits
    assert GENERATED_ID.fullmatch(first)
    assert GENERATED_ID.fullmatch(second)
    assert first != second


def test_valid_request_id_is_echoed_and_put_on_g(client):
    # GIVEN a request with a well-formed X-Request-ID (a caller tracing its call)
    # WHEN it is answered
    with client:
        response = client.get("/about", headers={"X-Request-ID": TRACE_ID})
        seen_by_the_view = g.request_id

    # THEN the response echoes that id, and the view saw it on ``g.request_id``
    assert seen_by_the_view == TRACE_ID
    assert response.headers["X-Request-ID"] == TRACE_ID


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
    # GIVEN a request with an X-Request-ID that is not 8-64 letters, digits or dashes
    # WHEN it is answered
    response = client.get("/about", headers={"X-Request-ID": sent})

    # THEN the response carries a generated id instead (untrusted input is not echoed)
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_security_headers_are_on_html_responses(client):
    # GIVEN an HTML page
    # WHEN it is requested
    response = client.get("/about")

    # THEN every security header is set
    assert response.mimetype == "text/html"
    assert security_headers(response) == SECURITY_HEADERS


def test_security_headers_are_on_json_responses(client, api_headers):
    # GIVEN an API endpoint
    # WHEN it is requested with a valid token
    response = client.get("/api/v1/books", headers=api_headers)

    # THEN the JSON response has every security header too
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert security_headers(response) == SECURITY_HEADERS


# --- request helpers outside a real request ---------------------------------------


def test_url_for_in_a_test_request_context_builds_a_path(app):
    # GIVEN a test request context (``url_for`` needs one, or an app context)
    # WHEN URLs are built for two endpoints
    with app.test_request_context():
        detail = url_for("books.detail", book_id=3)
        page_two = url_for("books.index", page=2)

    # THEN they are the paths the blueprint serves
    assert detail == "/books/3"
    assert page_two == "/books/?page=2"


def test_url_for_external_uses_the_test_request_base_url(app):
    # GIVEN a test request context with the default base URL, and one with another
    # WHEN an external URL is built in each
    with app.test_request_context():
        default = url_for("main.about", _external=True)
    with app.test_request_context(base_url="https://bookshelf.example"):
        other = url_for("main.about", _external=True)

    # THEN each uses its context's scheme and host (the default is http://localhost)
    assert default == "http://localhost/about"
    assert other == "https://bookshelf.example/about"


def test_test_request_context_sets_up_the_request(app):
    # GIVEN a test request context built with a path, query string and headers
    # WHEN code reads ``request``
    with app.test_request_context("/books/?q=dune", headers={"X-Request-ID": TRACE_ID}):
        request = flask.request
        seen = (request.path, request.args["q"], request.headers["X-Request-ID"])
        hooks_ran = "request_id" in g

    # THEN it sees them, as a view would; no view is called and no hook runs
    assert seen == ("/books/", "dune", TRACE_ID)
    assert not hooks_ran
