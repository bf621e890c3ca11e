"""Functional tests of the admin CSV import page (``/admin/import``), as pytest functions.

Patterns: upload of a file from tests/assets; upload of in-memory bytes;
rejected upload writes nothing; request body over MAX_CONTENT_LENGTH; assets
folder fixture; parametrize with ids; owner and role checks; pytest-flask
config fixture and options marker; background job enqueued after commit;
after-commit callbacks captured; caplog for log records.

The unittest.TestCase class for the same page, which also runs under
``python -m unittest``, is in test_admin_import_unittest.py.
"""

import io

import pytest

from sample_app import jobs
from sample_app.extensions import db
from sample_app.models import Book
from tests.helpers import row_count

IMPORT_URL = "/admin/import"
DUNE_WITHOUT_YEAR = b"title,author,isbn,year,tags\nDune,Frank Herbert,9780441172719,,\n"
PATH_IN_NAME = "Invalid file name: it must not contain a path."


def upload(client, content, filename="books.csv", **kwargs):
    return client.post(IMPORT_URL, data={"csv_file": (io.BytesIO(content), filename)}, **kwargs)


def test_import_page_shows_the_upload_form(admin_client):
    """
    GIVEN a logged-in administrator
    WHEN they open the import page
    THEN it shows a multipart form with the file field and the expected columns
    """
    response = admin_client.get(IMPORT_URL)

    assert response.status_code == 200
    assert "Import books from a CSV file" in response.text
    assert 'enctype="multipart/form-data"' in response.text
    assert 'type="file"' in response.text
    assert 'name="csv_file"' in response.text
    assert "title,author,isbn,year,tags" in response.text


def test_upload_loads_books_and_redirects_to_the_book_list(app, admin, admin_client, assets):
    """
    GIVEN a logged-in administrator
    WHEN they upload a valid file
    THEN they land on the book list with "3 records loaded", and the books are theirs, with tags
    """
    response = upload(admin_client, (assets / "books_valid.csv").read_bytes(), follow_redirects=True)

    assert response.request.path == "/books/"
    assert "3 records loaded" in response.text
    with app.app_context():
        books = db.session.scalars(db.select(Book).order_by(Book.title)).all()
        assert [book.title for book in books] == ["Gödel, Escher, Bach", "Nineteen Eighty-Four", "The Hobbit"]
        assert {book.owner_id for book in books} == {admin.id}
        assert [tag.name for tag in books[2].tags] == ["classic", "fantasy"]


def test_upload_redirect_targets_the_book_list(admin_client, assets):
    """
    GIVEN a logged-in administrator
    WHEN a valid upload is not followed
    THEN the response is a redirect to the book list (post/redirect/get)
    """
    response = upload(admin_client, (assets / "books_valid.csv").read_bytes())

    assert response.status_code == 302
    assert response.headers["Location"] == "/books/"


def test_upload_queues_the_details_job_for_after_the_commit(app, admin_client, capture_after_commit):
    """
    GIVEN a logged-in administrator
    WHEN they upload a file of Dune without a year, inside a capture block
    THEN the books page says it was loaded, and the one callback that reached the
         import's commit is the job's send, for Dune's ISBN
    """
    with capture_after_commit() as callbacks:
        response = upload(admin_client, DUNE_WITHOUT_YEAR, follow_redirects=True)

    assert "1 records loaded" in response.text
    assert [(callback.func, callback.args) for callback in callbacks] == [
        (jobs.send_fill_in_details, (["9780441172719"],))
    ]


def test_upload_with_the_broker_down_loads_the_books_and_logs_the_failed_send(app, admin_client, monkeypatch, caplog):
    """
    GIVEN a broker URL whose port refuses connections (nothing listens on port 9 here)
    WHEN an administrator uploads a file of Dune without a year
    THEN the import is not refused (redirect, Dune stored), and an ERROR of the
         "sample_app" logger says the job's send failed after the commit
    """
    # The app's Celery app read CELERY_BROKER_URL when it was built: set its own setting.
    monkeypatch.setitem(app.extensions["celery"].conf, "broker_url", "redis://127.0.0.1:9/0")

    response = upload(admin_client, DUNE_WITHOUT_YEAR)

    assert response.status_code == 302
    assert row_count(app, db, Book) == 1
    errors = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert errors == ["send_fill_in_details failed after the commit; the data is committed"]


@pytest.mark.parametrize(
    ("asset_name", "messages"),
    [
        pytest.param("books_empty.csv", ["The file is empty"], id="empty-file"),
        pytest.param("books_header_only.csv", ["No rows to import"], id="header-only"),
        pytest.param(
            "books_wrong_header.csv",
            ["Line 1: Missing column(s): title, author.", "Line 1: Unknown column(s): name, writer"],
            id="wrong-header",
        ),
        pytest.param(
            "books_duplicate_isbn_in_file.csv",
            ["Line 4: isbn: 9780547928227 already appears on line 2."],
            id="duplicate-isbn-in-file",
        ),
        pytest.param("books_latin1.csv", ["The file is not UTF-8 text (first bad byte on line 2)"], id="not-utf8"),
    ],
)
def test_upload_rejects_file_contents(app, admin_client, assets, asset_name, messages):
    """
    GIVEN a logged-in administrator
    WHEN they upload a .csv file whose contents cannot be imported
    THEN the form comes back (400) saying why, and no book is written
    """
    response = upload(admin_client, (assets / asset_name).read_bytes())

    assert response.status_code == 400
    assert "Nothing was imported" in response.text
    for message in messages:
        assert message in response.text
    assert row_count(app, db, Book) == 0


def test_upload_with_bad_row_in_the_middle_loads_nothing_and_names_the_line(app, admin_client, assets):
    """
    GIVEN a file whose line 3 has a wrong ISBN check digit, between two good rows
    WHEN an administrator uploads it
    THEN line 3 is reported and not even the good rows (The Hobbit, Gatsby) are loaded
    """
    response = upload(admin_client, (assets / "books_bad_row_in_middle.csv").read_bytes())

    assert response.status_code == 400
    # Jinja escapes the quotes in the message.
    assert "Line 3: isbn: &#39;9780451524936&#39; is not a valid ISBN-13" in response.text
    assert "Line 2" not in response.text
    assert "Line 4" not in response.text
    assert row_count(app, db, Book) == 0


def test_upload_rejects_isbn_already_in_the_catalogue(app, admin_client, assets, make_book):
    """
    GIVEN Nineteen Eighty-Four (ISBN 9780451524935) already in the catalogue
    WHEN an administrator uploads books_valid.csv, which has it on line 4
    THEN line 4 is reported and the catalogue still holds only the one book
    """
    make_book(isbn="9780451524935")

    response = upload(admin_client, (assets / "books_valid.csv").read_bytes())

    assert response.status_code == 400
    assert "Line 4: isbn: A book with ISBN 9780451524935 is already in the catalogue." in response.text
    assert row_count(app, db, Book) == 1


def test_upload_rejects_file_without_csv_extension(app, admin_client, assets):
    """
    GIVEN a logged-in administrator
    WHEN they upload a .txt file
    THEN the field error "Only .csv files can be imported." is shown and no book is written
    """
    response = upload(admin_client, (assets / "not_a_csv.txt").read_bytes(), filename="not_a_csv.txt")

    assert response.status_code == 400
    assert "Only .csv files can be imported." in response.text
    assert row_count(app, db, Book) == 0


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        pytest.param("../../books.csv", PATH_IN_NAME, id="dot-dot-slash"),
        # Werkzeug's test client does not escape backslashes in the multipart
        # header, so this is what a correct client sends for ..\books.csv.
        pytest.param("..\\\\books.csv", PATH_IN_NAME, id="dot-dot-backslash"),
        pytest.param("/tmp/books.csv", PATH_IN_NAME, id="absolute-path"),
        # Nothing is left once the name is made safe.
        pytest.param("€€", "Invalid file name.", id="empty-once-made-safe"),
    ],
)
def test_upload_rejects_unsafe_file_name(app, admin_client, assets, filename, message):
    """
    GIVEN a valid file sent under a name with path parts (or no usable characters)
    WHEN an administrator uploads it
    THEN the field error says why the name is refused, and no book is written
    """
    response = upload(admin_client, (assets / "books_valid.csv").read_bytes(), filename=filename)

    assert response.status_code == 400
    assert f'<span class="error">{message}</span>' in response.text
    assert row_count(app, db, Book) == 0


@pytest.mark.parametrize(
    "send_empty_field",
    [pytest.param(False, id="no-file-part"), pytest.param(True, id="file-field-left-empty")],
)
def test_upload_without_a_file_is_rejected(app, admin_client, send_empty_field):
    """
    GIVEN a logged-in administrator
    WHEN the form is posted with no file part, or with the file field left empty
        (what a browser sends when no file was chosen)
    THEN the form comes back (400) asking for a file, and no book is written
    """
    data = {"csv_file": (io.BytesIO(b""), "")} if send_empty_field else {}

    response = admin_client.post(IMPORT_URL, data=data)

    assert response.status_code == 400
    assert "Choose a CSV file to upload." in response.text
    assert row_count(app, db, Book) == 0


@pytest.mark.options(MAX_CONTENT_LENGTH=256)
def test_upload_over_max_content_length_gets_the_413_page(app, admin_client, assets):
    """
    GIVEN MAX_CONTENT_LENGTH lowered to 256 bytes for this test
    WHEN an administrator uploads a larger file
    THEN the app's 413 page is shown and no book is written
    """
    content = (assets / "books_valid.csv").read_bytes() * 2

    response = upload(admin_client, content)

    assert response.status_code == 413
    assert "File too large" in response.text
    assert row_count(app, db, Book) == 0


def test_non_admin_gets_403_and_nothing_is_imported(app, user_client, assets):
    """
    GIVEN a logged-in user without the admin permission
    WHEN they post a valid file to the import page
    THEN they get the 403 page and no book is written
    """
    response = upload(user_client, (assets / "books_valid.csv").read_bytes())

    assert response.status_code == 403
    assert "You do not have permission" in response.text
    assert row_count(app, db, Book) == 0


def test_anonymous_is_redirected_to_login_and_nothing_is_imported(app, client, assets):
    """
    GIVEN a visitor who is not logged in
    WHEN they post a valid file to the import page
    THEN they are redirected to the login page (coming back here afterwards) and no book is written
    """
    response = upload(client, (assets / "books_valid.csv").read_bytes())

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=%2Fadmin%2Fimport"
    assert row_count(app, db, Book) == 0
