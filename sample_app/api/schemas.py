"""The API's OpenAPI description: request and response schemas (marshmallow),
the error responses, and the parser that reads requests through the schemas.

A request schema declares what the OpenAPI document shows (types, bounds,
required fields) and loads with the app's own rules: a book body with
:func:`sample_app.catalogue.validate`, the book list's query string with
``services``. The HTML form, the CSV importer and the API so keep one set of
rules and one set of messages, and the tests that send what the document
declares (tests/functional/test_api_contract.py) find any place where the
document and the rules disagree. Response schemas only describe: the views
serialise with ``Book.to_dict()``, and an undeclared field fails the contract
tests (every object schema has ``additionalProperties: false``).
"""

import marshmallow as ma
from flask import abort, current_app, request
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest

from .. import catalogue
from ..text import MAX_WHOLE_NUMBER, InvalidNumber
from . import services


class InvalidBook(Exception):
    """A book body broke the catalogue's rules: ``errors`` has one message per field (a 422)."""

    def __init__(self, errors):
        self.errors = errors


def json_object():
    """The request body as a dict, else a 415 or 400."""
    if not request.is_json:
        abort(415, description="Content-Type must be application/json")
    try:
        # Not silent=True: that returns None for a malformed body and for a
        # valid "null" alike, and they need different messages.
        data = request.get_json()
    except BadRequest:
        abort(400, description="Malformed JSON body")
    except RecursionError:
        # Flask turns only ValueError into a 400; "[[[[..." a few thousand
        # levels deep makes the parser recurse out of stack instead.
        abort(400, description="The JSON body is nested too deeply")
    if not isinstance(data, dict):
        abort(400, description="The JSON body must be an object")
    return data


class Parser(FlaskParser):
    """webargs' parser with the API's own answers: today's messages, not webargs' ones."""

    def _raw_load_json(self, req):
        return json_object()

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        # One location per @arguments: {"json": {...}} or {"query": [...]}.
        ((location, messages),) = error.messages.items()
        if location == "json":
            raise InvalidBook(messages)
        abort(400, description=messages[0])


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()


# --- errors -------------------------------------------------------------------------


class ErrorSchema(ma.Schema):
    """Every error of the API (``sample_app.errors.json_error``)."""

    error = ma.fields.String(required=True, metadata={"description": "The status's name", "example": "Not Found"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for a person to read"})


class InvalidBookSchema(ErrorSchema):
    # Not a field named "fields": Schema.fields is marshmallow's own attribute.
    field_errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        data_key="fields",
        metadata={"description": "One message per field that broke a rule (an unknown field too)"},
    )


def required_header(description):
    """A response header the answer always carries (schemathesis checks it is there)."""
    return {"description": description, "required": True, "schema": {"type": "string"}}


def error_response(description, schema=ErrorSchema, **headers):
    """An error response of the document: JSON in ``schema``, with ``headers`` (name: description)."""
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = {name: required_header(text) for name, text in headers.items()}
    return response


# Components of the document, referred to by name in each view's responses.
ERROR_RESPONSES = {
    "BadRequest": error_response("A malformed request: bad JSON, a body that is not an object, a bad query value"),
    "BearerUnauthorized": error_response(
        "No bearer token, or one that is expired, invalid or whose user is gone",
        **{"WWW-Authenticate": 'Bearer realm="api", with error="invalid_token" when a token was sent'},
    ),
    "BasicUnauthorized": error_response(
        "Missing or wrong HTTP Basic credentials", **{"WWW-Authenticate": 'Basic realm="api"'}
    ),
    "Forbidden": error_response("Not allowed: another user's book, or an unconfirmed account asking for a token"),
    "NotFound": error_response("No such book, or no book with this ISBN in the lookup service"),
    "Conflict": error_response("Another book already has this ISBN"),
    "ContentTooLarge": error_response("The body is larger than the app's MAX_CONTENT_LENGTH"),
    "UnsupportedMediaType": error_response("The body is not sent as application/json"),
    "InvalidBook": error_response("The book breaks the catalogue's rules: see fields", InvalidBookSchema),
    "BadGateway": error_response("The lookup service is down or sent an answer that could not be read"),
    "GatewayTimeout": error_response("The lookup service did not answer in time"),
}


# --- requests -----------------------------------------------------------------------

# The shape of an ISBN the catalogue's rule reads: 10 characters (the last may be
# X) or 13 digits, hyphens and spaces anywhere. The check digit is the rule's to judge.
ISBN = {
    "type": "string",
    "pattern": r"^[ -]*(?:[0-9][ -]*){9}(?:[0-9Xx]|(?:[0-9][ -]*){3}[0-9])[ -]*$",
}


class BookInSchema(ma.Schema):
    """A book as a client sends it. Loaded by :func:`sample_app.catalogue.validate`:
    the fields below say what its rules accept, for the document."""

    title = ma.fields.String(required=True, metadata={"minLength": 1, "description": "At most 200 characters"})
    author = ma.fields.String(required=True, metadata={"minLength": 1, "description": "At most 200 characters"})
    isbn = ma.fields.String(
        required=True, metadata={**ISBN, "description": "An ISBN-10 or ISBN-13, hyphens and spaces allowed"}
    )
    year = ma.fields.Integer(
        allow_none=True,
        metadata={"minimum": 1450, "description": "From 1450 (Gutenberg) to next year; null when unknown"},
    )
    tags = ma.fields.List(
        ma.fields.String(metadata={"maxLength": 64}),
        metadata={"description": "Lower-cased, spaces collapsed, repeats dropped"},
    )

    def load(self, data, **kwargs):
        # webargs' unknown= is not needed: validate() refuses an unknown field itself.
        clean, problems = catalogue.validate(data, partial=self.partial)
        if problems:
            raise ma.ValidationError(problems)
        return clean


class BookChangesSchema(BookInSchema):
    """The fields of a book to change (PATCH), used with ``partial=True``: any of
    them, the others are kept. A class of its own for its own name in the document."""


class BookListArgsSchema(ma.Schema):
    """The book list's query string. Loaded by ``services``: the page, the page
    size (capped, not refused) and the non-empty filters."""

    page = ma.fields.Raw(
        metadata={"type": "integer", "minimum": 1, "maximum": MAX_WHOLE_NUMBER, "description": "1 by default"}
    )
    per_page = ma.fields.Raw(
        metadata={
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_WHOLE_NUMBER,
            "description": "Books a page: API_PAGE_SIZE by default, at most API_MAX_PAGE_SIZE (more is capped)",
        }
    )
    author = ma.fields.String(metadata={"description": "Part of the author's name, in any letter case"})
    tag = ma.fields.String(metadata={"description": "A tag name, compared as tags are stored"})

    def load(self, data, **kwargs):
        # A plain dict: webargs' proxy answers "missing" for an absent key, not None.
        data = dict(data)
        try:
            page, per_page = services.parse_pagination(data, current_app.config)
        except InvalidNumber as exc:
            raise ma.ValidationError(str(exc)) from None
        return {"page": page, "per_page": per_page, "filters": services.parse_filters(data)}


# --- responses ----------------------------------------------------------------------


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True, metadata={"description": "A JWT to send as Authorization: Bearer <token>"})
    token_type = ma.fields.String(required=True, metadata={"enum": ["Bearer"]})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "Seconds the token stays valid"})


class BookSchema(ma.Schema):
    """A book as ``Book.to_dict()`` serialises it."""

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    author = ma.fields.String(required=True)
    isbn = ma.fields.String(required=True, metadata={"pattern": "^[0-9]{13}$", "description": "Its 13 digits"})
    year = ma.fields.Integer(required=True, allow_none=True)
    owner = ma.fields.String(required=True, metadata={"description": "The owner's username"})
    tags = ma.fields.List(ma.fields.String(), required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


URL = {"format": "uri"}  # JSON Schema's name (marshmallow's Url field would say "url")


class PageLinksSchema(ma.Schema):
    """Absolute URLs of pages of the same list, filters kept; next and prev are null at the ends."""

    self = ma.fields.String(required=True, metadata=URL)
    next = ma.fields.String(required=True, allow_none=True, metadata=URL)
    prev = ma.fields.String(required=True, allow_none=True, metadata=URL)
    first = ma.fields.String(required=True, metadata=URL)
    last = ma.fields.String(required=True, metadata=URL)


class BookPageSchema(ma.Schema):
    """One page of books, oldest first, with its place in the whole list."""

    items = ma.fields.List(ma.fields.Nested(BookSchema), required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "Books in the whole list"})
    pages = ma.fields.Integer(required=True, metadata={"description": "0 when the list is empty"})
    links = ma.fields.Nested(PageLinksSchema, required=True)


class BookDetailsSchema(ma.Schema):
    """What the lookup service knows of a book; nothing is stored."""

    title = ma.fields.String(required=True)
    author = ma.fields.String(required=True, allow_none=True)
    year = ma.fields.Integer(required=True, allow_none=True)
