"""api blueprint (stub: being built)."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
