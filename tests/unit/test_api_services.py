"""Unit tests of the API's queries and writes (sample_app/api/services.py), without HTTP.

Patterns: plain functions tested without HTTP; recorded SQL statements;
unordered results exposed with a pragma; boundary values; tests that run only
on PostgreSQL or SQLite.

In detail: plain functions called in an app context; recorded SQL statements
(no query per row, no INSERT when a check already refused); a SQLite pragma
that exposes a missing ORDER BY; boundary values at the largest id; defaults of
keyword arguments.

The HTTP behaviour of the same code is in tests/functional/test_api_books.py;
here each function is called directly, which also reaches cases a request
cannot (a page number with no request to fall back on, a default argument
the view always overrides).
"""

import pytest
from werkzeug.exceptions import NotFound

from sample_app.api.services import books_query, create_book, find_books, get_book_or_404, update_book
from sample_app.book_rules import DuplicateISBN
from sample_app.models import Book, User
from tests.helpers import recorded_statements, unordered_selects_reversed


def books_data(**fields):
    """Validated data for create_book / update_book (as validate_book_payload returns it)."""
    data = {"title": "Kindred", "author": "Octavia E. Butler", "isbn": "9780807083697"}
    return {**data, **fields}


# --- queries -------------------------------------------------------------------


def test_find_books_returns_the_requested_page_without_a_request(app, db, make_book):
    """
    GIVEN three books and no request (a unit test, or a CLI command)
    WHEN page 2 of one book per page is asked for
    THEN the second book is returned: the page comes from the argument, not the query string
    """
    books = [make_book() for _ in range(3)]

    with app.app_context():
        pagination = find_books(page=2, per_page=1)

        assert [book.id for book in pagination.items] == [books[1].id]
        assert (pagination.page, pagination.total) == (2, 3)


@pytest.mark.sqlite
def test_books_query_orders_by_id_even_when_the_database_would_not(app, db, make_book):
    """
    GIVEN three books, and SQLite told to return unordered rows backwards
    WHEN the API's book query runs
    THEN the books still come oldest (lowest id) first: the order is in the query
    """
    ids = [make_book().id for _ in range(3)]

    with app.app_context(), unordered_selects_reversed(db):
        assert [book.id for book in db.session.scalars(books_query())] == ids


def test_found_books_come_with_their_owner_and_tags_loaded(app, db, make_user, make_book):
    """
    GIVEN three books, each with its own owner and tags
    WHEN a page of them is found and serialised as the API does (to_dict)
    THEN serialising runs no SQL at all: no extra query per book (the N+1 problem)
    """
    for n in range(3):
        make_book(owner=make_user(), tags=[f"tag {n}", "shared"])

    with app.app_context():
        pagination = find_books(page=1, per_page=10)
        with recorded_statements(db.engine) as statements:
            items = [book.to_dict() for book in pagination.items]

    assert statements == []
    assert sorted(item["tags"] for item in items) == [["shared", "tag 0"], ["shared", "tag 1"], ["shared", "tag 2"]]


def test_get_book_or_404_finds_the_book_with_the_largest_id(app, db, make_book):
    """
    GIVEN a book whose id is the largest the column holds (2**31 - 1)
    WHEN it is looked up
    THEN it is found: only ids past the column's range are refused unasked
    """
    book = make_book(id=2**31 - 1)

    with app.app_context():
        assert get_book_or_404(2**31 - 1).isbn == book.isbn


def test_get_book_or_404_past_the_largest_id_is_a_404_that_names_the_id(app):
    """
    GIVEN an id one past the largest the column holds
    WHEN it is looked up
    THEN a 404 is raised, without a query, whose description names the id
    """
    with app.app_context(), pytest.raises(NotFound) as raised:
        get_book_or_404(2**31)

    assert raised.value.description == "There is no book with id 2147483648"


# --- writes --------------------------------------------------------------------


def test_create_book_with_a_taken_isbn_is_refused_before_any_insert(app, db, user, make_book):
    """
    GIVEN a book with an ISBN
    WHEN another book with that ISBN is created
    THEN DuplicateISBN is raised by the check, before an INSERT is even tried
         (the unique index is only the backstop for a race)
    """
    taken = make_book().isbn

    with app.app_context(), recorded_statements(db.engine) as statements:
        with pytest.raises(DuplicateISBN):
            create_book(books_data(isbn=taken), owner=db.session.get(User, user.id))

    assert not [sql for sql in statements if sql.startswith("INSERT INTO books")]


@pytest.mark.parametrize("partial", [False, True], ids=["put", "patch"])
def test_update_book_to_a_taken_isbn_is_refused_before_any_update(app, db, make_book, partial):
    """
    GIVEN two books
    WHEN one is updated (PUT or PATCH) to the other's ISBN
    THEN DuplicateISBN is raised by the check, before an UPDATE is even tried
    """
    taken = make_book().isbn
    book = make_book()

    with app.app_context(), recorded_statements(db.engine) as statements:
        with pytest.raises(DuplicateISBN):
            update_book(db.session.get(Book, book.id), books_data(isbn=taken), partial=partial)

    assert not [sql for sql in statements if sql.startswith("UPDATE books")]


def test_update_book_replaces_the_whole_book_by_default(app, db, make_book):
    """
    GIVEN a book with a year and tags
    WHEN update_book is called without ``partial`` and without year or tags
    THEN the book is replaced (as by PUT): year and tags go back to empty
    """
    book = make_book(year=1979, tags=["sf"])

    with app.app_context():
        updated = update_book(db.session.get(Book, book.id), books_data(isbn=book.isbn))

        assert (updated.title, updated.year, updated.tags) == ("Kindred", None, [])
