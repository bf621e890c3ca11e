"""Rules about books shared by the HTML pages, the JSON API and the CSV importer.

One place for the limits (they follow the column sizes in models.py) and for
the duplicate-ISBN check, so the three ways of adding a book cannot drift apart.
"""

from sqlalchemy.exc import IntegrityError

from .clock import utcnow
from .extensions import db
from .models import Book

MAX_TEXT_LENGTH = 200  # Book.title and Book.author are String(200)
MAX_TAG_LENGTH = 64  # Tag.name is String(64)
FIRST_PRINTED_YEAR = 1450  # Gutenberg
MAX_BOOK_ID = 2**31 - 1  # Book.id is a 32-bit INTEGER on PostgreSQL


def latest_allowed_year():
    """Next year (books are announced before they are printed), computed per call."""
    return utcnow().year + 1


class DuplicateISBN(ValueError):
    """Another book already has this ISBN."""

    def __init__(self, isbn):
        super().__init__(f"A book with ISBN {isbn} already exists")
        self.isbn = isbn


def isbn_in_use(isbn, exclude_book_id=None):
    """True if a book other than ``exclude_book_id`` has this (normalised) ISBN."""
    query = db.select(Book.id).where(Book.isbn == isbn)
    if exclude_book_id is not None:
        query = query.where(Book.id != exclude_book_id)
    return db.session.scalar(query.limit(1)) is not None


def commit_book(book):
    """Commit the session, or roll it back and raise :class:`DuplicateISBN`.

    Callers check :func:`isbn_in_use` first, but another request can insert
    the same ISBN between that check and this commit: the unique index is
    the real guard, and ISBN is the only unique column a book write touches.
    """
    isbn = book.isbn
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateISBN(isbn) from None


def delete_book(book):
    db.session.delete(book)
    db.session.commit()
