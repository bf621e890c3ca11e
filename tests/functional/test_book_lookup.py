"""Functional tests of the ISBN lookup: the add form filled in from
GET /books/new?lookup=<isbn>, and the JSON endpoint GET /api/v1/lookup/<isbn>.

Patterns: monkeypatch.setattr; patching where the name is looked up; logged-in
client fixtures; flashed messages; HTML escaping proof; login_required redirect
with next; API token fixtures; JSON request and response bodies; API errors are
JSON, never HTML; shared assertion helper; expected values written in the test;
external service replaced at its seam in view tests; network blocked in tests.

The client (``sample_app.lookup.fetch_book_details``, tested against a real
server in tests/unit/test_lookup.py) is replaced here by ``fake_lookup``, one
outcome per test, so these tests check only the views' wiring. A badly formed
ISBN goes to the real client: it is refused before any request is made. The
last tests show what an unreplaced client does under the testing config.
"""

import pytest
from markupsafe import escape

from sample_app import lookup
from sample_app.models import Book, Tag
from tests.helpers import assert_json_error, input_values, row_count

DUNE_ISBN = "9780441172719"
DUNE_ISBN10 = "0441172717"
DUNE_DETAILS = {"title": "Dune", "author": "Frank Herbert", "year": 1965}
UNKNOWN_DUNE = "The lookup service knows no book with ISBN 9780441172719."
TIMED_OUT = "The lookup service did not answer in time; try again later."
UNREACHABLE = "The lookup service cannot be reached; try again later."
UNREADABLE = "The lookup service sent an answer that could not be read."
NOT_AN_ISBN = "'12345' is not an ISBN: expected 10 or 13 digits."


class FakeLookup:
    """Stands in for the lookup client: returns ``details``, or raises ``error``
    when one is set, and records the ISBN of every call."""

    def __init__(self):
        self.details = DUNE_DETAILS
        self.error = None
        self.isbns = []

    def __call__(self, isbn, config):
        self.isbns.append(isbn)
        if self.error is not None:
            raise self.error
        return self.details


@pytest.fixture
def fake_lookup(monkeypatch):
    """The lookup client, replaced. Both views call ``lookup.fetch_book_details(...)``
    through the module, so the module's attribute is where they look it up."""
    fake = FakeLookup()
    monkeypatch.setattr("sample_app.lookup.fetch_book_details", fake)
    return fake


def book_inputs(page):
    """The add form's book fields, ``{name: value}``, parsed (values unescaped)."""
    values = input_values(page)
    return {name: values[name] for name in ("title", "author", "isbn", "year", "tag_names")}


def error_flash(message):
    """The error ``message`` flashed in a page (HTML-escaped, as the template shows it)."""
    return f'<p class="flash flash-error" role="status">{escape(message)}</p>'


def stored_rows(app, db):
    """How many books and tags are stored: ``(0, 0)`` when a lookup wrote nothing."""
    return row_count(app, db, Book), row_count(app, db, Tag)


# --- the add form ---------------------------------------------------------------------


def test_lookup_fills_in_the_add_form(app, db, user_client, fake_lookup):
    # GIVEN a lookup service that knows Dune
    # WHEN the add form is requested with ?lookup=<Dune's ISBN-10>
    response = user_client.get("/books/new", query_string={"lookup": f" {DUNE_ISBN10} "})

    # THEN the form is filled in (the ISBN as typed) and says to check it; the client was asked; nothing is stored
    assert response.status_code == 200
    assert book_inputs(response.text) == {
        "title": "Dune",
        "author": "Frank Herbert",
        "isbn": "0441172717",
        "year": "1965",
        "tag_names": "",
    }
    assert (
        '<p class="flash flash-info" role="status">Filled in from the lookup service: check the details, then save.</p>'
        in response.text
    )
    assert fake_lookup.isbns == ["0441172717"]
    assert stored_rows(app, db) == (0, 0)


def test_lookup_without_author_or_year_leaves_them_empty(user_client, fake_lookup):
    # GIVEN a lookup service whose record has a title only
    fake_lookup.details = {"title": "Dune", "author": None, "year": None}

    # WHEN the add form is requested with ?lookup=<isbn>
    page = user_client.get(f"/books/new?lookup={DUNE_ISBN}").text

    # THEN the title and ISBN are filled in, and the author and year are empty
    assert book_inputs(page) == {"title": "Dune", "author": "", "isbn": DUNE_ISBN, "year": "", "tag_names": ""}


def test_looked_up_title_is_escaped_in_the_form(user_client, fake_lookup):
    # GIVEN a lookup service that answers a title containing HTML
    fake_lookup.details = {"title": '"><script>alert(1)</script>', "author": None, "year": None}

    # WHEN the add form is filled in from it
    page = user_client.get(f"/books/new?lookup={DUNE_ISBN}").text

    # THEN the title is escaped in the input's value, never inserted as markup
    assert "<script>alert(1)" not in page
    assert book_inputs(page)["title"] == '"><script>alert(1)</script>'


def test_unknown_book_shows_the_form_with_the_isbn_and_says_so(app, db, user_client, fake_lookup):
    # GIVEN a lookup service that knows no book with the ISBN
    fake_lookup.error = lookup.UnknownBook(DUNE_ISBN)

    # WHEN the add form is requested with ?lookup=<isbn>
    response = user_client.get(f"/books/new?lookup={DUNE_ISBN}")

    # THEN the form comes back with only the ISBN filled in and says the book is unknown; nothing is stored
    assert response.status_code == 200
    assert error_flash(UNKNOWN_DUNE) in response.text
    assert book_inputs(response.text) == {"title": "", "author": "", "isbn": DUNE_ISBN, "year": "", "tag_names": ""}
    assert stored_rows(app, db) == (0, 0)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        pytest.param(lookup.LookupTimeout, TIMED_OUT, id="timeout"),
        pytest.param(lookup.LookupUnavailable, UNREACHABLE, id="down"),
        pytest.param(lookup.LookupBadAnswer, UNREADABLE, id="junk"),
    ],
)
def test_failed_lookup_shows_the_form_with_the_isbn_and_says_why(app, db, user_client, fake_lookup, error, message):
    # GIVEN a lookup service that timed out, is down, or answered something unreadable
    fake_lookup.error = error()

    # WHEN the add form is requested with ?lookup=<isbn>
    response = user_client.get(f"/books/new?lookup={DUNE_ISBN}")

    # THEN the form comes back with the ISBN filled in and says what went wrong; nothing is stored
    assert response.status_code == 200
    assert error_flash(message) in response.text
    assert book_inputs(response.text)["isbn"] == DUNE_ISBN
    assert stored_rows(app, db) == (0, 0)


def test_badly_formed_isbn_gets_the_isbn_rules_message(app, db, user_client):
    # GIVEN the real client (a badly formed ISBN is refused before any request)
    # WHEN the add form is requested with ?lookup=12345
    response = user_client.get("/books/new?lookup=12345")

    # THEN the form comes back with 12345 in the ISBN field and the ISBN rule's message; nothing is stored
    assert response.status_code == 200
    assert error_flash(NOT_AN_ISBN) in response.text
    assert book_inputs(response.text)["isbn"] == "12345"
    assert stored_rows(app, db) == (0, 0)


def test_blank_lookup_shows_the_empty_form_without_asking(user_client, fake_lookup):
    # GIVEN the Look up form sent with nothing typed in
    # WHEN the add form is requested with ?lookup=%20
    response = user_client.get("/books/new?lookup=%20")

    # THEN the empty form is shown, with no message, and the client is not called
    assert response.status_code == 200
    assert book_inputs(response.text) == {"title": "", "author": "", "isbn": "", "year": "", "tag_names": ""}
    assert 'class="flash' not in response.text
    assert fake_lookup.isbns == []


def test_saving_the_filled_in_form_stores_the_post_without_a_new_lookup(app, db, user_client, fake_lookup):
    # GIVEN the add form filled in by a lookup, whose page URL still carries ?lookup=
    data = {"title": "Dune", "author": "Frank Herbert", "isbn": DUNE_ISBN, "year": "1965", "tag_names": "sf"}

    # WHEN the form is POSTed to that URL
    response = user_client.post(f"/books/new?lookup={DUNE_ISBN}", data=data)

    # THEN the posted book is stored and the client is not called again
    assert response.status_code == 302
    assert row_count(app, db, Book) == 1
    assert fake_lookup.isbns == []


def test_anonymous_lookup_redirects_to_login_without_asking(client, fake_lookup):
    # GIVEN nobody logged in
    # WHEN the add form is requested with ?lookup=<isbn>
    response = client.get(f"/books/new?lookup={DUNE_ISBN}")

    # THEN the response redirects to log in, with ``next`` pointing back, and the client is not called
    assert response.status_code == 302
    assert response.location == "/auth/login?next=%2Fbooks%2Fnew%3Flookup%3D9780441172719"
    assert fake_lookup.isbns == []


def test_only_the_add_form_has_a_look_up_form(user, user_client, make_book):
    # GIVEN a book of the logged-in user
    book = make_book(owner=user)

    # WHEN the add form and the book's edit form are requested
    add_page = user_client.get("/books/new").text
    edit_page = user_client.get(f"/books/{book.id}/edit").text

    # THEN only the add form has the Look up form, a GET to the add page
    assert '<form method="get" action="/books/new" class="lookup">' in add_page
    assert '<input type="text" id="lookup" name="lookup" value="">' in add_page
    assert ">Look up</button>" in add_page
    assert 'name="lookup"' not in edit_page


# --- GET /api/v1/lookup/<isbn> --------------------------------------------------------------


def test_api_lookup_returns_the_details_as_json(app, db, client, api_headers, fake_lookup):
    # GIVEN a lookup service that knows Dune, and a bearer token
    # WHEN /api/v1/lookup/<Dune's ISBN-10> is requested
    response = client.get(f"/api/v1/lookup/{DUNE_ISBN10}", headers=api_headers)

    # THEN the answer is 200 with the title, author and year, and nothing is stored
    assert response.status_code == 200
    assert response.json == {"title": "Dune", "author": "Frank Herbert", "year": 1965}
    assert fake_lookup.isbns == ["0441172717"]
    assert stored_rows(app, db) == (0, 0)


def test_api_lookup_needs_a_bearer_token(client, fake_lookup):
    # GIVEN no Authorization header
    # WHEN /api/v1/lookup/<isbn> is requested
    response = client.get(f"/api/v1/lookup/{DUNE_ISBN}")

    # THEN the answer is a JSON 401 and the client is not called
    assert_json_error(response, 401, "Missing bearer token")
    assert fake_lookup.isbns == []


def test_api_lookup_of_a_badly_formed_isbn_is_a_400(client, api_headers):
    # GIVEN the real client (a badly formed ISBN is refused before any request)
    # WHEN /api/v1/lookup/12345 is requested
    response = client.get("/api/v1/lookup/12345", headers=api_headers)

    # THEN the answer is a JSON 400 with the ISBN rule's message
    assert_json_error(response, 400, NOT_AN_ISBN, "Bad Request")


def test_api_lookup_of_an_unknown_book_is_a_404(client, api_headers, fake_lookup):
    # GIVEN a lookup service that knows no book with the ISBN
    fake_lookup.error = lookup.UnknownBook(DUNE_ISBN)

    # WHEN /api/v1/lookup/<isbn> is requested
    response = client.get(f"/api/v1/lookup/{DUNE_ISBN}", headers=api_headers)

    # THEN the answer is a JSON 404 saying so
    assert_json_error(response, 404, UNKNOWN_DUNE, "Not Found")


@pytest.mark.parametrize(
    ("error", "status", "message", "reason"),
    [
        pytest.param(lookup.LookupTimeout(), 504, TIMED_OUT, "Gateway Timeout", id="timeout-504"),
        pytest.param(lookup.LookupUnavailable(), 502, UNREACHABLE, "Bad Gateway", id="down-502"),
        pytest.param(lookup.LookupBadAnswer(), 502, UNREADABLE, "Bad Gateway", id="nonsense-502"),
    ],
)
def test_api_lookup_failure_is_a_gateway_error(client, api_headers, fake_lookup, error, status, message, reason):
    # GIVEN a lookup service that timed out (504), is down or answered something unreadable (502)
    fake_lookup.error = error

    # WHEN /api/v1/lookup/<isbn> is requested
    response = client.get(f"/api/v1/lookup/{DUNE_ISBN}", headers=api_headers)

    # THEN the answer is a JSON gateway error saying what went wrong
    assert_json_error(response, status, message, reason)


# --- the client no test replaced ----------------------------------------------------------


def test_testing_config_points_the_real_client_at_a_refusing_port(app):
    # GIVEN the testing config, whose LOOKUP_URL is a port nothing listens on
    assert app.config["LOOKUP_URL"] == "http://127.0.0.1:9"

    # WHEN the real client looks a book up with the app's own config
    with pytest.raises(lookup.LookupUnavailable) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN, app.config)

    # THEN it is refused at once, not timed out: a test that forgets to replace the client never reaches the internet
    assert str(excinfo.value) == UNREACHABLE


def test_page_without_a_replaced_client_says_the_service_cannot_be_reached(app, db, user_client):
    # GIVEN the add form's view with the app's own client, under the testing config
    # WHEN the add form is requested with ?lookup=<isbn>
    response = user_client.get(f"/books/new?lookup={DUNE_ISBN}")

    # THEN the page says the service cannot be reached (the view used the real client and config); nothing is stored
    assert response.status_code == 200
    assert error_flash(UNREACHABLE) in response.text
    assert stored_rows(app, db) == (0, 0)
