"""Error pages for the site, JSON errors for the API, and what a failing request leaves behind.

Patterns: error pages asserted by content; API errors are JSON, never HTML;
request body over MAX_CONTENT_LENGTH; provoking a 500; patching where the name
is looked up; monkeypatch.setattr; exceptions propagate into the test; caplog
for log records; nothing written after a failure; response headers from request
hooks; per-case ids and marks with pytest.param; pytest-flask config fixture
and options marker.
"""

import pytest
from werkzeug.exceptions import Gone

from sample_app.errors import handle_http_exception, json_error
from sample_app.models import Book, Tag, User
from tests.helpers import NUL_MESSAGE, SECURITY_HEADERS, assert_json_error, row_count, security_headers

HALF_WRITTEN_TAG = "written-by-the-request-that-failed"
FAILURE = "the shelf statistics are on fire"
TRACE_ID = "trace-0123-abcd"
SERVER_ERROR_PAGE = "<h1>Something went wrong</h1>"


@pytest.fixture
def broken_home_page(monkeypatch):
    """Make ``GET /`` raise: the ``shelf_stats()`` the view calls is replaced
    by a function that raises, as a bug in the query would. It is patched
    where the view looks it up (``sample_app.main.views``), not where it is
    defined (``sample_app.main.services``): the view imported the name."""

    def failing_shelf_stats():
        raise RuntimeError(FAILURE)

    monkeypatch.setattr("sample_app.main.views.shelf_stats", failing_shelf_stats)


# --- HTML error pages -------------------------------------------------------------


def test_unknown_page_shows_the_404_page(client):
    # GIVEN an address the site does not serve
    # WHEN it is requested
    response = client.get("/no-such-page")

    # THEN the friendly 404 page is shown, with a way back home
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>Page not found</h1>" in response.text
    assert "Back to the home page" in response.text


def test_non_admin_gets_the_403_page_on_the_import_page(user_client):
    # GIVEN a logged-in reader without the admin permission
    # WHEN they open the CSV import page
    response = user_client.get("/admin/import")

    # THEN the 403 page is shown, saying they lack permission
    assert response.status_code == 403
    assert "<h1>Forbidden</h1>" in response.text
    assert "You do not have permission to do that." in response.text


def test_get_on_logout_shows_the_405_page_with_an_allow_header(client):
    # GIVEN the logout endpoint, which accepts POST only
    # WHEN it is requested with GET
    response = client.get("/auth/logout")

    # THEN the 405 page is shown and the Allow header names the methods it accepts
    assert response.status_code == 405
    assert "<h1>Method not allowed</h1>" in response.text
    assert "POST" in response.allow
    assert "GET" not in response.allow


@pytest.mark.options(MAX_CONTENT_LENGTH=1024)
def test_body_over_the_size_limit_shows_the_413_page(client):
    # GIVEN a size limit of 1 KiB on request bodies
    # WHEN a form is posted with a larger body
    response = client.post("/auth/login", data={"email": "a" * 2048, "password": "x"})

    # THEN the 413 page is shown (the limit applies to every body, not only uploads)
    assert response.status_code == 413
    assert "<h1>File too large</h1>" in response.text


def test_bad_query_string_shows_the_400_page_with_the_reason(client):
    # GIVEN the book list, whose page number must be a whole number from 1 up
    # WHEN it is requested with ?page=abc
    response = client.get("/books/", query_string={"page": "abc"})

    # THEN the 400 page is shown, saying what was wrong
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text
    assert "page must be a whole number from 1 to 999999999." in response.text


# --- JSON errors under /api/ ---------------------------------------------------------


def test_unknown_api_path_returns_a_json_404(client):
    # GIVEN an /api/ address that does not exist
    # WHEN it is requested
    response = client.get("/api/v1/no-such-resource")

    # THEN the answer is a JSON 404, not the HTML page (API clients parse JSON)
    assert_json_error(response, 404, error="Not Found")
    assert "<html" not in response.text
    # The HTML error's own Content-Type is dropped, not sent as a second one.
    assert response.headers.getlist("Content-Type") == ["application/json"]


def test_wrong_method_on_the_api_returns_a_json_405_with_an_allow_header(client, api_headers):
    # GIVEN the book collection, which does not accept DELETE
    # WHEN it is sent a DELETE
    response = client.delete("/api/v1/books", headers=api_headers)

    # THEN the answer is a JSON 405 whose Allow header lists the accepted methods
    assert_json_error(response, 405, error="Method Not Allowed")
    assert "GET" in response.allow
    assert "DELETE" not in response.allow


@pytest.mark.options(MAX_CONTENT_LENGTH=100)
def test_api_body_over_the_size_limit_returns_a_json_413(client, api_headers):
    # GIVEN a size limit of 100 bytes on request bodies
    # WHEN a larger JSON body is posted to the API
    response = client.post("/api/v1/books", headers=api_headers, json={"title": "x" * 200})

    # THEN the answer is a JSON 413
    assert_json_error(response, 413, error="Request Entity Too Large")


# --- 500: an unexpected exception in a view ----------------------------------------------


def test_exception_in_a_view_propagates_to_the_test_by_default(client, broken_home_page):
    """Why a bug in a view fails a test loudly, and why the tests of the 500 page
    turn PROPAGATE_EXCEPTIONS off: to see what a user would see."""
    # GIVEN a TESTING app (PROPAGATE_EXCEPTIONS unset, so Flask re-raises) whose home page raises
    # WHEN the home page is requested
    with pytest.raises(RuntimeError) as excinfo:
        client.get("/")

    # THEN the view's own exception reaches the test, with its traceback
    assert str(excinfo.value) == FAILURE


@pytest.mark.options(PROPAGATE_EXCEPTIONS=False)
def test_exception_in_a_view_shows_the_500_page_without_details(client, broken_home_page):
    # GIVEN a home page whose statistics query raises, and exceptions not propagated
    # WHEN the home page is requested
    response = client.get("/")

    # THEN the friendly 500 page is shown, with no traceback or error message in it
    assert response.status_code == 500
    assert SERVER_ERROR_PAGE in response.text
    assert "It has been logged" in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    assert FAILURE not in response.text


@pytest.mark.options(PROPAGATE_EXCEPTIONS=False)
def test_exception_in_a_view_is_logged_with_its_traceback(client, broken_home_page, caplog):
    # GIVEN a home page whose statistics query raises, and exceptions not propagated
    # WHEN the home page is requested
    client.get("/")

    # THEN Flask logs the exception at ERROR with its traceback; the teardown hook logs which request failed
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    messages = [record.getMessage() for record in errors]
    assert "Exception on / [GET]" in messages
    exception_record = errors[messages.index("Exception on / [GET]")]
    assert exception_record.exc_info[0] is RuntimeError
    assert any(message.startswith("Request GET / failed: RuntimeError") for message in messages)


@pytest.mark.options(PROPAGATE_EXCEPTIONS=False)
def test_database_error_in_a_view_is_rolled_back_before_the_500_page_renders(app, db, user_client, monkeypatch):
    """The 500 page loads the user from the database after the failure: it can
    only do so if the handler rolled the unusable session back first."""

    # GIVEN a home page that writes a row, then fails on a unique constraint, leaving the session unusable
    def failing_shelf_stats():
        db.session.add(Tag(name=HALF_WRITTEN_TAG))
        db.session.flush()
        db.session.add(Tag(name=HALF_WRITTEN_TAG))
        db.session.flush()  # IntegrityError: tags.name is unique

    monkeypatch.setattr("sample_app.main.views.shelf_stats", failing_shelf_stats)

    # WHEN a logged-in reader requests it
    response = user_client.get("/")

    # THEN the 500 page renders with the reader's name, and the half-written row is not stored
    assert response.status_code == 500
    assert SERVER_ERROR_PAGE in response.text
    assert "Signed in as reader" in response.text
    with app.app_context():
        assert db.session.scalar(db.select(Tag).filter_by(name=HALF_WRITTEN_TAG)) is None


@pytest.mark.options(PROPAGATE_EXCEPTIONS=False)
def test_exception_in_an_api_view_returns_a_json_500(client, api_headers, monkeypatch):
    # GIVEN an API view whose query raises, and exceptions not propagated
    def failing_filter_books(*args, **kwargs):
        raise RuntimeError(FAILURE)

    # The view calls ``catalogue.filter_books(...)``: it looks the name up on
    # the catalogue module at each call, so that is the attribute to patch.
    monkeypatch.setattr("sample_app.catalogue.filter_books", failing_filter_books)

    # WHEN it is requested
    response = client.get("/api/v1/books", headers=api_headers)

    # THEN the answer is a JSON 500 with a generic message, no details
    assert_json_error(response, 500, "An unexpected error occurred.", error="Internal Server Error")
    assert FAILURE not in response.text


# --- headers on every error response ----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("GET", "/no-such-page", 404, id="page-404"),
        pytest.param("GET", "/auth/logout", 405, id="page-405"),
        pytest.param("GET", "/books/?page=abc", 400, id="page-400"),
        pytest.param("POST", "/auth/logout", 400, marks=pytest.mark.options(WTF_CSRF_ENABLED=True), id="csrf-400"),
        pytest.param("GET", "/api/v1/no-such-resource", 404, id="api-404"),
        pytest.param("DELETE", "/api/v1/books", 405, id="api-405"),
        pytest.param("GET", "/api/v1/books", 401, id="api-401"),
    ],
)
def test_error_responses_carry_the_request_id_and_security_headers(client, method, path, status):
    # GIVEN a request that fails (HTML or JSON), sent with an X-Request-ID
    # WHEN it is answered
    response = client.open(path, method=method, headers={"X-Request-ID": TRACE_ID})

    # THEN the error response echoes the id and has every security header
    assert response.status_code == status
    assert response.headers["X-Request-ID"] == TRACE_ID
    assert security_headers(response) == SECURITY_HEADERS


@pytest.mark.options(PROPAGATE_EXCEPTIONS=False)
def test_500_response_carries_the_request_id_and_security_headers(client, broken_home_page):
    # GIVEN a home page whose statistics query raises, and exceptions not propagated
    # WHEN it is requested with an X-Request-ID
    response = client.get("/", headers={"X-Request-ID": TRACE_ID})

    # THEN the 500 response still echoes the id (to find it in the logs), and has the security headers
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == TRACE_ID
    assert security_headers(response) == SECURITY_HEADERS


@pytest.mark.parametrize(
    ("path", "form"),
    [
        pytest.param("/auth/login", {"email": "a\x00b@example.com", "password": "x"}, id="login-email"),
        pytest.param(
            "/auth/register",
            {"email": "new@example.com", "username": "ab\x00c", "password": "x" * 10, "password2": "x" * 10},
            id="register-username",
        ),
        pytest.param("/books/new", {"title": "T\x00", "author": "A", "isbn": "9780306406157"}, id="book-title"),
    ],
)
def test_nul_character_in_a_form_is_a_400_and_writes_nothing(app, db, user_client, path, form):
    # GIVEN a form field holding a NUL character (PostgreSQL refuses NUL in text)
    before = (row_count(app, db, User), row_count(app, db, Book))

    # WHEN the form is posted
    response = user_client.post(path, data=form)

    # THEN the 400 page explains it, on every backend, and no user or book is written
    assert response.status_code == 400
    assert NUL_MESSAGE in response.text
    assert (row_count(app, db, User), row_count(app, db, Book)) == before


def test_nul_character_in_a_query_string_is_a_400(client):
    # GIVEN a search with %00 in the query string
    # WHEN the books page is requested
    response = client.get("/books/?q=a%00b")

    # THEN the 400 page explains it instead of a database error
    assert response.status_code == 400
    assert NUL_MESSAGE in response.text


def test_error_without_its_own_template_uses_the_generic_page(app):
    # GIVEN an HTTP error with no template of its own (410 Gone)
    # WHEN the app's handler renders it for a page outside the API
    with app.test_request_context("/books/1"):
        body, status, headers = handle_http_exception(Gone("This book was withdrawn."))

    # THEN the generic error page shows the error's name and description, with its status
    assert status == 410
    assert "<h1>Gone</h1>" in body
    assert "This book was withdrawn." in body
    assert headers == []


def test_json_error_for_a_status_without_a_standard_name_says_error(app):
    # GIVEN a status code that has no standard reason phrase (499)
    # WHEN a JSON error is built for it
    with app.app_context():
        response = json_error(499, "Client closed the request")

    # THEN its "error" is the plain word "Error" and the status is kept
    assert response.status_code == 499
    assert response.json == {"error": "Error", "message": "Client closed the request"}
