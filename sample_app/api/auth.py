"""API authentication: HTTP Basic to get a token, bearer tokens for the rest.

The checks are plain functions (:func:`user_from_basic`,
:func:`user_from_bearer`) that unit tests call directly; the
:func:`token_required` decorator only turns their outcome into a 401.
Flask-Login is not used here: the API keeps no session, the user is put on
``g.api_user`` for the length of one request.
"""

from functools import wraps

from flask import g, request

from ..auth.services import authenticate
from ..errors import json_error
from ..extensions import db
from ..models import User
from .tokens import TokenError, decode_token

BASIC_CHALLENGE = 'Basic realm="api"'
# RFC 6750 section 3: no error code when no credentials were sent,
# error="invalid_token" when a token was sent but cannot be used.
BEARER_CHALLENGE = 'Bearer realm="api"'
# Header values and messages, not secrets (bandit B105 guesses from the names).
INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"'  # nosec B105

MISSING_TOKEN = "Missing bearer token"  # nosec B105
USER_GONE = "The user of this token no longer exists"


class MissingToken(TokenError):
    """No ``Authorization: Bearer <token>`` header was sent."""


def user_from_basic(auth):
    """The user named by HTTP Basic credentials (a werkzeug ``Authorization``
    with the e-mail as username), or ``None`` if they are missing or wrong."""
    if auth is None or auth.type != "basic" or not auth.username or not auth.password:
        return None
    if "\x00" in auth.username:  # PostgreSQL refuses NUL in a query parameter (a 500)
        return None
    # The login form's check: e-mail in any letter case, and an unknown
    # e-mail costs a hash too, so timing does not reveal who is registered.
    return authenticate(auth.username, auth.password)


def bearer_token(header):
    """The token in an ``Authorization`` header value, or raise :class:`MissingToken`."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise MissingToken(MISSING_TOKEN)
    return token


def user_from_bearer(header):
    """The user a bearer ``Authorization`` header stands for.

    Raises :class:`TokenError` (message fit for the client) when the header
    is missing, the token is expired, invalid, or its user was deleted.
    """
    user_id = decode_token(bearer_token(header))
    user = db.session.get(User, user_id)
    if user is None:
        raise TokenError(USER_GONE)
    return user


def token_required(view):
    """Let the request through only with a valid bearer token; the user is on ``g.api_user``."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            g.api_user = user_from_bearer(request.headers.get("Authorization"))
        except MissingToken as exc:
            return json_error(401, str(exc), {"WWW-Authenticate": BEARER_CHALLENGE})
        except TokenError as exc:
            return json_error(401, str(exc), {"WWW-Authenticate": INVALID_TOKEN_CHALLENGE})
        return view(*args, **kwargs)

    return wrapped
