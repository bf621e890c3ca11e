"""Unit tests of API tokens (sample_app/api/tokens.py) and the checks that
use them (sample_app/api/auth.py), called directly, without HTTP.

Patterns: plain functions tested without HTTP; frozen clock with time-machine;
token expiry; boundary values; forged tokens; pytest.raises with match and
excinfo; parametrize with ids; per-case ids and marks with pytest.param; app
context only around database work.
"""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine
from werkzeug.datastructures import Authorization

from sample_app.api.auth import MissingToken, user_from_basic, user_from_bearer
from sample_app.api.tokens import TokenError, decode_token, issue_token
from sample_app.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import forged

# A whole second, so JWT's whole-second "exp" is exactly ISSUED_AT + TTL.
ISSUED_AT = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
AN_HOUR_LATER = datetime(2030, 1, 1, 13, 0, 0, tzinfo=UTC)  # "exp" of a token issued at ISSUED_AT
INVALID = "Token is invalid"
EXPIRED = "Token has expired"


def _sign(app, claims, key=None):
    """A token signed like the app signs them, HS256 with its SECRET_KEY (or with another ``key``)."""
    return jwt.encode(claims, key or app.config["SECRET_KEY"], algorithm="HS256")


# --- issue_token / decode_token --------------------------------------------------


def test_decoded_token_gives_back_the_user_id(app):
    with app.app_context():
        # GIVEN a token issued for user 42
        token = issue_token(42)

        # WHEN it is decoded
        user_id = decode_token(token)

    # THEN the result is the integer 42
    assert user_id == 42


def test_token_is_accepted_one_second_before_ttl_ends(app):
    with app.app_context(), time_machine.travel(ISSUED_AT, tick=False) as traveller:
        # GIVEN a token issued with the default TTL (an hour), with the clock frozen
        token = issue_token(7)

        # WHEN the clock is moved to one second before the TTL runs out
        traveller.move_to(ISSUED_AT + timedelta(seconds=3599))
        user_id = decode_token(token)

    # THEN the token still decodes
    assert user_id == 7


def test_token_is_expired_when_ttl_ends(app):
    with app.app_context(), time_machine.travel(ISSUED_AT, tick=False) as traveller:
        # GIVEN a token issued with the default TTL (an hour), with the clock frozen
        token = issue_token(7)

        # WHEN the clock reaches exactly the end of the TTL and the token is decoded
        traveller.move_to(ISSUED_AT + timedelta(seconds=3600))
        with pytest.raises(TokenError) as excinfo:
            decode_token(token)

    # THEN TokenError says it has expired, raised "from None": the PyJWT error is not chained into the traceback
    assert str(excinfo.value) == EXPIRED
    assert excinfo.value.__cause__ is None


def test_explicit_ttl_overrides_the_configured_one(app):
    with app.app_context(), time_machine.travel(ISSUED_AT, tick=False) as traveller:
        # GIVEN a token issued with ttl=10
        token = issue_token(7, ttl=10)

        # WHEN 10 seconds pass and it is decoded
        traveller.shift(10)
        with pytest.raises(TokenError) as excinfo:
            decode_token(token)

    # THEN it has expired, although API_TOKEN_TTL is an hour
    assert str(excinfo.value) == EXPIRED


@pytest.mark.options(API_TOKEN_TTL=60)
def test_default_ttl_comes_from_config(app):
    # GIVEN API_TOKEN_TTL set to 60 seconds for this test
    # WHEN a token is issued without a ttl
    with app.app_context(), time_machine.travel(ISSUED_AT, tick=False):
        claims = jwt.decode(issue_token(7), options={"verify_signature": False})

    # THEN its exp claim is 60 seconds after its iat claim
    assert claims["exp"] - claims["iat"] == 60
    assert claims["sub"] == "7"


@pytest.mark.parametrize("change", ["flipped-signature-character", "changed-subject", "alg-none"])
def test_tampered_token_is_invalid(app, change):
    with app.app_context():
        # GIVEN a genuine token changed by an attacker
        token = forged(issue_token(7), change)

        # WHEN it is decoded
        with pytest.raises(TokenError) as excinfo:
            decode_token(token)

    # THEN TokenError says "Token is invalid"
    assert str(excinfo.value) == INVALID


@pytest.mark.parametrize(
    ("claims", "key"),
    [
        pytest.param(
            {"sub": "1", "iat": ISSUED_AT, "exp": AN_HOUR_LATER},
            "another-key-that-is-at-least-32-bytes",
            id="other-key",
        ),
        pytest.param({"sub": "1", "iat": ISSUED_AT}, None, id="no-exp"),
        pytest.param({"sub": "1", "exp": AN_HOUR_LATER}, None, id="no-iat"),
        pytest.param({"iat": ISSUED_AT, "exp": AN_HOUR_LATER}, None, id="no-sub"),
        pytest.param({"sub": "admin", "iat": ISSUED_AT, "exp": AN_HOUR_LATER}, None, id="sub-not-a-number"),
        pytest.param({"sub": "²", "iat": ISSUED_AT, "exp": AN_HOUR_LATER}, None, id="sub-superscript-digit"),
        pytest.param({"sub": "1", "iat": AN_HOUR_LATER, "exp": AN_HOUR_LATER}, None, id="issued-in-future"),
    ],
)
def test_malformed_or_foreign_token_is_invalid(app, claims, key):
    # GIVEN a token the app did not issue, or one missing what it needs (signed with the app's key unless another)
    token = _sign(app, claims, key=key)

    # WHEN it is decoded (at ISSUED_AT, so only the defect matters)
    with app.app_context(), time_machine.travel(ISSUED_AT, tick=False):
        with pytest.raises(TokenError) as excinfo:
            decode_token(token)

    # THEN TokenError says "Token is invalid"
    assert str(excinfo.value) == INVALID


@pytest.mark.parametrize("token", [pytest.param("not.a.token", id="garbage"), pytest.param("", id="empty")])
def test_string_that_is_not_a_token_is_invalid(app, token):
    # GIVEN a string that is not a JWT at all
    # WHEN it is decoded
    with app.app_context(), pytest.raises(TokenError) as excinfo:
        decode_token(token)

    # THEN TokenError says "Token is invalid"
    assert str(excinfo.value) == INVALID


# --- user_from_bearer ---------------------------------------------------------


def test_bearer_header_gives_its_user(app, user):
    with app.app_context():
        # GIVEN a token for an existing user
        token = issue_token(user.id)

        # WHEN the user is looked up from "Bearer <token>"
        found_email = user_from_bearer(f"Bearer {token}").email

    # THEN it is that user
    assert found_email == user.email


def test_bearer_token_after_extra_spaces_is_accepted(app, user):
    with app.app_context():
        # GIVEN a header with two spaces between "Bearer" and the token, and one after it
        header = f"Bearer  {issue_token(user.id)} "

        # WHEN the user is looked up
        found_id = user_from_bearer(header).id

    # THEN the token is still found (the first space ends the scheme, the rest is trimmed)
    assert found_id == user.id


def test_bearer_scheme_is_case_insensitive(app, user):
    with app.app_context():
        # GIVEN a header spelling the scheme "bearer" in lower case
        header = f"bearer {issue_token(user.id)}"

        # WHEN the user is looked up
        found_id = user_from_bearer(header).id

    # THEN it is accepted (RFC 9110: auth schemes are case-insensitive)
    assert found_id == user.id


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="none"),
        pytest.param("", id="empty"),
        pytest.param("Bearer", id="scheme-only"),
        pytest.param("Bearer   ", id="blank-token"),
        pytest.param("Basic cmVhZGVyOnB3", id="basic-scheme"),
        pytest.param("Token abc", id="other-scheme"),
    ],
)
def test_header_without_bearer_token_raises_missing_token(app, header):
    # GIVEN an Authorization header that carries no bearer token
    # WHEN the user is looked up
    with app.app_context(), pytest.raises(MissingToken, match="^Missing bearer token$") as excinfo:
        user_from_bearer(header)

    # THEN MissingToken (a TokenError) says "Missing bearer token"
    assert isinstance(excinfo.value, TokenError)


def test_token_of_deleted_user_is_refused(app, db, make_user):
    gone = make_user()
    with app.app_context():
        # GIVEN a valid token whose user has since been deleted
        token = issue_token(gone.id)
        db.session.delete(db.session.get(User, gone.id))
        db.session.commit()

        # WHEN the user is looked up
        with pytest.raises(TokenError) as excinfo:
            user_from_bearer(f"Bearer {token}")

    # THEN TokenError says the user no longer exists
    assert str(excinfo.value) == "The user of this token no longer exists"


# --- user_from_basic ----------------------------------------------------------


def test_basic_credentials_give_their_user(app, user):
    # GIVEN a werkzeug Authorization object with a user's e-mail and password
    auth = Authorization("basic", {"username": user.email, "password": DEFAULT_PASSWORD})

    # WHEN the user is looked up
    with app.app_context():
        found_id = user_from_basic(auth).id

    # THEN it is that user
    assert found_id == user.id


def test_basic_email_matches_in_any_letter_case(app, user):
    # GIVEN the e-mail typed in capitals
    auth = Authorization("basic", {"username": user.email.upper(), "password": DEFAULT_PASSWORD})

    # WHEN the user is looked up
    with app.app_context():
        found_id = user_from_basic(auth).id

    # THEN it still matches, as on the login form
    assert found_id == user.id


@pytest.mark.parametrize(
    "auth",
    [
        pytest.param(None, id="no-header"),
        pytest.param(
            Authorization("basic", {"username": "reader@example.com", "password": "wrong-password"}),
            id="wrong-password",
        ),
        pytest.param(
            Authorization("basic", {"username": "nobody@example.com", "password": DEFAULT_PASSWORD}),
            id="unknown-email",
        ),
        pytest.param(Authorization("basic", {"username": "reader@example.com", "password": ""}), id="empty-password"),
        pytest.param(Authorization("basic", {"username": "", "password": DEFAULT_PASSWORD}), id="empty-email"),
        pytest.param(
            Authorization("basic", {"username": "reader\x00@example.com", "password": DEFAULT_PASSWORD}),
            id="nul-in-email",
        ),
        pytest.param(Authorization("bearer", token="abc"), id="bearer-scheme"),
        # A "Digest" header may carry a password parameter: only Basic is read.
        pytest.param(
            Authorization("digest", {"username": "reader@example.com", "password": DEFAULT_PASSWORD}),
            id="digest-scheme-with-the-right-password",
        ),
    ],
)
def test_missing_or_wrong_basic_credentials_give_no_user(app, user, auth):
    # GIVEN no credentials, wrong ones, or another scheme
    # WHEN the user is looked up
    with app.app_context():
        found = user_from_basic(auth)

    # THEN there is none (the caller answers 401)
    assert found is None


def test_empty_basic_password_gives_no_user_even_if_it_is_the_users_password(app, make_user):
    # GIVEN a user whose stored password is empty (made outside the forms), and Basic credentials with it
    blank = make_user(email="blank@example.com", password="")
    auth = Authorization("basic", {"username": blank.email, "password": ""})

    # WHEN the credentials are checked
    with app.app_context():
        found = user_from_basic(auth)

    # THEN there is no user: an empty password is refused before any check
    assert found is None


def test_nul_in_basic_email_is_refused_without_a_database_lookup(app, monkeypatch):
    """PostgreSQL refuses a NUL in a query: looking it up would be a 500."""

    # GIVEN a Basic e-mail holding a NUL character, and authenticate() replaced by one that fails the test
    def authenticate_must_not_run(email, password):
        pytest.fail(f"authenticate() was called with {email!r}")

    monkeypatch.setattr("sample_app.api.auth.authenticate", authenticate_must_not_run)
    auth = Authorization("basic", {"username": "reader\x00@example.com", "password": DEFAULT_PASSWORD})

    # WHEN the user is looked up
    with app.app_context():
        found = user_from_basic(auth)

    # THEN there is none, and authenticate() was never called
    assert found is None
