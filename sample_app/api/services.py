"""The API's logic as plain functions: validation, queries and writes.

:func:`validate_book_payload`, :func:`parse_pagination` and :func:`parse_filters` need neither a
request nor an app context, so unit tests (and Hypothesis) call them with
plain dicts (tests/unit/test_api_validation.py). The views in
``views.py`` only read the request, call these and serialise the result.
"""

import re

from flask import abort, url_for
from sqlalchemy.orm import selectinload

from ..book_rules import (
    FIRST_PRINTED_YEAR,
    MAX_BOOK_ID,
    MAX_TAG_LENGTH,
    MAX_TEXT_LENGTH,
    DuplicateISBN,
    commit_book,
    isbn_in_use,
    latest_allowed_year,
)
from ..extensions import db
from ..isbn import InvalidISBN, normalize_isbn
from ..models import Book, Tag

REQUIRED_FIELDS = ("title", "author", "isbn")
# What PUT writes for an optional field the client left out (PUT replaces the book).
OPTIONAL_DEFAULTS = {"year": None, "tags": []}

# Nine digits at most: int() of a huge digit string is slow (or refused),
# and page * per_page must fit in the database's OFFSET.
MAX_QUERY_NUMBER = 999_999_999
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class InvalidQuery(ValueError):
    """A query-string parameter the client must fix (becomes a 400)."""


# --- validation ----------------------------------------------------------------
# Each cleaner returns (clean value, None) or (None, message for the client).


def _text_problem(value):
    """Why ``value`` cannot be stored as text, or None if it can."""
    if not isinstance(value, str):
        return "Must be a string."
    if "\x00" in value:  # PostgreSQL text columns refuse NUL
        return "Must not contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. "\ud800" in the JSON
        return "Must be valid Unicode text."
    return None


def _clean_text(value):
    problem = _text_problem(value)
    if problem:
        return None, problem
    value = value.strip()
    if not value:
        return None, "Must not be blank."
    if len(value) > MAX_TEXT_LENGTH:
        return None, f"Must be at most {MAX_TEXT_LENGTH} characters."
    return value, None


def _clean_isbn(value):
    problem = _text_problem(value)
    if problem:
        return None, problem
    try:
        return normalize_isbn(value), None
    except InvalidISBN as exc:
        return None, f"{exc}."


def _clean_year(value):
    if value is None:
        return None, None
    latest = latest_allowed_year()
    # bool is a subclass of int: without this check true would be year 1.
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_PRINTED_YEAR <= value <= latest:
        return None, f"Must be a whole number from {FIRST_PRINTED_YEAR} to {latest}, or null."
    return value, None


def _clean_tags(value):
    if not isinstance(value, list):
        return None, "Must be a list of strings."
    names = []
    for position, item in enumerate(value, start=1):
        problem = _text_problem(item)
        if problem:
            return None, f"Tag {position}: {problem}"
        name = Tag.normalize(item)
        if not name:
            return None, "Tags must not be blank."
        if len(name) > MAX_TAG_LENGTH:
            return None, f"Each tag must be at most {MAX_TAG_LENGTH} characters."
        names.append(name)
    return list(dict.fromkeys(names)), None  # de-duplicated, order kept


CLEANERS = {
    "title": _clean_text,
    "author": _clean_text,
    "isbn": _clean_isbn,
    "year": _clean_year,
    "tags": _clean_tags,
}


def validate_book_payload(data, partial=False):
    """Check a decoded JSON object describing a book.

    Returns ``(clean, errors)``: either the cleaned fields and ``{}``, or
    ``{}`` and a message per field name. Never both, so no half-valid data
    is written. ``partial=True`` (PATCH) checks only the fields present;
    otherwise title, author and isbn are required. Clean values are
    stripped, the ISBN is the 13-digit form and tags are normalised, so
    validating clean data again returns it unchanged.
    """
    errors = {key: "Unknown field." for key in data if key not in CLEANERS}
    clean = {}
    for field, cleaner in CLEANERS.items():
        if field not in data:
            if not partial and field in REQUIRED_FIELDS:
                errors[field] = "This field is required."
            continue
        value, problem = cleaner(data[field])
        if problem:
            errors[field] = problem
        else:
            clean[field] = value
    if errors:
        return {}, errors
    return clean, {}


def _whole_number(args, name, default):
    raw = args.get(name)
    if raw is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
        raise InvalidQuery(f"{name} must be a whole number from 1 to {MAX_QUERY_NUMBER}")
    return int(raw)


def parse_pagination(args, config):
    """``(page, per_page)`` from query-string ``args``.

    Raises :class:`InvalidQuery` for a value that is not a whole number
    from 1 up; ``per_page`` defaults to API_PAGE_SIZE and is capped (not
    refused) at API_MAX_PAGE_SIZE.
    """
    page = _whole_number(args, "page", 1)
    per_page = _whole_number(args, "per_page", config["API_PAGE_SIZE"])
    return page, min(per_page, config["API_MAX_PAGE_SIZE"])


FILTERS = ("author", "tag")


def parse_filters(args):
    """The non-empty list filters (``author``, ``tag``) in query-string ``args``.

    (A NUL character never gets this far: sample_app.hooks refuses it for
    every query string.)
    """
    filters = {}
    for name in FILTERS:
        value = args.get(name, "").strip()
        if value:
            filters[name] = value
    return filters


# --- queries --------------------------------------------------------------------


def books_query(author=None, tag=None):
    """Books, oldest first, optionally filtered.

    ``author`` matches case-insensitively anywhere in the author's name
    ("tolk" finds "J. R. R. Tolkien"; SQLite folds only ASCII letters).
    ``tag`` is a tag name, compared after the same normalisation as stored tags.
    """
    query = db.select(Book).options(selectinload(Book.owner), selectinload(Book.tags)).order_by(Book.id)
    if author:
        # autoescape: a "%" or "_" the client typed is a literal, not a LIKE wildcard.
        query = query.where(Book.author.icontains(author, autoescape=True))
    if tag:
        query = query.where(Book.tags.any(Tag.name == Tag.normalize(tag)))
    return query


def find_books(page, per_page, author=None, tag=None):
    """One page (a Flask-SQLAlchemy ``Pagination``) of :func:`books_query`."""
    return db.paginate(books_query(author, tag), page=page, per_page=per_page, error_out=False)


def page_links(pagination, endpoint, **params):
    """Absolute URLs of this, the next, previous, first and last page.

    ``params`` (the filters) are kept in every link; next/prev are None at
    the ends. Needs a request context (it uses ``url_for``).
    """

    def link(page):
        return url_for(endpoint, page=page, per_page=pagination.per_page, **params, _external=True)

    return {
        "self": link(pagination.page),
        "next": link(pagination.next_num) if pagination.has_next else None,
        "prev": link(pagination.prev_num) if pagination.has_prev else None,
        "first": link(1),
        "last": link(max(pagination.pages, 1)),
    }


def get_book_or_404(book_id):
    message = f"There is no book with id {book_id}"
    # The <int:> URL converter takes any size; an id past the INTEGER
    # column's range makes the database raise (a 500), not find nothing.
    if book_id > MAX_BOOK_ID:
        abort(404, description=message)
    return db.get_or_404(Book, book_id, description=message)


def get_changeable_book(book_id, user):
    """The book, if ``user`` may change it: 404 if there is none, 403 if not theirs."""
    book = get_book_or_404(book_id)
    if not book.can_be_changed_by(user):
        abort(403, description="You can only change your own books")
    return book


# --- writes ---------------------------------------------------------------------


def create_book(data, owner):
    """Create and commit a book from validated ``data``, owned by ``owner``."""
    if isbn_in_use(data["isbn"]):
        raise DuplicateISBN(data["isbn"])
    # Tags first: their SELECT would autoflush a pending book and raise
    # the IntegrityError there instead of in commit_book().
    tags = Tag.get_or_create(data.get("tags", []))
    book = Book(
        owner_id=owner.id,
        title=data["title"],
        author=data["author"],
        isbn=data["isbn"],
        year=data.get("year"),
        tags=tags,
    )
    db.session.add(book)
    commit_book(book)
    return book


def update_book(book, data, partial=False):
    """Apply validated ``data`` to ``book`` and commit.

    ``partial`` (PATCH) changes only the given fields; otherwise (PUT) the
    book is replaced: an optional field left out goes back to its default.
    """
    if not partial:
        data = {**OPTIONAL_DEFAULTS, **data}
    if "isbn" in data and isbn_in_use(data["isbn"], exclude_book_id=book.id):
        raise DuplicateISBN(data["isbn"])
    if "tags" in data:
        book.tags = Tag.get_or_create(data["tags"])  # before the changes below, see create_book
    for field in ("title", "author", "isbn", "year"):
        if field in data:
            setattr(book, field, data[field])
    commit_book(book)
    return book
