"""Unit tests of sample_app/auth/services.py: plain functions, called directly,
e-mail confirmation tokens among them.

Patterns: plain functions tested without HTTP; pure functions without an app;
parametrize with ids; per-case ids and marks with pytest.param; open-redirect
attempts; no user enumeration; app context only around database work; e-mail
outbox fixture; mock.patch with autospec; asserting how a mock was called;
nothing written after a failure; token expiry; frozen clock with time-machine;
forged tokens; pytest.raises with match and excinfo; test_request_context;
signed link failures told apart.
"""

import re
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer

from sample_app.api.tokens import issue_token
from sample_app.auth.services import (
    AlreadyConfirmed,
    ConfirmationExpired,
    ConfirmationForAnotherAccount,
    ConfirmationInvalid,
    DuplicateUserError,
    authenticate,
    confirm,
    confirmation_token,
    email_registered,
    is_safe_redirect,
    normalize_email,
    register_user,
    safe_next_url,
    send_confirmation,
    username_taken,
)
from sample_app.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import b64url_json, flip_signature_character, row_count

FALLBACK = "/books/"
# A whole second: itsdangerous stamps tokens in whole seconds.
NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)

SAFE_TARGETS = [
    pytest.param("/books/3?x=1", id="query"),
    pytest.param("/", id="root"),
    pytest.param("/about#top", id="fragment"),
    pytest.param("/books/?q=a%20b&page=2", id="encoded-query"),
    pytest.param("/b%C3%BCcher", id="encoded-path"),
]

# Each one leaves the site, runs script, or is not a plain site path.
UNSAFE_TARGETS = [
    pytest.param("https://evil.example", id="absolute-url"),
    pytest.param("HTTPS://evil.example/books/", id="absolute-url-upper-case-scheme"),
    pytest.param("//evil.example", id="scheme-relative"),
    pytest.param("//evil.example/books/", id="scheme-relative-with-path"),
    pytest.param("///evil.example", id="three-slashes"),
    pytest.param("////evil.example", id="four-slashes"),
    pytest.param("/\\evil.example", id="slash-backslash"),
    pytest.param("\\\\evil", id="two-backslashes"),
    pytest.param("/books/\\..\\evil", id="backslash-in-path"),
    pytest.param("javascript:alert(1)", id="javascript-scheme"),
    pytest.param("javascript:/alert(1)", id="javascript-scheme-with-slash"),
    pytest.param("http:evil", id="scheme-without-slashes"),
    pytest.param("http:/evil.example", id="scheme-with-one-slash"),
    pytest.param("/\t/evil.example", id="tab-between-slashes"),
    pytest.param("/books/\r\nSet-Cookie: x=1", id="header-injection"),
    pytest.param("/books\x00", id="nul-byte"),
    pytest.param(" ///evil.example", id="leading-space"),
    pytest.param("books/3", id="relative-path"),
    pytest.param("", id="empty"),
    pytest.param(None, id="none"),
]


# --- redirects (pure functions: no app needed) --------------------------------


@pytest.mark.parametrize("target", SAFE_TARGETS)
def test_is_safe_redirect_accepts_paths_on_this_site(target):
    # GIVEN a path on this site
    # WHEN it is checked as a redirect target
    safe = is_safe_redirect(target)

    # THEN it is accepted
    assert safe is True


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_is_safe_redirect_refuses_targets_off_this_site(target):
    # GIVEN a target an attacker could put in ``?next=``
    # WHEN it is checked as a redirect target
    safe = is_safe_redirect(target)

    # THEN it is refused
    assert safe is False


def test_safe_next_url_returns_a_safe_target():
    # GIVEN a path on this site
    # WHEN safe_next_url is asked for the URL to go to
    url = safe_next_url("/books/3?x=1", FALLBACK)

    # THEN it is the target, not the fallback
    assert url == "/books/3?x=1"


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_safe_next_url_falls_back_for_unsafe_targets(target):
    # GIVEN an unsafe target
    # WHEN safe_next_url is asked for the URL to go to
    url = safe_next_url(target, FALLBACK)

    # THEN it is the fallback
    assert url == FALLBACK


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Reader@Example.COM", "reader@example.com", id="upper-case"),
        pytest.param("  reader@example.com\n", "reader@example.com", id="surrounding-whitespace"),
    ],
)
def test_normalize_email_lower_cases_and_strips(raw, expected):
    # GIVEN an e-mail as a user might type it
    # WHEN it is normalised
    email = normalize_email(raw)

    # THEN it is lower-case without surrounding whitespace
    assert email == expected


# --- lookups ------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [pytest.param("reader@example.com", id="same-case"), pytest.param("READER@Example.com", id="other-case")],
)
def test_email_registered_ignores_letter_case(app, user, email):
    # GIVEN a user registered as reader@example.com
    # WHEN the e-mail is looked up in any letter case
    with app.app_context():
        registered = email_registered(email)

    # THEN it is found
    assert registered is True


def test_email_registered_is_false_for_an_unknown_email(app, user):
    # GIVEN one registered user
    # WHEN another e-mail is looked up
    with app.app_context():
        registered = email_registered("someone.else@example.com")

    # THEN it is not found
    assert registered is False


@pytest.mark.parametrize("username", [pytest.param("reader", id="same-case"), pytest.param("Reader", id="other-case")])
def test_username_taken_ignores_letter_case(app, user, username):
    # GIVEN a user called "reader"
    # WHEN the name is looked up in any letter case
    with app.app_context():
        taken = username_taken(username)

    # THEN it is taken (nobody can register as "Reader" to pass for them)
    assert taken is True


def test_username_taken_is_false_for_a_free_name(app, user):
    # GIVEN a user called "reader"
    # WHEN another name is looked up
    with app.app_context():
        taken = username_taken("writer")

    # THEN it is free
    assert taken is False


# --- authenticate -------------------------------------------------------------


def test_authenticate_returns_the_user_for_the_right_password(app, user):
    # GIVEN a registered user
    # WHEN authenticate is called with their e-mail and password
    with app.app_context():
        found = authenticate(user.email, DEFAULT_PASSWORD)

    # THEN it returns that user
    assert found.id == user.id


def test_authenticate_ignores_the_letter_case_of_the_email(app, user):
    # GIVEN a user registered as reader@example.com
    # WHEN authenticate is called with READER@Example.com
    with app.app_context():
        found = authenticate("READER@Example.com", DEFAULT_PASSWORD)

    # THEN it returns that user
    assert found.id == user.id


def test_authenticate_finds_an_email_stored_with_capitals(app, make_user):
    # GIVEN a user whose e-mail was stored with capitals (not through register_user)
    stored = make_user(email="Mixed.Case@Example.com")

    # WHEN authenticate is called with it in lower case
    with app.app_context():
        found = authenticate("mixed.case@example.com", DEFAULT_PASSWORD)

    # THEN it returns that user
    assert found.id == stored.id


def test_authenticate_returns_none_for_a_wrong_password(app, user):
    # GIVEN a registered user
    # WHEN authenticate is called with a wrong password
    with app.app_context():
        found = authenticate(user.email, "not-the-password")

    # THEN it returns None
    assert found is None


def test_authenticate_returns_none_for_an_unknown_email(app, user):
    # GIVEN no user with that e-mail
    # WHEN authenticate is called with it
    with app.app_context():
        found = authenticate("nobody@example.com", DEFAULT_PASSWORD)

    # THEN it returns None
    assert found is None


def test_authenticate_hashes_the_password_even_for_an_unknown_email(app):
    """So the answer takes as long as for a wrong password: timing does not reveal registered e-mails."""
    # GIVEN no user with that e-mail
    # WHEN authenticate is called with it
    with app.app_context(), patch("sample_app.auth.services.generate_password_hash", autospec=True) as hash_:
        authenticate("nobody@example.com", "a-guess")

    # THEN the password is still hashed once (with the testing config's method)
    hash_.assert_called_once_with("a-guess", method="pbkdf2:sha256:1")


# --- register_user ------------------------------------------------------------


def test_register_user_stores_the_email_lower_cased(app, db, outbox):
    # GIVEN an e-mail typed with capitals
    # WHEN a user is registered with it (in a request: the welcome e-mail's full URL is built from it)
    with app.test_request_context():
        user = register_user("New.Reader@Example.COM", "newreader", DEFAULT_PASSWORD)
        stored_email = db.session.get(User, user.id).email

    # THEN the stored e-mail is lower-case
    assert stored_email == "new.reader@example.com"


def test_register_user_stores_a_hash_not_the_password(app, db, outbox):
    # GIVEN a password
    # WHEN a user is registered with it
    with app.test_request_context():
        user = register_user("new@example.com", "newreader", DEFAULT_PASSWORD)
        stored = db.session.get(User, user.id)
        verifies, stored_hash = stored.verify_password(DEFAULT_PASSWORD), stored.password_hash

    # THEN the stored hash verifies it, and is not the password itself
    assert verifies
    assert DEFAULT_PASSWORD not in stored_hash


def test_register_user_sends_the_welcome_email(app, outbox):
    """The clock is frozen: a token holds the second it was made, and the one made here would differ if it ticked."""
    # GIVEN the outbox fixture capturing sent e-mails, and the clock frozen
    # WHEN a user is registered (in a request to http://localhost/)
    with app.test_request_context(), time_machine.travel(NOW, tick=False):
        user = register_user("new@example.com", "newreader", DEFAULT_PASSWORD)
        token = confirmation_token(user)

    # THEN one welcome e-mail goes to them, greeting them by username, with the full link that confirms them
    [message] = outbox
    assert message["To"] == "new@example.com"
    assert message["Subject"] == "Welcome to Bookshelf"
    assert "Hello newreader" in message.get_content()
    assert f"http://localhost/auth/confirm/{token}\n" in message.get_content()


def test_register_user_calls_send_email_with_the_welcome_template(app):
    # GIVEN send_email replaced by an autospec mock (same signature as the real one), and the clock frozen
    # WHEN a user is registered
    with (
        app.app_context(),
        time_machine.travel(NOW, tick=False),
        patch("sample_app.auth.services.send_email", autospec=True) as send_email,
    ):
        user = register_user("new@example.com", "newreader", DEFAULT_PASSWORD)
        token = confirmation_token(user)

    # THEN send_email is called once, with the template name, the new user and their confirmation token
    send_email.assert_called_once_with("new@example.com", "Welcome to Bookshelf", "welcome", user=user, token=token)


def test_register_user_leaves_the_account_unconfirmed(app, db, outbox):
    # GIVEN a visitor registering
    # WHEN register_user has stored them
    with app.test_request_context():
        user = register_user("new@example.com", "newreader", DEFAULT_PASSWORD)
        confirmed_at = db.session.get(User, user.id).confirmed_at

    # THEN their address is not confirmed yet
    assert confirmed_at is None


def test_register_user_refuses_a_duplicate_email_and_writes_nothing(app, db, user):
    # GIVEN a registered user (e.g. created by a concurrent request after the form's check)
    # WHEN register_user is called with the same e-mail in other letter case
    with app.app_context(), patch("sample_app.auth.services.send_email", autospec=True) as send_email:
        with pytest.raises(DuplicateUserError, match=r"^That e-mail or username is already registered\.$"):
            register_user("READER@example.com", "someone", DEFAULT_PASSWORD)

    # THEN DuplicateUserError is raised (above), no row is added and no e-mail is sent
    assert row_count(app, db, User) == 1
    send_email.assert_not_called()


# --- e-mail confirmation ----------------------------------------------------------

EXPIRED = "This confirmation link has expired: ask for a new one below."
INVALID = "This confirmation link is not valid."
OTHER_ACCOUNT = "This confirmation link is for another account."
ALREADY_CONFIRMED = "Your account is already confirmed."
# The testing config's CONFIRM_TOKEN_TTL: a link works for a day.
TTL = timedelta(hours=24)


@pytest.fixture
def newcomer(make_user):
    """A user who registered and has not followed the e-mailed link yet."""
    return make_user(username="newcomer", email="newcomer@example.com", confirmed=False)


def stored_confirmed_at(app, db, user_id):
    """The user's ``confirmed_at`` as stored, read in an app context of its own."""
    with app.app_context():
        return db.session.get(User, user_id).confirmed_at


def confirm_as(app, db, user_id, token):
    """Call ``confirm`` for the stored user, as the view does for ``current_user``."""
    with app.app_context():
        confirm(db.session.get(User, user_id), token)


def bad_token(app, user, kind):
    """A token that must not confirm ``user``: one of the kinds of the case table below."""
    with app.app_context():
        genuine = confirmation_token(user)
        key = app.config["SECRET_KEY"]
        issue_api_token = issue_token(user.id)
    _, timestamp, signature = genuine.split(".")
    tokens = {
        "changed-signature": flip_signature_character(genuine),
        "changed-user-id": f"{b64url_json({'user_id': user.id + 1, 'email': user.email})}.{timestamp}.{signature}",
        "other-purpose": URLSafeTimedSerializer(key, salt="password-reset").dumps(
            {"user_id": user.id, "email": user.email}
        ),
        "other-key": URLSafeTimedSerializer("another-key-of-at-least-32-characters", salt="account-confirmation").dumps(
            {"user_id": user.id, "email": user.email}
        ),
        "api-token": issue_api_token,
        "payload-not-an-object": URLSafeTimedSerializer(key, salt="account-confirmation").dumps(user.id),
        "payload-without-email": URLSafeTimedSerializer(key, salt="account-confirmation").dumps({"user_id": user.id}),
        "not-a-token": "not-a-token",
        "empty": "",
    }
    return tokens[kind]


def test_confirmation_token_carries_the_user_id_and_email(app, newcomer):
    # GIVEN a user
    # WHEN a confirmation token is made for them
    with app.app_context():
        token = confirmation_token(newcomer)

    # THEN it is URL-safe, and SECRET_KEY's serializer salted "account-confirmation" reads their id and e-mail
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="account-confirmation")
    assert serializer.loads(token) == {"user_id": newcomer.id, "email": "newcomer@example.com"}
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token)


def test_confirm_marks_the_user_confirmed_now(app, db, newcomer):
    with app.app_context(), time_machine.travel(NOW, tick=False):
        # GIVEN an unconfirmed user and their token, the clock frozen at NOW
        token = confirmation_token(newcomer)

        # WHEN confirm is called with the token
        confirm_as(app, db, newcomer.id, token)

    # THEN their confirmed_at is NOW, stored in the database
    assert stored_confirmed_at(app, db, newcomer.id) == NOW


def test_confirm_accepts_a_token_in_the_last_second_of_its_lifetime(app, db, newcomer):
    # GIVEN a token made at NOW
    with app.app_context(), time_machine.travel(NOW, tick=False) as traveller:
        token = confirmation_token(newcomer)
        traveller.move_to(NOW + TTL)

        # WHEN it is used exactly 24 hours later (CONFIRM_TOKEN_TTL)
        confirm_as(app, db, newcomer.id, token)

    # THEN it still confirms the user
    assert stored_confirmed_at(app, db, newcomer.id) == NOW + TTL


def test_confirm_refuses_an_expired_token_and_changes_nothing(app, db, newcomer):
    # GIVEN a token made at NOW
    with app.app_context(), time_machine.travel(NOW, tick=False) as traveller:
        token = confirmation_token(newcomer)
        traveller.move_to(NOW + TTL + timedelta(seconds=1))

        # WHEN it is used one second after its 24 hours
        with pytest.raises(ConfirmationExpired) as excinfo:
            confirm_as(app, db, newcomer.id, token)

    # THEN ConfirmationExpired says so and the user stays unconfirmed
    assert str(excinfo.value) == EXPIRED
    assert stored_confirmed_at(app, db, newcomer.id) is None


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("changed-signature", id="changed-signature"),
        pytest.param("changed-user-id", id="changed-user-id"),
        pytest.param("other-purpose", id="same-key-other-salt"),
        pytest.param("other-key", id="other-key"),
        pytest.param("api-token", id="api-token"),
        pytest.param("payload-not-an-object", id="payload-not-an-object"),
        pytest.param("payload-without-email", id="payload-without-email"),
        pytest.param("not-a-token", id="not-a-token"),
        pytest.param("empty", id="empty"),
    ],
)
def test_confirm_refuses_a_token_it_did_not_make_for_this_and_changes_nothing(app, db, newcomer, kind):
    # GIVEN a token tampered with, made for another purpose or with another key, or no confirmation token at all
    token = bad_token(app, newcomer, kind)

    # WHEN confirm is called with it
    with pytest.raises(ConfirmationInvalid) as excinfo:
        confirm_as(app, db, newcomer.id, token)

    # THEN ConfirmationInvalid says the link is not valid and the user stays unconfirmed
    assert str(excinfo.value) == INVALID
    assert stored_confirmed_at(app, db, newcomer.id) is None


def test_confirm_refuses_another_users_token_and_changes_nothing(app, db, newcomer, make_user):
    # GIVEN two unconfirmed users, and the token e-mailed to the other one
    other = make_user(confirmed=False)
    with app.app_context():
        token = confirmation_token(other)

    # WHEN confirm is called for the newcomer with it
    with pytest.raises(ConfirmationForAnotherAccount) as excinfo:
        confirm_as(app, db, newcomer.id, token)

    # THEN ConfirmationForAnotherAccount says so, and neither user is confirmed
    assert str(excinfo.value) == OTHER_ACCOUNT
    assert stored_confirmed_at(app, db, newcomer.id) is None
    assert stored_confirmed_at(app, db, other.id) is None


def test_confirm_refuses_a_token_sent_to_an_address_the_account_no_longer_has(app, db, newcomer):
    # GIVEN a token made for the newcomer, whose e-mail has changed since
    with app.app_context():
        token = confirmation_token(newcomer)
        db.session.get(User, newcomer.id).email = "newcomer@elsewhere.example"
        db.session.commit()

    # WHEN confirm is called with it
    with pytest.raises(ConfirmationInvalid) as excinfo:
        confirm_as(app, db, newcomer.id, token)

    # THEN ConfirmationInvalid: the link proves nothing about the new address
    assert str(excinfo.value) == INVALID
    assert stored_confirmed_at(app, db, newcomer.id) is None


def test_confirm_of_a_confirmed_user_says_so_and_keeps_the_first_date(app, db, newcomer):
    # GIVEN a user who confirmed at NOW
    with app.app_context(), time_machine.travel(NOW, tick=False) as traveller:
        token = confirmation_token(newcomer)
        confirm_as(app, db, newcomer.id, token)
        traveller.move_to(NOW + timedelta(hours=1))

        # WHEN the same link is followed again an hour later
        with pytest.raises(AlreadyConfirmed) as excinfo:
            confirm_as(app, db, newcomer.id, token)

    # THEN AlreadyConfirmed says so, and confirmed_at is still NOW
    assert str(excinfo.value) == ALREADY_CONFIRMED
    assert stored_confirmed_at(app, db, newcomer.id) == NOW


def test_confirm_of_a_confirmed_user_says_already_confirmed_after_the_link_expired(app, db, newcomer):
    # GIVEN a user who confirmed with their link at NOW
    with app.app_context(), time_machine.travel(NOW, tick=False) as traveller:
        token = confirmation_token(newcomer)
        confirm_as(app, db, newcomer.id, token)
        traveller.move_to(NOW + timedelta(days=2))

        # WHEN they follow it again two days later (it has expired)
        with pytest.raises(AlreadyConfirmed) as excinfo:
            confirm_as(app, db, newcomer.id, token)

    # THEN AlreadyConfirmed, not ConfirmationExpired: there is nothing left to do
    assert str(excinfo.value) == ALREADY_CONFIRMED


def test_confirm_with_another_users_expired_token_says_another_account(app, db, newcomer, make_user):
    # GIVEN the token of another user, expired
    other = make_user(confirmed=False)
    with app.app_context(), time_machine.travel(NOW, tick=False) as traveller:
        token = confirmation_token(other)
        traveller.move_to(NOW + timedelta(days=2))

        # WHEN confirm is called for the newcomer with it
        with pytest.raises(ConfirmationForAnotherAccount) as excinfo:
            confirm_as(app, db, newcomer.id, token)

    # THEN ConfirmationForAnotherAccount: whose link it is matters more than its age
    assert str(excinfo.value) == OTHER_ACCOUNT


def test_send_confirmation_emails_a_new_link(app, db, newcomer, outbox):
    # GIVEN an unconfirmed user, in a request to http://localhost/
    # WHEN send_confirmation is called for them
    with app.test_request_context():
        send_confirmation(db.session.get(User, newcomer.id))

    # THEN one e-mail goes to them with a link whose token confirms them
    [message] = outbox
    assert message["To"] == "newcomer@example.com"
    assert message["Subject"] == "Confirm your Bookshelf account"
    body = message.get_content()
    assert body.startswith("Hello newcomer,\n")
    token = re.search(r"http://localhost/auth/confirm/(\S+)", body).group(1)
    confirm_as(app, db, newcomer.id, token)
    assert stored_confirmed_at(app, db, newcomer.id) is not None


def test_send_confirmation_to_a_confirmed_user_sends_nothing(app, db, user, outbox):
    # GIVEN a user whose address is confirmed
    # WHEN send_confirmation is called for them
    with app.test_request_context(), pytest.raises(AlreadyConfirmed) as excinfo:
        send_confirmation(db.session.get(User, user.id))

    # THEN AlreadyConfirmed says so and no e-mail is sent
    assert str(excinfo.value) == ALREADY_CONFIRMED
    assert outbox == []
