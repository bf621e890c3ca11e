"""Contract tests of the JSON API: schemathesis generates requests from each
operation of its OpenAPI document (/api/v1/openapi.json), ones the document
allows and ones it does not, and each answer is checked against the document.

Patterns: contract tests from an OpenAPI schema; API fuzzing in-process, each
case rolled back; example count from the environment.

In-process: the document is read from the harness's ``app`` and the requests
go through that app's WSGI interface, with no server and no socket; each
generated case runs inside ``rolled_back()``, so what one case writes is gone
before the next. A case fails when the app answers 5xx, or a status, content
type, header or body that the operation does not declare.

schemathesis' own pytest integration (``schemathesis.pytest.from_fixture``)
fails on pytest 9.2 (it sets ``Node._nodeid``, which pytest no longer has), and
its plugin imports Hypothesis into every pytest run (``-p no:schemathesis`` in
setup.cfg keeps it out): each operation's cases come from
``operation.as_strategy()`` under a plain ``@given`` instead.

``API_FUZZ_EXAMPLES`` cases per operation and generation mode (20 by default,
so ``make test`` stays quick); ``make test-fuzz`` runs many more.
"""

import base64
import json
import os

import pytest
import schemathesis
from hypothesis import given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import DEFAULT_PASSWORD
from tests.helpers import ASSETS_DIR, bearer

FUZZ_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Every operation of the committed document, which test_api_schema.py proves is
# the one the app serves: "GET /api/v1/books", ...
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, item in json.loads((ASSETS_DIR / "openapi.json").read_text())["paths"].items()
    for method in item
    if method != "parameters"
]


@pytest.fixture
def api_schema(app):
    """The document as the app serves it, its requests sent to the same app."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def books(user, make_book):
    """Two stored books: one of ``user``'s and one of someone else's."""
    return [make_book(owner=user, tags=["mine"]), make_book()]


@pytest.fixture
def lookup_knows_nothing(app, httpserver, monkeypatch):
    """The lookup service, on a local server, knowing no book: a lookup is a 404
    (or a 400 for a badly formed ISBN), never the 502 of the testing config's refusing port."""
    monkeypatch.setitem(app.config, "LOOKUP_URL", httpserver.url_for("").rstrip("/"))
    httpserver.expect_request("/api/books").respond_with_json({})


def aimed_at(case, books):
    """The case, its ``book_id`` (when it has one) turned two times in three
    into a stored book's id: random ids alone would only ever find a 404."""
    book_id = (case.path_parameters or {}).get("book_id")
    if isinstance(book_id, int) and book_id % 3 < len(books):
        case.path_parameters["book_id"] = books[book_id % 3].id
    return case


def credentials(case, user, api_token):
    """HTTP Basic for the token endpoint, ``user``'s bearer token elsewhere."""
    if case.path == "/api/v1/tokens":
        pair = base64.b64encode(f"{user.email}:{DEFAULT_PASSWORD}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}
    return bearer(api_token)


def assert_declared(case, response):
    """Fails (with every check that failed) unless the answer is one the case's operation declares."""
    __tracebackhide__ = True
    case.validate_response(response, checks=CHECKS)


@pytest.mark.fuzz
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("label", OPERATIONS)
def test_every_answer_is_one_the_schema_declares(
    api_schema, rolled_back, user, api_token, books, lookup_knows_nothing, label, mode
):
    # GIVEN requests generated from one operation (data it allows, or not), the user's credentials, two stored books
    sent = []

    # deadline=None as in the suite's Hypothesis profiles (tests/fixtures/hypothesis_profiles.py):
    # a slow example on a loaded machine is noise, not a bug.
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None)
    @given(case=api_schema.find_operation_by_label(label).as_strategy(mode))
    def check(case):
        # WHEN each is sent to the app, with what it wrote rolled back
        with rolled_back():
            response = aimed_at(case, books).call(headers=credentials(case, user, api_token))
        sent.append(case)

        # THEN no answer is a 5xx, and its status, content type, headers and body are declared for the operation
        assert_declared(case, response)

    check()
    print(f"{label} ({mode}): {len(sent)} cases")  # shown with -rP, as make test-fuzz runs it
