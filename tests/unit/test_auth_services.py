"""Unit tests of sample_app/auth/services.py: plain functions, called directly.

Patterns: plain functions tested without HTTP; pure functions without an app;
parametrize with ids; per-case ids and marks with pytest.param; open-redirect
attempts; no user enumeration; app context only around database work; e-mail
outbox fixture; mock.patch with autospec; asserting how a mock was called;
nothing written after a failure.
"""

from unittest.mock import patch

import pytest

from sample_app.auth.services import (
    DuplicateUserError,
    authenticate,
    email_registered,
    is_safe_redirect,
    normalize_email,
    register_user,
    safe_next_url,
    username_taken,
)
from sample_app.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import row_count

FALLBACK = "/books/"

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
    """
    GIVEN a path on this site
    WHEN it is checked as a redirect target
    THEN it is accepted
    """
    assert is_safe_redirect(target) is True


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_is_safe_redirect_refuses_targets_off_this_site(target):
    """
    GIVEN a target an attacker could put in ``?next=``
    WHEN it is checked as a redirect target
    THEN it is refused
    """
    assert is_safe_redirect(target) is False


def test_safe_next_url_returns_a_safe_target():
    """
    GIVEN a path on this site
    WHEN safe_next_url is asked for the URL to go to
    THEN it is the target, not the fallback
    """
    assert safe_next_url("/books/3?x=1", FALLBACK) == "/books/3?x=1"


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_safe_next_url_falls_back_for_unsafe_targets(target):
    """
    GIVEN an unsafe target
    WHEN safe_next_url is asked for the URL to go to
    THEN it is the fallback
    """
    assert safe_next_url(target, FALLBACK) == FALLBACK


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Reader@Example.COM", "reader@example.com", id="upper-case"),
        pytest.param("  reader@example.com\n", "reader@example.com", id="surrounding-whitespace"),
    ],
)
def test_normalize_email_lower_cases_and_strips(raw, expected):
    """
    GIVEN an e-mail as a user might type it
    WHEN it is normalised
    THEN it is lower-case without surrounding whitespace
    """
    assert normalize_email(raw) == expected


# --- lookups ------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [pytest.param("reader@example.com", id="same-case"), pytest.param("READER@Example.com", id="other-case")],
)
def test_email_registered_ignores_letter_case(app, user, email):
    """
    GIVEN a user registered as reader@example.com
    WHEN the e-mail is looked up in any letter case
    THEN it is found
    """
    with app.app_context():
        assert email_registered(email) is True


def test_email_registered_is_false_for_an_unknown_email(app, user):
    """
    GIVEN one registered user
    WHEN another e-mail is looked up
    THEN it is not found
    """
    with app.app_context():
        assert email_registered("someone.else@example.com") is False


@pytest.mark.parametrize("username", [pytest.param("reader", id="same-case"), pytest.param("Reader", id="other-case")])
def test_username_taken_ignores_letter_case(app, user, username):
    """
    GIVEN a user called "reader"
    WHEN the name is looked up in any letter case
    THEN it is taken (nobody can register as "Reader" to pass for them)
    """
    with app.app_context():
        assert username_taken(username) is True


def test_username_taken_is_false_for_a_free_name(app, user):
    """
    GIVEN a user called "reader"
    WHEN another name is looked up
    THEN it is free
    """
    with app.app_context():
        assert username_taken("writer") is False


# --- authenticate -------------------------------------------------------------


def test_authenticate_returns_the_user_for_the_right_password(app, user):
    """
    GIVEN a registered user
    WHEN authenticate is called with their e-mail and password
    THEN it returns that user
    """
    with app.app_context():
        found = authenticate(user.email, DEFAULT_PASSWORD)

        assert found.id == user.id


def test_authenticate_ignores_the_letter_case_of_the_email(app, user):
    """
    GIVEN a user registered as reader@example.com
    WHEN authenticate is called with READER@Example.com
    THEN it returns that user
    """
    with app.app_context():
        found = authenticate("READER@Example.com", DEFAULT_PASSWORD)

        assert found.id == user.id


def test_authenticate_finds_an_email_stored_with_capitals(app, make_user):
    """
    GIVEN a user whose e-mail was stored with capitals (not through register_user)
    WHEN authenticate is called with it in lower case
    THEN it returns that user
    """
    stored = make_user(email="Mixed.Case@Example.com")

    with app.app_context():
        found = authenticate("mixed.case@example.com", DEFAULT_PASSWORD)

        assert found.id == stored.id


def test_authenticate_returns_none_for_a_wrong_password(app, user):
    """
    GIVEN a registered user
    WHEN authenticate is called with a wrong password
    THEN it returns None
    """
    with app.app_context():
        assert authenticate(user.email, "not-the-password") is None


def test_authenticate_returns_none_for_an_unknown_email(app, user):
    """
    GIVEN no user with that e-mail
    WHEN authenticate is called with it
    THEN it returns None
    """
    with app.app_context():
        assert authenticate("nobody@example.com", DEFAULT_PASSWORD) is None


def test_authenticate_hashes_the_password_even_for_an_unknown_email(app):
    """
    GIVEN no user with that e-mail
    WHEN authenticate is called with it
    THEN the password is still hashed once, so the answer takes as long as
         for a wrong password and timing does not reveal registered e-mails
    """
    with app.app_context(), patch("sample_app.auth.services.generate_password_hash", autospec=True) as hash_:
        authenticate("nobody@example.com", "a-guess")

    hash_.assert_called_once_with("a-guess", method="pbkdf2:sha256:1")  # the testing config's method


# --- register_user ------------------------------------------------------------


def test_register_user_stores_the_email_lower_cased(app, db, outbox):
    """
    GIVEN an e-mail typed with capitals
    WHEN a user is registered with it
    THEN the stored e-mail is lower-case
    """
    with app.app_context():
        user = register_user("New.Reader@Example.COM", "newreader", DEFAULT_PASSWORD)

        assert db.session.get(User, user.id).email == "new.reader@example.com"


def test_register_user_stores_a_hash_not_the_password(app, db, outbox):
    """
    GIVEN a password
    WHEN a user is registered with it
    THEN the stored hash verifies it, and is not the password itself
    """
    with app.app_context():
        user = register_user("new@example.com", "newreader", DEFAULT_PASSWORD)
        stored = db.session.get(User, user.id)

        assert stored.verify_password(DEFAULT_PASSWORD)
        assert DEFAULT_PASSWORD not in stored.password_hash


def test_register_user_sends_the_welcome_email(app, outbox):
    """
    GIVEN the outbox fixture capturing sent e-mails
    WHEN a user is registered
    THEN one welcome e-mail goes to them, greeting them by username
    """
    with app.app_context():
        register_user("new@example.com", "newreader", DEFAULT_PASSWORD)

    [message] = outbox
    assert message["To"] == "new@example.com"
    assert message["Subject"] == "Welcome to Bookshelf"
    assert "Hello newreader" in message.get_content()


def test_register_user_calls_send_email_with_the_welcome_template(app):
    """
    GIVEN send_email replaced by an autospec mock (same signature as the real one)
    WHEN a user is registered
    THEN send_email is called once, with the template name and the new user
    """
    with app.app_context(), patch("sample_app.auth.services.send_email", autospec=True) as send_email:
        user = register_user("new@example.com", "newreader", DEFAULT_PASSWORD)

        send_email.assert_called_once_with("new@example.com", "Welcome to Bookshelf", "welcome", user=user)


def test_register_user_refuses_a_duplicate_email_and_writes_nothing(app, db, user):
    """
    GIVEN a registered user (e.g. created by a concurrent request after the form's check)
    WHEN register_user is called with the same e-mail in other letter case
    THEN DuplicateUserError is raised, no row is added and no e-mail is sent
    """
    with app.app_context(), patch("sample_app.auth.services.send_email", autospec=True) as send_email:
        with pytest.raises(DuplicateUserError, match=r"^That e-mail or username is already registered\.$"):
            register_user("READER@example.com", "someone", DEFAULT_PASSWORD)

    assert row_count(app, db, User) == 1
    send_email.assert_not_called()
