"""Request hooks: request ids, security headers, logging of failures."""

import re
import uuid

from flask import abort, g, request

# fullmatch, not match + "$": "$" also matches before a trailing newline.
_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'",
}


def request_id_from(header_value):
    """Keep a caller's well-formed X-Request-ID (for tracing), else make one."""
    if header_value and _REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


NUL_MESSAGE = "The request contains a NUL character, which no text field accepts."


def has_nul(values):
    """True if a key or value of a query string or form (a MultiDict) contains NUL.

    No real input holds one, and PostgreSQL refuses it in text: checked once
    here, it is a 400 for every form and query string instead of a 500.
    """
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def register_hooks(app):
    """Register the hooks; the app factory calls this before any extension's own."""

    @app.before_request
    def assign_request_id():
        g.request_id = request_id_from(request.headers.get("X-Request-ID"))

    @app.before_request
    def refuse_nul_characters():
        if has_nul(request.args) or has_nul(request.form):
            abort(400, description=NUL_MESSAGE)

    @app.after_request
    def add_headers(response):
        response.headers["X-Request-ID"] = g.get("request_id") or request_id_from(None)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.teardown_request
    def log_failure(exc):
        if exc is not None:
            app.logger.error("Request %s %s failed: %r", request.method, request.path, exc)
