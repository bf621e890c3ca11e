"""Unit tests of logging set-up (``sample_app.logging_setup``) and the request hooks
(``sample_app.hooks``): request ids, the log filter and handler, the NUL check.
The unittest classes (hooks inside a request) are in test_logging_and_hooks_unittest.py.

Patterns: parametrize with ids; log filter tested with a bare LogRecord.
"""

import logging
import re

import pytest
from flask import Flask, g
from werkzeug.datastructures import MultiDict

from sample_app import create_app
from sample_app.hooks import has_nul, register_hooks, request_id_from
from sample_app.logging_setup import AppLevelFilter, RequestIdFilter, configure_logging
from tests.helpers import log_record

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
CALLER_ID = "caller-trace-0001"


# --- request_id_from() --------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("0123456789abcdef0123456789abcdef", id="uuid-hex"),
        pytest.param("123e4567-e89b-12d3-a456-426614174000", id="uuid-with-hyphens"),
        pytest.param("abcd1234", id="eight-characters"),
        pytest.param("A" * 64, id="sixty-four-characters"),
    ],
)
def test_request_id_from_keeps_a_well_formed_caller_id(header):
    # GIVEN an X-Request-ID of 8 to 64 letters, digits and hyphens
    # WHEN the request id is chosen
    request_id = request_id_from(header)

    # THEN the caller's id is kept, so logs can be traced across services
    assert request_id == header


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("abc1234", id="seven-characters"),
        pytest.param("B" * 65, id="sixty-five-characters"),
        pytest.param("has space in it", id="space"),
        pytest.param("semi;colon;id", id="semicolon"),
        pytest.param("ünïcode-id-123", id="non-ascii"),
        pytest.param("abcdefgh\n", id="trailing-newline"),
    ],
)
def test_request_id_from_replaces_a_missing_or_invalid_id(header):
    """A regression: a trailing newline once passed (``$`` matches before it)."""
    # GIVEN no X-Request-ID, or one that is malformed
    # WHEN the request id is chosen
    request_id = request_id_from(header)

    # THEN a fresh id of 32 hex characters is used instead
    assert GENERATED_ID.fullmatch(request_id)


def test_generated_request_ids_differ():
    # GIVEN no caller id
    # WHEN two request ids are generated
    first, second = request_id_from(None), request_id_from(None)

    # THEN they differ
    assert first != second


# --- logging_setup -------------------------------------------------------------


def test_request_id_filter_outside_a_request_gives_a_dash():
    # GIVEN no request (a CLI command, a background thread), and a log record
    record = log_record()

    # WHEN the record passes the filter
    kept = RequestIdFilter().filter(record)

    # THEN the record is kept and its request_id is "-"
    assert kept is True
    assert record.request_id == "-"


def test_configure_logging_sets_a_logger_up_once():
    # GIVEN a logger of its own (not the app's: nothing the suite shares changes)
    logger = logging.Logger("a-logger-of-its-own")

    # WHEN configure_logging() runs on it twice
    configure_logging(logger)
    configure_logging(logger)

    # THEN it has one handler of ours, formatting with the request id; the logger passes every level to the app filter
    [handler] = logger.handlers
    assert handler.get_name() == "sample_app"
    assert (logger.level, [type(f) for f in logger.filters]) == (logging.DEBUG, [AppLevelFilter])
    record = log_record("disk full")
    assert handler.filter(record)
    assert handler.format(record).endswith("WARNING sample_app [-] disk full")


@pytest.mark.parametrize(
    ("level", "kept"),
    [pytest.param(logging.INFO, True, id="info-kept"), pytest.param(logging.DEBUG, False, id="debug-dropped")],
)
def test_records_logged_outside_an_app_context_are_kept_from_info_up(level, kept):
    # GIVEN no app context (a script before any app exists, a thread of its own), and a record
    record = log_record("a message", level)

    # WHEN the app-level filter judges the record
    passes = AppLevelFilter().filter(record)

    # THEN INFO and above pass, DEBUG does not
    assert passes is kept


def test_each_app_logs_at_its_own_level_whichever_was_made_last(app, caplog):
    """Making an app does not change how another app logs: no test has to restore the logger."""
    # GIVEN the testing app (WARNING), then a development app (DEBUG), which share Flask's "sample_app" logger
    development = create_app("development", SQLALCHEMY_DATABASE_URI="sqlite://")
    caplog.set_level(logging.DEBUG, logger="sample_app")

    # WHEN each logs an INFO record in its own app context
    with app.app_context():
        app.logger.info("from the testing app")
    with development.app_context():
        development.logger.info("from the development app")

    # THEN only the development app's record is kept
    assert [record.getMessage() for record in caplog.records] == ["from the development app"]


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        pytest.param([("q", "dune")], False, id="clean"),
        pytest.param([], False, id="empty"),
        pytest.param([("q", "du\x00ne")], True, id="nul-in-value"),
        pytest.param([("q\x00", "dune")], True, id="nul-in-key"),
        pytest.param([("tag", "sf"), ("tag", "x\x00")], True, id="nul-in-second-value-of-a-key"),
    ],
)
def test_has_nul_looks_at_every_key_and_value(pairs, expected):
    # GIVEN a query string or form as a MultiDict (a key may repeat)
    args = MultiDict(pairs)

    # WHEN it is checked for NUL characters
    found = has_nul(args)

    # THEN any NUL, in a key or in any of a key's values, is found
    assert found is expected


def test_register_hooks_works_on_an_app_with_no_other_before_request_function():
    # GIVEN a bare Flask app (no extension has registered a before_request function), with a route
    app = Flask(__name__)

    @app.get("/ping")
    def ping():
        return g.request_id

    # WHEN the hooks are registered on it and a request is made
    register_hooks(app)
    response = app.test_client().get("/ping", headers={"X-Request-ID": CALLER_ID})

    # THEN the caller's request id comes back: the hook list is created if missing
    assert response.text == CALLER_ID
    assert response.headers["X-Request-ID"] == CALLER_ID
