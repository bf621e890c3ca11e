"""Plain functions behind the admin pages (no request access)."""

from werkzeug.utils import secure_filename

from ..importer import import_books


def check_upload_filename(filename):
    """Raise ValueError for an uploaded file name with path parts, or with
    nothing left once ``secure_filename`` has cleaned it.

    The file is never saved, but a name such as ``../../x.csv`` or
    ``..\\x.csv`` is a sign of a tampered request, so it is refused rather
    than quietly cleaned.
    """
    if "/" in filename or "\\" in filename:
        raise ValueError("Invalid file name: it must not contain a path")
    if not secure_filename(filename):
        raise ValueError("Invalid file name")


def import_uploaded_books(upload, owner):
    """Import the books in an uploaded CSV file (a FileStorage) for ``owner``.

    Returns the count; raises :class:`sample_app.importer.CSVImportError`.
    """
    return import_books(upload.read(), owner)
