"""The catalogue's logic as plain functions: no request, no form objects.

The views read the request and call these; the unit tests call them directly
(tests/unit/test_book_services.py).
"""

import re

from ..book_rules import commit_book
from ..extensions import db
from ..isbn import normalize_isbn
from ..models import Book, Tag

PAGE_MESSAGE = "page must be a positive integer"
DUPLICATE_ISBN_MESSAGE = "A book with this ISBN is already in the catalogue."

# A page number this large is past the end of any catalogue. Stopping here
# keeps the OFFSET within a 64-bit integer: SQLite raises OverflowError above it.
MAX_PAGE = 10**9

_DIGITS = re.compile(r"[0-9]+")
_ISBN_SEPARATORS = re.compile(r"[\s-]")
_LIKE_SPECIALS = re.compile(r"([\\%_])")


class PageNotFound(LookupError):
    """The requested page is past the last page of results."""


def parse_page(value):
    """The ``page`` query-string value as an int >= 1; missing means page 1.

    Raises ValueError for anything else ("abc", "0", "-1", "2.5", "²").
    """
    if value is None:
        return 1
    if not _DIGITS.fullmatch(value) or int(value) < 1:
        raise ValueError(f"{PAGE_MESSAGE}, not {value!r}")
    return int(value)


def _contains(column, text):
    """Case-insensitive substring match with ``%`` and ``_`` taken literally."""
    literal = _LIKE_SPECIALS.sub(r"\\\1", text)
    return column.ilike(f"%{literal}%", escape="\\")


def search_filter(q):
    """A WHERE clause matching ``q`` in title, author or ISBN; None for no search.

    The ISBN is stored as 13 digits, so hyphens and spaces in ``q`` are
    ignored when matching it ("978-0-14" finds 9780140...).
    """
    q = " ".join((q or "").split())
    if not q:
        return None
    conditions = [_contains(Book.title, q), _contains(Book.author, q)]
    isbn_part = _ISBN_SEPARATORS.sub("", q)
    if isbn_part:
        conditions.append(_contains(Book.isbn, isbn_part))
    return db.or_(*conditions)


def list_books(page, per_page, q=None):
    """One page of books, newest first, optionally filtered by ``q``.

    Raises PageNotFound for a page after the last one (page 1 always exists,
    even when it is empty).
    """
    if page > MAX_PAGE:
        raise PageNotFound(f"There is no page {page}.")
    query = db.select(Book).order_by(Book.created_at.desc(), Book.id.desc())
    where = search_filter(q)
    if where is not None:
        query = query.where(where)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if page > 1 and not pagination.items:
        raise PageNotFound(f"There is no page {page}.")
    return pagination


def parse_tag_names(value):
    """``"a, b ,,A"`` -> ``["a", "b"]``: normalised, without blanks or repeats."""
    names = (Tag.normalize(part) for part in (value or "").split(","))
    return list(dict.fromkeys(name for name in names if name))


def _apply(book, data):
    # The ISBN is checked first, so a bad one leaves the session untouched.
    isbn = normalize_isbn(data["isbn"])
    # No autoflush: the tag queries would flush the book's new values early,
    # and a duplicate ISBN must fail in commit_book(), where it is handled.
    with db.session.no_autoflush:
        book.tags = Tag.get_or_create(parse_tag_names(data.get("tag_names")))
        book.title = data["title"]
        book.author = data["author"]
        book.isbn = isbn
        book.year = data.get("year")


def create_book(owner, data):
    """Add a book owned by ``owner`` from ``data`` (``BookForm.data`` or a
    dict with title, author, isbn, optional year and tag_names)."""
    book = Book(owner_id=owner.id)
    _apply(book, data)
    db.session.add(book)
    commit_book(book)
    return book


def update_book(book, data):
    """Replace the book's fields (and tags) with ``data``."""
    _apply(book, data)
    commit_book(book)
    return book


def user_can_change(user, book):
    """Only the owner or an administrator may edit or delete a book."""
    return book.can_be_changed_by(user)
