"""Unit tests of the catalogue's writes and queries (sample_app/catalogue.py), without HTTP.

The pages, the API, the importer and ``seed-demo`` all come here, so each case
is tested once, by calling the function; the views' tests check the wiring.

Patterns: plain functions tested without HTTP; app context only around database
work; explicit timestamps for ordering; pagination boundaries; nothing written
after a failure; simulated race past a uniqueness check; recorded SQL
statements; statement count that does not grow with the rows; unordered results
exposed with a pragma; pytest.raises with match and excinfo; query count limits;
frozen clock with time-machine.
"""

from datetime import UTC, datetime

import pytest
import time_machine

from sample_app import catalogue
from sample_app.models import AnonymousUser, Book, Tag, User
from tests.factories import unique_isbn
from tests.helpers import day, recorded_statements, row_count, stored_book, unordered_selects_reversed

DUNE_ISBN = "9780441172719"
KINDRED_ISBN = "9780807083697"


def values(**fields):
    """Clean values for one book, as catalogue.validate() returns them."""
    return {
        "title": "Dune",
        "author": "Frank Herbert",
        "isbn": DUNE_ISBN,
        "year": 1965,
        "tags": ["sf", "classic"],
        **fields,
    }


def titles(pagination):
    return [book.title for book in pagination.items]


# --- uniqueness ---------------------------------------------------------------------


def test_duplicate_isbn_names_the_isbn():
    # GIVEN a duplicate-ISBN error
    # WHEN it is shown or inspected
    error = catalogue.DuplicateISBN(DUNE_ISBN)

    # THEN its message and its ``isbn`` attribute carry the ISBN
    assert str(error) == "A book with ISBN 9780441172719 is already in the catalogue."
    assert error.isbn == DUNE_ISBN


def test_isbn_in_use_ignores_the_excluded_book(app, make_book):
    # GIVEN a book with an ISBN, and another book
    book = make_book(isbn=DUNE_ISBN)
    other = make_book()

    # WHEN the ISBN is checked excluding that book (it is being edited), or the other one
    with app.app_context():
        in_use = catalogue.isbn_in_use(DUNE_ISBN)
        unknown_in_use = catalogue.isbn_in_use(KINDRED_ISBN)
        in_use_but_for_the_book = catalogue.isbn_in_use(DUNE_ISBN, exclude_book_id=book.id)
        in_use_but_for_the_other = catalogue.isbn_in_use(DUNE_ISBN, exclude_book_id=other.id)

    # THEN the ISBN is free for that book only (and an ISBN no book has is free)
    assert in_use is True
    assert unknown_in_use is False
    assert in_use_but_for_the_book is False
    assert in_use_but_for_the_other is True


def test_isbns_in_use_checks_in_batches(app, monkeypatch, make_book):
    # GIVEN three stored books, and a batch size lowered to 2
    taken = {make_book().isbn for _ in range(3)}
    monkeypatch.setattr("sample_app.models.LOOKUP_BATCH_SIZE", 2)

    # WHEN five ISBNs (three taken) are checked
    with app.app_context():
        found = catalogue.isbns_in_use([*sorted(taken), unique_isbn(), unique_isbn()])

    # THEN exactly the three taken ones come back, whichever batch they were in
    assert found == taken


# --- add_book, change_book, delete_book ----------------------------------------------


def test_add_book_stores_fields_owner_and_tags(app, db, user):
    # GIVEN a user and clean values with tags
    # WHEN the book is added
    with app.app_context():
        book_id = catalogue.add_book(db.session.get(User, user.id), values()).id

    # THEN it is stored with its fields, its owner and its tags (sorted by name)
    stored = stored_book(app, db, book_id)
    assert (stored["title"], stored["isbn"], stored["year"], stored["owner"]) == ("Dune", DUNE_ISBN, 1965, "reader")
    assert stored["tags"] == ["classic", "sf"]


def test_add_book_reuses_existing_tags(app, db, user, make_book):
    # GIVEN a tag that already exists
    make_book(tags=["classic"])

    # WHEN a new book uses it
    with app.app_context():
        catalogue.add_book(db.session.get(User, user.id), values(tags=["classic"]))

    # THEN no second tag of that name is created
    assert row_count(app, db, Tag) == 1


def test_add_book_leaves_year_and_tags_empty_when_not_given(app, db, user):
    # GIVEN clean values without the optional fields
    # WHEN the book is added
    with app.app_context():
        book = catalogue.add_book(db.session.get(User, user.id), {"title": "T", "author": "A", "isbn": DUNE_ISBN})

        # THEN it has no year and no tags
        assert (book.year, book.tags) == (None, [])


def test_add_book_with_a_taken_isbn_is_refused_before_any_insert(app, db, user, make_book):
    # GIVEN a book with an ISBN
    make_book(isbn=DUNE_ISBN)

    # WHEN another book with that ISBN is added
    with app.app_context(), recorded_statements(db.engine) as statements:
        with pytest.raises(catalogue.DuplicateISBN):
            catalogue.add_book(db.session.get(User, user.id), values(tags=["brand-new-tag"]))

    # THEN DuplicateISBN is raised by the check, before an INSERT is even tried
    # (the unique index is only the backstop for a race)
    assert not [sql for sql in statements if sql.startswith("INSERT")]


def test_add_book_that_loses_a_race_raises_and_writes_nothing(app, db, user, make_book, monkeypatch):
    # GIVEN a stored book, and the check patched to miss it (as when another
    # request saves the same ISBN between the check and the commit)
    make_book(isbn=DUNE_ISBN, tags=[])
    monkeypatch.setattr(catalogue, "isbn_in_use", lambda isbn, exclude_book_id=None: False)

    # WHEN a book with that ISBN and a new tag is added
    with app.app_context():
        with pytest.raises(catalogue.DuplicateISBN) as excinfo:
            catalogue.add_book(db.session.get(User, user.id), values(tags=["brand-new-tag"]))

    # THEN the unique index refuses it: DuplicateISBN, and neither the book nor
    # its tag is stored; the session is usable again
    assert excinfo.value.isbn == DUNE_ISBN
    assert (row_count(app, db, Book), row_count(app, db, Tag)) == (1, 0)


def test_change_book_replaces_fields_and_tags(app, db, make_book):
    # GIVEN a book with tags
    book = make_book(title="Dun", isbn=KINDRED_ISBN, year=1900, tags=["sf", "old"])

    # WHEN it is changed with new values and one of the old tags
    with app.app_context():
        catalogue.change_book(db.session.get(Book, book.id), values(tags=["sf", "desert"]))

    # THEN every field and the tag list are replaced
    stored = stored_book(app, db, book.id)
    assert (stored["title"], stored["isbn"], stored["year"], stored["tags"]) == (
        "Dune",
        DUNE_ISBN,
        1965,
        ["desert", "sf"],
    )


def test_change_book_replaces_the_whole_book_by_default(app, db, make_book):
    # GIVEN a book with a year and tags
    book = make_book(year=1979, tags=["sf"])

    # WHEN it is changed without ``partial`` and without year or tags
    with app.app_context():
        changed = catalogue.change_book(db.session.get(Book, book.id), {"title": "T", "author": "A", "isbn": book.isbn})

        # THEN the book is replaced (as by PUT): year and tags go back to empty
        assert (changed.title, changed.year, changed.tags) == ("T", None, [])


def test_partial_change_keeps_the_fields_left_out(app, db, make_book):
    # GIVEN a book with a year and tags
    book = make_book(year=1979, tags=["sf"])

    # WHEN only its title is changed with ``partial=True`` (as by PATCH)
    with app.app_context():
        changed = catalogue.change_book(db.session.get(Book, book.id), {"title": "New"}, partial=True)

        # THEN the year and the tags stay
        assert (changed.title, changed.year, [tag.name for tag in changed.tags]) == ("New", 1979, ["sf"])


@pytest.mark.parametrize("partial", [pytest.param(False, id="put"), pytest.param(True, id="patch")])
def test_change_to_a_taken_isbn_is_refused_before_any_update(app, db, make_book, partial):
    # GIVEN two books
    taken = make_book().isbn
    book = make_book(title="Kindred")

    # WHEN one is changed (whole or partial) to the other's ISBN
    with app.app_context(), recorded_statements(db.engine) as statements:
        with pytest.raises(catalogue.DuplicateISBN):
            catalogue.change_book(db.session.get(Book, book.id), values(isbn=taken), partial=partial)

    # THEN DuplicateISBN is raised by the check, before an UPDATE is even tried,
    # and the book keeps its title
    assert not [sql for sql in statements if sql.startswith("UPDATE")]
    assert stored_book(app, db, book.id)["title"] == "Kindred"


def test_delete_book_removes_the_book_but_keeps_its_tags(app, db, make_book):
    # GIVEN a book with a tag that another book shares
    book = make_book(tags=["classic"])
    other = make_book(tags=["classic"])

    # WHEN the book is deleted
    with app.app_context():
        catalogue.delete_book(db.session.get(Book, book.id))

    # THEN it is gone, the other book keeps the tag, and the tag still exists
    assert stored_book(app, db, book.id) is None
    assert stored_book(app, db, other.id)["tags"] == ["classic"]


# --- add_books: the bulk path of the importer and seed-demo ---------------------------------


def many_values(count, tag_prefix):
    """``count`` books, each sharing its tag with four others: one new tag per five books."""
    return [values(isbn=unique_isbn(), tags=[f"{tag_prefix} {n // 5}"]) for n in range(count)]


def test_add_books_adds_every_book_with_its_tags(app, db, user):
    # GIVEN fifteen books sharing three new tags, five books to a tag
    # WHEN they are added together
    with app.app_context():
        added = catalogue.add_books(db.session.get(User, user.id), many_values(15, "shared"))

    # THEN all fifteen are stored, and each tag exists once
    assert added == 15
    assert (row_count(app, db, Book), row_count(app, db, Tag)) == (15, 3)


def test_add_books_takes_a_book_without_tags(app, db, user):
    # GIVEN a book to add whose values have no "tags" key at all
    # WHEN it is added with add_books
    with app.app_context():
        catalogue.add_books(db.session.get(User, user.id), [{"title": "T", "author": "A", "isbn": DUNE_ISBN}])

    # THEN it is stored, with no tags
    with app.app_context():
        book = db.session.scalars(db.select(Book)).one()
        assert (book.isbn, book.tags) == (DUNE_ISBN, [])


def test_add_books_with_one_taken_isbn_writes_nothing(app, db, user, make_book):
    # GIVEN a stored book, and three books to add whose last has its ISBN
    taken = make_book(tags=[]).isbn
    books = [*many_values(2, "new"), values(isbn=taken, tags=["new 9"])]

    # WHEN they are added together
    with app.app_context(), pytest.raises(catalogue.DuplicateISBN, match=taken):
        catalogue.add_books(db.session.get(User, user.id), books)

    # THEN DuplicateISBN names that ISBN (the match above), and none of the three (nor their tags) is stored
    assert (row_count(app, db, Book), row_count(app, db, Tag)) == (1, 0)


def test_add_books_stores_the_fields_owner_tags_and_timestamps_of_each_book(app, db, user, make_book):
    # GIVEN "now" frozen at 5 January 2024, noon UTC, a stored tag "classic", and two
    # books to add: one tagged "sf" and "classic", one without a year or tags
    make_book(tags=["classic"])
    books = [values(), values(title="Kindred", author="Octavia E. Butler", isbn=KINDRED_ISBN, year=None, tags=[])]

    # WHEN they are added together
    with time_machine.travel(datetime(2024, 1, 5, 12, tzinfo=UTC), tick=False), app.app_context():
        catalogue.add_books(db.session.get(User, user.id), books)

    # THEN each is stored as add_book would store it: its fields, its owner, its tags
    # (the existing one reused, sorted by name), and "now" as its creation and update time
    with app.app_context():
        stored = [book.to_dict() for book in db.session.scalars(db.select(Book).where(Book.owner_id == user.id))]
    assert sorted((book["isbn"], book["title"], book["author"], book["year"], book["tags"]) for book in stored) == [
        ("9780441172719", "Dune", "Frank Herbert", 1965, ["classic", "sf"]),
        ("9780807083697", "Kindred", "Octavia E. Butler", None, []),
    ]
    assert {(book["owner"], book["created_at"], book["updated_at"]) for book in stored} == {
        ("reader", "2024-01-05T12:00:00+00:00", "2024-01-05T12:00:00+00:00")
    }
    assert row_count(app, db, Tag) == 2


def test_add_books_with_taken_isbns_names_each_of_them_in_the_batch_order(app, db, user, make_book):
    # GIVEN two stored books, Dune then Kindred, and four books to add whose second
    # has Kindred's ISBN and whose fourth has Dune's
    make_book(isbn=DUNE_ISBN, tags=[])
    make_book(isbn=KINDRED_ISBN, tags=[])
    books = [values(isbn=unique_isbn()), values(isbn=KINDRED_ISBN), values(isbn=unique_isbn()), values(isbn=DUNE_ISBN)]

    # WHEN they are added together
    with app.app_context(), pytest.raises(catalogue.DuplicateISBN) as excinfo:
        catalogue.add_books(db.session.get(User, user.id), books)

    # THEN DuplicateISBN names both taken ISBNs, Kindred's first (the batch's order),
    # its message names Kindred's, and nothing new is stored
    assert excinfo.value.isbns == ("9780807083697", "9780441172719")
    assert excinfo.value.isbn == "9780807083697"
    assert str(excinfo.value) == "A book with ISBN 9780807083697 is already in the catalogue."
    assert (row_count(app, db, Book), row_count(app, db, Tag)) == (2, 0)


def test_add_books_with_no_books_adds_nothing_without_a_statement(app, db, user):
    # GIVEN an empty list of books
    books = []

    # WHEN it is added
    with app.app_context():
        owner = db.session.get(User, user.id)
        with recorded_statements(db.engine) as statements:
            added = catalogue.add_books(owner, books)

    # THEN 0 books are added, and not one SQL statement is run (an INSERT given
    # no rows would try to write one row of defaults)
    assert added == 0
    assert statements == []
    assert row_count(app, db, Book) == 0


def statements_to_add(app, db, user, count, tag_prefix):
    with app.app_context():
        owner = db.session.get(User, user.id)
        with recorded_statements(db.engine) as statements:
            catalogue.add_books(owner, many_values(count, tag_prefix))
    return len(statements)


def test_add_books_runs_as_many_statements_for_200_books_as_for_10(app, db, user):
    # GIVEN 10 books with 2 new tags, then 200 books with 40 new tags
    # WHEN each batch is added
    few = statements_to_add(app, db, user, 10, "first")
    many = statements_to_add(app, db, user, 200, "second")

    # THEN both take the same number of SQL statements: a book or a tag costs a
    # row in a batched INSERT, not a query or a flush of its own (the import
    # of 20,000 rows was once quadratic)
    assert many == few


# --- finding books ---------------------------------------------------------------------


def test_get_book_with_the_largest_id_is_found(app, db, make_book):
    # GIVEN a book whose id is the largest the column holds (2**31 - 1)
    book = make_book(id=2**31 - 1)

    # WHEN it is looked up
    with app.app_context():
        found_isbn = catalogue.get_book(2**31 - 1).isbn

    # THEN it is found: only ids past the column's range are refused unasked
    assert found_isbn == book.isbn


@pytest.mark.parametrize("book_id", [pytest.param(2**31, id="past-the-column"), pytest.param(0, id="zero")])
def test_get_book_out_of_range_is_not_found_without_a_query(app, db, book_id):
    # GIVEN an id no INTEGER primary key can have
    # WHEN it is looked up
    with app.app_context(), recorded_statements(db.engine) as statements:
        with pytest.raises(catalogue.BookNotFound) as excinfo:
            catalogue.get_book(book_id)

    # THEN BookNotFound names the id, and the database was not asked
    assert str(excinfo.value) == f"There is no book with id {book_id}."
    assert statements == []


def person(db, make_user, owner, who):
    """The owner, an administrator, another user or an anonymous visitor, loaded
    in the current app context (so ``can()`` may follow ``user.role``)."""
    if who == "anonymous":
        return AnonymousUser()
    user_id = {"owner": owner.id, "admin": make_user(role="Administrator").id, "other": make_user().id}[who]
    return db.session.get(User, user_id)


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_the_owner_and_an_admin_get_the_book_to_change(app, db, make_user, make_book, who):
    # GIVEN a book, and its owner or an administrator
    owner = make_user()
    book = make_book(owner=owner)

    # WHEN they ask for the book to change it
    with app.app_context():
        got_id = catalogue.book_to_change(book.id, person(db, make_user, owner, who)).id

    # THEN they get it
    assert got_id == book.id


@pytest.mark.parametrize("who", [pytest.param("other", id="other-user"), "anonymous"])
def test_anyone_else_may_not_change_a_book(app, db, make_user, make_book, who):
    # GIVEN a book, and another user or an anonymous visitor
    owner = make_user()
    book = make_book(owner=owner)

    with app.app_context():
        asker = person(db, make_user, owner, who)

        # WHEN they ask for the book to change it, THEN NotAllowed says they can only change their own books
        with pytest.raises(catalogue.NotAllowed, match="^You can only change your own books.$"):
            catalogue.book_to_change(book.id, asker)


def test_search_books_puts_newest_first_whatever_the_insert_order(app, make_book):
    # GIVEN books whose creation times are not in insertion (id) order
    make_book(title="Middle", created_at=day(2))
    make_book(title="Newest", created_at=day(3))
    make_book(title="Oldest", created_at=day(1))

    # WHEN the first page is listed
    with app.app_context():
        listed = titles(catalogue.search_books(1, per_page=10))

    # THEN they come newest first, by creation time
    assert listed == ["Newest", "Middle", "Oldest"]


def test_search_books_breaks_creation_time_ties_by_newest_id(app, make_book):
    # GIVEN two books created at the same instant
    make_book(title="First in", created_at=day(1))
    make_book(title="Second in", created_at=day(1))

    # WHEN they are listed
    with app.app_context():
        listed = titles(catalogue.search_books(1, per_page=10))

    # THEN the one inserted later comes first (a stable order for pagination)
    assert listed == ["Second in", "First in"]


def test_search_books_splits_results_into_pages(app, five_books):
    # GIVEN five books and two per page
    # WHEN page 2 is listed
    with app.app_context():
        page = catalogue.search_books(2, per_page=2)

        # THEN it holds the third and fourth newest, and knows there are three pages
        assert titles(page) == ["Day 3", "Day 2"]
        assert (page.page, page.pages, page.total, page.has_prev, page.has_next) == (2, 3, 5, True, True)


def test_search_books_last_page_may_be_short(app, five_books):
    # GIVEN five books and two per page
    # WHEN the last page (3) is listed
    with app.app_context():
        page = catalogue.search_books(3, per_page=2)

        # THEN it holds only the oldest book and has no next page
        assert (titles(page), page.has_next) == (["Day 1"], False)


def test_search_books_past_the_last_page_raises_page_not_found(app, make_book):
    # GIVEN two books and two per page (one page)
    make_book()
    make_book()

    # WHEN page 2 is asked for, THEN PageNotFound names the page (the app turns it into a 404)
    with app.app_context(), pytest.raises(catalogue.PageNotFound, match=r"^There is no page 2\.$"):
        catalogue.search_books(2, per_page=2)


def test_search_books_first_page_of_an_empty_catalogue_is_empty_not_missing(app):
    # GIVEN no books at all
    # WHEN page 1 is listed
    with app.app_context():
        page = catalogue.search_books(1, per_page=10)

        # THEN it is an empty page (the page says "No books yet"), not an error
        assert (page.items, page.total) == ([], 0)


@pytest.fixture
def three_books(make_book):
    """Three books with distinct titles, authors and ISBNs."""
    make_book(title="Dune", author="Frank Herbert", isbn=DUNE_ISBN, created_at=day(1))
    make_book(title="Kindred", author="Octavia E. Butler", isbn=KINDRED_ISBN, created_at=day(2))
    make_book(title="100% Pure_Fiction", author="Anon", isbn="9780306406157", created_at=day(3))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param("dune", ["Dune"], id="title"),
        pytest.param("KINDRED", ["Kindred"], id="title-upper-case"),
        pytest.param("herbert", ["Dune"], id="author"),
        pytest.param("octavia e.", ["Kindred"], id="author-with-dot"),
        pytest.param("9780807", ["Kindred"], id="isbn-digits"),
        pytest.param("978-0-441", ["Dune"], id="isbn-with-hyphens"),
        pytest.param("  dune  ", ["Dune"], id="surrounding-spaces"),
        pytest.param("100%", ["100% Pure_Fiction"], id="percent-is-literal"),
        pytest.param("e_fic", ["100% Pure_Fiction"], id="underscore-is-literal"),
        pytest.param("d%e", [], id="percent-is-not-a-wildcard"),
        pytest.param("d_ne", [], id="underscore-is-not-a-wildcard"),
        pytest.param("o_tavia", [], id="underscore-is-not-a-wildcard-in-the-author"),
        pytest.param("97%0441", [], id="percent-is-not-a-wildcard-in-the-isbn"),
        pytest.param("978 0441 1727", ["Dune"], id="isbn-with-spaces"),
        pytest.param("-", [], id="only-a-hyphen-matches-no-isbn"),
        pytest.param("nothing like it", [], id="no-match"),
    ],
)
def test_search_books_matches_title_author_and_isbn(app, three_books, q, expected):
    # GIVEN a catalogue of three books
    # WHEN it is searched for ``q``
    with app.app_context():
        listed = titles(catalogue.search_books(1, per_page=10, q=q))

    # THEN only books with ``q`` in the title, author or ISBN are listed,
    # case-insensitively, with % and _ matched literally
    assert listed == expected


@pytest.mark.parametrize(
    "q", [pytest.param(None, id="none"), pytest.param("", id="empty"), pytest.param("   ", id="blank")]
)
def test_search_books_without_a_search_term_lists_everything(app, three_books, q):
    # GIVEN a catalogue of three books
    # WHEN it is searched with no real search term
    with app.app_context():
        total = catalogue.search_books(1, per_page=10, q=q).total

    # THEN there is no filter and all three are listed
    assert total == 3


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        pytest.param("sf", ["Dune"], id="one-book"),
        pytest.param("classic", ["Kindred", "Dune"], id="two-books-newest-first"),
        pytest.param("  CLASSIC ", ["Kindred", "Dune"], id="normalised"),
        pytest.param("poetry", [], id="no-book-has-it"),
        pytest.param("", ["Piranesi", "Kindred", "Dune"], id="empty-is-no-filter"),
        pytest.param(None, ["Piranesi", "Kindred", "Dune"], id="none-is-no-filter"),
    ],
)
def test_search_books_lists_only_books_with_the_tag(app, tagged_books, tag, expected):
    # GIVEN Dune (sf, classic), Kindred (classic) and Piranesi (no tags)
    # WHEN the books are searched by tag
    with app.app_context():
        listed = titles(catalogue.search_books(1, per_page=10, tag=tag))

    # THEN only the books with that tag are listed, newest first, the tag compared
    # after normalisation; no tag means no filter
    assert listed == expected


def test_search_books_combines_the_search_term_and_the_tag(app, tagged_books):
    # GIVEN Dune and Kindred, both tagged "classic"
    # WHEN the books are searched for "kindred" with the tag "classic"
    with app.app_context():
        listed = titles(catalogue.search_books(1, per_page=10, q="kindred", tag="classic"))

    # THEN only Kindred is listed: both conditions apply
    assert listed == ["Kindred"]


def test_tag_names_lists_the_tags_of_books_in_alphabetical_order(app, db, tagged_books, make_book):
    # GIVEN tagged books, and a tag whose only book was deleted
    orphaned = make_book(tags=["orphan"])
    with app.app_context():
        catalogue.delete_book(db.session.get(Book, orphaned.id))

        # WHEN the tag names are read
        names = catalogue.tag_names()

    # THEN each tag that has a book appears once, in alphabetical order; the orphan does not
    assert names == ["classic", "sf"]
    assert row_count(app, db, Tag) == 3  # the orphan is still stored, with no book


def test_filter_books_returns_the_requested_page(app, db, make_book):
    # GIVEN three books
    books = [make_book() for _ in range(3)]

    # WHEN page 2 of one book per page is asked for
    with app.app_context():
        pagination = catalogue.filter_books(page=2, per_page=1)

        # THEN the second book (by id) is returned
        assert ([book.id for book in pagination.items], pagination.total) == ([books[1].id], 3)


@pytest.mark.sqlite
def test_filtered_books_are_in_id_order_even_when_the_database_would_not_be(app, db, make_book):
    # GIVEN three books, and SQLite told to return unordered rows backwards
    ids = [make_book().id for _ in range(3)]

    # WHEN the API's book query runs
    with app.app_context(), unordered_selects_reversed(db):
        found = [book.id for book in db.session.scalars(catalogue.filtered_books())]

    # THEN the books still come oldest (lowest id) first: the order is in the query
    assert found == ids


def test_filtered_books_come_with_their_owner_and_tags_loaded(app, db, make_user, make_book, assert_num_queries):
    # GIVEN three books, each with its own owner and tags
    for n in range(3):
        make_book(owner=make_user(), tags=[f"tag {n}", "shared"])

    # WHEN a page of them is found and serialised as the API does (to_dict)
    with app.app_context():
        pagination = catalogue.filter_books(page=1, per_page=10)
        with assert_num_queries(0):
            items = [book.to_dict() for book in pagination.items]

    # THEN serialising ran no SQL at all (the assert_num_queries(0) block): no extra
    # query per book (the N+1 problem), and yet each item has its tags
    assert sorted(item["tags"] for item in items) == [["shared", "tag 0"], ["shared", "tag 1"], ["shared", "tag 2"]]
