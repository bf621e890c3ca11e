"""The book catalogue: the one place that adds, changes, deletes and finds books.

Its rules for each field (title, author, ISBN, year, tags) and their messages
serve the HTML form, the JSON API, the CSV importer and the CLI alike. Plain
functions: nothing here reads a request, renders a page or builds a URL. The
callers turn the exceptions below into form errors, JSON errors or CLI messages.
"""

import unicodedata

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .clock import utcnow
from .extensions import db
from .isbn import InvalidISBN, normalize_isbn
from .models import Book, Tag, book_tags, in_batches
from .text import is_ascii_digits

MAX_TEXT_LENGTH = 200  # Book.title and Book.author are String(200)
MAX_TAG_LENGTH = 64  # Tag.name is String(64)
FIRST_PRINTED_YEAR = 1450  # Gutenberg
MAX_BOOK_ID = 2**31 - 1  # Book.id is a 32-bit INTEGER on PostgreSQL
REQUIRED_FIELDS = ("title", "author", "isbn")
# What a full replacement (PUT) writes for an optional field left out.
OPTIONAL_DEFAULTS = {"year": None, "tags": []}


class DuplicateISBN(ValueError):
    """Another book already has this ISBN.

    :func:`add_books` names every taken ISBN of its batch, in the batch's
    order: ``isbns``. The message and ``isbn`` are about the first.
    """

    def __init__(self, isbn, *more):
        super().__init__(f"A book with ISBN {isbn} is already in the catalogue.")
        self.isbn = isbn
        self.isbns = (isbn, *more)


class BookNotFound(LookupError):
    """There is no book with this id."""

    def __init__(self, book_id):
        super().__init__(f"There is no book with id {book_id}.")


class NotAllowed(PermissionError):
    """The user may not change this book."""

    def __init__(self):
        super().__init__("You can only change your own books.")


class PageNotFound(LookupError):
    """The requested page is past the last page of results."""

    def __init__(self, page):
        super().__init__(f"There is no page {page}.")


# --- the rules: each returns (clean value, None) or (None, message) ------------


def latest_allowed_year():
    """Next year (books are announced before they are printed), computed per call:
    a process running over New Year must accept the new year's books."""
    return utcnow().year + 1


def _unstorable(text):
    """Why (already stripped) text cannot be stored, or None."""
    categories = {unicodedata.category(char) for char in text}
    if "Cs" in categories:  # a lone surrogate ("\ud800" in JSON) cannot be encoded
        return "Must be valid Unicode text."
    if "Cc" in categories:  # NUL (which PostgreSQL refuses), tabs, escapes...
        return "Must not contain control characters."
    return None


def check_text(value):
    """A title or an author: text, stripped, not blank, at most 200 characters."""
    if not isinstance(value, str):
        return None, "Must be a string."
    value = value.strip()
    if not value:
        return None, "Must not be blank."
    problem = _unstorable(value)
    if problem:
        return None, problem
    if len(value) > MAX_TEXT_LENGTH:
        return None, f"Must be at most {MAX_TEXT_LENGTH} characters."
    return value, None


def check_isbn(value):
    """An ISBN-10 or ISBN-13 in any spelling, as its 13 digits."""
    if not isinstance(value, str):
        return None, "Must be a string."
    if not value.strip():
        return None, "Must not be blank."
    try:
        return normalize_isbn(value), None
    except InvalidISBN as exc:
        return None, str(exc)


def _year_problem():
    return f"Must be a whole number from {FIRST_PRINTED_YEAR} to {latest_allowed_year()}."


def check_year(value):
    """``None`` (unknown) or a whole number from 1450 to next year."""
    if value is None:
        return None, None
    # bool is a subclass of int: without this, true would be the year 1.
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not FIRST_PRINTED_YEAR <= value <= latest_allowed_year()
    ):
        return None, _year_problem()
    return value, None


def parse_year(text):
    """A year typed as text (a form field, a CSV cell): blank is ``None``."""
    text = text.strip()
    if not text:
        return None, None
    # At most four ASCII digits: int() alone also reads "²", "٣" and "1_000".
    if len(text) > 4 or not is_ascii_digits(text):
        return None, _year_problem()
    return check_year(int(text))


def check_tags(names):
    """A list of tag names: normalised (spaces collapsed, lower case), at most
    64 characters each, repeats dropped, order kept."""
    if not isinstance(names, list | tuple):
        return None, "Must be a list of strings."
    tags = []
    for position, name in enumerate(names, start=1):
        if not isinstance(name, str):
            return None, f"Tag {position}: Must be a string."
        name = Tag.normalize(name)
        if not name:
            return None, "Tags must not be blank."
        problem = _unstorable(name)
        if problem:
            return None, f"Tag {position}: {problem}"
        if len(name) > MAX_TAG_LENGTH:
            return None, f"Each tag must be at most {MAX_TAG_LENGTH} characters."
        tags.append(name)
    return list(dict.fromkeys(tags)), None


def split_tags(text, separator):
    """``"sf, classic,,SF"`` -> ``["sf", "classic", "SF"]``: the non-blank parts,
    for :func:`check_tags` (a form field uses ",", a CSV cell ";")."""
    return [part for part in text.split(separator) if part.strip()]


RULES = {
    "title": check_text,
    "author": check_text,
    "isbn": check_isbn,
    "year": check_year,
    "tags": check_tags,
}


def validate(data, partial=False):
    """Check a dict describing a book (decoded JSON, or a form's values).

    Returns ``(clean, errors)``: the clean fields and ``{}``, or ``{}`` and a
    message per field. Never both, so no half-valid data is written.
    ``partial=True`` checks only the fields present; otherwise title, author
    and isbn are required. Validating clean data again returns it unchanged.
    """
    errors = {key: "Unknown field." for key in data if key not in RULES}
    clean = {}
    for field, rule in RULES.items():
        if field not in data:
            if not partial and field in REQUIRED_FIELDS:
                errors[field] = "This field is required."
            continue
        value, problem = rule(data[field])
        if problem:
            errors[field] = problem
        else:
            clean[field] = value
    if errors:
        return {}, errors
    return clean, {}


# --- uniqueness ----------------------------------------------------------------


def isbn_in_use(isbn, exclude_book_id=None):
    """True if a book other than ``exclude_book_id`` has this (normalised) ISBN."""
    query = db.select(Book.id).where(Book.isbn == isbn)
    if exclude_book_id is not None:
        query = query.where(Book.id != exclude_book_id)
    return db.session.scalar(query.limit(1)) is not None


def isbns_in_use(isbns):
    """The subset of ``isbns`` already in the catalogue (a query per 500)."""
    found = set()
    for batch in in_batches(list(isbns)):
        found.update(db.session.scalars(db.select(Book.isbn).where(Book.isbn.in_(batch))))
    return found


def _commit(isbn):
    """Commit, or roll back and raise :class:`DuplicateISBN`.

    Callers check :func:`isbn_in_use` first, but another request can take the
    same ISBN between that check and this commit: the unique index is the real
    guard, and the ISBN is the only unique column a book write touches.
    """
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateISBN(isbn) from None


# --- writes ----------------------------------------------------------------------


def new_book(owner, title, author, isbn, year=None, tags=()):
    """A book built from clean values and added to the session, not committed.

    The one place a ``Book`` is made: pages, API, importer, seed data and the
    tests' factories all come here.
    """
    book = Book(owner_id=owner.id, title=title, author=author, isbn=isbn, year=year)
    book.tags = Tag.get_or_create(tags)
    db.session.add(book)
    return book


def add_book(owner, data):
    """Add and commit a book owned by ``owner`` from clean ``data`` (see :func:`validate`).

    Raises :class:`DuplicateISBN`, having written nothing.
    """
    if isbn_in_use(data["isbn"]):
        raise DuplicateISBN(data["isbn"])
    book = new_book(owner, data["title"], data["author"], data["isbn"], data.get("year"), data.get("tags", ()))
    _commit(book.isbn)
    return book


def change_book(book, data, partial=False):
    """Apply clean ``data`` to ``book`` and commit.

    ``partial`` changes only the given fields; otherwise the book is replaced:
    an optional field left out goes back to its default. Raises
    :class:`DuplicateISBN` for another book's ISBN, with the book unchanged.
    """
    if not partial:
        data = {**OPTIONAL_DEFAULTS, **data}
    if "isbn" in data and isbn_in_use(data["isbn"], exclude_book_id=book.id):
        raise DuplicateISBN(data["isbn"])
    if "tags" in data:
        book.tags = Tag.get_or_create(data["tags"])
    for field in ("title", "author", "isbn", "year"):
        if field in data:
            setattr(book, field, data[field])
    _commit(book.isbn)
    return book


def _tag_ids(names):
    """``{name: id}`` for the (normalised) tag ``names``, the new ones inserted:
    a query per 500 names, and one batched INSERT for all the new ones."""
    ids = {}
    for batch in in_batches(names):
        ids.update(db.session.execute(sa.select(Tag.name, Tag.id).where(Tag.name.in_(batch))).all())
    new = [{"name": name} for name in names if name not in ids]
    if new:
        tags = Tag.__table__
        ids.update(db.session.execute(sa.insert(tags).returning(tags.c.name, tags.c.id), new).all())
    return ids


def add_books(owner, books):
    """Add many books (dicts of clean values) for ``owner`` in one transaction.

    All or nothing: raises :class:`DuplicateISBN` naming every ISBN already
    in the catalogue, having written nothing. The cost per book is flat and
    small: the ISBNs and tags are looked up once for the whole batch (a query
    per 500), then the new tags, the books and their tag links are written by
    three batched INSERTs (SQLAlchemy sends the books in statements of up to
    1,000 rows), with no ORM object built per book. The rows are the ones
    :func:`new_book` would write, timestamps included (the columns' defaults).
    """
    books = list(books)
    if not books:
        return 0  # an INSERT given no rows would try to write one of defaults
    taken = isbns_in_use(book["isbn"] for book in books)
    if taken:
        raise DuplicateISBN(*[book["isbn"] for book in books if book["isbn"] in taken])
    try:
        tags_of = {book["isbn"]: Tag.normalize_all(book.get("tags", ())) for book in books}
        tag_ids = _tag_ids(Tag.normalize_all(name for names in tags_of.values() for name in names))
        owner_id = owner.id
        rows = [
            {
                "owner_id": owner_id,
                "title": book["title"],
                "author": book["author"],
                "isbn": book["isbn"],
                "year": book.get("year"),
            }
            for book in books
        ]
        table = Book.__table__
        # The ISBN is unique, so it matches each returned id to its book, in
        # whatever order the database sends them back.
        book_ids = dict(db.session.execute(sa.insert(table).returning(table.c.isbn, table.c.id), rows).all())
        links = [
            {"book_id": book_ids[isbn], "tag_id": tag_ids[name]} for isbn, names in tags_of.items() for name in names
        ]
        if links:
            db.session.execute(sa.insert(book_tags), links)
        db.session.commit()
    except Exception:
        # Never leave half a batch in the transaction, whatever went wrong where:
        # the next commit of this session would write it.
        db.session.rollback()
        raise
    return len(books)


def delete_book(book):
    """Delete ``book``; its tags stay for the other books that use them."""
    db.session.delete(book)
    db.session.commit()


# --- finding books -----------------------------------------------------------------


def get_book(book_id):
    """The book with ``book_id``, or raise :class:`BookNotFound`."""
    # Past the INTEGER column's range the database would raise, not find nothing.
    book = db.session.get(Book, book_id) if 0 < book_id <= MAX_BOOK_ID else None
    if book is None:
        raise BookNotFound(book_id)
    return book


def book_to_change(book_id, user):
    """The book, if ``user`` may change it (its owner, or an administrator).

    Raises :class:`BookNotFound` or :class:`NotAllowed`.
    """
    book = get_book(book_id)
    if not book.can_be_changed_by(user):
        raise NotAllowed()
    return book


def search_clause(q):
    """A WHERE clause matching ``q`` in title, author or ISBN; None for no search.

    Case-insensitive, with ``%`` and ``_`` taken literally. The ISBN is stored
    as 13 digits, so hyphens and spaces in ``q`` are ignored when matching it
    ("978-0-14" finds 9780140...).
    """
    q = " ".join((q or "").split())
    if not q:
        return None
    conditions = [Book.title.icontains(q, autoescape=True), Book.author.icontains(q, autoescape=True)]
    isbn_part = q.replace("-", "").replace(" ", "")
    if isbn_part:
        conditions.append(Book.isbn.icontains(isbn_part, autoescape=True))
    return db.or_(*conditions)


def tag_clause(tag):
    """A WHERE clause for books with the tag ``tag``, compared after the same
    normalisation as stored tags ("  SF " finds the books tagged "sf")."""
    return Book.tags.any(Tag.name == Tag.normalize(tag))


def search_books(page, per_page, q=None, tag=None):
    """One page of books, newest first, optionally matching ``q`` and having the tag ``tag``.

    Raises :class:`PageNotFound` for a page after the last one (page 1
    always exists, even when it is empty).
    """
    query = db.select(Book).order_by(Book.created_at.desc(), Book.id.desc())
    where = search_clause(q)
    if where is not None:
        query = query.where(where)
    if tag:
        query = query.where(tag_clause(tag))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if page > 1 and not pagination.items:
        raise PageNotFound(page)
    return pagination


def filtered_books(author=None, tag=None):
    """A query for books, oldest first, owners and tags loaded, optionally filtered.

    ``author`` matches case-insensitively anywhere in the author's name
    ("tolk" finds "J. R. R. Tolkien"; SQLite folds only ASCII letters).
    ``tag`` is a tag name, compared after the same normalisation as stored tags.
    """
    query = db.select(Book).options(selectinload(Book.owner), selectinload(Book.tags)).order_by(Book.id)
    if author:
        query = query.where(Book.author.icontains(author, autoescape=True))
    if tag:
        query = query.where(tag_clause(tag))
    return query


def filter_books(page, per_page, author=None, tag=None):
    """One page (a Flask-SQLAlchemy ``Pagination``) of :func:`filtered_books`."""
    return db.paginate(filtered_books(author, tag), page=page, per_page=per_page, error_out=False)


def tag_names():
    """The names of the tags at least one book has, in alphabetical order.

    Read from the database on each call: the book list's tag filter asks on
    every request, so a tag added a moment ago is offered at once.
    """
    return list(db.session.scalars(db.select(Tag.name).where(Tag.books.any()).order_by(Tag.name)))
