"""Bulk import of books from a CSV file: plain functions, no request needed.

The admin upload page and the ``flask import-books`` command both call
:func:`import_books`. It is all-or-nothing: every row is checked first, and
one bad row means nothing is written.

The file: UTF-8 (a byte-order mark is fine), a header naming the columns
``title,author,isbn,year,tags`` in any order and any case, then one book per
row. ``tags`` holds names separated by ``;``; ``year`` may be blank.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from .book_rules import FIRST_PRINTED_YEAR, MAX_TAG_LENGTH, MAX_TEXT_LENGTH, latest_allowed_year
from .extensions import db
from .isbn import InvalidISBN, normalize_isbn
from .models import Book, Tag

COLUMNS = ("title", "author", "isbn", "year", "tags")
TAG_SEPARATOR = ";"
# How many ISBNs go into one ``IN (...)`` query: SQLite caps bound parameters.
LOOKUP_BATCH_SIZE = 500

_YEAR = re.compile(r"[0-9]{1,4}")
# Control characters (incl. NUL, which PostgreSQL refuses) and lone surrogates
# (which cannot be encoded) have no place in a title, name or tag.
_FORBIDDEN_CATEGORIES = {"Cc", "Cs"}


@dataclass(frozen=True)
class BookRow:
    """One valid row, normalised and ready to insert."""

    line: int
    title: str
    author: str
    isbn: str
    year: int | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class RowError:
    """A problem in the file. ``line`` is the physical line (the header is
    line 1), or ``None`` when the problem is the file as a whole."""

    line: int | None
    message: str

    def __str__(self):
        return self.message if self.line is None else f"Line {self.line}: {self.message}"


class CSVImportError(Exception):
    """Raised by :func:`import_books` when nothing was imported; ``errors`` lists why."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the CSV file; nothing was imported")


def _has_forbidden_characters(value):
    return any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in value)


def _check_text(name, value):
    """The message for a bad required text cell, or ``None`` if it is fine."""
    if not value:
        return f"{name} is required"
    if len(value) > MAX_TEXT_LENGTH:
        return f"{name} is longer than {MAX_TEXT_LENGTH} characters"
    if _has_forbidden_characters(value):
        return f"{name} contains control characters"
    return None


def _parse_isbn(value):
    """``(isbn, None)`` or ``(None, message)``."""
    if not value:
        return None, "isbn is required"
    try:
        return normalize_isbn(value), None
    except InvalidISBN as exc:
        return None, str(exc)


def _parse_year(value):
    """``(year or None, None)`` or ``(None, message)``."""
    if not value:
        return None, None
    latest = latest_allowed_year()
    if not _YEAR.fullmatch(value) or not FIRST_PRINTED_YEAR <= int(value) <= latest:
        return None, f"year must be blank or a whole number from {FIRST_PRINTED_YEAR} to {latest}, not {value!r}"
    return int(value), None


def _parse_tags(value):
    """``(tags, messages)``: normalised names, de-duplicated, order kept."""
    names = [Tag.normalize(name) for name in value.split(TAG_SEPARATOR)]
    tags = tuple(dict.fromkeys(name for name in names if name))
    messages = []
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            messages.append(f"tag {tag[:20]!r}... is longer than {MAX_TAG_LENGTH} characters")
        elif _has_forbidden_characters(tag):
            messages.append(f"tag {tag!r} contains control characters")
    return tags, messages


def validate_row(row, line_no):
    """Check one row (a dict of column name -> cell text).

    Returns ``(BookRow, [])`` for a valid row, else ``(None, errors)`` with
    one :class:`RowError` per problem, each carrying ``line_no``. Never
    raises for string cells; missing or ``None`` cells count as blank.
    """
    cells = {column: (row.get(column) or "").strip() for column in COLUMNS}
    messages = [
        message for message in (_check_text("title", cells["title"]), _check_text("author", cells["author"])) if message
    ]
    isbn, isbn_error = _parse_isbn(cells["isbn"])
    year, year_error = _parse_year(cells["year"])
    tags, tag_errors = _parse_tags(cells["tags"])
    messages += [message for message in (isbn_error, year_error) if message] + tag_errors
    if messages:
        return None, [RowError(line_no, message) for message in messages]
    return BookRow(line_no, cells["title"], cells["author"], isbn, year, tags), []


def _decode(data):
    """``(text, None)`` or ``(None, RowError)``; a UTF-8 byte-order mark is dropped."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, RowError(None, f"File is not UTF-8 text (first bad byte on line {line}); save it as UTF-8")


def _check_header(header):
    """Errors for a header that does not name each column exactly once."""
    names = [name.strip().lower() for name in header]
    errors = []
    duplicates = [name or "(blank)" for name in dict.fromkeys(names) if names.count(name) > 1]
    missing = [column for column in COLUMNS if column not in names]
    unknown = [name or "(blank)" for name in dict.fromkeys(names) if name not in COLUMNS]
    if duplicates:
        errors.append(RowError(1, f"Duplicate column(s): {', '.join(duplicates)}"))
    if missing:
        errors.append(RowError(1, f"Missing column(s): {', '.join(missing)}"))
    if unknown:
        errors.append(RowError(1, f"Unknown column(s): {', '.join(unknown)}; expected {','.join(COLUMNS)}"))
    return names, errors


def _records(text):
    """Yield ``(first physical line, fields)`` for each CSV record.

    A quoted cell may span lines, so the record's line is where it starts.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for fields in reader:
        yield start, fields
        start = reader.line_num + 1


def parse_books_csv(data):
    """Read and validate a whole file: returns ``(rows, errors)``.

    ``rows`` are the valid :class:`BookRow` objects; ``errors`` the
    :class:`RowError` objects for everything else, in line order. A file
    with any error must not be imported.
    """
    text, error = _decode(data)
    if error:
        return [], [error]
    if not text.strip():
        return [], [RowError(None, "The file is empty")]
    rows, errors, first_line_of_isbn = [], [], {}
    records = _records(text)
    try:
        _, header = next(records)
        names, header_errors = _check_header(header)
        if header_errors:
            return [], header_errors
        for line, fields in records:
            if not any(field.strip() for field in fields):
                continue  # blank lines (and all-empty rows from spreadsheets) are skipped
            if len(fields) != len(names):
                errors.append(RowError(line, f"expected {len(names)} values, found {len(fields)}"))
                continue
            row, row_errors = validate_row(dict(zip(names, fields, strict=True)), line)
            if row is None:
                errors.extend(row_errors)
            elif row.isbn in first_line_of_isbn:
                errors.append(RowError(line, f"ISBN {row.isbn} already appears on line {first_line_of_isbn[row.isbn]}"))
            else:
                first_line_of_isbn[row.isbn] = line
                rows.append(row)
    except csv.Error as exc:
        return [], errors + [RowError(None, f"The file is not valid CSV: {exc}")]
    if not rows and not errors:
        errors.append(RowError(None, "No rows to import: the file has a header but no books"))
    return rows, errors


def find_existing_isbns(isbns):
    """The subset of ``isbns`` already in the catalogue."""
    isbns = list(isbns)
    found = set()
    for start in range(0, len(isbns), LOOKUP_BATCH_SIZE):
        batch = isbns[start : start + LOOKUP_BATCH_SIZE]
        found.update(db.session.scalars(db.select(Book.isbn).where(Book.isbn.in_(batch))))
    return found


def import_books(data, owner):
    """Import every book in the CSV ``data`` (bytes) for ``owner``; return the count.

    Validates every row, then checks the ISBNs against the database, then
    inserts all rows and commits once. Raises :class:`CSVImportError` with
    every problem found, having written nothing.
    """
    rows, errors = parse_books_csv(data)
    if not errors:
        existing = find_existing_isbns(row.isbn for row in rows)
        errors = [
            RowError(row.line, f"ISBN {row.isbn} is already in the catalogue") for row in rows if row.isbn in existing
        ]
    if errors:
        raise CSVImportError(errors)
    try:
        for row in rows:
            book = Book(title=row.title, author=row.author, isbn=row.isbn, year=row.year, owner_id=owner.id)
            book.tags = Tag.get_or_create(row.tags)
            db.session.add(book)
        db.session.commit()
    except Exception as exc:
        # Never leave half an import in the session, whatever went wrong.
        db.session.rollback()
        if isinstance(exc, sa.exc.IntegrityError):
            # Another request added one of these ISBNs (or tags) after the check above.
            message = "The catalogue changed during the import (duplicate ISBN); nothing was imported, try again"
            raise CSVImportError([RowError(None, message)]) from None
        raise
    return len(rows)
