"""Accounts: registration, password checks, e-mail confirmation and safe post-login redirects.

Plain functions, so tests call them directly (tests/unit/test_auth_services.py)
and the views stay thin.
"""

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from ..clock import utcnow
from ..email import send_email
from ..extensions import db
from ..models import User

WELCOME_SUBJECT = "Welcome to Bookshelf"
CONFIRM_SUBJECT = "Confirm your Bookshelf account"

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
    """Create and commit a user, then send the welcome e-mail, which carries
    the link to confirm the address (rendered in a request: it holds a full URL).

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
    send_email(user.email, WELCOME_SUBJECT, "welcome", user=user, token=confirmation_token(user))
    return user


# --- e-mail confirmation ----------------------------------------------------------

# The salt names the token's purpose: a token signed with the same key for
# anything else (a password reset, say) does not confirm an account.
CONFIRM_SALT = "account-confirmation"

CONFIRM_EXPIRED = "This confirmation link has expired: ask for a new one below."
CONFIRM_INVALID = "This confirmation link is not valid."
CONFIRM_OTHER_ACCOUNT = "This confirmation link is for another account."
ALREADY_CONFIRMED = "Your account is already confirmed."


class ConfirmationError(Exception):
    """A confirmation link that cannot confirm this account; the message says why."""


class ConfirmationExpired(ConfirmationError):
    """A genuine link, older than ``CONFIRM_TOKEN_TTL``."""


class ConfirmationInvalid(ConfirmationError):
    """Not a confirmation token of this site: tampered, made for another purpose, or garbage."""


class ConfirmationForAnotherAccount(ConfirmationError):
    """A genuine link, e-mailed to another user than the one logged in."""


class AlreadyConfirmed(ConfirmationError):
    """The account is confirmed already (a link followed twice, a new link asked for)."""


def _confirmation_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def confirmation_token(user):
    """A signed, URL-safe token for the link that confirms ``user``'s address.

    It holds the user id and the e-mail address (a link sent to an address the
    account no longer has confirms nothing) and the time it was made, which
    :func:`confirm` checks against ``CONFIRM_TOKEN_TTL``.
    """
    return _confirmation_serializer().dumps({"user_id": user.id, "email": user.email})


def _read_confirmation_token(token):
    """``(user_id, email, expired)``, or raise :class:`ConfirmationInvalid`."""
    serializer = _confirmation_serializer()
    try:
        payload, expired = serializer.loads(token, max_age=current_app.config["CONFIRM_TOKEN_TTL"]), False
    except SignatureExpired as exc:
        # itsdangerous checks the signature before the age: this payload is
        # genuine, so an old link can still be told apart from another user's.
        payload, expired = serializer.load_payload(exc.payload), True
    except BadData:
        raise ConfirmationInvalid(CONFIRM_INVALID) from None
    try:
        return payload["user_id"], payload["email"], expired
    except (KeyError, TypeError):
        raise ConfirmationInvalid(CONFIRM_INVALID) from None


def confirm(user, token):
    """Confirm ``user``'s address with ``token`` (from the link) and commit.

    Raises, changing nothing, the :class:`ConfirmationError` that says why not:
    :class:`ConfirmationInvalid`, :class:`ConfirmationForAnotherAccount`,
    :class:`AlreadyConfirmed` (checked before the age: following the link again
    days later is not an error) or :class:`ConfirmationExpired`.
    """
    user_id, email, expired = _read_confirmation_token(token)
    if user_id != user.id:
        raise ConfirmationForAnotherAccount(CONFIRM_OTHER_ACCOUNT)
    if email != user.email:
        # Sent to an address the account no longer has: it proves nothing now.
        raise ConfirmationInvalid(CONFIRM_INVALID)
    if user.confirmed:
        raise AlreadyConfirmed(ALREADY_CONFIRMED)
    if expired:
        raise ConfirmationExpired(CONFIRM_EXPIRED)
    user.confirmed_at = utcnow()
    db.session.commit()


def send_confirmation(user):
    """E-mail ``user`` a new confirmation link; :class:`AlreadyConfirmed` (nothing sent) if there is no need."""
    if user.confirmed:
        raise AlreadyConfirmed(ALREADY_CONFIRMED)
    send_email(user.email, CONFIRM_SUBJECT, "confirm", user=user, token=confirmation_token(user))


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
