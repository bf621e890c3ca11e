"""Unit tests of the book forms (BookForm, and the book list's TagFilterForm), without the views.

Patterns: form validated in a test request context; form pre-filled from an
object; custom validators that query the database; boundary values; parametrize
with ids; stacked parametrize; frozen clock with time-machine; pytest-flask
config fixture and options marker; form choices read from the database per
request; CSRF turned on for one test.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from flask import request
from werkzeug.datastructures import MultiDict

from sample_app.books.forms import BookForm, TagFilterForm
from sample_app.extensions import db
from sample_app.models import Book
from tests.helpers import duplicate_isbn_message, year_range_message

DUNE_ISBN = "9780441172719"
DUNE_ISBN10 = "0441172717"
KINDRED_ISBN = "9780807083697"
BLANK = "Must not be blank."


def valid_data(**overrides):
    data = {"title": "Dune", "author": "Frank Herbert", "isbn": DUNE_ISBN, "year": "1965", "tag_names": "sf"}
    data.update(overrides)
    return data


def submit(app, data, book_id=None):
    """POST ``data`` to a BookForm (an edit form of book ``book_id`` if given).

    Returns ``(valid, errors, clean data)``, read while the request context is
    open; the clean data (what the catalogue takes) is None for an invalid form.
    """
    with app.test_request_context("/books/new", method="POST", data=data):
        book = db.session.get(Book, book_id) if book_id is not None else None
        form = BookForm(obj=book)
        valid = form.validate()
        return valid, form.errors, form.clean_data() if valid else None


def test_valid_submission_passes_with_clean_data(app):
    # GIVEN a complete submission with stray spaces around the text fields
    data = valid_data(title="  Dune ", author=" Frank Herbert", tag_names=" SF, sf ")

    # WHEN the form is validated
    valid, errors, clean = submit(app, data)

    # THEN it is valid, the text is stripped, the year is an int and the tags a list
    assert valid, errors
    assert clean == {"title": "Dune", "author": "Frank Herbert", "isbn": DUNE_ISBN, "year": 1965, "tags": ["sf"]}


@pytest.mark.parametrize("name", ["title", "author", "isbn"])
@pytest.mark.parametrize("value", [pytest.param("", id="empty"), pytest.param("   ", id="blank")])
def test_required_fields_reject_empty_values(app, name, value):
    # GIVEN a submission with one required field empty or only spaces
    data = valid_data(**{name: value})

    # WHEN the form is validated
    valid, errors, _ = submit(app, data)

    # THEN that field, and only that field, says it must not be blank
    assert not valid
    assert errors == {name: [BLANK]}


def test_year_may_be_left_empty(app):
    # GIVEN a submission without a year
    data = valid_data(year="")

    # WHEN the form is validated
    valid, errors, clean = submit(app, data)

    # THEN it is valid and the year is None (not 0)
    assert valid, errors
    assert clean["year"] is None


def test_tags_may_be_left_empty(app):
    # GIVEN a submission without tags
    data = valid_data(tag_names="")

    # WHEN the form is validated
    valid, errors, clean = submit(app, data)

    # THEN it is valid, with no tags
    assert valid, errors
    assert clean["tags"] == []


@pytest.mark.parametrize("name", ["title", "author"])
def test_text_fields_accept_200_characters_but_not_201(app, name):
    # GIVEN a title or author at the length limit, and one character over it
    at_the_limit, over_it = valid_data(**{name: "x" * 200}), valid_data(**{name: "x" * 201})

    # WHEN each is validated
    valid_at_the_limit, errors_at_the_limit, _ = submit(app, at_the_limit)
    valid, errors, _ = submit(app, over_it)

    # THEN the first passes and the second names the limit
    assert valid_at_the_limit, errors_at_the_limit
    assert not valid
    assert errors == {name: ["Must be at most 200 characters."]}


@pytest.mark.parametrize(
    ("isbn", "message"),
    [
        pytest.param(
            "9780441172710",
            "'9780441172710' is not a valid ISBN-13 (bad check digit or characters).",
            id="isbn13-bad-check-digit",
        ),
        pytest.param(
            "0441172718",
            "'0441172718' is not a valid ISBN-10 (bad check digit or characters).",
            id="isbn10-bad-check-digit",
        ),
        pytest.param("12345", "'12345' is not an ISBN: expected 10 or 13 digits.", id="wrong-length"),
    ],
)
def test_isbn_validator_shows_the_checksum_message(app, isbn, message):
    # GIVEN an ISBN that is not valid
    data = valid_data(isbn=isbn)

    # WHEN the form is validated
    valid, errors, _ = submit(app, data)

    # THEN the ISBN field shows the message from sample_app.isbn.normalize_isbn
    assert not valid
    assert errors == {"isbn": [message]}


@pytest.mark.parametrize(
    "isbn", [pytest.param(DUNE_ISBN10, id="isbn10"), pytest.param("978-0-441-17271-9", id="hyphenated")]
)
def test_isbn_validator_accepts_other_spellings_of_a_valid_isbn(app, isbn):
    # GIVEN a valid ISBN written as an ISBN-10 or with hyphens
    data = valid_data(isbn=isbn)

    # WHEN the form is validated
    valid, errors, _ = submit(app, data)

    # THEN it is valid (the model stores it as 13 digits)
    assert valid, errors


@pytest.mark.parametrize(
    "isbn", [pytest.param(DUNE_ISBN, id="same-spelling"), pytest.param(DUNE_ISBN10, id="isbn10-of-it")]
)
def test_new_book_may_not_reuse_a_stored_isbn(app, make_book, isbn):
    # GIVEN a stored book
    make_book(isbn=DUNE_ISBN)

    # WHEN a new book is submitted with its ISBN, in any spelling
    valid, errors, _ = submit(app, valid_data(isbn=isbn))

    # THEN the ISBN field says the book is already in the catalogue
    assert not valid
    assert errors == {"isbn": [duplicate_isbn_message(DUNE_ISBN)]}


def test_edit_form_may_keep_the_books_own_isbn(app, make_book):
    # GIVEN a stored book
    book = make_book(isbn=DUNE_ISBN)

    # WHEN its edit form is submitted with its own ISBN unchanged
    valid, errors, _ = submit(app, valid_data(isbn=DUNE_ISBN), book_id=book.id)

    # THEN the form is valid: the book does not clash with itself
    assert valid, errors


def test_edit_form_may_not_take_another_books_isbn(app, make_book):
    # GIVEN two stored books
    make_book(isbn=DUNE_ISBN)
    book = make_book(isbn=KINDRED_ISBN)

    # WHEN one's edit form is submitted with the other's ISBN
    valid, errors, _ = submit(app, valid_data(isbn=DUNE_ISBN), book_id=book.id)

    # THEN the ISBN field says the book is already in the catalogue
    assert not valid
    assert errors == {"isbn": [duplicate_isbn_message(DUNE_ISBN)]}


# Frozen, so that "next year" is a known value. tick=False: time stands still.
IN_2030 = time_machine.travel(datetime(2030, 6, 1, tzinfo=UTC), tick=False)


@IN_2030
@pytest.mark.parametrize(
    "year",
    [
        pytest.param(1450, id="first-printed"),
        pytest.param(1965, id="past"),
        pytest.param(2030, id="this"),
        pytest.param(2031, id="next"),
    ],
)
def test_year_accepts_first_printed_year_to_next_year(app, year):
    # GIVEN "now" frozen in June 2030, and a year from 1450 to 2031 (next year: announced books)
    data = valid_data(year=str(year))

    # WHEN a book is submitted with it
    valid, errors, _ = submit(app, data)

    # THEN the form is valid
    assert valid, errors


@IN_2030
@pytest.mark.parametrize(
    "year",
    [
        pytest.param(1449, id="before-printing"),
        pytest.param(2032, id="two-years-ahead"),
        pytest.param(0, id="zero"),
        pytest.param(-5, id="negative"),
    ],
)
def test_year_rejects_years_outside_the_range(app, year):
    # GIVEN "now" frozen in June 2030, and a year before 1450 or after 2031
    data = valid_data(year=str(year))

    # WHEN a book is submitted with it
    valid, errors, _ = submit(app, data)

    # THEN the year field names the allowed range
    assert not valid
    assert errors == {"year": [year_range_message(2031)]}


def test_year_limit_follows_the_clock_not_the_import_time(app):
    # GIVEN the form module imported long ago, and a book from 2032
    data = valid_data(year="2032")

    # WHEN it is validated on the last day of 2030, and again on the first day of 2031
    with time_machine.travel(datetime(2030, 12, 31, tzinfo=UTC), tick=False):
        valid_in_2030, _, _ = submit(app, data)
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=UTC), tick=False):
        valid_in_2031, errors_in_2031, _ = submit(app, data)

    # THEN it goes from rejected to accepted: the limit is computed per validation
    assert valid_in_2030 is False
    assert valid_in_2031 is True, errors_in_2031


@IN_2030
def test_year_that_is_not_a_number_gets_the_years_one_message(app):
    # GIVEN a year that is not a whole number
    data = valid_data(year="nineteen")

    # WHEN the form is validated
    valid, errors, _ = submit(app, data)

    # THEN the field shows the year's one message, as for a year out of range
    assert not valid
    assert errors == {"year": [year_range_message(2031)]}


def test_tags_longer_than_the_column_are_rejected(app):
    # GIVEN a tag of 64 characters (what the column holds), and one of 65
    at_the_limit, over_it = valid_data(tag_names="ok, " + "t" * 64), valid_data(tag_names="ok, " + "t" * 65)

    # WHEN each is validated
    valid_at_the_limit, errors_at_the_limit, _ = submit(app, at_the_limit)
    valid, errors, _ = submit(app, over_it)

    # THEN the first passes, and for the second the tags field says so, instead of the database failing later
    assert valid_at_the_limit, errors_at_the_limit
    assert not valid
    assert errors == {"tag_names": ["Each tag must be at most 64 characters."]}


def test_edit_form_is_prefilled_from_the_book(app, make_book):
    # GIVEN a stored book with tags
    book = make_book(title="Dune", author="Frank Herbert", isbn=DUNE_ISBN, year=1965, tags=["SF", "classic"])

    # WHEN its edit form is built on a GET request (no form data)
    with app.test_request_context(f"/books/{book.id}/edit"):
        form = BookForm(obj=db.session.get(Book, book.id))
        data = form.data

    # THEN every field shows the book's value and the tags are a comma-separated list
    assert data["title"] == "Dune"
    assert data["author"] == "Frank Herbert"
    assert data["isbn"] == DUNE_ISBN
    assert data["year"] == 1965
    assert data["tag_names"] == "classic, sf"


def test_posted_values_win_over_the_books_values(app, make_book):
    # GIVEN a stored book
    book = make_book(title="Old title", tags=["old"])

    # WHEN its edit form is built on a POST with new values
    valid, errors, clean = submit(app, valid_data(title="New title", tag_names="new"), book_id=book.id)

    # THEN the form holds the posted values, not the stored ones
    assert valid, errors
    assert (clean["title"], clean["tags"]) == ("New title", ["new"])


def test_new_form_starts_empty(app):
    # GIVEN no book
    # WHEN the add form is built on a GET request
    with app.test_request_context("/books/new"):
        data = BookForm().data

    # THEN its fields are empty
    assert (data["title"], data["isbn"], data["year"], data["tag_names"]) == ("", "", "", "")


def test_form_data_passed_to_the_form_wins_over_the_request(app):
    # GIVEN a POST request with no form body, and data passed to the form itself (``BookForm(formdata)``)
    with app.test_request_context("/books/new", method="POST"):
        form = BookForm(MultiDict(valid_data()))

        # WHEN the form is validated
        valid = form.validate()

    # THEN the data passed in is what is validated
    assert valid, form.errors
    assert form.title.data == "Dune"


# --- TagFilterForm ------------------------------------------------------------------


def filter_by(app, query_string):
    """A TagFilterForm made and validated from ``query_string``, as the list view does.

    Returns ``(valid, errors, tag, choices)``, read while the request context is open.
    """
    with app.test_request_context("/books/", query_string=query_string):
        form = TagFilterForm(request.args)
        valid = form.validate()
        return valid, form.errors, form.tag.data, form.tag.choices


@pytest.fixture
def orphan_tag(app, db, make_book):
    """A tag "orphan" that is stored but on no book: its only book was deleted."""
    orphaned = make_book(tags=["orphan"])
    with app.app_context():
        db.session.delete(db.session.get(Book, orphaned.id))
        db.session.commit()


def test_tag_filter_choices_are_any_tag_and_the_tags_that_have_books(app, make_book, orphan_tag):
    # GIVEN books tagged "sf", "classic" and "SF" (the same tag), and a tag whose only book was deleted
    make_book(tags=["sf", "classic"])
    make_book(tags=["SF"])

    # WHEN the tag filter is made
    _, _, _, choices = filter_by(app, {})

    # THEN its choices are "Any tag" and each tag with a book, once, in alphabetical order
    assert choices == [("", "Any tag"), ("classic", "classic"), ("sf", "sf")]


def test_tag_filter_reads_its_choices_each_time_it_is_made(app, make_book):
    # GIVEN a tag filter made once, then a book with a new tag added
    make_book(tags=["sf"])
    _, _, _, before = filter_by(app, {})

    # WHEN the tag filter is made again (the next request)
    make_book(tags=["poetry"])
    valid, errors, tag, after = filter_by(app, {"tag": "poetry"})

    # THEN the new tag is a choice: the choices are read per form, not once at import
    assert before == [("", "Any tag"), ("sf", "sf")]
    assert after == [("", "Any tag"), ("poetry", "poetry"), ("sf", "sf")]
    assert (valid, errors, tag) == (True, {}, "poetry")


@pytest.mark.parametrize(
    ("query_string", "tag"),
    [
        pytest.param({}, "", id="no-tag"),
        pytest.param({"tag": ""}, "", id="any-tag"),
        pytest.param({"tag": "sf"}, "sf", id="a-tag"),
        pytest.param({"tag": "  SF "}, "sf", id="normalised"),
    ],
)
def test_tag_filter_accepts_any_tag_or_a_tag_with_books(app, make_book, query_string, tag):
    # GIVEN a book tagged "sf"
    make_book(tags=["sf"])

    # WHEN the tag filter is sent with no tag, "Any tag", or "sf" in any spelling
    valid, errors, data, _ = filter_by(app, query_string)

    # THEN it is valid, and its value is "" or the normalised tag
    assert valid, errors
    assert data == tag


@pytest.mark.parametrize("value", [pytest.param("zebra", id="unknown"), pytest.param("orphan", id="tag-without-books")])
def test_tag_filter_refuses_a_tag_that_is_not_a_choice(app, make_book, orphan_tag, value):
    # GIVEN a book tagged "sf", and a tag "orphan" with no book
    make_book(tags=["sf"])

    # WHEN the tag filter is sent with a tag no book has
    valid, errors, _, _ = filter_by(app, {"tag": value})

    # THEN it is invalid, with the field's "Not a valid choice."
    assert not valid
    assert errors == {"tag": ["Not a valid choice."]}


@pytest.mark.options(WTF_CSRF_ENABLED=True)
def test_tag_filter_needs_no_csrf_token(app, make_book):
    # GIVEN CSRF protection on (as in production), and a book tagged "sf"
    make_book(tags=["sf"])

    # WHEN the tag filter, a GET form, is sent without a token
    valid, errors, tag, _ = filter_by(app, {"tag": "sf"})

    # THEN it is valid: a shared or bookmarked filter link keeps working
    assert (valid, errors, tag) == (True, {}, "sf")
