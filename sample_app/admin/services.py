"""Plain functions behind the admin pages (no request access)."""

from werkzeug.utils import secure_filename


def check_upload_filename(filename):
    """Raise ValueError for an uploaded file name with path parts, or with
    nothing left once ``secure_filename`` has cleaned it.

    The file is never saved, but a name such as ``../../x.csv`` or
    ``..\\x.csv`` is a sign of a tampered request, so it is refused rather
    than quietly cleaned.
    """
    if "/" in filename or "\\" in filename:
        raise ValueError("Invalid file name: it must not contain a path.")
    if not secure_filename(filename):
        raise ValueError("Invalid file name.")
