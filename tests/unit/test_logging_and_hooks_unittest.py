"""The request hooks and logging inside a request, as unittest classes on
tests/base.py's FlaskTestCase; the pytest functions are in test_logging_and_hooks.py.

Patterns: FlaskTestCase base class; setUpClass for expensive set-up; setUp and
tearDown around each test; subTest; assertLogs and assertNoLogs; assertRaises as
a context manager; response headers from request hooks.
"""

from flask import g

from sample_app.logging_setup import RequestIdFilter
from tests.base import FlaskTestCase
from tests.helpers import SECURITY_HEADERS, log_record

CALLER_ID = "caller-trace-0001"


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
        record = log_record()

        RequestIdFilter().filter(record)

        self.assertEqual(record.request_id, CALLER_ID)

    def test_log_records_before_the_hooks_ran_get_a_dash(self):
        """
        GIVEN a request whose before_request hooks have not run yet
        WHEN a log record passes the filter
        THEN its request_id is "-" rather than an error
        """
        record = log_record()

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
