"""API routes: read the request, call the catalogue and ``services``, serialise.

The catalogue's exceptions, ``abort()`` and routing's own 404 and 405 all
become JSON errors through the app's handlers (``sample_app.errors``).
"""

from flask import abort, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import BadRequest
from werkzeug.http import HTTP_STATUS_CODES

from .. import catalogue
from ..errors import json_error
from . import bp, services
from .auth import BASIC_CHALLENGE, token_required, user_from_basic
from .tokens import issue_token


def _json_object():
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


def _unprocessable(errors):
    body = {
        "error": HTTP_STATUS_CODES[422],
        "message": "The book data is not valid: see fields",
        "fields": errors,
    }
    return jsonify(body), 422


@bp.post("/tokens")
def create_token():
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


@bp.get("/books")
@token_required
def list_books():
    page, per_page = services.parse_pagination(request.args, current_app.config)
    filters = services.parse_filters(request.args)
    pagination = catalogue.filter_books(page, per_page, **filters)
    return jsonify(
        items=[book.to_dict() for book in pagination.items],
        page=pagination.page,
        per_page=pagination.per_page,
        total=pagination.total,
        pages=pagination.pages,
        links=_page_links(pagination, **filters),
    )


@bp.get("/books/<int:book_id>")
@token_required
def get_book(book_id):
    return jsonify(catalogue.get_book(book_id).to_dict())


@bp.post("/books")
@token_required
def create_book():
    data, errors = catalogue.validate(_json_object())
    if errors:
        return _unprocessable(errors)
    book = catalogue.add_book(g.api_user, data)
    location = url_for("api.get_book", book_id=book.id, _external=True)
    return jsonify(book.to_dict()), 201, {"Location": location}


@bp.route("/books/<int:book_id>", methods=["PUT", "PATCH"])
@token_required
def update_book(book_id):
    book = catalogue.book_to_change(book_id, g.api_user)
    partial = request.method == "PATCH"
    data, errors = catalogue.validate(_json_object(), partial=partial)
    if errors:
        return _unprocessable(errors)
    catalogue.change_book(book, data, partial=partial)
    return jsonify(book.to_dict())


@bp.delete("/books/<int:book_id>")
@token_required
def delete_book(book_id):
    catalogue.delete_book(catalogue.book_to_change(book_id, g.api_user))
    return "", 204
