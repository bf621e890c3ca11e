"""The catalogue: list and search, detail, add, edit and delete books."""

from flask import Blueprint

bp = Blueprint("books", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
