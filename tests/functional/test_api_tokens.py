"""Functional tests of API authentication: getting a token, then using it.

Patterns: HTTP Basic with the test client; token expiry; frozen clock with
time-machine; forged tokens; WWW-Authenticate challenge; API errors are JSON,
never HTML; shared assertion helper; CSRF turned on for one test; per-case ids
and marks with pytest.param.
"""

import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sample_app.api.tokens import decode_token, issue_token
from sample_app.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import assert_json_error, bearer, forged

TOKENS_URL = "/api/v1/tokens"
BOOKS_URL = "/api/v1/books"
# A whole second, so the token's whole-second "exp" is exactly NOW + its lifetime.
NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
BASIC_REFUSED = "Send a valid email and password with HTTP Basic authentication"
NO_TOKEN = "Missing bearer token"


def fetch_token(client, user):
    """A token for ``user``, fetched from /tokens with their e-mail and password."""
    return client.post(TOKENS_URL, auth=(user.email, DEFAULT_PASSWORD)).json["token"]


# --- getting a token -------------------------------------------------------------


def test_basic_credentials_get_a_bearer_token(app, client, user):
    # GIVEN a registered user
    # WHEN they POST to /api/v1/tokens with their e-mail and password (HTTP Basic)
    response = client.post(TOKENS_URL, auth=(user.email, DEFAULT_PASSWORD))

    # THEN they get a bearer token for their account, its lifetime (an hour by default), and no caching
    assert response.status_code == 200
    assert response.json["token_type"] == "Bearer"
    assert response.json["expires_in"] == 3600
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert decode_token(response.json["token"]) == user.id


def test_basic_header_built_by_hand_also_works(client, user):
    # GIVEN an Authorization header written out as "Basic base64(email:password)"
    credentials = base64.b64encode(f"{user.email}:{DEFAULT_PASSWORD}".encode()).decode()

    # WHEN it is sent to /api/v1/tokens
    response = client.post(TOKENS_URL, headers={"Authorization": f"Basic {credentials}"})

    # THEN a token is issued (what ``auth=`` does for you)
    assert response.status_code == 200
    assert response.json["token"].count(".") == 2  # header.payload.signature


@pytest.mark.options(API_TOKEN_TTL=60)
def test_token_lifetime_follows_config(client, user):
    # GIVEN API_TOKEN_TTL set to 60 seconds
    # WHEN a token is requested
    response = client.post(TOKENS_URL, auth=(user.email, DEFAULT_PASSWORD))

    # THEN expires_in says 60
    assert response.json["expires_in"] == 60


def test_issued_token_opens_the_api(client, user, make_book):
    # GIVEN a token just fetched with HTTP Basic
    book = make_book(title="Kindred")
    token = fetch_token(client, user)

    # WHEN it is sent as a bearer token to the book list
    response = client.get(BOOKS_URL, headers=bearer(token))

    # THEN the list is returned
    assert response.status_code == 200
    assert [item["title"] for item in response.json["items"]] == [book.title]


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param({"auth": ("reader@example.com", "wrong-password")}, id="wrong-password"),
        pytest.param({"auth": ("nobody@example.com", DEFAULT_PASSWORD)}, id="unknown-email"),
        pytest.param({}, id="no-credentials"),
        pytest.param({"headers": {"Authorization": "Bearer abc"}}, id="bearer-scheme"),
        pytest.param({"headers": {"Authorization": "Basic !!not-base64!!"}}, id="garbled-basic"),
        pytest.param({"auth": ("a\x00b@example.com", "pw")}, id="nul-in-email"),
    ],
)
def test_bad_basic_credentials_are_refused_with_a_basic_challenge(client, user, credentials):
    # GIVEN wrong, missing or garbled credentials
    # WHEN a token is requested
    response = client.post(TOKENS_URL, **credentials)

    # THEN a JSON 401 asks for HTTP Basic (realm "api"), the same whether or not the e-mail is registered
    assert_json_error(response, 401, BASIC_REFUSED)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="api"'
    assert "token" not in response.json


def test_unconfirmed_user_with_the_right_password_gets_a_json_403(client, make_user):
    # GIVEN a user who has not confirmed their e-mail address yet
    make_user(email="newcomer@example.com", confirmed=False)

    # WHEN they ask for a token with their right e-mail and password
    response = client.post(TOKENS_URL, auth=("newcomer@example.com", DEFAULT_PASSWORD))

    # THEN the answer is a JSON 403 that says what to do, and no token
    assert_json_error(
        response, 403, "Confirm your e-mail address (follow the link e-mailed to you) to get an API token", "Forbidden"
    )
    assert "token" not in response.json


def test_unconfirmed_user_with_a_wrong_password_gets_the_usual_401(client, make_user):
    # GIVEN a user who has not confirmed their e-mail address yet
    make_user(email="newcomer@example.com", confirmed=False)

    # WHEN someone asks for a token with their e-mail and a wrong password
    response = client.post(TOKENS_URL, auth=("newcomer@example.com", "wrong-password"))

    # THEN the answer is the usual 401: without the password, nobody learns whether the account is confirmed
    assert_json_error(response, 401, BASIC_REFUSED)


def test_token_endpoint_only_accepts_post(client, user):
    # GIVEN the token endpoint
    # WHEN it is fetched with GET
    response = client.get(TOKENS_URL, auth=(user.email, DEFAULT_PASSWORD))

    # THEN the answer is a JSON 405 that lists POST in Allow
    assert_json_error(response, 405)
    assert "POST" in response.allow


@pytest.mark.options(WTF_CSRF_ENABLED=True)
def test_api_needs_no_csrf_token(client, user):
    # GIVEN CSRF protection switched on, as in production
    # WHEN a token is requested without any CSRF token
    response = client.post(TOKENS_URL, auth=(user.email, DEFAULT_PASSWORD))

    # THEN it is issued: the API blueprint is exempt (it uses no session cookie)
    assert response.status_code == 200
    assert "token" in response.json


# --- using a token -----------------------------------------------------------------


def test_request_without_token_is_refused_with_a_bearer_challenge(client):
    # GIVEN no Authorization header
    # WHEN the book list is requested
    response = client.get(BOOKS_URL)

    # THEN a JSON 401 asks for a bearer token, with no error code (RFC 6750: none when no token was sent)
    assert_json_error(response, 401, NO_TOKEN)
    assert response.www_authenticate.type == "bearer"
    assert response.www_authenticate.parameters == {"realm": "api"}


def test_basic_credentials_do_not_open_the_books_endpoint(client, user):
    # GIVEN a valid e-mail and password sent with HTTP Basic
    # WHEN the book list is requested with them instead of a token
    response = client.get(BOOKS_URL, auth=(user.email, DEFAULT_PASSWORD))

    # THEN it is refused: only /tokens takes a password
    assert_json_error(response, 401, NO_TOKEN)


def test_token_works_until_just_before_it_expires(client, user):
    # GIVEN a token fetched with the clock frozen at NOW
    with time_machine.travel(NOW, tick=False) as traveller:
        token = fetch_token(client, user)
        traveller.move_to(NOW + timedelta(seconds=3599))

        # WHEN the clock moves to one second before its lifetime (an hour) ends
        response = client.get(BOOKS_URL, headers=bearer(token))

    # THEN the API still accepts it
    assert response.status_code == 200
    assert response.json["items"] == []


def test_expired_token_is_refused(client, user):
    # GIVEN a token fetched with the clock frozen at NOW
    with time_machine.travel(NOW, tick=False) as traveller:
        token = fetch_token(client, user)
        traveller.move_to(NOW + timedelta(seconds=3600))

        # WHEN the clock moves to the end of its lifetime (an hour)
        response = client.get(BOOKS_URL, headers=bearer(token))

    # THEN a JSON 401 says "Token has expired", with error="invalid_token"
    assert_json_error(response, 401, "Token has expired")
    assert response.www_authenticate.parameters == {"realm": "api", "error": "invalid_token"}


@pytest.mark.parametrize("change", ["flipped-signature-character", "changed-subject", "alg-none"])
def test_tampered_token_is_refused(client, api_token, change):
    # GIVEN a genuine token changed by an attacker
    # WHEN it is sent to the API
    response = client.get(BOOKS_URL, headers=bearer(forged(api_token, change)))

    # THEN a JSON 401 says "Token is invalid"
    assert_json_error(response, 401, "Token is invalid")
    assert response.www_authenticate.parameters["error"] == "invalid_token"


def test_token_of_deleted_user_is_refused(app, db, client, make_user):
    # GIVEN a valid token whose user has since been deleted
    gone = make_user()
    with app.app_context():
        token = issue_token(gone.id)
        db.session.delete(db.session.get(User, gone.id))
        db.session.commit()

    # WHEN it is sent to the API
    response = client.get(BOOKS_URL, headers=bearer(token))

    # THEN a JSON 401 says the user no longer exists
    assert_json_error(response, 401, "The user of this token no longer exists")
