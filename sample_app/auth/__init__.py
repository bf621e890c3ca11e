"""auth blueprint: registration, login, logout and e-mail confirmation (mounted at /auth).

Its views module also registers, for the whole app, the hook that keeps a user
whose address is not confirmed yet to the pages they may use.
"""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
