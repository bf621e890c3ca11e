"""Unit tests of logging set-up (``sample_app.logging_setup``) and the request hooks (``sample_app.hooks``).

Patterns: parametrize with ids; log filter tested with a bare LogRecord;
FlaskTestCase base class; setUpClass for expensive set-up; setUp and tearDown
around each test; subTest; assertLogs and assertNoLogs; assertRaises as a
context manager; response headers from request hooks.

In detail: ``pytest.mark.parametrize`` with ``ids``, a bare
``logging.LogRecord`` run through a filter and a handler (no log output to
capture), unittest classes on ``tests.base.FlaskTestCase``: ``setUpClass``
adding test-only routes once, before the class's first request;
``setUp``/``tearDown`` pushing and popping a request context (and why the base
class uses ``addCleanup``); ``assertLogs`` and ``assertNoLogs``;
``assertRaises`` as a context manager.
"""

import logging
import re

import pytest
from flask import Flask, g
from werkzeug.datastructures import MultiDict

from sample_app.hooks import has_nul, register_hooks, request_id_from
from sample_app.logging_setup import RequestIdFilter, configure_logging
from tests.base import FlaskTestCase
from tests.helpers import SECURITY_HEADERS

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
CALLER_ID = "caller-trace-0001"


def make_record(message="something happened"):
    return logging.LogRecord("sample_app", logging.WARNING, __file__, 1, message, None, None)


# --- request_id_from() --------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["0123456789abcdef0123456789abcdef", "123e4567-e89b-12d3-a456-426614174000", "abcd1234", "A" * 64],
    ids=["uuid-hex", "uuid-with-hyphens", "eight-characters", "sixty-four-characters"],
)
def test_request_id_from_keeps_a_well_formed_caller_id(header):
    """
    GIVEN an X-Request-ID of 8 to 64 letters, digits and hyphens
    WHEN the request id is chosen
    THEN the caller's id is kept, so logs can be traced across services
    """
    assert request_id_from(header) == header


@pytest.mark.parametrize(
    "header",
    [None, "", "abc1234", "B" * 65, "has space in it", "semi;colon;id", "ünïcode-id-123", "abcdefgh\n"],
    ids=[
        "missing",
        "empty",
        "seven-characters",
        "sixty-five-characters",
        "space",
        "semicolon",
        "non-ascii",
        "trailing-newline",
    ],
)
def test_request_id_from_replaces_a_missing_or_invalid_id(header):
    """
    GIVEN no X-Request-ID, or one that is malformed (a trailing newline once
          passed: ``$`` matches before it)
    WHEN the request id is chosen
    THEN a fresh id of 32 hex characters is used instead
    """
    assert GENERATED_ID.fullmatch(request_id_from(header))


def test_generated_request_ids_differ():
    """
    GIVEN no caller id
    WHEN two request ids are generated
    THEN they differ
    """
    assert request_id_from(None) != request_id_from(None)


# --- logging_setup -------------------------------------------------------------


def test_request_id_filter_outside_a_request_gives_a_dash():
    """
    GIVEN no request (a CLI command, a background thread)
    WHEN a log record passes the filter
    THEN the record is kept and its request_id is "-"
    """
    record = make_record()

    assert RequestIdFilter().filter(record) is True
    assert record.request_id == "-"


def test_configure_logging_twice_leaves_one_handler(app):
    """
    GIVEN an app whose logging is already configured (by create_app)
    WHEN configure_logging() runs twice more
    THEN the logger has exactly one handler of ours, with the configured
         level, and it formats records with the request id
    """
    configure_logging(app)
    configure_logging(app)

    ours = [h for h in app.logger.handlers if h.get_name() == "sample_app"]
    assert len(ours) == 1
    assert app.logger.level == logging.getLevelName(app.config["LOG_LEVEL"])
    record = make_record("disk full")
    assert ours[0].filter(record)
    assert ours[0].format(record).endswith("WARNING sample_app [-] disk full")


# --- unittest classes: hooks inside a request -------------------------------


class RequestIdInARequestTestCase(FlaskTestCase):
    """A request context pushed in setUp and popped in tearDown.

    tearDown runs only when setUp finished; a cleanup registered with
    addCleanup runs even if setUp failed after registering it. The base
    class pops its app context with addCleanup (after this tearDown), so
    the contexts are popped in the reverse order they were pushed.
    """

    def setUp(self):
        super().setUp()
        self.request_context = self.app.test_request_context("/", headers={"X-Request-ID": CALLER_ID})
        self.request_context.push()

    def tearDown(self):
        self.request_context.pop()
        super().tearDown()

    def test_before_request_hook_stores_the_caller_id_on_g(self):
        """
        GIVEN a request with a well-formed X-Request-ID
        WHEN the before_request hooks run
        THEN g.request_id is the caller's id
        """
        self.app.preprocess_request()

        self.assertEqual(g.request_id, CALLER_ID)

    def test_log_records_carry_the_request_id(self):
        """
        GIVEN a request whose before_request hooks have run
        WHEN a log record passes the filter
        THEN it carries the request's id
        """
        self.app.preprocess_request()
        record = make_record()

        RequestIdFilter().filter(record)

        self.assertEqual(record.request_id, CALLER_ID)

    def test_log_records_before_the_hooks_ran_get_a_dash(self):
        """
        GIVEN a request whose before_request hooks have not run yet
        WHEN a log record passes the filter
        THEN its request_id is "-" rather than an error
        """
        record = make_record()

        RequestIdFilter().filter(record)

        self.assertEqual(record.request_id, "-")

    def test_response_gets_the_request_id_and_security_headers(self):
        """
        GIVEN a request whose before_request hooks have run
        WHEN its response goes through the after_request hooks
        THEN it carries the request id and every security header
        """
        self.app.preprocess_request()

        response = self.app.process_response(self.app.response_class("ok"))

        self.assertEqual(response.headers["X-Request-ID"], CALLER_ID)
        for name, value in SECURITY_HEADERS.items():
            with self.subTest(header=name):
                self.assertEqual(response.headers.get(name), value)

    def test_response_gets_an_id_even_if_before_request_never_ran(self):
        """
        GIVEN a request that never reached the before_request hooks
        WHEN its response goes through the after_request hooks
        THEN a fresh id is generated for it
        """
        response = self.app.process_response(self.app.response_class("ok"))

        self.assertRegex(response.headers["X-Request-ID"], r"^[0-9a-f]{32}$")


class TeardownLoggingTestCase(FlaskTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        # Routes for these tests only, on this class's own app. They are added
        # once, here: Flask refuses new routes after the first request.
        @cls.app.get("/unit-test/fail")
        def fail():
            raise RuntimeError("boom")

        @cls.app.get("/unit-test/ok")
        def ok():
            return "ok"

    def test_failed_request_is_logged_by_the_teardown_hook(self):
        """
        GIVEN a view that raises (TESTING propagates it into the test)
        WHEN it is requested
        THEN the teardown hook logs the method, path and exception at ERROR
        """
        with self.assertLogs(self.app.logger, level="ERROR") as logs, self.assertRaises(RuntimeError):
            self.client.get("/unit-test/fail")

        self.assertEqual(logs.output, ["ERROR:sample_app:Request GET /unit-test/fail failed: RuntimeError('boom')"])

    def test_successful_request_logs_no_error(self):
        """
        GIVEN a view that succeeds
        WHEN it is requested
        THEN nothing is logged at ERROR
        """
        with self.assertNoLogs(self.app.logger, level="ERROR"):
            response = self.client.get("/unit-test/ok")

        self.assertEqual(response.text, "ok")


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("q", "dune")], False),
        ([], False),
        ([("q", "du\x00ne")], True),
        ([("q\x00", "dune")], True),
        ([("tag", "sf"), ("tag", "x\x00")], True),
    ],
    ids=["clean", "empty", "nul-in-value", "nul-in-key", "nul-in-second-value-of-a-key"],
)
def test_has_nul_looks_at_every_key_and_value(pairs, expected):
    """
    GIVEN a query string or form as a MultiDict (a key may repeat)
    WHEN it is checked for NUL characters
    THEN any NUL, in a key or in any of a key's values, is found
    """
    assert has_nul(MultiDict(pairs)) is expected


def test_register_hooks_works_on_an_app_with_no_other_before_request_function():
    """
    GIVEN a bare Flask app (no extension has registered a before_request function)
    WHEN the hooks are registered on it and a request is made
    THEN the caller's request id comes back: the hook list is created if missing
    """
    app = Flask(__name__)
    register_hooks(app)

    @app.get("/ping")
    def ping():
        return g.request_id

    response = app.test_client().get("/ping", headers={"X-Request-ID": CALLER_ID})

    assert response.text == CALLER_ID
    assert response.headers["X-Request-ID"] == CALLER_ID
