"""The JSON API, mounted at /api/v1.

Stateless: every request carries its own credentials (HTTP Basic for
``POST /tokens``, a bearer token for the rest), so there is no session
cookie for a cross-site request to ride on and CSRF protection, which the
HTML forms need, is switched off for this blueprint.
"""

from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)

from . import lookup, views  # noqa: E402,F401  (register the routes on bp)
