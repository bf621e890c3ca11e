"""Tests of the application factory's wiring, each on an app the test builds itself.

Patterns: application factory tested on a fresh app; flask shell with a shell context; flashed messages;
test_request_context.

Why these tests build their own app: the suite's ``app`` fixture is
session-scoped, so ``create_app()`` runs once, while the first test is being
set up. A mutation tester that maps each line to the tests that ran it
(mutmut, see docs/mutation.md) then credits ``create_app``, ``register_hooks``
and ``register_error_handlers`` to that one test only, and a broken blueprint
prefix or login view "survives" although fifty functional tests would fail.
Calling the factory inside the test ties the wiring to tests that check it.
"""

import pytest
from flask import url_for

from sample_app import catalogue, create_app
from sample_app.extensions import db
from sample_app.models import Book, Tag, User
from sample_app.permissions import Permission

# Nothing here touches the database: a fresh in-memory one per app is enough.
IN_MEMORY = "sqlite://"
CALLER_ID = "trace-0123-abcd"


def fresh_app(**overrides):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=IN_MEMORY, **overrides)


def test_create_app_without_arguments_builds_the_development_app(monkeypatch):
    # GIVEN no config name (as ``flask --app sample_app run`` calls the factory)
    monkeypatch.setenv("DATABASE_URL", IN_MEMORY)  # never the developer's database file

    # WHEN the app is created
    app = create_app()

    # THEN it is the development app: debug on, mail to the console
    assert app.debug is True
    assert app.testing is False
    assert app.config["MAIL_BACKEND"] == "console"


@pytest.mark.parametrize(
    ("endpoint", "kwargs", "path"),
    [
        pytest.param("main.index", {}, "/", id="main"),
        pytest.param("auth.login", {}, "/auth/login", id="auth"),
        pytest.param("books.index", {}, "/books/", id="books-index"),
        pytest.param("books.detail", {"book_id": 7}, "/books/7", id="books-detail"),
        pytest.param("api.list_books", {}, "/api/v1/books", id="api"),
        pytest.param("admin.import_books", {}, "/admin/import", id="admin"),
    ],
)
def test_each_blueprint_is_mounted_at_its_url_prefix(endpoint, kwargs, path):
    # GIVEN a freshly created app
    app = fresh_app()

    # WHEN the URL of one endpoint of each blueprint is built
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)

    # THEN it sits under that blueprint's prefix
    assert url == path


def test_login_required_page_redirects_to_the_login_form_with_an_info_message():
    # GIVEN a freshly created app and a visitor who is not logged in
    client = fresh_app().test_client()

    # WHEN they open a page that needs a login
    response = client.get("/books/new")

    # THEN they are sent to the login form, which will bring them back, with "please log in" flashed as "info"
    assert response.status_code == 302
    assert response.location == "/auth/login?next=%2Fbooks%2Fnew"
    with client.session_transaction() as session:
        assert session["_flashes"] == [("info", "Please log in to access this page.")]


def test_http_errors_are_json_under_the_api_and_html_elsewhere():
    # GIVEN a freshly created app
    client = fresh_app().test_client()

    # WHEN an unknown API path and an unknown page are requested
    api = client.get("/api/v1/no-such-thing")
    page = client.get("/no-such-page")

    # THEN the API answers a JSON 404 and the site its HTML 404 page
    assert api.status_code == 404
    assert api.json["error"] == "Not Found"
    assert page.status_code == 404
    assert "<h1>Page not found</h1>" in page.text


def test_unhandled_exception_in_an_api_view_is_a_json_500():
    # GIVEN a freshly created app that does not re-raise exceptions, with an API route that fails
    app = fresh_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/api/v1/broken")
    def broken():
        raise RuntimeError("boom")

    # WHEN the route is requested
    response = app.test_client().get("/api/v1/broken")

    # THEN the answer is the app's JSON 500, not Flask's default HTML one
    assert response.status_code == 500
    assert response.json == {"error": "Internal Server Error", "message": "An unexpected error occurred."}


def test_request_refused_by_the_csrf_check_still_gets_the_callers_request_id():
    # GIVEN a freshly created app with CSRF protection on
    client = fresh_app(WTF_CSRF_ENABLED=True).test_client()

    # WHEN a form is posted without a CSRF token, with an X-Request-ID
    response = client.post("/auth/login", data={"email": "a@example.com"}, headers={"X-Request-ID": CALLER_ID})

    # THEN the 400 carries the caller's id: the id is assigned before the CSRF check runs
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text
    assert response.headers["X-Request-ID"] == CALLER_ID


def test_the_apps_own_exceptions_become_error_pages():
    """The handler is registered by the factory: without it, InvalidNumber would be a 500."""
    # GIVEN a fresh app, and a page number the catalogue's parser refuses
    client = fresh_app().test_client()

    # WHEN the book list is requested with it
    response = client.get("/books/?page=0")

    # THEN the exception becomes the 400 page with its message
    assert response.status_code == 400
    assert "page must be a whole number from 1 to 999999999." in response.text


def test_flask_shell_starts_with_the_database_the_models_and_the_catalogue():
    # GIVEN a fresh app
    app = fresh_app()

    # WHEN the context of ``flask shell`` is built (in an app context, as the command does)
    with app.app_context():
        context = app.make_shell_context()

    # THEN it holds db and the models (Flask-SQLAlchemy's), and the catalogue and the permissions (the app's)
    assert context["db"] is db
    assert (context["User"], context["Book"], context["Tag"]) == (User, Book, Tag)
    assert context["catalogue"] is catalogue
    assert context["Permission"] is Permission
