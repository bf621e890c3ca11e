"""Accounts: registration, password checks and safe post-login redirects.

Plain functions, so tests call them directly (tests/unit/test_auth_services.py)
and the views stay thin.
"""

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from ..email import send_email
from ..extensions import db
from ..models import User

WELCOME_SUBJECT = "Welcome to Bookshelf"

# The account rules, for the registration form and ``flask create-admin`` alike.
# fullmatch, not match + "$": "$" also matches before a trailing newline.
USERNAME = re.compile(r"[A-Za-z0-9._]{3,64}")
USERNAME_RULE = "A username has 3 to 64 letters, digits, dots or underscores."
MIN_PASSWORD_LENGTH = 8
PASSWORD_RULE = f"A password has at least {MIN_PASSWORD_LENGTH} characters."


class DuplicateUserError(Exception):
    """The e-mail or username was taken between validation and commit."""


def check_username(username):
    """``(username, None)``, or ``(None, the rule it breaks)``."""
    return (username, None) if USERNAME.fullmatch(username) else (None, USERNAME_RULE)


def check_password(password):
    """``(password, None)``, or ``(None, the rule it breaks)``."""
    return (password, None) if len(password) >= MIN_PASSWORD_LENGTH else (None, PASSWORD_RULE)


def normalize_email(email):
    """E-mails are stored and compared lower-cased, without surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email):
    """The user with ``email`` (any letter case), or None."""
    # lower() on the column too: rows written by other means may keep capitals.
    return db.session.scalar(db.select(User).where(db.func.lower(User.email) == normalize_email(email)))


def email_registered(email):
    return find_user_by_email(email) is not None


def username_taken(username):
    """True if ``username`` is in use in any letter case ("Reader" vs "reader"),
    so one user cannot pass for another."""
    query = db.select(User.id).where(db.func.lower(User.username) == username.lower())
    return db.session.scalar(query) is not None


def register_user(email, username, password):
    """Create and commit a user, then send the welcome e-mail.

    Raises :class:`DuplicateUserError` (with nothing written) when the
    database refuses a duplicate that the form's checks let through, e.g.
    two registrations with the same e-mail at the same moment.
    """
    user = User(email=normalize_email(email), username=username, password=password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateUserError("That e-mail or username is already registered.") from None
    send_email(user.email, WELCOME_SUBJECT, "welcome", user=user)
    return user


def authenticate(email, password):
    """The user with this e-mail (any letter case) and password, else None."""
    user = find_user_by_email(email)
    if user is None:
        # Hash anyway: an unknown e-mail must take as long as a wrong
        # password, or response times would tell which e-mails are registered.
        generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        return None
    if not user.verify_password(password):
        return None
    return user


def is_safe_redirect(target):
    """True only for a path on this site, such as ``/books/3?x=1``.

    Refused: None, empty or relative values (``books/3``), a scheme
    (``https:``, ``javascript:``, ``http:evil``), a host (``//evil.example``),
    and the spellings a browser reads as ``//evil.example`` although
    ``urlsplit`` does not (see the comments).
    """
    if not isinstance(target, str):
        return False
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.example"
    # and "/\t/evil.example" both mean "//evil.example" to them. No control
    # character (NUL, CR, LF...) belongs in a path.
    if "\\" in target or any(unicodedata.category(char) == "Cc" for char in target):
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and parts.path.startswith("/")
        # urlsplit reads "///evil.example" as a path; a browser goes to evil.example.
        and not target.startswith("//")
        # urlsplit silently drops leading spaces (" ///evil.example"): accept
        # only a string that it reads back exactly as it was written.
        and urlunsplit(parts) == target
    )


def safe_next_url(target, fallback):
    """``target`` if it is safe to redirect to (see :func:`is_safe_redirect`), else ``fallback``."""
    return target if is_safe_redirect(target) else fallback
