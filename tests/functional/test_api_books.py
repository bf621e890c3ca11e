"""Functional tests of the books JSON API (/api/v1/books), verb by verb.

Patterns: API token fixtures; JSON request and response bodies; bad JSON
bodies; API pagination links; API errors are JSON, never HTML; posted data
stored in the database; owner and role checks; simulated race past a uniqueness
check; request body over MAX_CONTENT_LENGTH; status codes for missing rows and
wrong methods; one suite on SQLite and PostgreSQL; pytest-flask config fixture
and options marker; per-case ids and marks with pytest.param; stacked
parametrize; query count limits.
"""

import pytest

from sample_app.api.tokens import issue_token
from sample_app.models import Book
from tests.factories import unique_isbn
from tests.helpers import (
    NUL_MESSAGE,
    assert_json_error,
    bearer,
    duplicate_isbn_message,
    row_count,
    skip_duplicate_isbn_check,
    stored_book,
)

BOOKS_URL = "/api/v1/books"
NOT_YOURS = "You can only change your own books."
NO_BOOK_999999 = "There is no book with id 999999."


def book_url(book_id):
    return f"{BOOKS_URL}/{book_id}"


def token_for(app, user):
    """An API token for any user (the ``api_token`` fixture is for ``user`` only)."""
    with app.app_context():
        return issue_token(user.id)


def new_book(**fields):
    """A valid request body for a new book."""
    return {"title": "The Dispossessed", "author": "Ursula K. Le Guin", "isbn": unique_isbn(), **fields}


# --- GET /books ------------------------------------------------------------------


def test_list_returns_every_book_with_its_fields(client, api_headers, user, make_book):
    # GIVEN two books, one of them the token user's, with tags
    first = make_book(owner=user, title="Kindred", author="Octavia E. Butler", tags=["Classic"])
    second = make_book(title="Piranesi")

    # WHEN the list is requested with a bearer token
    response = client.get(BOOKS_URL, headers=api_headers)

    # THEN both are returned in id order, serialised like GET /books/<id>
    assert response.status_code == 200
    assert response.json["total"] == 2
    assert [item["id"] for item in response.json["items"]] == [first.id, second.id]
    item = response.json["items"][0]
    assert item["title"] == "Kindred"
    assert item["author"] == "Octavia E. Butler"
    assert item["owner"] == user.username
    assert item["tags"] == ["classic"]


@pytest.mark.parametrize("books", [pytest.param(1, id="1-book"), pytest.param(12, id="12-books")])
def test_list_runs_five_queries_however_many_books(
    client, api_headers, make_user, make_book, books, assert_max_num_queries
):
    # GIVEN 1 or 12 books, each with its own owner and tags
    for n in range(books):
        make_book(owner=make_user(), tags=[f"tag {n}"])

    # WHEN a page of them is listed, in five statements at most: the token's user, the books, owners, tags, the count
    with assert_max_num_queries(5):
        response = client.get(BOOKS_URL, headers=api_headers)

    # THEN every book came back, none costing a query of its own for its owner or tags (the N+1 problem)
    assert len(response.json["items"]) == books


def test_list_of_empty_shelf_has_one_empty_page(client, api_headers):
    # GIVEN no books
    # WHEN the list is requested
    response = client.get(BOOKS_URL, headers=api_headers)

    # THEN items is empty, total and pages are 0 and first/last link to page 1 (of the default 20 books a page)
    body = response.json
    assert body["items"] == []
    assert (body["total"], body["pages"]) == (0, 0)
    first_page = "http://localhost/api/v1/books?page=1&per_page=20"
    assert body["links"]["first"] == body["links"]["last"] == first_page
    assert body["links"]["next"] is None
    assert body["links"]["prev"] is None


@pytest.mark.options(API_PAGE_SIZE=2)
def test_first_page_links_to_next_and_last_but_not_prev(client, api_headers, make_book):
    # GIVEN five books and a page size of 2
    for _ in range(5):
        make_book()

    # WHEN the list is requested without a page
    response = client.get(BOOKS_URL, headers=api_headers)

    # THEN page 1 holds two books and links to pages 2 and 3, with no prev link
    body = response.json
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 2, 5, 3)
    assert len(body["items"]) == 2
    assert body["links"] == {
        "self": "http://localhost/api/v1/books?page=1&per_page=2",
        "next": "http://localhost/api/v1/books?page=2&per_page=2",
        "prev": None,
        "first": "http://localhost/api/v1/books?page=1&per_page=2",
        "last": "http://localhost/api/v1/books?page=3&per_page=2",
    }


@pytest.mark.options(API_PAGE_SIZE=2)
def test_middle_page_links_both_ways(client, api_headers, make_book):
    # GIVEN five books and a page size of 2
    ids = [make_book().id for _ in range(5)]

    # WHEN page 2 is requested
    response = client.get(BOOKS_URL, headers=api_headers, query_string={"page": 2})

    # THEN it holds the third and fourth books and links to pages 1 and 3
    assert [item["id"] for item in response.json["items"]] == ids[2:4]
    assert response.json["links"]["prev"].endswith("?page=1&per_page=2")
    assert response.json["links"]["next"].endswith("?page=3&per_page=2")


@pytest.mark.options(API_PAGE_SIZE=2)
def test_last_page_has_no_next_link(client, api_headers, make_book):
    # GIVEN five books and a page size of 2
    ids = [make_book().id for _ in range(5)]

    # WHEN page 3 is requested
    response = client.get(BOOKS_URL, headers=api_headers, query_string={"page": 3})

    # THEN it holds the fifth book and has no next link
    assert [item["id"] for item in response.json["items"]] == ids[4:]
    assert response.json["links"]["next"] is None
    assert response.json["links"]["prev"].endswith("?page=2&per_page=2")


def test_page_past_the_end_is_empty_not_an_error(client, api_headers, make_book):
    # GIVEN one book
    make_book()

    # WHEN page 9 is requested
    response = client.get(BOOKS_URL, headers=api_headers, query_string={"page": 9})

    # THEN the answer is 200 with no items, and the total still says 1
    assert response.status_code == 200
    assert response.json["items"] == []
    assert response.json["total"] == 1


@pytest.mark.options(API_MAX_PAGE_SIZE=3)
def test_per_page_is_capped_at_the_maximum(client, api_headers, make_book):
    # GIVEN four books and API_MAX_PAGE_SIZE of 3
    for _ in range(4):
        make_book()

    # WHEN 50 books per page are asked for
    response = client.get(BOOKS_URL, headers=api_headers, query_string={"per_page": 50})

    # THEN three come back, and per_page and the links say 3
    assert len(response.json["items"]) == 3
    assert response.json["per_page"] == 3
    assert response.json["links"]["next"].endswith("?page=2&per_page=3")


@pytest.mark.parametrize(
    ("query", "name"),
    [
        pytest.param({"page": "0"}, "page", id="page-zero"),
        pytest.param({"page": "-1"}, "page", id="page-negative"),
        pytest.param({"page": "two"}, "page", id="page-word"),
        pytest.param({"page": ""}, "page", id="page-empty"),
        pytest.param({"page": "1" * 30}, "page", id="page-huge"),
        pytest.param({"per_page": "0"}, "per_page", id="per-page-zero"),
        pytest.param({"per_page": "2.5"}, "per_page", id="per-page-fraction"),
    ],
)
def test_bad_pagination_parameter_is_a_400_naming_it(client, api_headers, query, name):
    # GIVEN a page or per_page that is not a whole number from 1 up
    # WHEN the list is requested
    response = client.get(BOOKS_URL, headers=api_headers, query_string=query)

    # THEN a JSON 400 names the parameter and the allowed range
    assert_json_error(response, 400, f"{name} must be a whole number from 1 to 999999999.")


@pytest.mark.parametrize("name", ["author", "tag"])
def test_filter_with_nul_is_a_400_on_every_backend(client, api_headers, name):
    # GIVEN a filter with %00 in the URL
    # WHEN the list is requested
    response = client.get(f"{BOOKS_URL}?{name}=a%00b", headers=api_headers)

    # THEN the app-wide NUL check answers a JSON 400 (PostgreSQL would otherwise fail with a 500)
    assert_json_error(response, 400, NUL_MESSAGE)


def test_author_filter_is_case_insensitive_and_matches_part_of_the_name(client, api_headers, make_book):
    # GIVEN books by Tolkien and by Le Guin
    tolkien = make_book(author="J. R. R. Tolkien")
    make_book(author="Ursula K. Le Guin")

    # WHEN the list is filtered with author=TOLK
    response = client.get(BOOKS_URL, headers=api_headers, query_string={"author": "TOLK"})

    # THEN only Tolkien's book is returned (contains, any letter case)
    assert [item["id"] for item in response.json["items"]] == [tolkien.id]
    assert response.json["total"] == 1


def test_author_filter_treats_percent_as_a_literal_character(client, api_headers, make_book):
    # GIVEN a book whose author has no "%" in the name
    make_book(author="Ann Leckie")

    # WHEN the list is filtered with author=%
    response = client.get(BOOKS_URL, headers=api_headers, query_string={"author": "%"})

    # THEN nothing matches: "%" is not a LIKE wildcard here
    assert response.json["items"] == []


def test_tag_filter_matches_the_normalised_tag_name(client, api_headers, make_book):
    # GIVEN one book tagged "science fiction" and one tagged "history"
    sf = make_book(tags=["science fiction", "classic"])
    make_book(tags=["history"])

    # WHEN the list is filtered with tag="Science  Fiction"
    response = client.get(BOOKS_URL, headers=api_headers, query_string={"tag": "Science  Fiction"})

    # THEN only the first is returned (tags compare lower-cased, spaces squeezed)
    assert [item["id"] for item in response.json["items"]] == [sf.id]


@pytest.mark.options(API_PAGE_SIZE=1)
def test_filters_are_kept_in_the_pagination_links(client, api_headers, make_book):
    # GIVEN two books by one author and a page size of 1
    make_book(author="Becky Chambers")
    make_book(author="Becky Chambers")

    # WHEN the list is filtered by that author
    response = client.get(BOOKS_URL, headers=api_headers, query_string={"author": "chambers"})

    # THEN the next link carries the author filter too
    assert response.json["pages"] == 2
    assert response.json["links"]["next"] == "http://localhost/api/v1/books?page=2&per_page=1&author=chambers"


# --- GET /books/<id> -------------------------------------------------------------


def test_get_returns_the_book(client, api_headers, make_book):
    # GIVEN a book
    book = make_book(title="Piranesi", author="Susanna Clarke", year=2020, tags=["fantasy"])

    # WHEN it is requested by id
    response = client.get(book_url(book.id), headers=api_headers)

    # THEN its fields are returned
    assert response.status_code == 200
    assert response.json["title"] == "Piranesi"
    assert response.json["isbn"] == book.isbn
    assert response.json["year"] == 2020
    assert response.json["tags"] == ["fantasy"]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "book_id",
    [
        pytest.param("2147483647", id="int32-max"),
        pytest.param("2147483648", id="int32-max-plus-1"),
        pytest.param("9" * 30, id="30-digits"),
    ],
)
def test_id_at_or_past_the_column_limit_is_a_404(client, api_headers, method, book_id):
    # GIVEN no books, and an id at or past the largest a 32-bit id column holds
    # WHEN it is used in a book URL
    response = client.open(f"{BOOKS_URL}/{book_id}", method=method, headers=api_headers, json={})

    # THEN a JSON 404 comes back: an id too large never reaches the database (no 500)
    assert_json_error(response, 404)


def test_get_missing_book_is_a_json_404(client, api_headers, accept_json):
    # GIVEN no book with id 999999
    # WHEN it is requested (as a client that accepts only JSON)
    response = client.get(book_url(999999), headers=[*api_headers.items(), *accept_json])

    # THEN a JSON 404 names the id
    assert_json_error(response, 404, NO_BOOK_999999)


# --- POST /books ----------------------------------------------------------------


def test_create_returns_201_with_location_and_stores_the_row(app, db, client, api_headers, user):
    # GIVEN a valid new book
    payload = new_book(year=1974, tags=["Science Fiction", "classic"])

    # WHEN it is POSTed as JSON
    response = client.post(BOOKS_URL, headers=api_headers, json=payload)

    # THEN a 201 with a Location pointing at the book, whose row is stored, owned by the token's user
    assert response.status_code == 201
    book_id = response.json["id"]
    assert response.headers["Location"] == f"http://localhost/api/v1/books/{book_id}"
    row = stored_book(app, db, book_id)
    assert row["title"] == "The Dispossessed"
    assert row["year"] == 1974
    assert row["tags"] == ["classic", "science fiction"]
    assert row["owner"] == user.username


def test_created_book_reads_back_the_same_from_its_location(client, api_headers):
    # GIVEN a book just created through the API
    created = client.post(BOOKS_URL, headers=api_headers, json=new_book(tags=["x"]))

    # WHEN its Location is fetched
    fetched = client.get(created.headers["Location"], headers=api_headers)

    # THEN the body is the same as the 201 response's
    assert fetched.json == created.json


def test_create_stores_isbn10_as_isbn13(client, api_headers):
    # GIVEN a new book with a hyphenated ISBN-10
    # WHEN it is created
    response = client.post(BOOKS_URL, headers=api_headers, json=new_book(isbn="0-306-40615-2"))

    # THEN the stored ISBN is the 13-digit form
    assert response.json["isbn"] == "9780306406157"


def test_create_with_form_data_is_a_415(app, db, client, api_headers):
    # GIVEN a new book sent as an HTML form instead of JSON
    # WHEN it is POSTed
    response = client.post(BOOKS_URL, headers=api_headers, data=new_book())

    # THEN a JSON 415 asks for application/json and nothing is written
    assert_json_error(response, 415, "Content-Type must be application/json")
    assert row_count(app, db, Book) == 0


def test_create_with_malformed_json_is_a_400(app, db, client, api_headers):
    # GIVEN a body labelled application/json that is not valid JSON
    # WHEN it is POSTed
    response = client.post(BOOKS_URL, headers=api_headers, data='{"title": ', content_type="application/json")

    # THEN a JSON 400 says so and nothing is written
    assert_json_error(response, 400, "Malformed JSON body")
    assert row_count(app, db, Book) == 0


def test_create_with_absurdly_nested_json_is_a_400(client, api_headers):
    # GIVEN a JSON array nested 100,000 levels deep (small, but it exhausts the parser's stack)
    # WHEN it is POSTed
    response = client.post(BOOKS_URL, headers=api_headers, data="[" * 100_000, content_type="application/json")

    # THEN a JSON 400 says it is nested too deeply, instead of a 500 from RecursionError
    assert_json_error(response, 400, "The JSON body is nested too deeply")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[]", id="array"),
        pytest.param("null", id="null"),
        pytest.param('"a book"', id="string"),
        pytest.param("42", id="number"),
    ],
)
def test_create_with_json_that_is_not_an_object_is_a_400(client, api_headers, body):
    # GIVEN valid JSON that is not an object
    # WHEN it is POSTed
    response = client.post(BOOKS_URL, headers=api_headers, data=body, content_type="application/json")

    # THEN a JSON 400 asks for an object (null is not reported as malformed)
    assert_json_error(response, 400, "The JSON body must be an object")


def test_create_with_invalid_fields_is_a_422_listing_each_field(app, db, client, api_headers):
    # GIVEN a body with a bad ISBN, a boolean year, no author and an unknown key
    payload = {"title": "Untitled", "isbn": "978-0-00-000000-1", "year": True, "rating": 5}

    # WHEN it is POSTed
    response = client.post(BOOKS_URL, headers=api_headers, json=payload)

    # THEN a JSON 422 has one message per bad field and nothing is written
    assert_json_error(response, 422, "The book data is not valid: see fields")
    assert response.json["error"] == "Unprocessable Entity"
    fields = response.json["fields"]
    assert set(fields) == {"isbn", "year", "author", "rating"}
    assert "not a valid ISBN-13" in fields["isbn"]
    assert fields["author"] == "This field is required."
    assert fields["rating"] == "Unknown field."
    assert row_count(app, db, Book) == 0


@pytest.mark.parametrize(
    ("raw_title", "message"),
    [
        pytest.param(r'"a\u0000b"', "Must not contain control characters.", id="nul"),
        pytest.param(r'"\ud800"', "Must be valid Unicode text.", id="lone-surrogate"),
    ],
)
def test_text_the_database_cannot_store_is_a_422_not_a_500(app, db, client, api_headers, raw_title, message):
    # GIVEN a title escaping a NUL or a lone surrogate: valid JSON, which PostgreSQL refuses or UTF-8 cannot encode
    body = f'{{"title": {raw_title}, "author": "A", "isbn": "{unique_isbn()}"}}'

    # WHEN it is POSTed
    response = client.post(BOOKS_URL, headers=api_headers, data=body, content_type="application/json")

    # THEN the validator catches it: a 422 on the title, on every backend
    assert_json_error(response, 422)
    assert response.json["fields"] == {"title": message}
    assert row_count(app, db, Book) == 0


def test_create_with_an_existing_isbn_is_a_409(app, db, client, api_headers, make_book):
    # GIVEN a book with ISBN 978-0-306-40615-7
    make_book(isbn="9780306406157")

    # WHEN another book is POSTed with the same ISBN written as an ISBN-10
    response = client.post(BOOKS_URL, headers=api_headers, json=new_book(isbn="0-306-40615-2"))

    # THEN a JSON 409 names the ISBN and there is still one book
    assert_json_error(response, 409, duplicate_isbn_message("9780306406157"))
    assert row_count(app, db, Book) == 1


def test_duplicate_isbn_that_slips_past_the_check_is_still_a_409(app, db, client, api_headers, make_book, monkeypatch):
    # GIVEN a catalogued ISBN that the check misses, as when another request inserts it just after the check
    existing = make_book()
    skip_duplicate_isbn_check(monkeypatch)

    # WHEN the book is POSTed
    response = client.post(BOOKS_URL, headers=api_headers, json=new_book(isbn=existing.isbn))

    # THEN the unique index stops it: the commit is rolled back and the answer is a JSON 409
    assert_json_error(response, 409, duplicate_isbn_message(existing.isbn))
    assert row_count(app, db, Book) == 1


@pytest.mark.options(MAX_CONTENT_LENGTH=100)
def test_body_over_max_content_length_is_a_json_413(app, db, client, api_headers):
    # GIVEN MAX_CONTENT_LENGTH of 100 bytes
    # WHEN a bigger JSON body is POSTed
    response = client.post(BOOKS_URL, headers=api_headers, json=new_book(title="x" * 150))

    # THEN a JSON 413 comes back (from the app-wide handler) and nothing is written
    assert_json_error(response, 413)
    assert row_count(app, db, Book) == 0


# --- PUT / PATCH /books/<id> ----------------------------------------------------


def test_put_replaces_every_field(app, db, client, api_headers, user, make_book):
    # GIVEN the user's book with a year and tags
    book = make_book(owner=user, year=1990, tags=["old"])
    payload = new_book(title="New Title", author="New Author")

    # WHEN it is PUT with only title, author and isbn
    response = client.put(book_url(book.id), headers=api_headers, json=payload)

    # THEN those change and the left-out year and tags are cleared (PUT replaces)
    assert response.status_code == 200
    row = stored_book(app, db, book.id)
    assert (row["title"], row["author"], row["isbn"]) == ("New Title", "New Author", payload["isbn"])
    assert row["year"] is None
    assert row["tags"] == []
    assert response.json == row


def test_put_without_a_required_field_is_a_422(app, db, client, api_headers, user, make_book):
    # GIVEN the user's book
    book = make_book(owner=user)
    before = stored_book(app, db, book.id)

    # WHEN it is PUT without an isbn
    response = client.put(book_url(book.id), headers=api_headers, json={"title": "T", "author": "A"})

    # THEN a JSON 422 says isbn is required and the row is unchanged
    assert_json_error(response, 422)
    assert response.json["fields"] == {"isbn": "This field is required."}
    assert stored_book(app, db, book.id) == before


def test_put_may_keep_the_book_own_isbn(client, api_headers, user, make_book):
    # GIVEN the user's book
    book = make_book(owner=user)

    # WHEN it is PUT with its own ISBN unchanged
    response = client.put(book_url(book.id), headers=api_headers, json=new_book(isbn=book.isbn))

    # THEN that is not a duplicate: 200
    assert response.status_code == 200
    assert response.json["isbn"] == book.isbn


def test_patch_changes_only_the_given_fields(app, db, client, api_headers, user, make_book):
    # GIVEN the user's book with a year and tags
    book = make_book(owner=user, year=1990, tags=["keep"])
    before = stored_book(app, db, book.id)

    # WHEN it is PATCHed with a new year only
    response = client.patch(book_url(book.id), headers=api_headers, json={"year": 2001})

    # THEN the year changes and every other field is kept
    assert response.status_code == 200
    after = stored_book(app, db, book.id)
    assert after["year"] == 2001
    assert {k: v for k, v in after.items() if k not in ("year", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("year", "updated_at")
    }


def test_patch_replaces_the_tags(app, db, client, api_headers, user, make_book):
    # GIVEN the user's book tagged "old"
    book = make_book(owner=user, tags=["old"])

    # WHEN it is PATCHed with tags ["New", "other"]
    client.patch(book_url(book.id), headers=api_headers, json={"tags": ["New", "other"]})

    # THEN the book has exactly the new, normalised tags
    assert stored_book(app, db, book.id)["tags"] == ["new", "other"]


def test_patch_to_another_book_isbn_is_a_409(app, db, client, api_headers, user, make_book):
    # GIVEN the user's book and another book
    mine, other = make_book(owner=user), make_book()

    # WHEN the user's book is PATCHed to the other book's ISBN
    response = client.patch(book_url(mine.id), headers=api_headers, json={"isbn": other.isbn})

    # THEN a JSON 409 comes back and the user's book is unchanged
    assert_json_error(response, 409, duplicate_isbn_message(other.isbn))
    assert stored_book(app, db, mine.id)["isbn"] == mine.isbn


def test_duplicate_isbn_race_on_update_is_rolled_back(app, db, client, api_headers, user, make_book, monkeypatch):
    # GIVEN the user's book, another book, and a pre-check that misses the clash
    mine, other = make_book(owner=user, tags=["old"]), make_book()
    skip_duplicate_isbn_check(monkeypatch)

    # WHEN the user's book is PATCHed to the other book's ISBN and a new tag
    response = client.patch(book_url(mine.id), headers=api_headers, json={"isbn": other.isbn, "tags": ["new"]})

    # THEN the commit fails on the unique index: 409, and neither change is kept
    assert_json_error(response, 409)
    row = stored_book(app, db, mine.id)
    assert (row["isbn"], row["tags"]) == (mine.isbn, ["old"])


def test_update_of_missing_book_is_a_404(client, api_headers):
    # GIVEN no book with id 999999
    # WHEN it is PATCHed
    response = client.patch(book_url(999999), headers=api_headers, json={"year": 2001})

    # THEN a JSON 404 comes back
    assert_json_error(response, 404, NO_BOOK_999999)


# --- owner-only writes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [
        pytest.param("put", {"title": "Mine now", "author": "Someone", "isbn": "9780306406157"}, id="put"),
        pytest.param("patch", {"title": "Mine now"}, id="patch"),
        pytest.param("delete", None, id="delete"),
    ],
)
def test_other_users_book_cannot_be_changed(app, db, client, api_headers, make_book, method, body):
    # GIVEN a book owned by someone else
    book = make_book()
    before = stored_book(app, db, book.id)

    # WHEN the token user PUTs, PATCHes or DELETEs it
    response = getattr(client, method)(book_url(book.id), headers=api_headers, json=body)

    # THEN a JSON 403 says it is not theirs and the row is unchanged
    assert_json_error(response, 403, NOT_YOURS)
    assert stored_book(app, db, book.id) == before


def test_admin_may_change_another_users_book(app, db, client, admin, make_user, make_book):
    # GIVEN a book owned by a reader
    book = make_book(owner=make_user(username="margaret"), title="Old")

    # WHEN an administrator PATCHes it
    response = client.patch(book_url(book.id), headers=bearer(token_for(app, admin)), json={"title": "Fixed"})

    # THEN the change is made (200), and the owner stays the reader
    assert response.status_code == 200
    row = stored_book(app, db, book.id)
    assert row["title"] == "Fixed"
    assert row["owner"] == "margaret"


def test_admin_may_delete_another_users_book(app, db, client, admin, make_book):
    # GIVEN a book owned by a reader
    book = make_book()

    # WHEN an administrator DELETEs it
    response = client.delete(book_url(book.id), headers=bearer(token_for(app, admin)))

    # THEN it is gone (204)
    assert response.status_code == 204
    assert stored_book(app, db, book.id) is None


# --- DELETE /books/<id> ----------------------------------------------------------


def test_owner_delete_is_a_204_with_empty_body_and_removes_the_row(app, db, client, api_headers, user, make_book):
    # GIVEN the user's tagged book
    book = make_book(owner=user, tags=["gone"])

    # WHEN they DELETE it
    response = client.delete(book_url(book.id), headers=api_headers)

    # THEN the answer is 204 with no body, the row is gone and GET is a 404
    assert response.status_code == 204
    assert response.text == ""
    assert stored_book(app, db, book.id) is None
    assert client.get(book_url(book.id), headers=api_headers).status_code == 404


def test_delete_of_missing_book_is_a_404(client, api_headers):
    # GIVEN no book with id 999999
    # WHEN it is DELETEd
    response = client.delete(book_url(999999), headers=api_headers)

    # THEN a JSON 404 comes back
    assert_json_error(response, 404, NO_BOOK_999999)


# --- routing errors and the no-HTML guarantee --------------------------------------


def test_wrong_method_is_a_json_405_with_allow_header(client, accept_json):
    # GIVEN the collection URL, which takes GET and POST
    # WHEN it is sent a DELETE
    response = client.delete(BOOKS_URL, headers=accept_json)

    # THEN routing's 405 is JSON and keeps the Allow header
    assert_json_error(response, 405)
    assert {"GET", "POST"} <= set(response.allow)
    assert "DELETE" not in response.allow


# The requests of test_api_errors_are_never_html, as plain data: method, path,
# headers, body (keyword arguments of client.open) and the status expected.
# The test fills in "{token}" (the user's API token), "{other}" (the id of a
# book owned by someone else, ISBN 9780441172719) and "{missing}" (an id no
# book has).
WITH_TOKEN_ASKING_FOR_HTML = {"Authorization": "Bearer {token}", "Accept": "text/html"}
ERROR_REQUESTS = [
    pytest.param("GET", "/api/v1/no-such-thing", {}, {}, 404, id="unknown-url"),
    pytest.param("GET", BOOKS_URL, {}, {}, 401, id="no-token"),
    pytest.param("GET", BOOKS_URL, {"Authorization": "Bearer x.y.z"}, {}, 401, id="bad-token"),
    pytest.param("GET", BOOKS_URL + "?page=x", WITH_TOKEN_ASKING_FOR_HTML, {}, 400, id="bad-page"),
    pytest.param("GET", BOOKS_URL + "/{missing}", WITH_TOKEN_ASKING_FOR_HTML, {}, 404, id="missing-book"),
    pytest.param("PUT", BOOKS_URL, WITH_TOKEN_ASKING_FOR_HTML, {}, 405, id="wrong-method"),
    pytest.param("POST", BOOKS_URL, WITH_TOKEN_ASKING_FOR_HTML, {"data": "x"}, 415, id="not-json"),
    pytest.param(
        "POST",
        BOOKS_URL,
        WITH_TOKEN_ASKING_FOR_HTML,
        {"data": "{", "content_type": "application/json"},
        400,
        id="malformed-json",
    ),
    pytest.param("POST", BOOKS_URL, WITH_TOKEN_ASKING_FOR_HTML, {"json": {}}, 422, id="invalid-fields"),
    pytest.param(
        "POST",
        BOOKS_URL,
        WITH_TOKEN_ASKING_FOR_HTML,
        {"json": {"title": "Dune", "author": "Frank Herbert", "isbn": "9780441172719"}},
        409,
        id="duplicate-isbn",
    ),
    pytest.param("PATCH", BOOKS_URL + "/{other}", WITH_TOKEN_ASKING_FOR_HTML, {"json": {}}, 403, id="not-owner"),
    pytest.param(
        "POST",
        BOOKS_URL,
        WITH_TOKEN_ASKING_FOR_HTML,
        {"json": {"title": "x" * 100, "author": "Frank Herbert", "isbn": "9780306406157"}},
        413,
        id="too-large",
        marks=pytest.mark.options(MAX_CONTENT_LENGTH=50),
    ),
    pytest.param("POST", "/api/v1/tokens", {}, {}, 401, id="token-without-credentials"),
]


@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), ERROR_REQUESTS)
def test_api_errors_are_never_html(client, api_token, make_book, method, path, headers, body, status):
    # GIVEN a request that fails in one of many ways
    other = make_book(isbn="9780441172719")
    url = path.format(other=other.id, missing=other.id + 1000)
    headers = {name: value.format(token=api_token) for name, value in headers.items()}

    # WHEN it reaches the API, even asking for HTML
    response = client.open(url, method=method, headers=headers, **body)

    # THEN the error is JSON {"error", "message"} with application/json, never an HTML page
    assert_json_error(response, status)
