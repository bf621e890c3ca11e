"""Signed, expiring API tokens (JWT, HS256, keyed with SECRET_KEY)."""

from datetime import timedelta

import jwt
from flask import current_app

from ..clock import utcnow
from ..text import is_ascii_digits

ALGORITHM = "HS256"


class TokenError(Exception):
    """The token is missing, malformed, tampered with or expired."""


def issue_token(user_id, ttl=None):
    """A token for ``user_id`` valid for ``ttl`` seconds (default: API_TOKEN_TTL)."""
    now = utcnow()
    ttl = current_app.config["API_TOKEN_TTL"] if ttl is None else ttl
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(seconds=ttl)}
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=ALGORITHM)


def decode_token(token):
    """Return the user id in ``token`` or raise :class:`TokenError`."""
    try:
        claims = jwt.decode(
            token,
            current_app.config["SECRET_KEY"],
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("Token has expired") from None
    except jwt.InvalidTokenError:
        raise TokenError("Token is invalid") from None
    subject = claims["sub"]
    if not is_ascii_digits(subject):
        raise TokenError("Token is invalid")
    return int(subject)
