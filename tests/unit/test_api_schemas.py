"""Unit tests of the API's schemas (sample_app/api/schemas.py): the pieces of the
OpenAPI document, and the request schemas loading with the catalogue's rules.

Patterns: pure functions without an app; expected values written in the test.

The document's pieces are built when the module is imported, once per process,
so mutation testing credits them to no test that checks them (docs/mutation.md,
"Code that runs once per process"): these tests call the builders themselves.
"""

import marshmallow as ma
import pytest

from sample_app.api.schemas import (
    BookChangesSchema,
    BookInSchema,
    ErrorSchema,
    error_response,
    required_header,
)


def test_required_header_is_a_string_every_answer_carries():
    # GIVEN a header's description
    # WHEN it is made a response header of the document
    header = required_header("The book's URL")

    # THEN it is a required string, so a response without it breaks the contract
    assert header == {"description": "The book's URL", "required": True, "schema": {"type": "string"}}


def test_error_response_is_json_in_the_error_schema():
    # GIVEN an error's description and no header
    # WHEN it is made an error response of the document
    response = error_response("Gone")

    # THEN its body is application/json in the error schema, and it lists no headers
    assert response == {"description": "Gone", "content": {"application/json": {"schema": ErrorSchema}}}


def test_error_response_lists_each_header_as_required():
    # GIVEN an error with a WWW-Authenticate header
    # WHEN it is made an error response of the document
    response = error_response("Who are you?", **{"WWW-Authenticate": 'Basic realm="api"'})

    # THEN the header is listed, required, with its description
    assert response["headers"] == {
        "WWW-Authenticate": {"description": 'Basic realm="api"', "required": True, "schema": {"type": "string"}}
    }


def test_new_book_body_is_loaded_by_the_catalogues_rules():
    # GIVEN a body with an ISBN-10 with hyphens, a tag in capitals and no year
    body = {"title": " Dune ", "author": "Frank Herbert", "isbn": "0-441-17271-7", "tags": ["SF"]}

    # WHEN the new-book schema loads it
    loaded = BookInSchema().load(body)

    # THEN the values come back clean: the ISBN as 13 digits, the tag lower-cased
    assert loaded == {"title": "Dune", "author": "Frank Herbert", "isbn": "9780441172719", "tags": ["sf"]}


def test_new_book_body_without_its_required_fields_is_refused_field_by_field():
    # GIVEN a body with only a year
    body = {"year": 2001}

    # WHEN the new-book schema loads it
    with pytest.raises(ma.ValidationError) as refused:
        BookInSchema().load(body)

    # THEN the ValidationError has the catalogue's message for each missing field
    required = "This field is required."
    assert refused.value.messages == {"title": required, "author": required, "isbn": required}


def test_changes_body_may_leave_out_any_field():
    # GIVEN a body with only a year
    body = {"year": 2001}

    # WHEN the changes schema, partial as PATCH uses it, loads it
    loaded = BookChangesSchema(partial=True).load(body)

    # THEN it is accepted as it is: no field is required
    assert loaded == {"year": 2001}
