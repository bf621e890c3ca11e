"""Unit tests of the catalogue's plain functions (sample_app/books/services.py).

Patterns: plain functions tested without HTTP; parametrize with ids;
pytest.raises with match and excinfo; app context only around database work;
explicit timestamps for ordering; pagination boundaries; nothing written after
a failure; simulated race past a uniqueness check; monkeypatch.setattr.

In detail: testing logic without HTTP (the views only call these functions),
``pytest.mark.parametrize`` with ``ids``, ``pytest.raises(..., match=...)``,
database work inside ``with app.app_context():``, controlling order with
explicit ``created_at`` values instead of relying on the clock, proving
"nothing was written" after a failure, and simulating a lost race by bypassing
the form's check.
"""

from datetime import UTC, datetime

import pytest

from sample_app.book_rules import DuplicateISBN
from sample_app.books import services
from sample_app.books.services import (
    PageNotFound,
    create_book,
    list_books,
    parse_page,
    parse_tag_names,
    search_filter,
    update_book,
    user_can_change,
)
from sample_app.isbn import InvalidISBN
from sample_app.models import AnonymousUser, Book, Tag, User

DUNE_ISBN = "9780441172719"
DUNE_ISBN10 = "0441172717"
KINDRED_ISBN = "9780807083697"


def day(n):
    """A fixed, timezone-aware creation time: day ``n`` of January 2024."""
    return datetime(2024, 1, n, tzinfo=UTC)


def count(db, model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def titles(pagination):
    return [book.title for book in pagination.items]


# --- parse_page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 1), ("1", 1), ("2", 2), ("10", 10), ("007", 7)],
    ids=["missing-means-first", "one", "two", "two-digits", "leading-zeros"],
)
def test_parse_page_accepts_positive_integers(value, expected):
    """
    GIVEN a page value from the query string (or none)
    WHEN it is parsed
    THEN it is the page number, and a missing value means page 1
    """
    assert parse_page(value) == expected


@pytest.mark.parametrize(
    "value",
    ["0", "-1", "abc", "", "2.5", " 3", "+3", "1e3", "²"],
    ids=["zero", "negative", "word", "empty", "decimal", "space", "plus-sign", "exponent", "superscript"],
)
def test_parse_page_rejects_anything_else(value):
    """
    GIVEN a page value that is not a plain positive integer
    WHEN it is parsed
    THEN ValueError says what a page must be (the view turns it into a 400)
    """
    with pytest.raises(ValueError, match="^page must be a positive integer"):
        parse_page(value)


# --- parse_tag_names -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a, b ,,A", ["a", "b"]),
        ("Science  Fiction, science fiction", ["science fiction"]),
        ("classic", ["classic"]),
        ("b, a", ["b", "a"]),
        ("", []),
        (" , ,", []),
        (None, []),
    ],
    ids=["brief-example", "spaces-collapsed", "single", "order-kept", "empty", "only-commas", "none"],
)
def test_parse_tag_names_normalises_and_deduplicates(value, expected):
    """
    GIVEN the text of the tags field
    WHEN it is parsed
    THEN the names are lower-cased, trimmed, without blanks or repeats, in input order
    """
    assert parse_tag_names(value) == expected


# --- list_books ------------------------------------------------------------------


def test_list_books_puts_newest_first_whatever_the_insert_order(app, make_book):
    """
    GIVEN books whose creation times are not in insertion (id) order
    WHEN the first page is listed
    THEN they come newest first, by creation time
    """
    make_book(title="Middle", created_at=day(2))
    make_book(title="Newest", created_at=day(3))
    make_book(title="Oldest", created_at=day(1))

    with app.app_context():
        page = list_books(1, per_page=10)

        assert titles(page) == ["Newest", "Middle", "Oldest"]


def test_list_books_breaks_creation_time_ties_by_newest_id(app, make_book):
    """
    GIVEN two books created at the same instant
    WHEN they are listed
    THEN the one inserted later comes first (a stable order for pagination)
    """
    make_book(title="First in", created_at=day(1))
    make_book(title="Second in", created_at=day(1))

    with app.app_context():
        assert titles(list_books(1, per_page=10)) == ["Second in", "First in"]


def test_list_books_splits_results_into_pages(app, make_book):
    """
    GIVEN five books and two per page
    WHEN page 2 is listed
    THEN it holds the third and fourth newest, and knows there are three pages
    """
    for n in range(1, 6):
        make_book(title=f"Day {n}", created_at=day(n))

    with app.app_context():
        page = list_books(2, per_page=2)

        assert titles(page) == ["Day 3", "Day 2"]
        assert (page.page, page.pages, page.total) == (2, 3, 5)
        assert page.has_prev
        assert page.has_next


def test_list_books_last_page_may_be_short(app, make_book):
    """
    GIVEN five books and two per page
    WHEN the last page (3) is listed
    THEN it holds only the oldest book and has no next page
    """
    for n in range(1, 6):
        make_book(title=f"Day {n}", created_at=day(n))

    with app.app_context():
        page = list_books(3, per_page=2)

        assert titles(page) == ["Day 1"]
        assert not page.has_next


def test_list_books_past_the_last_page_raises_page_not_found(app, make_book):
    """
    GIVEN two books and two per page (one page)
    WHEN page 2 is asked for
    THEN PageNotFound names the page (the view turns it into a 404)
    """
    make_book()
    make_book()

    with app.app_context(), pytest.raises(PageNotFound, match=r"^There is no page 2\.$"):
        list_books(2, per_page=2)


def test_list_books_first_page_of_empty_catalogue_is_empty_not_missing(app):
    """
    GIVEN no books at all
    WHEN page 1 is listed
    THEN it is an empty page (the view says "No books yet"), not an error
    """
    with app.app_context():
        page = list_books(1, per_page=10)

        assert page.items == []
        assert page.total == 0


def test_list_books_huge_page_is_not_found_without_querying(app, monkeypatch):
    """
    GIVEN a page number larger than any catalogue could reach
    WHEN it is listed
    THEN PageNotFound is raised before the database sees an OFFSET it cannot store
    """

    def fail_paginate(*args, **kwargs):
        raise AssertionError("the database must not be queried")

    monkeypatch.setattr(services.db, "paginate", fail_paginate)
    huge = 10**9 + 1

    with app.app_context(), pytest.raises(PageNotFound, match=f"There is no page {huge}"):
        list_books(huge, per_page=10)


def test_list_books_serves_the_largest_allowed_page_number(app, monkeypatch, make_book):
    """
    GIVEN MAX_PAGE lowered to 2, and two books at one per page
    WHEN page 2 (exactly MAX_PAGE) is listed
    THEN it is served: only pages above MAX_PAGE are refused unasked
    """
    monkeypatch.setattr(services, "MAX_PAGE", 2)
    make_book(title="Day 1", created_at=day(1))
    make_book(title="Day 2", created_at=day(2))

    with app.app_context():
        assert titles(list_books(2, per_page=1)) == ["Day 1"]


@pytest.fixture
def catalogue(make_book):
    """Three books with distinct titles, authors and ISBNs."""
    make_book(title="Dune", author="Frank Herbert", isbn=DUNE_ISBN, created_at=day(1))
    make_book(title="Kindred", author="Octavia E. Butler", isbn=KINDRED_ISBN, created_at=day(2))
    make_book(title="100% Pure_Fiction", author="Anon", isbn="9780306406157", created_at=day(3))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dune", ["Dune"]),
        ("KINDRED", ["Kindred"]),
        ("herbert", ["Dune"]),
        ("octavia e.", ["Kindred"]),
        ("9780807", ["Kindred"]),
        ("978-0-441", ["Dune"]),
        ("  dune  ", ["Dune"]),
        ("100%", ["100% Pure_Fiction"]),
        ("e_fic", ["100% Pure_Fiction"]),
        ("d%e", []),
        ("d_ne", []),
        ("nothing like it", []),
    ],
    ids=[
        "title",
        "title-upper-case",
        "author",
        "author-with-dot",
        "isbn-digits",
        "isbn-with-hyphens",
        "surrounding-spaces",
        "percent-is-literal",
        "underscore-is-literal",
        "percent-is-not-a-wildcard",
        "underscore-is-not-a-wildcard",
        "no-match",
    ],
)
def test_list_books_searches_title_author_and_isbn(app, catalogue, q, expected):
    """
    GIVEN a catalogue of three books
    WHEN the list is searched for ``q``
    THEN only books with ``q`` in the title, author or ISBN are listed,
         case-insensitively, with % and _ matched literally
    """
    with app.app_context():
        assert titles(list_books(1, per_page=10, q=q)) == expected


@pytest.mark.parametrize("q", [None, "", "   "], ids=["none", "empty", "blank"])
def test_list_books_without_search_term_lists_everything(app, catalogue, q):
    """
    GIVEN a catalogue of three books
    WHEN the list is asked for with no real search term
    THEN there is no filter and all three are listed
    """
    assert search_filter(q) is None
    with app.app_context():
        assert list_books(1, per_page=10, q=q).total == 3


def test_search_with_only_separators_does_not_match_every_isbn(app, catalogue):
    """
    GIVEN a catalogue of three books
    WHEN the search term is only a hyphen (which ISBN matching ignores)
    THEN it is not turned into an empty ISBN pattern that matches every book
    """
    with app.app_context():
        assert titles(list_books(1, per_page=10, q="-")) == []


# --- create / update / delete ----------------------------------------------------


def form_data(**overrides):
    """What ``BookForm.data`` holds for a valid submission."""
    data = {"title": "Dune", "author": "Frank Herbert", "isbn": DUNE_ISBN, "year": 1965, "tag_names": "SF, classic"}
    data.update(overrides)
    return data


def test_create_book_stores_fields_owner_and_tags(app, db, user):
    """
    GIVEN a user and valid form data with an ISBN-10 and tags
    WHEN create_book is called
    THEN the book is stored with the normalised ISBN-13, the owner and the tags
    """
    with app.app_context():
        book_id = create_book(user, form_data(isbn=DUNE_ISBN10)).id

    with app.app_context():
        book = db.session.get(Book, book_id)
        assert (book.title, book.author, book.isbn, book.year) == ("Dune", "Frank Herbert", DUNE_ISBN, 1965)
        assert book.owner_id == user.id
        assert [tag.name for tag in book.tags] == ["classic", "sf"]


def test_create_book_reuses_existing_tags(app, db, user, make_book):
    """
    GIVEN a tag that already exists
    WHEN a new book uses it
    THEN no second tag of that name is created
    """
    make_book(tags=["classic"])

    with app.app_context():
        create_book(user, form_data(tag_names="Classic"))

        assert db.session.scalars(db.select(Tag.name)).all() == ["classic"]


def test_create_book_without_year_or_tags(app, db, user):
    """
    GIVEN form data with the optional fields left empty
    WHEN create_book is called
    THEN the book has no year and no tags
    """
    with app.app_context():
        book = create_book(user, form_data(year=None, tag_names=""))

        assert book.year is None
        assert book.tags == []


def test_create_book_with_duplicate_isbn_raises_and_writes_nothing(app, db, user, make_book):
    """
    GIVEN a stored book, and data for another with the same ISBN that skipped
          the form's check (as when a concurrent request saves first)
    WHEN create_book is called
    THEN DuplicateISBN is raised, and neither the book nor its new tag is stored
    """
    make_book(isbn=DUNE_ISBN)

    with app.app_context():
        with pytest.raises(DuplicateISBN, match="already exists"):
            create_book(user, form_data(tag_names="brand-new-tag"))

        assert count(db, Book) == 1
        assert count(db, Tag) == 0


def test_create_book_with_invalid_isbn_leaves_the_session_untouched(app, db, user):
    """
    GIVEN data with an ISBN whose check digit is wrong
    WHEN create_book is called
    THEN InvalidISBN is raised before anything (not even a tag) enters the session
    """
    with app.app_context():
        with pytest.raises(InvalidISBN, match="not a valid ISBN-13"):
            create_book(user, form_data(isbn="9780441172710"))

        assert not db.session.new
        assert count(db, Tag) == 0


def test_update_book_replaces_fields_and_tags(app, db, make_book):
    """
    GIVEN a book with tags
    WHEN update_book is called with new values and one of the old tags
    THEN every field and the tag list are replaced
    """
    book = make_book(title="Dun", isbn=KINDRED_ISBN, year=1900, tags=["sf", "old"])

    with app.app_context():
        update_book(db.session.get(Book, book.id), form_data(tag_names="sf, desert"))

    with app.app_context():
        stored = db.session.get(Book, book.id)
        assert (stored.title, stored.isbn, stored.year) == ("Dune", DUNE_ISBN, 1965)
        assert [tag.name for tag in stored.tags] == ["desert", "sf"]


def test_update_book_to_another_books_isbn_raises_and_keeps_the_book(app, db, make_book):
    """
    GIVEN two books
    WHEN one is updated to the other's ISBN, bypassing the form's check
    THEN DuplicateISBN is raised and the book keeps its old title and ISBN
    """
    make_book(isbn=DUNE_ISBN)
    book = make_book(title="Kindred", isbn=KINDRED_ISBN)

    with app.app_context(), pytest.raises(DuplicateISBN):
        update_book(db.session.get(Book, book.id), form_data(title="Changed"))

    with app.app_context():
        stored = db.session.get(Book, book.id)
        assert (stored.title, stored.isbn) == ("Kindred", KINDRED_ISBN)


# --- user_can_change -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("owner", True), ("admin", True), ("other", False), ("anonymous", False)],
    ids=["owner", "admin", "other-user", "anonymous"],
)
def test_user_can_change_only_own_books_unless_admin(app, db, make_user, make_book, who, allowed):
    """
    GIVEN a book, its owner, another user, an administrator and an anonymous visitor
    WHEN each is asked whether they may change the book
    THEN only the owner and the administrator may
    """
    owner = make_user()
    book = make_book(owner=owner)
    user_ids = {"owner": owner.id, "admin": make_user(role="Administrator").id, "other": make_user().id}

    with app.app_context():
        # Loaded here so can() may follow user.role.
        person = db.session.get(User, user_ids[who]) if who in user_ids else AnonymousUser()
        assert user_can_change(person, db.session.get(Book, book.id)) is allowed
