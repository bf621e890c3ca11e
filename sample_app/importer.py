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
from dataclasses import dataclass

import sqlalchemy as sa

from . import catalogue, jobs
from .after_commit import run_after_commit
from .extensions import db

COLUMNS = ("title", "author", "isbn", "year", "tags")
TAG_SEPARATOR = ";"
CHANGED_DURING_IMPORT = "The catalogue changed during the import (a duplicate ISBN); nothing was imported, try again."


@dataclass(frozen=True)
class BookRow:
    """One valid row, its values clean (see :func:`sample_app.catalogue.validate`)."""

    line: int
    title: str
    author: str
    isbn: str
    year: int | None
    tags: tuple[str, ...]

    def values(self):
        return {"title": self.title, "author": self.author, "isbn": self.isbn, "year": self.year, "tags": self.tags}


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


def validate_row(row, line_no):
    """Check one row (a dict of column name -> cell text) with the catalogue's rules.

    Returns ``(BookRow, [])`` for a valid row, else ``(None, errors)`` with one
    :class:`RowError` per bad cell ("year: Must be a whole number..."), each
    carrying ``line_no``. Never raises for string cells; missing or ``None``
    cells count as blank.
    """
    cells = {column: row.get(column) or "" for column in COLUMNS}
    checked = {
        "title": catalogue.check_text(cells["title"]),
        "author": catalogue.check_text(cells["author"]),
        "isbn": catalogue.check_isbn(cells["isbn"]),
        "year": catalogue.parse_year(cells["year"]),
        "tags": catalogue.check_tags(catalogue.split_tags(cells["tags"], TAG_SEPARATOR)),
    }
    errors = [RowError(line_no, f"{column}: {problem}") for column, (_, problem) in checked.items() if problem]
    if errors:
        return None, errors
    values = {column: value for column, (value, _) in checked.items()}
    return BookRow(line_no, **{**values, "tags": tuple(values["tags"])}), []


def _decode(data):
    """``(text, None)`` or ``(None, RowError)``; a UTF-8 byte-order mark is dropped."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, RowError(None, f"The file is not UTF-8 text (first bad byte on line {line}): save it as UTF-8.")


def _check_header(header):
    """Errors for a header that does not name each column exactly once."""
    names = [name.strip().lower() for name in header]
    errors = []
    duplicates = [name or "(blank)" for name in dict.fromkeys(names) if names.count(name) > 1]
    missing = [column for column in COLUMNS if column not in names]
    unknown = [name or "(blank)" for name in dict.fromkeys(names) if name not in COLUMNS]
    if duplicates:
        errors.append(RowError(1, f"Duplicate column(s): {', '.join(duplicates)}."))
    if missing:
        errors.append(RowError(1, f"Missing column(s): {', '.join(missing)}."))
    if unknown:
        errors.append(RowError(1, f"Unknown column(s): {', '.join(unknown)}; expected {','.join(COLUMNS)}."))
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
        return [], [RowError(None, "The file is empty.")]
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
                errors.append(RowError(line, f"Expected {len(names)} values, found {len(fields)}."))
                continue
            row, row_errors = validate_row(dict(zip(names, fields, strict=True)), line)
            if row is None:
                errors.extend(row_errors)
            elif row.isbn in first_line_of_isbn:
                errors.append(
                    RowError(line, f"isbn: {row.isbn} already appears on line {first_line_of_isbn[row.isbn]}.")
                )
            else:
                first_line_of_isbn[row.isbn] = line
                rows.append(row)
    except csv.Error as exc:
        return [], errors + [RowError(None, f"The file is not valid CSV: {exc}.")]
    if not rows and not errors:
        errors.append(RowError(None, "No rows to import: the file has a header but no books."))
    return rows, errors


def import_books(data, owner):
    """Import every book in the CSV ``data`` (bytes) for ``owner``; return the count.

    Validates every row, then adds all rows in one transaction
    (:func:`sample_app.catalogue.add_books`), which first checks their ISBNs
    against the database. Raises :class:`CSVImportError` with every problem
    found (each ISBN already in the catalogue on its line), having written nothing.

    Once that transaction has committed, the books whose year was left blank
    go to a background job that looks their years up
    (:func:`sample_app.jobs.send_fill_in_details`); a refused import sends nothing.
    """
    rows, errors = parse_books_csv(data)
    if errors:
        raise CSVImportError(errors)
    no_year = [row.isbn for row in rows if row.year is None]
    if no_year:
        run_after_commit(jobs.send_fill_in_details, no_year)
    try:
        return catalogue.add_books(owner, [row.values() for row in rows])
    except catalogue.DuplicateISBN as exc:
        # Refused before anything was written, the transaction (and the job) still
        # open: end them, and name the line of each ISBN already in the catalogue.
        db.session.rollback()
        taken = set(exc.isbns)
        raise CSVImportError(
            [RowError(row.line, f"isbn: {catalogue.DuplicateISBN(row.isbn)}") for row in rows if row.isbn in taken]
        ) from None
    except sa.exc.IntegrityError:
        # Another request added one of these ISBNs (or tags) after add_books checked;
        # add_books has rolled its transaction back, and the job with it.
        raise CSVImportError([RowError(None, CHANGED_DURING_IMPORT)]) from None
