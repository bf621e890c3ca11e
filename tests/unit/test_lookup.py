"""Unit tests of the ISBN lookup client (sample_app/lookup.py) against a real local
HTTP server: answers, unknown books, timeouts, retries, refused connections and
nonsense.

Patterns: environment passed as an argument; parametrize with ids; per-case ids
and marks with pytest.param; pytest.raises with match and excinfo; caplog for
log records; expected values written in the test; HTTP client tested against a
local server.

A real server on 127.0.0.1 (which pytest-socket allows), not a stand-in for
``requests``: the retries, timeouts and connection errors happen inside requests
and urllib3, which a mock would skip. Each test passes the client a plain dict of
settings with two retries and no backoff, so a retried failure costs milliseconds.

Most tests use pytest-httpserver's shared ``httpserver``. Three fixtures below
stand in where it cannot show the behaviour: ``late_server`` for answers held
past the timeout, ``raw_server`` for the request line as sent, and
``refusing_url`` for a refused connection.
"""

import json
import logging
import re
import socket
import threading

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from sample_app import lookup
from tests.helpers import app_log_records

DUNE_ISBN = "9780441172719"
DUNE_ISBN10 = "0441172717"
QUERY = {"bibkeys": "ISBN:9780441172719", "format": "json", "jscmd": "data"}
DUNE_RECORD = {"title": "Dune", "authors": [{"name": "Frank Herbert"}], "publish_date": "1965"}
DUNE_ANSWER = {"ISBN:9780441172719": DUNE_RECORD}
DUNE_DETAILS = {"title": "Dune", "author": "Frank Herbert", "year": 1965}

UNKNOWN = "The lookup service knows no book with ISBN 9780441172719."
TIMEOUT = "The lookup service did not answer in time; try again later."
UNAVAILABLE = "The lookup service cannot be reached; try again later."
BAD_ANSWER = "The lookup service sent an answer that could not be read."


# --- settings and servers -----------------------------------------------------------


def settings_for(url, **overrides):
    """The client's settings for a server at ``url``: two retries, no backoff, 1 s timeouts."""
    return {
        "LOOKUP_URL": url,
        "LOOKUP_CONNECT_TIMEOUT": 1,
        "LOOKUP_READ_TIMEOUT": 1,
        "LOOKUP_RETRIES": 2,
        "LOOKUP_BACKOFF": 0,
        **overrides,
    }


@pytest.fixture
def settings(httpserver):
    """Settings pointing the client at the shared local server."""
    return settings_for(httpserver.url_for("").rstrip("/"))


def answer_with_record(httpserver, record):
    """Let the server answer the lookup of Dune with ``record`` as its entry."""
    httpserver.expect_request("/api/books", query_string=QUERY).respond_with_json({"ISBN:9780441172719": record})


def requests_made(httpserver):
    return len(httpserver.log)


@pytest.fixture
def answer_released():
    """Set when the test is over: a held handler may then answer."""
    return threading.Event()


@pytest.fixture
def late_server(answer_released):
    """A pytest-httpserver of this test's own, whose handlers may hold their answer until the test ends.

    Not the shared ``httpserver``: a handler the client gave up on would finish
    during the next test and land in its request log. Stopping this one waits for it.
    """
    server = HTTPServer()
    server.start()
    yield server
    answer_released.set()
    server.stop()


@pytest.fixture
def late_settings(late_server):
    """The lookup settings for ``late_server``, with a read timeout of 0.2 s."""
    return settings_for(late_server.url_for("").rstrip("/"), LOOKUP_READ_TIMEOUT=0.2)


@pytest.fixture
def held_answer(answer_released):
    """A handler that answers ``DUNE_ANSWER`` only once the test is over."""

    def answer_late(request):
        answer_released.wait(timeout=5)
        return Response(json.dumps(DUNE_ANSWER), content_type="application/json")

    return answer_late


@pytest.fixture
def raw_server():
    """A one-request server on a socket, which records the request line exactly as sent,
    and answers with Dune's record.

    Not pytest-httpserver: Python's http.server, under Werkzeug's server and so
    under pytest-httpserver, turns a leading "//" into "/" before any handler
    (or its RAW_URI) sees it, so a doubled slash could not fail a test there.
    """
    request_lines = []
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def answer_once():
            connection, _ = listener.accept()
            with connection:
                request_lines.append(connection.recv(65536).split(b"\r\n")[0].decode())
                body = json.dumps(DUNE_ANSWER).encode()
                head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                connection.sendall(head.encode() + b"Connection: close\r\n\r\n" + body)

        thread = threading.Thread(target=answer_once)
        thread.start()
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", request_lines
        thread.join(timeout=5)


@pytest.fixture
def refusing_url():
    """The URL of a local port bound by this test but not listening: connections are refused
    (a server, pytest-httpserver's too, would accept them)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


# --- answers ----------------------------------------------------------------------


def test_known_book_gives_title_author_and_year(httpserver, settings):
    # GIVEN a server that knows Dune (title, one author, publish_date "1965")
    answer_with_record(httpserver, DUNE_RECORD)

    # WHEN the client looks Dune up
    details = lookup.fetch_book_details(DUNE_ISBN, settings)

    # THEN it returns the title, the author and the year as an int, after one request
    assert details == DUNE_DETAILS
    assert requests_made(httpserver) == 1


def test_lookup_sends_the_normalised_isbn_in_the_query_string(httpserver, settings):
    # GIVEN a server that knows Dune
    httpserver.expect_request("/api/books").respond_with_json(DUNE_ANSWER)

    # WHEN the client looks up Dune written as a hyphenated ISBN-10
    lookup.fetch_book_details("0-441-17271-7", settings)

    # THEN it sends one GET to /api/books asking for the ISBN-13 as JSON data
    [(request, _)] = httpserver.log
    assert request.method == "GET"
    assert request.path == "/api/books"
    assert request.args.to_dict() == QUERY


def test_trailing_slash_of_the_lookup_url_is_not_doubled(raw_server):
    # GIVEN a LOOKUP_URL written with a trailing slash
    url, request_lines = raw_server

    # WHEN the client looks Dune up
    details = lookup.fetch_book_details(DUNE_ISBN, settings_for(url + "/"))

    # THEN the request line asks for /api/books, not //api/books (which a real server may not route)
    assert details == DUNE_DETAILS
    assert request_lines == ["GET /api/books?bibkeys=ISBN%3A9780441172719&format=json&jscmd=data HTTP/1.1"]


@pytest.mark.parametrize(
    ("publish_date", "year"),
    [
        pytest.param("1965", 1965, id="year-only"),
        pytest.param("June 1965", 1965, id="month-and-year"),
        pytest.param("May 12, 2005", 2005, id="full-date"),
        pytest.param("c1965", 1965, id="circa"),
        pytest.param("1200", None, id="before-printing"),
        pytest.param("19650", None, id="five-digits"),
        pytest.param("unknown", None, id="no-year"),
        pytest.param(1965, None, id="not-text"),
        pytest.param(None, None, id="null"),
    ],
)
def test_year_is_read_from_the_publish_date(httpserver, settings, publish_date, year):
    # GIVEN a record whose publish_date is free text (or not text at all)
    answer_with_record(httpserver, {"title": "Dune", "publish_date": publish_date})

    # WHEN the client looks the book up
    details = lookup.fetch_book_details(DUNE_ISBN, settings)

    # THEN the year is its four-digit year from 1450 on, else None
    assert details["year"] == year


def test_record_without_authors_or_date_has_none_for_them(httpserver, settings):
    # GIVEN a record with a title only
    answer_with_record(httpserver, {"title": " Dune "})

    # WHEN the client looks the book up
    details = lookup.fetch_book_details(DUNE_ISBN, settings)

    # THEN the author and the year are None, and the title is stripped
    assert details == {"title": "Dune", "author": None, "year": None}


@pytest.mark.parametrize(
    ("authors", "author"),
    [
        pytest.param([{"name": "Frank Herbert"}], "Frank Herbert", id="one"),
        pytest.param(
            [{"name": "Neil Gaiman"}, {"name": " Terry Pratchett "}], "Neil Gaiman, Terry Pratchett", id="two"
        ),
        pytest.param([], None, id="empty-list"),
        pytest.param([{"name": "  "}], None, id="blank-name"),
    ],
)
def test_authors_are_joined_with_commas(httpserver, settings, authors, author):
    # GIVEN a record listing no, one or two authors
    answer_with_record(httpserver, {"title": "Good Omens", "authors": authors})

    # WHEN the client looks the book up
    details = lookup.fetch_book_details(DUNE_ISBN, settings)

    # THEN the author is their names joined with ", " (None when there is no name)
    assert details["author"] == author


# --- unknown books and bad ISBNs ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param("{}", 200, id="empty-answer"),
        pytest.param('{"ISBN:9780807083697": {"title": "Kindred"}}', 200, id="another-books-record"),
        pytest.param("Not found", 404, id="http-404"),
    ],
)
def test_unknown_book_is_an_unknown_book_error(httpserver, settings, body, status):
    # GIVEN a server with no record for Dune (Open Library answers {}; a 404 means the same)
    httpserver.expect_request("/api/books").respond_with_data(body, status=status, content_type="application/json")

    # WHEN the client looks Dune up
    with pytest.raises(lookup.UnknownBook) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN10, settings)

    # THEN UnknownBook names the ISBN, after one request
    assert str(excinfo.value) == UNKNOWN
    assert requests_made(httpserver) == 1


@pytest.mark.parametrize(
    ("isbn", "message"),
    [
        pytest.param("12345", "'12345' is not an ISBN: expected 10 or 13 digits.", id="wrong-length"),
        pytest.param(
            "9780441172710",
            "'9780441172710' is not a valid ISBN-13 (bad check digit or characters).",
            id="bad-check-digit",
        ),
        pytest.param("  ", "Must not be blank.", id="blank"),
    ],
)
def test_badly_formed_isbn_is_refused_without_a_request(httpserver, settings, isbn, message):
    # GIVEN an ISBN the ISBN rule refuses
    # WHEN the client is asked to look it up
    with pytest.raises(lookup.LookupBadISBN) as excinfo:
        lookup.fetch_book_details(isbn, settings)

    # THEN LookupBadISBN has the rule's message, and nothing was sent
    assert str(excinfo.value) == message
    assert requests_made(httpserver) == 0


# --- slow, failing and refusing servers -------------------------------------------------


def test_answer_slower_than_the_read_timeout_is_a_timeout(late_server, late_settings, held_answer):
    # GIVEN a server that holds its answer longer than a read timeout of 0.2 s
    late_server.expect_request("/api/books").respond_with_handler(held_answer)

    # WHEN the client looks a book up, THEN LookupTimeout says to try again later
    with pytest.raises(lookup.LookupTimeout, match=f"^{re.escape(TIMEOUT)}$"):
        lookup.fetch_book_details(DUNE_ISBN, late_settings)


def test_body_that_stalls_after_the_headers_is_a_timeout(late_server, late_settings, answer_released):
    """requests reports this one as a connection error, not a timeout."""

    # GIVEN a server that sends its status, headers and half the body, then holds the rest
    def first_half_then_wait():
        yield b'{"ISBN:9780441172719": '
        answer_released.wait(timeout=5)
        yield json.dumps(DUNE_RECORD).encode() + b"}"

    def answer_half(request):
        return Response(first_half_then_wait(), content_type="application/json")

    late_server.expect_request("/api/books").respond_with_handler(answer_half)

    # WHEN the client looks a book up with a read timeout of 0.2 s
    with pytest.raises(lookup.LookupTimeout) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN, late_settings)

    # THEN it is a LookupTimeout too
    assert str(excinfo.value) == TIMEOUT


def test_two_503s_then_an_answer_is_retried_and_succeeds(httpserver, settings):
    # GIVEN a server that answers 503 twice, then the record (two retries allowed)
    httpserver.expect_ordered_request("/api/books").respond_with_data("Busy", status=503)
    httpserver.expect_ordered_request("/api/books").respond_with_data("Busy", status=503)
    httpserver.expect_ordered_request("/api/books").respond_with_json(DUNE_ANSWER)

    # WHEN the client looks the book up
    details = lookup.fetch_book_details(DUNE_ISBN, settings)

    # THEN it returns the details, after three requests
    assert details == DUNE_DETAILS
    assert requests_made(httpserver) == 3


@pytest.mark.parametrize(
    "status",
    [pytest.param(502, id="bad-gateway"), pytest.param(503, id="unavailable"), pytest.param(504, id="gateway-timeout")],
)
def test_server_that_keeps_failing_is_unavailable_after_the_retries(httpserver, settings, status):
    # GIVEN a server that always answers 502, 503 or 504, and LOOKUP_RETRIES of 2
    httpserver.expect_request("/api/books").respond_with_data("Down", status=status)

    # WHEN the client looks a book up
    with pytest.raises(lookup.LookupUnavailable) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN, settings)

    # THEN LookupUnavailable is raised after exactly 1 + 2 requests
    assert str(excinfo.value) == UNAVAILABLE
    assert requests_made(httpserver) == 3


def test_no_retries_when_lookup_retries_is_zero(httpserver, settings):
    # GIVEN a server that always answers 503, and LOOKUP_RETRIES of 0
    httpserver.expect_request("/api/books").respond_with_data("Down", status=503)
    no_retries = {**settings, "LOOKUP_RETRIES": 0}

    # WHEN the client looks a book up
    with pytest.raises(lookup.LookupUnavailable):
        lookup.fetch_book_details(DUNE_ISBN, no_retries)

    # THEN LookupUnavailable is raised (above) after a single request
    assert requests_made(httpserver) == 1


@pytest.mark.parametrize(
    "status",
    [
        pytest.param(500, id="server-error"),
        pytest.param(429, id="too-many-requests"),
        pytest.param(403, id="forbidden"),
    ],
)
def test_other_error_statuses_are_unavailable_without_a_retry(httpserver, settings, status):
    # GIVEN a server that answers an error status other than 404, 502, 503 and 504
    httpserver.expect_request("/api/books").respond_with_data("No", status=status)

    # WHEN the client looks a book up
    with pytest.raises(lookup.LookupUnavailable):
        lookup.fetch_book_details(DUNE_ISBN, settings)

    # THEN LookupUnavailable is raised (above) after one request: no retry
    assert requests_made(httpserver) == 1


def test_refused_connection_is_unavailable(refusing_url):
    # GIVEN a LOOKUP_URL whose port refuses connections
    # WHEN the client looks a book up
    with pytest.raises(lookup.LookupUnavailable) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN, settings_for(refusing_url))

    # THEN it is LookupUnavailable, not a timeout: a refusal is known at once
    assert str(excinfo.value) == UNAVAILABLE


def test_failed_lookup_is_logged_with_its_cause(refusing_url, caplog):
    # GIVEN a LOOKUP_URL whose port refuses connections
    # WHEN the client looks a book up
    with pytest.raises(lookup.LookupUnavailable):
        lookup.fetch_book_details(DUNE_ISBN, settings_for(refusing_url))

    # THEN a WARNING of the "sample_app" logger names the ISBN and the connection error
    [record] = app_log_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("ISBN lookup of 9780441172719 failed: ConnectionError(")


def test_timeout_is_logged_with_its_cause(late_server, late_settings, held_answer, caplog):
    # GIVEN a server that holds its answer longer than a read timeout of 0.2 s
    late_server.expect_request("/api/books").respond_with_handler(held_answer)

    # WHEN the client looks a book up
    with pytest.raises(lookup.LookupTimeout):
        lookup.fetch_book_details(DUNE_ISBN, late_settings)

    # THEN a WARNING of the "sample_app" logger names the ISBN and the timeout
    [record] = app_log_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("ISBN lookup of 9780441172719 timed out: ReadTimeout(")


def test_error_status_is_logged_with_the_status(httpserver, settings, caplog):
    # GIVEN a server that keeps answering 503 (two retries allowed)
    httpserver.expect_request("/api/books").respond_with_data("Down", status=503)

    # WHEN the client looks a book up
    with pytest.raises(lookup.LookupUnavailable):
        lookup.fetch_book_details(DUNE_ISBN, settings)

    # THEN one WARNING names the ISBN and the last status: the error response is judged, not made a retry error
    [record] = app_log_records(caplog)
    assert record.getMessage() == "ISBN lookup of 9780441172719 answered HTTP 503"


def test_retry_policy_is_built_from_the_settings():
    """What a local server cannot show without waiting (the backoff, Retry-After) is read from the policy,
    which also returns the last error response (judged like any other) instead of raising."""
    # GIVEN settings with 3 retries and a backoff of 0.5 s
    # WHEN the client's session is made
    session = lookup.retrying_session({"LOOKUP_RETRIES": 3, "LOOKUP_BACKOFF": 0.5})

    # THEN http and https share it: 3 retries (none after a read timeout) on 502-504, the backoff, no Retry-After wait
    retry = session.get_adapter("https://openlibrary.org").max_retries
    assert session.get_adapter("http://127.0.0.1").max_retries is retry
    assert (retry.total, retry.read, retry.backoff_factor) == (3, False, 0.5)
    assert set(retry.status_forcelist) == {502, 503, 504}
    assert retry.respect_retry_after_header is False
    assert retry.raise_on_status is False


# --- nonsense ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param("<html><body>Oops</body></html>", "text/html", id="html-page"),
        pytest.param('{"ISBN:9780441172719": ', "application/json", id="cut-short-json"),
        pytest.param('["ISBN:9780441172719"]', "application/json", id="list"),
        pytest.param('{"ISBN:9780441172719": "Dune"}', "application/json", id="record-not-an-object"),
        pytest.param(
            '{"ISBN:9780441172719": {"authors": [{"name": "Frank Herbert"}]}}', "application/json", id="no-title"
        ),
        pytest.param('{"ISBN:9780441172719": {"title": "  "}}', "application/json", id="blank-title"),
        pytest.param('{"ISBN:9780441172719": {"title": 42}}', "application/json", id="title-not-text"),
        pytest.param(
            '{"ISBN:9780441172719": {"title": "Dune", "authors": "Frank Herbert"}}',
            "application/json",
            id="authors-not-a-list",
        ),
        pytest.param(
            '{"ISBN:9780441172719": {"title": "Dune", "authors": ["Frank Herbert"]}}',
            "application/json",
            id="author-not-an-object",
        ),
        pytest.param(
            '{"ISBN:9780441172719": {"title": "Dune", "authors": [{"key": "/authors/OL79034A"}]}}',
            "application/json",
            id="author-without-a-name",
        ),
    ],
)
def test_nonsense_answer_is_a_bad_answer(httpserver, settings, body, content_type):
    # GIVEN a server that answers 200 with something that is not a book record
    httpserver.expect_request("/api/books").respond_with_data(body, content_type=content_type)

    # WHEN the client looks Dune up
    with pytest.raises(lookup.LookupBadAnswer) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN, settings)

    # THEN LookupBadAnswer is raised, after one request
    assert str(excinfo.value) == BAD_ANSWER
    assert requests_made(httpserver) == 1
