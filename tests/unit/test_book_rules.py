"""Unit tests of the rules shared by every way of adding a book (sample_app/book_rules.py).

Patterns: plain functions tested without HTTP; app context only around database
work; frozen clock with time-machine; simulated race past a uniqueness check;
nothing written after a failure; pytest.raises with match and excinfo.

In detail: testing logic without HTTP; database work inside ``with
app.app_context():``; controlling the clock with time-machine; simulating a
lost race (a duplicate found only at commit) and proving the session was rolled
back.
"""

from datetime import UTC, datetime

import pytest
import time_machine

from sample_app.book_rules import DuplicateISBN, commit_book, delete_book, isbn_in_use, latest_allowed_year
from sample_app.models import Book

DUNE_ISBN = "9780441172719"
KINDRED_ISBN = "9780807083697"


def test_latest_allowed_year_is_next_year_on_the_day_it_is_asked():
    """
    GIVEN the clock on New Year's Eve 2030, then on New Year's Day 2031
    WHEN the latest allowed publication year is asked each time
    THEN it is 2031, then 2032 (computed per call, not once at import)
    """
    with time_machine.travel(datetime(2030, 12, 31, 23, 59, tzinfo=UTC), tick=False):
        before = latest_allowed_year()
    with time_machine.travel(datetime(2031, 1, 1, 0, 1, tzinfo=UTC), tick=False):
        after = latest_allowed_year()

    assert (before, after) == (2031, 2032)


def test_duplicate_isbn_names_the_isbn():
    """
    GIVEN a duplicate-ISBN error
    WHEN it is shown or inspected
    THEN its message and its ``isbn`` attribute carry the ISBN
    """
    error = DuplicateISBN(DUNE_ISBN)

    assert str(error) == f"A book with ISBN {DUNE_ISBN} already exists"
    assert error.isbn == DUNE_ISBN


def test_isbn_in_use_finds_a_stored_isbn(app, make_book):
    """
    GIVEN a book with an ISBN
    WHEN that ISBN (and another) is checked
    THEN the first is in use and the second is not
    """
    make_book(isbn=DUNE_ISBN)

    with app.app_context():
        assert isbn_in_use(DUNE_ISBN) is True
        assert isbn_in_use(KINDRED_ISBN) is False


def test_isbn_in_use_ignores_the_excluded_book(app, make_book):
    """
    GIVEN a book with an ISBN
    WHEN the ISBN is checked excluding that book (it is being edited)
    THEN the ISBN is free for it, but not for any other book
    """
    book = make_book(isbn=DUNE_ISBN)
    other = make_book()

    with app.app_context():
        assert isbn_in_use(DUNE_ISBN, exclude_book_id=book.id) is False
        assert isbn_in_use(DUNE_ISBN, exclude_book_id=other.id) is True


def test_commit_book_turns_a_unique_violation_into_duplicate_isbn(app, db, make_book, make_user):
    """
    GIVEN a stored book, and a new book with the same ISBN added to the session
          without the isbn_in_use() check (as if another request won the race)
    WHEN commit_book() commits
    THEN DuplicateISBN names the ISBN, and the session was rolled back: the
         new book is not stored and the session can be used again
    """
    make_book(isbn=DUNE_ISBN, title="Dune")
    owner = make_user()

    with app.app_context():
        book = Book(title="Dune again", author="Frank Herbert", isbn=DUNE_ISBN, owner_id=owner.id)
        db.session.add(book)
        with pytest.raises(DuplicateISBN) as excinfo:
            commit_book(book)

        assert excinfo.value.isbn == DUNE_ISBN
        titles = db.session.scalars(db.select(Book.title).where(Book.isbn == DUNE_ISBN)).all()
        assert titles == ["Dune"]


def test_delete_book_removes_the_book_but_keeps_its_tags(app, db, make_book):
    """
    GIVEN a book with a tag that another book shares
    WHEN the book is deleted
    THEN it is gone, the other book keeps the tag, and the tag still exists
    """
    book = make_book(tags=["classic"])
    other = make_book(tags=["classic"])

    with app.app_context():
        delete_book(db.session.get(Book, book.id))

    with app.app_context():
        assert db.session.get(Book, book.id) is None
        assert [tag.name for tag in db.session.get(Book, other.id).tags] == ["classic"]
