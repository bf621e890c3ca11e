"""GET /api/v1/lookup/<isbn>: a book's details from the external catalogue, as JSON.

Thin, like the other API routes: call :func:`sample_app.lookup.fetch_book_details`
and serialise its answer, or turn its exception into a JSON error. Its
decorators describe it in the OpenAPI document (see ``views.py``).
"""

from flask import current_app, jsonify

from .. import lookup
from ..errors import json_error
from . import bp
from .auth import token_required
from .schemas import ISBN, BookDetailsSchema

# What each way a lookup fails means to an API client.
LOOKUP_ERRORS = {
    lookup.LookupBadISBN: 400,
    lookup.UnknownBook: 404,
    lookup.LookupTimeout: 504,
    lookup.LookupUnavailable: 502,
    lookup.LookupBadAnswer: 502,
}


@bp.get("/lookup/<isbn>")
@token_required
@bp.response(200, BookDetailsSchema, description="The book's details; nothing is stored")
@bp.doc(
    parameters=[{"in": "path", "name": "isbn", "required": True, "schema": ISBN}],
    responses={
        401: "BearerUnauthorized",
        400: "BadRequest",
        404: "NotFound",
        502: "BadGateway",
        504: "GatewayTimeout",
    },
)
def lookup_book(isbn):
    """A book's title, author and year by ISBN, from the external lookup service."""
    try:
        details = lookup.fetch_book_details(isbn, current_app.config)
    except lookup.LookupFailed as exc:
        return json_error(LOOKUP_ERRORS[type(exc)], str(exc))
    return jsonify(details)
