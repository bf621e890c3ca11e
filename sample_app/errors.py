"""Error handlers: HTML pages for the site, JSON for the API."""

from flask import jsonify, render_template, request
from werkzeug.exceptions import BadRequest, Conflict, Forbidden, HTTPException, InternalServerError, NotFound
from werkzeug.http import HTTP_STATUS_CODES

from . import catalogue
from .extensions import db
from .text import InvalidNumber

API_PREFIX = "/api/"
PAGES = {400, 403, 404, 405, 413}  # codes with their own template (409 uses the generic one)


def wants_json():
    """API routes always answer JSON, even for 404/405 raised by routing."""
    return request.path.startswith(API_PREFIX)


def json_error(status, message, headers=None):
    """A JSON error response ``{"error": ..., "message": ...}``."""
    response = jsonify({"error": HTTP_STATUS_CODES.get(status, "Error"), "message": message})
    response.status_code = status
    response.headers.extend(headers or {})
    return response


def handle_http_exception(error):
    # Keep headers such as Allow (405) or WWW-Authenticate (401) on both the
    # JSON and the HTML response; only the content type is ours to choose.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if wants_json():
        return json_error(error.code, error.description, headers)
    template = f"errors/{error.code}.html" if error.code in PAGES else "errors/generic.html"
    return render_template(template, error=error), error.code, headers


def handle_internal_error(error):
    # The session may hold a half-done unit of work: drop it, never commit it.
    db.session.rollback()
    if wants_json():
        return json_error(500, "An unexpected error occurred.")
    return render_template("errors/500.html"), 500


# What the app's own exceptions mean over HTTP, wherever a view lets one out.
HTTP_ERRORS = {
    catalogue.BookNotFound: NotFound,
    catalogue.PageNotFound: NotFound,
    catalogue.NotAllowed: Forbidden,
    catalogue.DuplicateISBN: Conflict,
    InvalidNumber: BadRequest,
}


def handle_app_error(error):
    return handle_http_exception(HTTP_ERRORS[type(error)](str(error)))


def register_error_handlers(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_internal_error)
    for exception in HTTP_ERRORS:
        app.register_error_handler(exception, handle_app_error)
