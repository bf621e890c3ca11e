"""GET /api/v1/lookup/<isbn>: a book's details from the external catalogue, as JSON.

Thin, like the other API routes: call :func:`sample_app.lookup.fetch_book_details`
and serialise its answer, or turn its exception into a JSON error.
"""

from flask import current_app, jsonify

from .. import lookup
from ..errors import json_error
from . import bp
from .auth import token_required

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
def lookup_book(isbn):
    try:
        details = lookup.fetch_book_details(isbn, current_app.config)
    except lookup.LookupFailed as exc:
        return json_error(LOOKUP_ERRORS[type(exc)], str(exc))
    return jsonify(details)
