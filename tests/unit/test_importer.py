"""Unit tests of the CSV importer (sample_app/importer.py), without a request:
row validation, file parsing, and import_books against the database.

Patterns: plain functions tested without HTTP; parametrize with ids; per-case
ids and marks with pytest.param; pytest.raises with match and excinfo; frozen
clock with time-machine; property-based tests with Hypothesis; composite
strategies; round-trip properties; never-raises properties; app context only
around database work; monkeypatch.setattr; simulated race past a uniqueness
check; rejected upload writes nothing; nothing written after a failure;
after-commit callbacks captured.
"""

import csv
import io
import string
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sample_app.importer import (
    BookRow,
    CSVImportError,
    RowError,
    _records,
    import_books,
    parse_books_csv,
    validate_row,
)
from sample_app.isbn import isbn13_check_digit
from sample_app.models import Book, Tag
from tests.helpers import recorded_statements, row_count

# The header the importer expects, written out rather than imported.
COLUMNS = ("title", "author", "isbn", "year", "tags")
HEADER = "title,author,isbn,year,tags\n"
HOBBIT = "The Hobbit,J. R. R. Tolkien,9780547928227,1937,fantasy;classic\n"
ORWELL = "Nineteen Eighty-Four,George Orwell,9780451524935,1949,\n"
GATSBY = "The Great Gatsby,F. Scott Fitzgerald,9780743273565,1925,\n"
DUNE = "Dune,Frank Herbert,9780441172719,1965,\n"
# "Now" for the tests whose messages name the latest allowed year (next year: 2031).
IN_2030 = datetime(2030, 6, 1, tzinfo=UTC)


def csv_bytes(*lines):
    return "".join(lines).encode("utf-8")


def good_row(**overrides):
    row = {"title": "Dune", "author": "Frank Herbert", "isbn": "9780441172719", "year": "1965", "tags": ""}
    row.update(overrides)
    return row


def messages(errors):
    return [str(error) for error in errors]


# --- validate_row: valid rows --------------------------------------------------


def test_validate_row_returns_a_normalised_book_row():
    # GIVEN a row with padded cells, a hyphenated ISBN and two tags
    row = {
        "title": "  Dune ",
        "author": " Frank Herbert",
        "isbn": "978-0-441-17271-9",
        "year": " 1965 ",
        "tags": "SF;Classic",
    }

    # WHEN it is validated as line 7
    book, errors = validate_row(row, 7)

    # THEN a BookRow comes back with stripped text, 13 digits, an int year and no errors
    assert errors == []
    assert book == BookRow(7, "Dune", "Frank Herbert", "9780441172719", 1965, ("sf", "classic"))


@pytest.mark.parametrize(
    ("overrides", "attribute", "expected"),
    [
        pytest.param({"isbn": "0-441-47812-3"}, "isbn", "9780441478125", id="isbn10-converted-to-isbn13"),
        pytest.param({"isbn": "978 0441 172719"}, "isbn", "9780441172719", id="isbn-with-spaces"),
        pytest.param({"year": ""}, "year", None, id="blank-year-is-none"),
        pytest.param({"year": "   "}, "year", None, id="whitespace-year-is-none"),
        pytest.param(
            {"tags": " Science  Fiction ; classic;;CLASSIC; "},
            "tags",
            ("science fiction", "classic"),
            id="tags-normalised-and-deduplicated",
        ),
        pytest.param({"tags": None}, "tags", (), id="missing-tags-cell-is-no-tags"),
    ],
)
def test_validate_row_normalises_cells(overrides, attribute, expected):
    # GIVEN a valid row with one cell written in a loose but accepted way
    # WHEN it is validated
    book, errors = validate_row(good_row(**overrides), 2)

    # THEN the BookRow holds the normalised value
    assert errors == []
    assert getattr(book, attribute) == expected


def test_validate_row_accepts_cells_of_exactly_the_maximum_length():
    # GIVEN a title and an author of 200 characters and a tag of 64 (the column sizes)
    # WHEN the row is validated
    book, errors = validate_row(good_row(title="t" * 200, author="a" * 200, tags="g" * 64), 2)

    # THEN it is valid and nothing is cut
    assert errors == []
    assert (book.title, book.author, book.tags) == ("t" * 200, "a" * 200, ("g" * 64,))


# --- validate_row: invalid rows ------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"title": ""}, "title: Must not be blank.", id="blank-title"),
        pytest.param({"title": "x" * 201}, "title: Must be at most 200 characters.", id="title-too-long"),
        pytest.param({"title": "Du\x00ne"}, "title: Must not contain control characters.", id="nul-in-title"),
        pytest.param({"author": "   "}, "author: Must not be blank.", id="blank-author"),
        pytest.param({"author": "a" * 201}, "author: Must be at most 200 characters.", id="author-too-long"),
        pytest.param({"isbn": ""}, "isbn: Must not be blank.", id="blank-isbn"),
        pytest.param(
            {"isbn": "9780441172710"},
            "isbn: '9780441172710' is not a valid ISBN-13 (bad check digit or characters).",
            id="isbn-bad-check-digit",
        ),
        pytest.param(
            {"isbn": "12345"}, "isbn: '12345' is not an ISBN: expected 10 or 13 digits.", id="isbn-wrong-length"
        ),
        pytest.param(
            {"isbn": "978044117271٩"},
            "isbn: '978044117271٩' is not a valid ISBN-13 (bad check digit or characters).",
            id="isbn-non-ascii-digit",
        ),
        pytest.param({"year": "nineteen"}, "year: Must be a whole number from 1450 to 2031.", id="year-not-a-number"),
        pytest.param({"year": "1965.5"}, "year: Must be a whole number from 1450 to 2031.", id="year-decimal"),
        pytest.param({"year": "-1965"}, "year: Must be a whole number from 1450 to 2031.", id="year-negative"),
        pytest.param({"year": "1449"}, "year: Must be a whole number from 1450 to 2031.", id="year-before-printing"),
        pytest.param({"tags": "ok;" + "t" * 65}, "tags: Each tag must be at most 64 characters.", id="tag-too-long"),
        pytest.param(
            {"tags": "sci\x01fi"}, "tags: Tag 1: Must not contain control characters.", id="control-character-in-tag"
        ),
    ],
)
def test_validate_row_rejects_bad_cell(time_machine, overrides, message):
    # GIVEN a row with one bad cell, and "now" frozen in 2030 (the year's message names 2031)
    time_machine.move_to(IN_2030, tick=False)

    # WHEN it is validated as line 5
    book, errors = validate_row(good_row(**overrides), 5)

    # THEN no BookRow comes back and the one error, on line 5, says what is wrong
    assert book is None
    assert errors == [RowError(5, message)]


def test_validate_row_reports_every_problem_in_the_row(time_machine):
    # GIVEN a row with a blank title, a bad ISBN and a bad year ("now" frozen in 2030)
    time_machine.move_to(IN_2030, tick=False)

    # WHEN it is validated
    book, errors = validate_row(good_row(title="", isbn="123", year="soon"), 3)

    # THEN there is one error for each of them, not just the first
    assert book is None
    assert messages(errors) == [
        "Line 3: title: Must not be blank.",
        "Line 3: isbn: '123' is not an ISBN: expected 10 or 13 digits.",
        "Line 3: year: Must be a whole number from 1450 to 2031.",
    ]


@pytest.mark.parametrize(
    ("year", "expected_errors"),
    [
        pytest.param("1450", [], id="first-printed-year"),
        pytest.param("2031", [], id="next-year"),
        pytest.param("2032", ["Line 2: year: Must be a whole number from 1450 to 2031."], id="year-after-next"),
    ],
)
def test_validate_row_year_range_follows_the_clock(time_machine, year, expected_errors):
    # GIVEN "now" frozen at 1 June 2030 (time-machine's fixture)
    time_machine.move_to(IN_2030, tick=False)

    # WHEN rows with years at the edges of the allowed range are validated
    book, errors = validate_row(good_row(year=year), 2)

    # THEN 1450 and next year (2031) pass and 2032 is refused
    assert (book is None) == bool(expected_errors)
    assert messages(errors) == expected_errors


def test_validate_row_names_each_blank_required_cell():
    # GIVEN a row whose title, author and ISBN are blank
    # WHEN it is validated
    _, errors = validate_row(good_row(title="", author=" ", isbn=""), 4)

    # THEN there is one exact message per blank cell
    assert messages(errors) == [
        "Line 4: title: Must not be blank.",
        "Line 4: author: Must not be blank.",
        "Line 4: isbn: Must not be blank.",
    ]


# --- RowError -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message", "text"),
    [
        pytest.param(3, "isbn: Must not be blank.", "Line 3: isbn: Must not be blank.", id="row-error-names-its-line"),
        pytest.param(None, "The file is empty.", "The file is empty.", id="file-error-has-no-line"),
    ],
)
def test_row_error_text_names_its_line_when_it_has_one(line, message, text):
    # GIVEN an error on a line, and one about the whole file
    # WHEN they are turned into text for the user
    shown = str(RowError(line, message))

    # THEN the first starts with "Line N:" and the second is just the message
    assert shown == text


# --- parse_books_csv --------------------------------------------------------------


def test_parse_reads_every_valid_row():
    # GIVEN a header and three good rows
    # WHEN the file is parsed
    rows, errors = parse_books_csv(csv_bytes(HEADER, HOBBIT, ORWELL, GATSBY))

    # THEN three BookRows come back, numbered by their physical line, and no errors
    assert errors == []
    assert [(row.line, row.title) for row in rows] == [
        (2, "The Hobbit"),
        (3, "Nineteen Eighty-Four"),
        (4, "The Great Gatsby"),
    ]


def test_parse_accepts_columns_in_any_order_and_case():
    # GIVEN a header with the columns shuffled and in mixed case
    data = csv_bytes(" ISBN,Tags,TITLE,Year,author\n", "9780441172719,sf,Dune,1965,Frank Herbert\n")

    # WHEN the file is parsed
    rows, errors = parse_books_csv(data)

    # THEN each cell is read from the column its header names
    assert errors == []
    assert rows == [BookRow(2, "Dune", "Frank Herbert", "9780441172719", 1965, ("sf",))]


def test_parse_accepts_a_utf8_byte_order_mark():
    # GIVEN a UTF-8 file that starts with a byte-order mark (as Excel saves it)
    # WHEN it is parsed
    rows, errors = parse_books_csv(b"\xef\xbb\xbf" + csv_bytes(HEADER, HOBBIT))

    # THEN the mark is not taken as part of the first column name
    assert errors == []
    assert rows[0].title == "The Hobbit"


def test_parse_rejects_bytes_that_are_not_utf8_naming_the_line():
    # GIVEN Latin-1 bytes with an "é" (0xE9) on line 3
    data = (HEADER + HOBBIT + "Les Misérables,Victor Hugo,9780140444308,1862,\n").encode("latin-1")

    # WHEN the file is parsed
    rows, errors = parse_books_csv(data)

    # THEN the only error says it is not UTF-8 and where the first bad byte is
    assert rows == []
    assert messages(errors) == ["The file is not UTF-8 text (first bad byte on line 3): save it as UTF-8."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "The file is empty.", id="zero-bytes"),
        pytest.param(b"\n \r\n", "The file is empty.", id="only-blank-lines"),
        pytest.param(HEADER.encode(), "No rows to import: the file has a header but no books.", id="header-only"),
        pytest.param(
            (HEADER + "\n,,,,\n").encode(),
            "No rows to import: the file has a header but no books.",
            id="header-and-blank-rows",
        ),
    ],
)
def test_parse_rejects_file_without_books(data, message):
    # GIVEN a file with no book rows
    # WHEN it is parsed
    rows, errors = parse_books_csv(data)

    # THEN there is a single error about the whole file (no line number)
    assert rows == []
    assert errors == [RowError(None, message)]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(
            "name,writer,isbn,year,tags\n",
            [
                "Line 1: Missing column(s): title, author.",
                "Line 1: Unknown column(s): name, writer; expected title,author,isbn,year,tags.",
            ],
            id="renamed-columns",
        ),
        pytest.param("title,author,isbn\n", ["Line 1: Missing column(s): year, tags."], id="missing-columns"),
        pytest.param(
            "title,author,isbn,year,tags,price\n",
            ["Line 1: Unknown column(s): price; expected title,author,isbn,year,tags."],
            id="extra-column",
        ),
        pytest.param(
            "title,author,isbn,year,tags,\n",
            ["Line 1: Unknown column(s): (blank); expected title,author,isbn,year,tags."],
            id="trailing-comma",
        ),
        pytest.param(
            "title,author,isbn,year,tags,Title\n", ["Line 1: Duplicate column(s): title."], id="duplicate-column"
        ),
        pytest.param(
            "title,author,isbn,year,tags,Title,AUTHOR\n",
            ["Line 1: Duplicate column(s): title, author."],
            id="two-duplicate-columns",
        ),
        pytest.param(
            "title,author,isbn,year,tags,,\n",
            [
                "Line 1: Duplicate column(s): (blank).",
                "Line 1: Unknown column(s): (blank); expected title,author,isbn,year,tags.",
            ],
            id="two-blank-columns",
        ),
    ],
)
def test_parse_rejects_header_naming_the_columns(header, expected):
    # GIVEN a header that does not name each expected column exactly once
    # WHEN the file is parsed
    rows, errors = parse_books_csv(csv_bytes(header, HOBBIT))

    # THEN only header errors come back (on line 1), naming the columns at fault
    assert rows == []
    assert messages(errors) == expected


def test_parse_numbers_errors_by_physical_line():
    # GIVEN a row whose quoted tags cell spans two lines, then a blank line, then a bad row
    data = csv_bytes(
        HEADER, 'Dune,Frank Herbert,9780441172719,1965,"sf;\nclassic"\n', "\n", "Bad,,9780451524935,1949,\n"
    )

    # WHEN the file is parsed
    rows, errors = parse_books_csv(data)

    # THEN the bad row is reported on the line it is on in an editor (line 5)
    assert rows[0].tags == ("sf", "classic")
    assert messages(errors) == ["Line 5: author: Must not be blank."]


def test_parse_reports_rows_with_the_wrong_number_of_values():
    # GIVEN a row with an unquoted comma in the title (six values for five columns)
    bad = "Gödel, Escher, Bach,Hofstadter,9780465026562,1979\n"

    # WHEN the file is parsed
    rows, errors = parse_books_csv(csv_bytes(HEADER, HOBBIT, bad, ORWELL))

    # THEN that line is reported with the counts, and the rows after it are still read
    assert [row.line for row in rows] == [2, 4]
    assert messages(errors) == ["Line 3: Expected 5 values, found 6."]


def test_parse_reports_duplicate_isbn_on_the_later_line():
    # GIVEN the same ISBN on lines 2 and 4 (once with hyphens)
    data = csv_bytes(HEADER, HOBBIT, ORWELL, "The Hobbit (again),Tolkien,978-0-547-92822-7,1937,\n")

    # WHEN the file is parsed
    rows, errors = parse_books_csv(data)

    # THEN line 4 is reported, naming line 2
    assert [row.line for row in rows] == [2, 3]
    assert messages(errors) == ["Line 4: isbn: 9780547928227 already appears on line 2."]


def test_parse_collects_errors_from_every_row_in_line_order():
    # GIVEN bad rows on lines 2 and 4 around a good one
    data = csv_bytes(HEADER, "No author,,9780547928227,1937,\n", ORWELL, "Bad year,Someone,9780743273565,year,\n")

    # WHEN the file is parsed
    _, errors = parse_books_csv(data)

    # THEN both are reported, in order (the user fixes the file in one go)
    assert [error.line for error in errors] == [2, 4]


def test_parse_reports_a_file_the_csv_module_cannot_read():
    # GIVEN a cell larger than the csv module's field size limit (128 KiB)
    data = csv_bytes(HEADER, HOBBIT, '"' + "x" * (csv.field_size_limit() + 1) + '",a,9780451524935,1949,\n')

    # WHEN the file is parsed
    rows, errors = parse_books_csv(data)

    # THEN a "not valid CSV" error comes back instead of an exception, and no rows
    assert rows == []
    assert messages(errors) == ["The file is not valid CSV: field larger than field limit (131072)."]


def test_parse_reads_a_file_with_old_mac_line_ends():
    # GIVEN a file whose lines end in a lone carriage return (classic Mac OS, some exports)
    data = csv_bytes(HEADER, HOBBIT, ORWELL).replace(b"\n", b"\r")

    # WHEN it is parsed
    rows, errors = parse_books_csv(data)

    # THEN every row is read, numbered by line
    assert errors == []
    assert [(row.line, row.title) for row in rows] == [(2, "The Hobbit"), (3, "Nineteen Eighty-Four")]


def test_records_start_at_line_1_and_keep_line_breaks_inside_quotes():
    # GIVEN CSV text with Windows line ends and a quoted cell holding one
    text = 'title,tags\r\n"Two\r\nlines",x\r\nlast,y\r\n'

    # WHEN it is split into records (_records, the helper parse_books_csv uses)
    records = list(_records(text))

    # THEN each record comes with the line it starts on (the header is line 1), and
    # the quoted cell keeps its "\r\n" as written (the csv module's newline="" rule)
    assert records == [(1, ["title", "tags"]), (2, ["Two\r\nlines", "x"]), (4, ["last", "y"])]


# --- import_books and the database ---------------------------------------------


def test_import_books_inserts_every_row_for_the_owner(app, db, make_user):
    # GIVEN a user and a file with three books, one of them tagged
    owner = make_user()

    # WHEN the file is imported for that user
    with app.app_context():
        count = import_books(csv_bytes(HEADER, HOBBIT, ORWELL, GATSBY), owner)

    # THEN the count is returned and the books, owner and tags are in the database
    assert count == 3
    with app.app_context():
        books = db.session.scalars(db.select(Book).order_by(Book.isbn)).all()
        assert [(book.isbn, book.year, book.owner_id) for book in books] == [
            ("9780451524935", 1949, owner.id),
            ("9780547928227", 1937, owner.id),
            ("9780743273565", 1925, owner.id),
        ]
        assert [tag.name for tag in books[1].tags] == ["classic", "fantasy"]


def test_import_books_reuses_existing_tags(app, db, make_user, make_book):
    # GIVEN a tag "fantasy" already used by a book
    existing = make_book(tags=["fantasy"])
    owner = make_user()

    # WHEN a file tagging a book "Fantasy" is imported
    with app.app_context():
        import_books(csv_bytes(HEADER, "The Hobbit,J. R. R. Tolkien,9780547928227,1937,Fantasy\n"), owner)

    # THEN the existing tag is reused, not duplicated
    with app.app_context():
        tags = db.session.scalars(db.select(Tag).where(Tag.name == "fantasy")).all()
        assert len(tags) == 1
        assert {book.id for book in tags[0].books} == {
            existing.id,
            db.session.scalar(db.select(Book.id).filter_by(isbn="9780547928227")),
        }


def test_import_books_writes_nothing_when_one_row_is_bad(app, db, make_user):
    # GIVEN a file whose middle row has a wrong ISBN check digit
    owner = make_user()
    bad = "Nineteen Eighty-Four,George Orwell,9780451524936,1949,\n"

    # WHEN it is imported
    with (
        app.app_context(),
        pytest.raises(CSVImportError, match=r"^1 problem\(s\) in the CSV file; nothing was imported$") as excinfo,
    ):
        import_books(csv_bytes(HEADER, HOBBIT, bad, GATSBY), owner)

    # THEN CSVImportError lists that line, and not even the good rows are written
    assert messages(excinfo.value.errors) == [
        "Line 3: isbn: '9780451524936' is not a valid ISBN-13 (bad check digit or characters)."
    ]
    assert row_count(app, db, Book) == 0


def test_import_books_rejects_isbn_already_in_the_catalogue(app, db, make_user, make_book):
    # GIVEN a book with ISBN 9780451524935 in the catalogue
    make_book(isbn="9780451524935")
    owner = make_user()

    # WHEN a file containing that ISBN on line 3 is imported
    with app.app_context(), pytest.raises(CSVImportError) as excinfo:
        import_books(csv_bytes(HEADER, HOBBIT, ORWELL), owner)

    # THEN the error names line 3 and the ISBN, and only the existing book remains
    assert messages(excinfo.value.errors) == [
        "Line 3: isbn: A book with ISBN 9780451524935 is already in the catalogue."
    ]
    assert row_count(app, db, Book) == 1


def test_import_refused_for_a_taken_isbn_sends_no_details_job(app, db, make_user, make_book, capture_after_commit):
    # GIVEN Dune in the catalogue, and a file of Dune without a year and The Hobbit
    make_book(isbn="9780441172719")
    owner = make_user()
    data = csv_bytes(HEADER, "Dune,Frank Herbert,9780441172719,,\n", HOBBIT)

    # WHEN the file is imported inside a capture block, and the session then commits
    # what it holds (as the next unit of work would)
    with app.app_context(), capture_after_commit() as callbacks:
        with pytest.raises(CSVImportError) as excinfo:
            import_books(data, owner)
        db.session.commit()

    # THEN the import is refused on Dune's line, and no job goes out: the details job
    # the import queued was dropped with its transaction
    assert messages(excinfo.value.errors) == [
        "Line 2: isbn: A book with ISBN 9780441172719 is already in the catalogue."
    ]
    assert callbacks == []
    assert row_count(app, db, Book) == 1


def test_import_books_looks_up_isbns_in_batches(app, db, monkeypatch, make_user, make_book):
    # GIVEN three books in the catalogue and a lookup batch size of two
    monkeypatch.setattr("sample_app.models.LOOKUP_BATCH_SIZE", 2)
    for isbn in ("9780547928227", "9780451524935", "9780743273565"):
        make_book(isbn=isbn)
    owner = make_user()

    # WHEN a file with their ISBNs and an unknown one is imported (four rows, known ones first and last)
    with app.app_context(), recorded_statements(db.engine) as statements:
        with pytest.raises(CSVImportError) as excinfo:
            import_books(csv_bytes(HEADER, HOBBIT, DUNE, ORWELL, GATSBY), owner)

    # THEN every known ISBN is reported on its line, found in two queries of two ISBNs each
    assert messages(excinfo.value.errors) == [
        "Line 2: isbn: A book with ISBN 9780547928227 is already in the catalogue.",
        "Line 4: isbn: A book with ISBN 9780451524935 is already in the catalogue.",
        "Line 5: isbn: A book with ISBN 9780743273565 is already in the catalogue.",
    ]
    assert len([sql for sql in statements if sql.startswith("SELECT")]) == 2


def test_import_books_turns_a_duplicate_found_at_commit_into_an_import_error(
    app, db, monkeypatch, make_user, make_book
):
    # GIVEN another request inserted an ISBN after the import checked (simulated by
    # making the catalogue's ISBN lookup find nothing)
    make_book(isbn="9780451524935")
    owner = make_user()
    monkeypatch.setattr("sample_app.catalogue.isbns_in_use", lambda isbns: set())

    # WHEN the import commits and the unique constraint fails
    with app.app_context():
        with pytest.raises(CSVImportError) as excinfo:
            import_books(csv_bytes(HEADER, HOBBIT, ORWELL), owner)
        # The same session that failed answers the count.
        book_count = db.session.scalar(db.select(db.func.count()).select_from(Book))

    # THEN CSVImportError says so, everything is rolled back and the session still works
    assert messages(excinfo.value.errors) == [
        "The catalogue changed during the import (a duplicate ISBN); nothing was imported, try again."
    ]
    assert book_count == 1


def test_import_books_rolls_back_on_an_unexpected_error(app, db, monkeypatch, make_user):
    # GIVEN a bug that makes the last write of a batch fail, the INSERT of the books'
    # tag links, after the new tags and the books were inserted in the same transaction
    owner = make_user()
    real_execute = db.session.execute
    inserted = []

    def execute_failing_on_the_tag_links(statement, *args, **kwargs):
        if getattr(statement, "is_insert", False):
            inserted.append(statement.table.name)
            if statement.table.name == "book_tags":
                raise RuntimeError("bug in the tag links")
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", execute_failing_on_the_tag_links)

    # WHEN a file is imported, and the session then commits what it holds
    with app.app_context():
        with pytest.raises(RuntimeError, match="bug in the tag links"):
            import_books(csv_bytes(HEADER, HOBBIT, ORWELL), owner)
        db.session.commit()  # what the next unit of work in this session would do

    # THEN the original exception propagated, after the three INSERTs were tried, and
    # nothing was left in the transaction for the later commit to write: no book, no tag
    assert inserted == ["tags", "books", "book_tags"]
    assert (row_count(app, db, Book), row_count(app, db, Tag)) == (0, 0)


def test_import_books_looks_the_isbns_up_once(app, db, make_user):
    # GIVEN a file of three new books
    owner = make_user()
    data = csv_bytes(HEADER, HOBBIT, ORWELL, GATSBY)

    # WHEN it is imported
    with app.app_context(), recorded_statements(db.engine) as statements:
        count = import_books(data, owner)

    # THEN the three are added, their ISBNs looked up in the catalogue by one query,
    # not by one for the import's check and another for the insert's
    assert count == 3
    assert len([sql for sql in statements if sql.startswith("SELECT books.isbn")]) == 1


# --- properties (Hypothesis) -----------------------------------------------------


# Cells a user could type: any text without control characters, already trimmed.
clean_text = (
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=200).map(str.strip).filter(bool)
)
# Built from integers and short texts rather than st.from_regex, which draws
# one character at a time and made these properties about twice as slow.
valid_isbns = st.builds("{}{:09d}".format, st.sampled_from(["978", "979"]), st.integers(0, 10**9 - 1)).map(
    lambda body: body + isbn13_check_digit(body)
)
# Up to next year (the latest allowed), computed once: the property holds for any year in range.
valid_years = st.none() | st.integers(1450, datetime.now(UTC).year + 1)
# One to three words of [a-z0-9]{1,10}, joined by single spaces.
tag_word = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10)
normalised_tags = st.lists(st.lists(tag_word, min_size=1, max_size=3).map(" ".join), max_size=4, unique=True)
any_cells = st.dictionaries(st.sampled_from(COLUMNS) | st.text(max_size=10), st.text(max_size=300))


@st.composite
def valid_rows(draw):
    title, author, year, tags = draw(clean_text), draw(clean_text), draw(valid_years), draw(normalised_tags)
    cells = {"title": title, "author": author, "isbn": draw(valid_isbns), "year": "" if year is None else str(year)}
    cells["tags"] = ";".join(tags)
    return cells, (title, author, cells["isbn"], year, tuple(tags))


@given(row=any_cells, line_no=st.integers(min_value=2, max_value=10**6))
def test_validate_row_never_raises_for_any_text(row, line_no):
    # GIVEN any dict of strings (any keys, any cell text)
    # WHEN it is validated
    book, errors = validate_row(row, line_no)

    # THEN it returns either a BookRow and no errors, or None and at least one error
    assert (book is None) == bool(errors)


@given(row=any_cells, line_no=st.integers(min_value=2, max_value=10**6))
def test_validate_row_errors_always_carry_the_line_number(row, line_no):
    # GIVEN any dict of strings and a line number
    # WHEN it is validated
    _, errors = validate_row(row, line_no)

    # THEN every error it reports is on that line
    assert all(isinstance(error, RowError) and error.line == line_no for error in errors)


@given(row=valid_rows(), line_no=st.integers(min_value=2, max_value=10**6))
def test_valid_rows_round_trip_through_validate_row(row, line_no):
    # GIVEN a row built from valid values
    cells, (title, author, isbn, year, tags) = row

    # WHEN it is validated
    book, errors = validate_row(cells, line_no)

    # THEN the BookRow holds exactly those values
    assert errors == []
    assert book == BookRow(line_no, title, author, isbn, year, tags)


@given(rows=st.lists(valid_rows(), max_size=5, unique_by=lambda row: row[0]["isbn"]))
def test_valid_rows_round_trip_through_a_csv_file(rows):
    # GIVEN valid rows written out by the csv module (quoting commas, quotes, non-ASCII)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(cells for cells, _ in rows)

    # WHEN the file is parsed
    parsed, errors = parse_books_csv(out.getvalue().encode("utf-8"))

    # THEN the same rows come back on lines 2, 3, ... (or "No rows" for none)
    assert [(row.title, row.author, row.isbn, row.year, row.tags) for row in parsed] == [values for _, values in rows]
    assert [row.line for row in parsed] == list(range(2, len(rows) + 2))
    assert bool(errors) is (not rows)


@given(data=st.binary(max_size=500))
def test_parse_never_raises_for_any_bytes(data):
    # GIVEN any bytes at all
    # WHEN they are parsed as a CSV file
    rows, errors = parse_books_csv(data)

    # THEN the parser answers with rows or errors (never an exception, never both empty)
    assert rows or errors
    assert all(isinstance(error, RowError) for error in errors)
