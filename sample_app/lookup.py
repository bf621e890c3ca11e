"""A book's details by ISBN from an external catalogue (Open Library's books API).

One plain function, :func:`fetch_book_details`, given the ISBN and the app's
config mapping: nothing here reads a request, and a lookup writes nothing
anywhere. Each way a lookup can fail is one exception below, whose message can
be shown to the user as it is; the views turn them into a flashed message or
a JSON error.
"""

import logging
import re

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from . import catalogue

RETRY_STATUSES = (502, 503, 504)
# The first run of exactly four digits: "1965", "June 1965", "c1965", "May 12, 2005".
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")

# The app's own logger: its level follows the current app's LOG_LEVEL.
logger = logging.getLogger("sample_app")


class LookupFailed(Exception):
    """The details could not be fetched; ``str(error)`` says why, for the user."""

    message = "The book could not be looked up."

    def __init__(self, message=None):
        super().__init__(message or self.message)


class LookupBadISBN(LookupFailed):
    """The ISBN is not well formed, so it was not looked up (the ISBN rule's message)."""


class UnknownBook(LookupFailed):
    """The catalogue answered, but knows no book with this ISBN."""

    def __init__(self, isbn):
        super().__init__(f"The lookup service knows no book with ISBN {isbn}.")


class LookupTimeout(LookupFailed):
    """The catalogue took longer than the configured timeouts to connect or answer."""

    message = "The lookup service did not answer in time; try again later."


class LookupUnavailable(LookupFailed):
    """The catalogue is down or refusing: no connection, or an error status after the retries."""

    message = "The lookup service cannot be reached; try again later."


class LookupBadAnswer(LookupFailed):
    """The catalogue answered something that is not a book record (not JSON, wrong shape, no title)."""

    message = "The lookup service sent an answer that could not be read."


def retrying_session(config):
    """A session that retries a request after a failed connection or a 502, 503 or
    504, LOOKUP_RETRIES times, waiting LOOKUP_BACKOFF seconds, then twice that..."""
    retry = Retry(
        total=config["LOOKUP_RETRIES"],
        # Not after a read timeout: the user would wait the whole timeout again.
        read=False,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=config["LOOKUP_BACKOFF"],
        # A "Retry-After: 3600" would hold the user's request for an hour.
        respect_retry_after_header=False,
        # The last error response is returned, and judged below like any other.
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _get(isbn, config):
    """The catalogue's response for a (normalised) ``isbn``, or raise a :class:`LookupFailed`."""
    try:
        with retrying_session(config) as session:
            return session.get(
                f"{config['LOOKUP_URL'].removesuffix('/')}/api/books",
                params={"bibkeys": f"ISBN:{isbn}", "format": "json", "jscmd": "data"},
                timeout=(config["LOOKUP_CONNECT_TIMEOUT"], config["LOOKUP_READ_TIMEOUT"]),
            )
    except requests.Timeout as exc:  # connecting, or waiting for the headers
        logger.warning("ISBN lookup of %s timed out: %r", isbn, exc)
        raise LookupTimeout() from exc
    except requests.RequestException as exc:
        logger.warning("ISBN lookup of %s failed: %r", isbn, exc)
        # Once the headers are in, requests reports a stalled body as a ConnectionError.
        if exc.args and isinstance(exc.args[0], ReadTimeoutError):
            raise LookupTimeout() from exc
        raise LookupUnavailable() from exc


def _author(authors):
    """The authors' names joined with ", ", or None when the record names none."""
    if authors is None:
        return None
    if not isinstance(authors, list) or not all(
        isinstance(author, dict) and isinstance(author.get("name"), str) for author in authors
    ):
        raise LookupBadAnswer()
    return ", ".join(name for name in (author["name"].strip() for author in authors) if name) or None


def _year(publish_date):
    """The year in a free-text date, or None (none, or outside the catalogue's years)."""
    match = _YEAR.search(publish_date) if isinstance(publish_date, str) else None
    return catalogue.check_year(int(match[1]))[0] if match else None


def book_details(payload, isbn):
    """``{"title", "author", "year"}`` from the decoded answer for ``isbn``.

    Raises :class:`UnknownBook` when the answer has no record for it (Open
    Library answers ``{}``), :class:`LookupBadAnswer` when it is not the shape
    Open Library sends or the record has no title.
    """
    if not isinstance(payload, dict):
        raise LookupBadAnswer()
    record = payload.get(f"ISBN:{isbn}")
    if record is None:
        raise UnknownBook(isbn)
    if not isinstance(record, dict) or not isinstance(record.get("title"), str) or not record["title"].strip():
        raise LookupBadAnswer()
    return {
        "title": record["title"].strip(),
        "author": _author(record.get("authors")),
        "year": _year(record.get("publish_date")),
    }


def fetch_book_details(isbn, config):
    """``{"title", "author", "year"}`` of the book with ``isbn``, from ``LOOKUP_URL``.

    ``isbn`` may be written any way the ISBN rule accepts; only its normalised
    13 digits are sent. ``author`` and ``year`` (an int) are None when the
    catalogue does not give them. ``config`` is the app's config (or any
    mapping) with LOOKUP_URL, LOOKUP_CONNECT_TIMEOUT, LOOKUP_READ_TIMEOUT,
    LOOKUP_RETRIES and LOOKUP_BACKOFF.

    Raises :class:`LookupBadISBN`, :class:`UnknownBook`, :class:`LookupTimeout`,
    :class:`LookupUnavailable` or :class:`LookupBadAnswer`.
    """
    isbn, problem = catalogue.check_isbn(isbn)
    if problem:
        raise LookupBadISBN(problem)
    response = _get(isbn, config)
    if response.status_code == 404:
        raise UnknownBook(isbn)
    if response.status_code != 200:
        logger.warning("ISBN lookup of %s answered HTTP %s", isbn, response.status_code)
        raise LookupUnavailable()
    try:
        payload = response.json()
    except ValueError as exc:  # requests' JSONDecodeError is a ValueError
        raise LookupBadAnswer() from exc
    return book_details(payload, isbn)
