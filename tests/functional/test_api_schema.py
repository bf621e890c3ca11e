"""Tests of the API's OpenAPI document (/api/v1/openapi.json) itself: the same
as the committed copy, valid OpenAPI 3, naming every route, and strict enough
that a field the views add without declaring it breaks the contract.

Patterns: contract tests from an OpenAPI schema; committed copy of a generated
file; url_map audit; application factory tested on a fresh app; monkeypatch.setattr.

The committed copy (tests/assets/openapi.json) makes every change to the API
show in a review as a diff of the document, and is what the contract tests
(test_api_contract.py) take their operations from.
"""

import json
import re

import pytest
import schemathesis
from openapi_spec_validator import OpenAPIV30SpecValidator

from sample_app import create_app
from sample_app.models import Book
from tests.helpers import ASSETS_DIR

SCHEMA_URL = "/api/v1/openapi.json"
COMMITTED_COPY = ASSETS_DIR / "openapi.json"
REGENERATE = ".venv/bin/flask --app sample_app openapi write tests/assets/openapi.json"
# Methods Flask adds to every rule; the document leaves them out.
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}


def committed_document():
    return json.loads(COMMITTED_COPY.read_text(encoding="utf-8"))


def get_book_operation(document):
    """``GET /api/v1/books/{book_id}`` of ``document``, to check a response against."""
    return schemathesis.openapi.from_dict(document)["/api/v1/books/{book_id}"]["GET"]


@pytest.fixture
def served(client):
    """The document as the app serves it, decoded."""
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json


def test_served_schema_is_the_committed_copy(served):
    # GIVEN the document the app serves
    # WHEN it is compared with the committed copy
    committed = committed_document()

    # THEN the two are the same: an API change is also a diff of tests/assets/openapi.json
    assert served == committed, f"the API's document changed; if on purpose, run `{REGENERATE}` and commit the diff"


def test_each_new_app_serves_its_own_document_at_the_api_url():
    """Not the session's app: mutation testing credits its set-up to one test only (docs/mutation.md)."""
    # GIVEN an app made by the factory inside the test
    fresh = create_app("testing")

    # WHEN /api/v1/openapi.json is requested from it
    response = fresh.test_client().get(SCHEMA_URL)

    # THEN it serves the same document as the committed copy
    assert response.json == committed_document()


def test_schema_is_valid_openapi_3(served):
    # GIVEN the document the app serves
    # WHEN openapi-spec-validator checks it against the OpenAPI 3.0 specification
    errors = [error.message for error in OpenAPIV30SpecValidator(served).iter_errors()]

    # THEN it finds no error
    assert served["openapi"] == "3.0.3"
    assert errors == []


def test_schema_names_every_route_of_the_api_blueprint(app, served):
    # GIVEN every rule of the app's url_map that belongs to the api blueprint
    # WHEN its path and methods are compared with the document's operations
    routes = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - AUTOMATIC_METHODS
    }
    operations = {
        (method.upper(), path) for path, item in served["paths"].items() for method in item if method != "parameters"
    }

    # THEN each rule is an operation and each operation a rule: none is undocumented
    assert operations == routes


def test_book_as_served_matches_its_declared_schema(client, api_headers, make_book, served):
    # GIVEN a stored book with a year and tags
    book = make_book(year=1974, tags=["classic"])
    operation = get_book_operation(served)

    # WHEN GET /api/v1/books/<id> answers it
    response = client.get(f"/api/v1/books/{book.id}", headers=api_headers)

    # THEN the answer conforms to the operation's declared response
    assert operation.is_valid_response(response)


def test_field_the_schema_does_not_declare_breaks_the_contract(client, api_headers, make_book, served, monkeypatch):
    # GIVEN Book.to_dict() adding a field the document does not declare
    book = make_book()
    to_dict = Book.to_dict
    monkeypatch.setattr(Book, "to_dict", lambda self: {**to_dict(self), "rating": 5})
    operation = get_book_operation(served)

    # WHEN GET /api/v1/books/<id> answers a book with it
    response = client.get(f"/api/v1/books/{book.id}", headers=api_headers)

    # THEN the answer no longer conforms (the response schemas allow no other property)
    assert response.json["rating"] == 5
    assert not operation.is_valid_response(response)
