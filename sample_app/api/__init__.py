"""The JSON API, mounted at /api/v1 and described by an OpenAPI 3 document
served at /api/v1/openapi.json (flask-smorest: docs/api-schema.md).

Stateless: every request carries its own credentials (HTTP Basic for
``POST /tokens``, a bearer token for the rest), so there is no session
cookie for a cross-site request to ride on and CSRF protection, which the
HTML forms need, is switched off for this blueprint.
"""

from flask_smorest import Api

from ..extensions import csrf
from .schemas import ERROR_RESPONSES, Blueprint, ErrorSchema

URL_PREFIX = "/api/v1"

bp = Blueprint("api", __name__, description="Books, and the tokens that open them")
csrf.exempt(bp)

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "From POST /api/v1/tokens",
    },
    "basicAuth": {"type": "http", "scheme": "basic", "description": "E-mail and password: POST /api/v1/tokens only"},
}
SPEC = {
    "title": "Bookshelf API",
    "version": "1",
    # 3.0, not 3.1: what the tools around it (validators, fuzzers, generators) support best.
    "openapi_version": "3.0.3",
    # Every operation needs a bearer token unless it says otherwise (POST /tokens).
    "security": [{"bearerAuth": []}],
}


class BookshelfApi(Api):
    """flask-smorest's Api, less what this app does its own way."""

    ERROR_SCHEMA = ErrorSchema
    # No "default" response on every operation: each lists the errors it gives.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        """None: the app's own handlers (sample_app.errors) answer the API's errors too."""

    def _register_pagination_header(self):
        """None: the book list's pages are in its body (BookPage), not in an X-Pagination header."""


def init_app(app):
    """Mount the API on ``app`` with its OpenAPI document, one per app (no global state)."""
    app.config.setdefault("OPENAPI_URL_PREFIX", URL_PREFIX)
    api = BookshelfApi(app, spec_kwargs=SPEC)
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    for name, response in ERROR_RESPONSES.items():
        api.spec.components.response(name, response)
    api.register_blueprint(bp, url_prefix=URL_PREFIX)


from . import lookup, views  # noqa: E402,F401  (register the routes on bp)
