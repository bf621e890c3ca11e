"""API routes: read the request, call the catalogue and ``services``, serialise.

Each route's decorators describe it in the OpenAPI document (flask-smorest):
``@bp.arguments`` reads the body or query string through a schema of
``schemas.py`` (the catalogue's rules, today's messages), ``@bp.response`` and
``@bp.doc`` list what it answers. The catalogue's exceptions, ``abort()`` and
routing's own 404 and 405 all become JSON errors through the app's handlers
(``sample_app.errors``); a body that breaks the rules becomes the 422 below.
"""

from flask import current_app, g, jsonify, request, url_for
from werkzeug.http import HTTP_STATUS_CODES

from .. import catalogue
from ..errors import json_error
from . import bp
from .auth import BASIC_CHALLENGE, token_required, user_from_basic
from .schemas import (
    BookChangesSchema,
    BookInSchema,
    BookListArgsSchema,
    BookPageSchema,
    BookSchema,
    InvalidBook,
    TokenSchema,
    required_header,
)
from .tokens import issue_token

# The error responses (components of the document, schemas.ERROR_RESPONSES) by status.
BEARER_ERRORS = {401: "BearerUnauthorized"}
BODY_ERRORS = {400: "BadRequest", 413: "ContentTooLarge", 415: "UnsupportedMediaType", 422: "InvalidBook"}
WRITE_ERRORS = {**BEARER_ERRORS, **BODY_ERRORS, 403: "Forbidden", 404: "NotFound", 409: "Conflict"}


def unprocessable(error):
    """The 422 for a body that broke the catalogue's rules: one message per field."""
    body = {
        "error": HTTP_STATUS_CODES[422],
        "message": "The book data is not valid: see fields",
        "fields": error.errors,
    }
    return jsonify(body), 422


bp.register_error_handler(InvalidBook, unprocessable)


@bp.post("/tokens")
@bp.doc(security=[{"basicAuth": []}], responses={401: "BasicUnauthorized", 403: "Forbidden"})
@bp.response(
    200,
    TokenSchema,
    description="A bearer token for the account",
    headers={"Cache-Control": required_header("no-store: a token is never cached")},
)
def create_token():
    """Exchange an e-mail and password (HTTP Basic) for a bearer token."""
    user = user_from_basic(request.authorization)
    if user is None:
        message = "Send a valid email and password with HTTP Basic authentication"
        return json_error(401, message, {"WWW-Authenticate": BASIC_CHALLENGE})
    if not user.confirmed:
        # The right password, but the address is not proven yet: no writing, by the site or the API.
        return json_error(403, "Confirm your e-mail address (follow the link e-mailed to you) to get an API token")
    ttl = current_app.config["API_TOKEN_TTL"]
    # token_type is the OAuth token type, not a password (bandit B106 guesses from the name).
    response = jsonify(token=issue_token(user.id, ttl), token_type="Bearer", expires_in=ttl)  # nosec B106
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 5.1: never cache a token
    return response


def _page_links(pagination, **filters):
    """Absolute URLs of this, the next, previous, first and last page; the
    filters are kept in every link, next and prev are None at the ends."""

    def link(page):
        return url_for("api.list_books", page=page, per_page=pagination.per_page, **filters, _external=True)

    return {
        "self": link(pagination.page),
        "next": link(pagination.next_num) if pagination.has_next else None,
        "prev": link(pagination.prev_num) if pagination.has_prev else None,
        "first": link(1),
        "last": link(max(pagination.pages, 1)),
    }


# token_required comes first: a request without a token is a 401 before its body is read.
@bp.get("/books")
@token_required
@bp.arguments(BookListArgsSchema, location="query", error_status_code=400)
@bp.response(200, BookPageSchema, description="One page of books, oldest first")
@bp.doc(responses={**BEARER_ERRORS, 400: "BadRequest"})
def list_books(args):
    """List the books, a page at a time, optionally filtered by author or tag."""
    pagination = catalogue.filter_books(args["page"], args["per_page"], **args["filters"])
    return jsonify(
        items=[book.to_dict() for book in pagination.items],
        page=pagination.page,
        per_page=pagination.per_page,
        total=pagination.total,
        pages=pagination.pages,
        links=_page_links(pagination, **args["filters"]),
    )


@bp.get("/books/<int:book_id>")
@token_required
@bp.response(200, BookSchema, description="The book")
@bp.doc(responses={**BEARER_ERRORS, 404: "NotFound"})
def get_book(book_id):
    """One book."""
    return jsonify(catalogue.get_book(book_id).to_dict())


@bp.post("/books")
@token_required
@bp.arguments(BookInSchema, description="The new book: title, author and isbn are required")
@bp.response(
    201, BookSchema, description="The book, as stored", headers={"Location": required_header("The book's URL")}
)
@bp.doc(responses={**BEARER_ERRORS, **BODY_ERRORS, 409: "Conflict"})
def create_book(data):
    """Add a book, owned by the token's user."""
    book = catalogue.add_book(g.api_user, data)
    location = url_for("api.get_book", book_id=book.id, _external=True)
    return jsonify(book.to_dict()), 201, {"Location": location}


@bp.put("/books/<int:book_id>")
@token_required
@bp.arguments(BookInSchema, description="The whole book: a field left out goes back to its default")
@bp.response(200, BookSchema, description="The book, as stored")
@bp.doc(responses=WRITE_ERRORS)
def replace_book(data, book_id):
    """Replace a book (its owner or an administrator)."""
    book = catalogue.book_to_change(book_id, g.api_user)
    catalogue.change_book(book, data)
    return jsonify(book.to_dict())


@bp.patch("/books/<int:book_id>")
@token_required
@bp.arguments(BookChangesSchema(partial=True), description="The fields to change; the others are kept")
@bp.response(200, BookSchema, description="The book, as stored")
@bp.doc(responses=WRITE_ERRORS)
def update_book(data, book_id):
    """Change some fields of a book (its owner or an administrator)."""
    book = catalogue.book_to_change(book_id, g.api_user)
    catalogue.change_book(book, data, partial=True)
    return jsonify(book.to_dict())


@bp.delete("/books/<int:book_id>")
@token_required
@bp.alt_response(204, description="Deleted", success=True)
@bp.doc(responses={**BEARER_ERRORS, 403: "Forbidden", 404: "NotFound"})
def delete_book(book_id):
    """Delete a book (its owner or an administrator)."""
    catalogue.delete_book(catalogue.book_to_change(book_id, g.api_user))
    return "", 204
