"""Unit tests of the ISBN lookup client (sample_app/lookup.py) against a real local
HTTP server: answers, unknown books, timeouts, retries, refused connections and
nonsense.

Patterns: environment passed as an argument; parametrize with ids; per-case ids
and marks with pytest.param; pytest.raises with match and excinfo; caplog for
log records; expected values written in the test; HTTP client tested against a
local server.

A real server (pytest-httpserver on 127.0.0.1, which pytest-socket allows), not
a stand-in for ``requests``: the retries, timeouts and connection errors happen
inside requests and urllib3, which a mock would skip. Each test passes the client
a plain dict of settings with two retries and no backoff, so a retried failure
costs milliseconds. The slow answers get a server of their own (``late_server``):
stopping it waits for the handler the client gave up on, which on the shared
server would finish during the next test and land in its request log.
"""

import json
import logging
import socket
import threading

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from sample_app import lookup

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


# --- answers ----------------------------------------------------------------------


def test_known_book_gives_title_author_and_year(httpserver, settings):
    """
    GIVEN a server that knows Dune (title, one author, publish_date "1965")
    WHEN the client looks Dune up
    THEN it returns the title, the author and the year as an int, after one request
    """
    answer_with_record(httpserver, DUNE_RECORD)

    details = lookup.fetch_book_details(DUNE_ISBN, settings)

    assert details == {"title": "Dune", "author": "Frank Herbert", "year": 1965}
    assert requests_made(httpserver) == 1


def test_lookup_sends_the_normalised_isbn_in_the_query_string(httpserver, settings):
    """
    GIVEN a server that knows Dune
    WHEN the client looks up Dune written as a hyphenated ISBN-10
    THEN it sends one GET to /api/books asking for the ISBN-13 as JSON data
    """
    httpserver.expect_request("/api/books").respond_with_json(DUNE_ANSWER)

    lookup.fetch_book_details("0-441-17271-7", settings)

    [(request, _)] = httpserver.log
    assert request.method == "GET"
    assert request.path == "/api/books"
    assert request.args.to_dict() == {"bibkeys": "ISBN:9780441172719", "format": "json", "jscmd": "data"}


@pytest.fixture
def raw_server():
    """A one-request server on a socket: it records the request line exactly as
    sent (Werkzeug's server, pytest-httpserver's, reads "//api" as "/api") and
    answers with Dune's record."""
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


def test_trailing_slash_of_the_lookup_url_is_not_doubled(raw_server):
    """
    GIVEN a LOOKUP_URL written with a trailing slash
    WHEN the client looks Dune up
    THEN the request line asks for /api/books, not //api/books (which a real
         server may not route)
    """
    url, request_lines = raw_server

    details = lookup.fetch_book_details(DUNE_ISBN, settings_for(url + "/"))

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
    """
    GIVEN a record whose publish_date is free text (or not text at all)
    WHEN the client looks the book up
    THEN the year is its four-digit year from 1450 on, else None
    """
    answer_with_record(httpserver, {"title": "Dune", "publish_date": publish_date})

    assert lookup.fetch_book_details(DUNE_ISBN, settings)["year"] == year


def test_record_without_authors_or_date_has_none_for_them(httpserver, settings):
    """
    GIVEN a record with a title only
    WHEN the client looks the book up
    THEN the author and the year are None, and the title is stripped
    """
    answer_with_record(httpserver, {"title": " Dune "})

    assert lookup.fetch_book_details(DUNE_ISBN, settings) == {"title": "Dune", "author": None, "year": None}


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
    """
    GIVEN a record listing no, one or two authors
    WHEN the client looks the book up
    THEN the author is their names joined with ", " (None when there is no name)
    """
    answer_with_record(httpserver, {"title": "Good Omens", "authors": authors})

    assert lookup.fetch_book_details(DUNE_ISBN, settings)["author"] == author


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
    """
    GIVEN a server with no record for Dune (Open Library answers {}; a 404 means the same)
    WHEN the client looks Dune up
    THEN it raises UnknownBook naming the ISBN, after one request
    """
    httpserver.expect_request("/api/books").respond_with_data(body, status=status, content_type="application/json")

    with pytest.raises(lookup.UnknownBook) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN10, settings)

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
    """
    GIVEN an ISBN the ISBN rule refuses
    WHEN the client is asked to look it up
    THEN it raises LookupBadISBN with the rule's message, and sends nothing
    """
    with pytest.raises(lookup.LookupBadISBN) as excinfo:
        lookup.fetch_book_details(isbn, settings)

    assert str(excinfo.value) == message
    assert requests_made(httpserver) == 0


# --- slow, failing and refusing servers -------------------------------------------------


@pytest.fixture
def answer_released():
    """Set when the test is over: a held handler may then answer."""
    return threading.Event()


@pytest.fixture
def late_server(answer_released):
    """A local server of this test's own, whose handlers may hold their answer
    until the test ends; stopping it waits for them."""
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


def app_log_records(caplog):
    """The records of the app's own ("sample_app") logger."""
    return [record for record in caplog.records if record.name == "sample_app"]


def test_answer_slower_than_the_read_timeout_is_a_timeout(late_server, late_settings, held_answer):
    """
    GIVEN a server that holds its answer longer than a read timeout of 0.2 s
    WHEN the client looks a book up
    THEN it raises LookupTimeout, whose message says to try again later
    """
    late_server.expect_request("/api/books").respond_with_handler(held_answer)

    with pytest.raises(lookup.LookupTimeout, match=r"^The lookup service did not answer in time; try again later\.$"):
        lookup.fetch_book_details(DUNE_ISBN, late_settings)


def test_body_that_stalls_after_the_headers_is_a_timeout(late_server, late_settings, answer_released):
    """
    GIVEN a server that sends its status, headers and half the body, then holds the rest
    WHEN the client looks a book up with a read timeout of 0.2 s
    THEN it raises LookupTimeout too (requests reports this one as a connection error)
    """

    def first_half_then_wait():
        yield b'{"ISBN:9780441172719": '
        answer_released.wait(timeout=5)
        yield json.dumps(DUNE_RECORD).encode() + b"}"

    def answer_half(request):
        return Response(first_half_then_wait(), content_type="application/json")

    late_server.expect_request("/api/books").respond_with_handler(answer_half)

    with pytest.raises(lookup.LookupTimeout) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN, late_settings)

    assert str(excinfo.value) == TIMEOUT


def test_two_503s_then_an_answer_is_retried_and_succeeds(httpserver, settings):
    """
    GIVEN a server that answers 503 twice, then the record (two retries allowed)
    WHEN the client looks the book up
    THEN it returns the details, after three requests
    """
    httpserver.expect_ordered_request("/api/books").respond_with_data("Busy", status=503)
    httpserver.expect_ordered_request("/api/books").respond_with_data("Busy", status=503)
    httpserver.expect_ordered_request("/api/books").respond_with_json(DUNE_ANSWER)

    details = lookup.fetch_book_details(DUNE_ISBN, settings)

    assert details == DUNE_DETAILS
    assert requests_made(httpserver) == 3


@pytest.mark.parametrize(
    "status",
    [pytest.param(502, id="bad-gateway"), pytest.param(503, id="unavailable"), pytest.param(504, id="gateway-timeout")],
)
def test_server_that_keeps_failing_is_unavailable_after_the_retries(httpserver, settings, status):
    """
    GIVEN a server that always answers 502, 503 or 504, and LOOKUP_RETRIES of 2
    WHEN the client looks a book up
    THEN it raises LookupUnavailable after exactly 1 + 2 requests
    """
    httpserver.expect_request("/api/books").respond_with_data("Down", status=status)

    with pytest.raises(lookup.LookupUnavailable) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN, settings)

    assert str(excinfo.value) == UNAVAILABLE
    assert requests_made(httpserver) == 3


def test_no_retries_when_lookup_retries_is_zero(httpserver, settings):
    """
    GIVEN a server that always answers 503, and LOOKUP_RETRIES of 0
    WHEN the client looks a book up
    THEN it raises LookupUnavailable after a single request
    """
    httpserver.expect_request("/api/books").respond_with_data("Down", status=503)

    with pytest.raises(lookup.LookupUnavailable):
        lookup.fetch_book_details(DUNE_ISBN, {**settings, "LOOKUP_RETRIES": 0})

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
    """
    GIVEN a server that answers an error status other than 404, 502, 503 and 504
    WHEN the client looks a book up
    THEN it raises LookupUnavailable after one request (no retry)
    """
    httpserver.expect_request("/api/books").respond_with_data("No", status=status)

    with pytest.raises(lookup.LookupUnavailable):
        lookup.fetch_book_details(DUNE_ISBN, settings)

    assert requests_made(httpserver) == 1


@pytest.fixture
def refusing_url():
    """The URL of a local port bound by this test but not listening: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_refused_connection_is_unavailable(refusing_url):
    """
    GIVEN a LOOKUP_URL whose port refuses connections
    WHEN the client looks a book up
    THEN it raises LookupUnavailable (not a timeout: a refusal is known at once)
    """
    with pytest.raises(lookup.LookupUnavailable) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN, settings_for(refusing_url))

    assert str(excinfo.value) == UNAVAILABLE


def test_failed_lookup_is_logged_with_its_cause(refusing_url, caplog):
    """
    GIVEN a LOOKUP_URL whose port refuses connections
    WHEN the client looks a book up
    THEN a WARNING of the "sample_app" logger names the ISBN and the connection error
    """
    with pytest.raises(lookup.LookupUnavailable):
        lookup.fetch_book_details(DUNE_ISBN, settings_for(refusing_url))

    [record] = app_log_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("ISBN lookup of 9780441172719 failed: ConnectionError(")


def test_timeout_is_logged_with_its_cause(late_server, late_settings, held_answer, caplog):
    """
    GIVEN a server that holds its answer longer than a read timeout of 0.2 s
    WHEN the client looks a book up
    THEN a WARNING of the "sample_app" logger names the ISBN and the timeout
    """
    late_server.expect_request("/api/books").respond_with_handler(held_answer)

    with pytest.raises(lookup.LookupTimeout):
        lookup.fetch_book_details(DUNE_ISBN, late_settings)

    [record] = app_log_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("ISBN lookup of 9780441172719 timed out: ReadTimeout(")


def test_error_status_is_logged_with_the_status(httpserver, settings, caplog):
    """
    GIVEN a server that keeps answering 503 (two retries allowed)
    WHEN the client looks a book up
    THEN one WARNING names the ISBN and the last status: the error response
         itself is judged, not turned into a retry error
    """
    httpserver.expect_request("/api/books").respond_with_data("Down", status=503)

    with pytest.raises(lookup.LookupUnavailable):
        lookup.fetch_book_details(DUNE_ISBN, settings)

    [record] = app_log_records(caplog)
    assert record.getMessage() == "ISBN lookup of 9780441172719 answered HTTP 503"


def test_retry_policy_is_built_from_the_settings():
    """
    GIVEN settings with 3 retries and a backoff of 0.5 s
    WHEN the client's session is made
    THEN http and https URLs share one policy: 3 retries of failed connections
         and 502, 503, 504 (none after a read timeout), the backoff, no waiting
         for Retry-After, the last error response returned

    What a local server cannot show without waiting (the backoff, Retry-After)
    is read from the policy itself.
    """
    session = lookup.retrying_session({"LOOKUP_RETRIES": 3, "LOOKUP_BACKOFF": 0.5})

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
    """
    GIVEN a server that answers 200 with something that is not a book record
    WHEN the client looks Dune up
    THEN it raises LookupBadAnswer, after one request
    """
    httpserver.expect_request("/api/books").respond_with_data(body, content_type=content_type)

    with pytest.raises(lookup.LookupBadAnswer) as excinfo:
        lookup.fetch_book_details(DUNE_ISBN, settings)

    assert str(excinfo.value) == BAD_ANSWER
    assert requests_made(httpserver) == 1
