"""Functional tests of the admin CSV import page (``/admin/import``), as a unittest.TestCase class.

Patterns: upload of a file from tests/assets; rejected upload writes nothing;
FlaskTestCase base class; addCleanup and addClassCleanup; parametrized unittest methods.

It runs under pytest and under ``python -m unittest``; the pytest functions
for the same page are in test_admin_import.py.
"""

from parameterized import parameterized
from werkzeug.datastructures import FileStorage

from sample_app.extensions import db
from sample_app.models import Book
from tests.base import FlaskTestCase
from tests.factories import create_user
from tests.helpers import ASSETS_DIR, row_count

IMPORT_URL = "/admin/import"


class AdminUploadTestCase(FlaskTestCase):
    def setUp(self):
        super().setUp()
        self.admin = create_user(role="Administrator")
        self.login(self.admin.email)

    def upload(self, asset_name):
        stream = open(ASSETS_DIR / asset_name, "rb")  # noqa: SIM115 (closed by addCleanup below)
        csv_file = FileStorage(stream=stream, filename=asset_name, content_type="text/csv")
        self.addCleanup(csv_file.close)
        return self.client.post(IMPORT_URL, data={"csv_file": csv_file}, follow_redirects=True)

    def test_admin_upload_loads_every_row(self):
        """
        GIVEN a logged-in administrator
        WHEN they upload books_valid.csv (3 rows)
        THEN the page says "3 records loaded" and the 3 books, owned by them, are in the database
        """
        response = self.upload("books_valid.csv")

        self.assertEqual(response.status_code, 200)
        self.assertIn("3 records loaded", response.text)
        books = db.session.scalars(db.select(Book).order_by(Book.title)).all()
        self.assertEqual([book.title for book in books], ["Gödel, Escher, Bach", "Nineteen Eighty-Four", "The Hobbit"])
        self.assertEqual({book.owner_id for book in books}, {self.admin.id})
        # The count on the page is what the database holds.
        self.assertEqual(row_count(self.app, db, Book), 3)

    @parameterized.expand(
        [
            ("empty_file", "books_empty.csv", "The file is empty"),
            ("bad_row", "books_bad_row_in_middle.csv", "Line 3: isbn: &#39;9780451524936&#39; is not a valid ISBN-13"),
            ("not_utf8", "books_latin1.csv", "The file is not UTF-8 text"),
        ]
    )
    def test_admin_upload_rejects_bad_file(self, _name, asset_name, message):
        """
        GIVEN a logged-in administrator
        WHEN they upload a file that cannot be imported
        THEN the form comes back with status 400 and the reason, and no book is written
        """
        response = self.upload(asset_name)

        self.assertEqual(response.status_code, 400)
        self.assertIn(message, response.text)
        self.assertEqual(row_count(self.app, db, Book), 0)
