"""Functional tests of registration, login and logout, through the test client.

Patterns: AuthActions helper; following redirects; flashed messages; e-mail
outbox fixture; cookies in the test client; login_required redirect with next;
open-redirect attempts; no user enumeration; posted data stored in the
database; invalid post writes nothing; simulated race past a uniqueness check;
status codes for missing rows and wrong methods; CSRF turned on for one test;
per-case ids and marks with pytest.param.

Why the rest of the suite runs with CSRF off: TestingConfig sets
``WTF_CSRF_ENABLED = False`` so that a test can post a form in one line.
Otherwise every POST would first need a GET to scrape a token, which is
noise in tests about something else. ``TestCsrfProtectedForms`` below shows
the protection itself works, and how to send the token when you need it.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest

from sample_app.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import confirmation_link, csrf_token_from, row_count

LOGIN_URL = "/auth/login"
REGISTER_URL = "/auth/register"
LOGOUT_URL = "/auth/logout"
BOOKS_INDEX = "/books/"
PROTECTED_PAGE = "/books/new"  # login_required (and WRITE permission, which every user has)
WELCOME = "Welcome, newreader! Your account has been created."
LOGGED_IN = "Logged in."
LOGGED_OUT = "You have been logged out."
INVALID_LOGIN = "Invalid email or password."


def flashed_messages(client):
    """Messages flashed but not shown yet: they wait in the session."""
    with client.session_transaction() as session:
        return session.get("_flashes", [])


def signed_in_as(client):
    """The username the nav bar shows on the About page, or None when logged out."""
    match = re.search(r"Signed in as (\S+)</span>", client.get("/about").text)
    return match and match.group(1)


# --- register -----------------------------------------------------------------


def test_register_page_shows_the_form(client):
    # GIVEN an anonymous visitor
    # WHEN they open the registration page
    response = client.get(REGISTER_URL)

    # THEN the form with its four fields is shown
    assert response.status_code == 200
    assert "<h1>Create an account</h1>" in response.text
    for name in ("email", "username", "password", "password2"):
        assert f'name="{name}"' in response.text


def test_register_creates_the_user_with_a_lower_cased_email(app, db, auth, outbox):
    # GIVEN an anonymous visitor
    # WHEN they register with an e-mail typed with capitals
    auth.register(email="New@Example.COM", username="newreader")

    # THEN one user is stored, with the e-mail lower-cased
    with app.app_context():
        stored = db.session.scalar(db.select(User).filter_by(username="newreader"))
        assert stored.email == "new@example.com"
        assert stored.verify_password(DEFAULT_PASSWORD)


def test_register_logs_the_new_user_in_and_lands_on_the_books_page(client, auth, outbox):
    # GIVEN an anonymous visitor
    # WHEN they register and the client follows the redirect
    response = auth.register(username="newreader", follow_redirects=True)

    # THEN one redirect led to the books page, which greets them, logged in
    assert [r.status_code for r in response.history] == [302]
    assert response.request.path == BOOKS_INDEX
    assert WELCOME in response.text
    assert signed_in_as(client) == "newreader"


def test_register_flashes_a_welcome_message(client, auth, outbox):
    # GIVEN an anonymous visitor
    # WHEN they register (the redirect not followed)
    response = auth.register(username="newreader")

    # THEN a redirect to the books page, the welcome message waiting in the session for the next page
    assert response.status_code == 302
    assert response.location == BOOKS_INDEX
    assert flashed_messages(client) == [
        (
            "success",
            f"{WELCOME} Follow the link e-mailed to new@example.com to confirm your address.",
        )
    ]


def test_register_sends_a_welcome_email(auth, outbox):
    # GIVEN the outbox fixture capturing e-mails
    # WHEN a visitor registers
    auth.register(email="new@example.com", username="newreader")

    # THEN one e-mail welcomes them by username, with the full confirmation link (test_confirmation.py follows it)
    [message] = outbox
    assert message["To"] == "new@example.com"
    assert message["Subject"] == "Welcome to Bookshelf"
    assert "Hello newreader," in message.get_content()
    assert confirmation_link(message).startswith("http://localhost/auth/confirm/")


@pytest.mark.parametrize(
    "email",
    [pytest.param("reader@example.com", id="same-case"), pytest.param("READER@Example.com", id="other-case")],
)
def test_register_rejects_a_registered_email_and_writes_nothing(app, db, user, auth, outbox, email):
    # GIVEN a user registered as reader@example.com
    before = row_count(app, db, User)

    # WHEN someone registers with that e-mail in any letter case
    response = auth.register(email=email, username="someoneelse")

    # THEN the form is shown again with the error, no user is added and no e-mail is sent
    assert response.status_code == 200
    assert "That e-mail is already registered." in response.text
    assert row_count(app, db, User) == before
    assert outbox == []


def test_register_rejects_a_username_in_use_and_writes_nothing(app, db, user, auth, outbox):
    # GIVEN a user called "reader"
    before = row_count(app, db, User)

    # WHEN someone registers as "Reader"
    response = auth.register(email="other@example.com", username="Reader")

    # THEN the form is shown again with the error and no user is added
    assert "That username is taken." in response.text
    assert row_count(app, db, User) == before


def test_register_form_errors_keep_what_was_typed_except_passwords(client):
    # GIVEN an anonymous visitor
    data = {
        "email": "new@example.com",
        "username": "newreader",
        "password": "first-secret",
        "password2": "other-secret",
    }

    # WHEN they post the registration form with passwords that differ
    response = client.post(REGISTER_URL, data=data)

    # THEN the form comes back with the error, e-mail and username filled in, and no password echoed
    assert "Passwords must match." in response.text
    assert 'value="new@example.com"' in response.text
    assert 'value="newreader"' in response.text
    assert "first-secret" not in response.text


def test_register_reports_a_duplicate_found_only_at_commit(app, db, user, auth, monkeypatch, outbox):
    # GIVEN a user the form's check misses, as when two registrations pass validation before either commits
    monkeypatch.setattr("sample_app.auth.forms.email_registered", lambda email: False)
    before = row_count(app, db, User)

    # WHEN someone registers with the same e-mail
    response = auth.register(email=user.email, username="racer")

    # THEN the database refuses it: the form comes back with a message, nothing is written, nobody is logged in
    assert response.status_code == 200
    assert "That e-mail or username is already registered." in response.text
    assert row_count(app, db, User) == before
    assert outbox == []
    assert "Signed in as" not in response.text


# --- login --------------------------------------------------------------------


def test_login_page_shows_the_form(client):
    # GIVEN an anonymous visitor
    # WHEN they open the login page
    response = client.get(LOGIN_URL)

    # THEN the form is shown, with a remember-me box and a link to register
    assert response.status_code == 200
    assert "<h1>Log in</h1>" in response.text
    assert 'type="checkbox"' in response.text
    assert "Keep me logged in" in response.text
    assert f'href="{REGISTER_URL}"' in response.text


def test_login_lands_on_the_books_page_logged_in(client, user, auth):
    # GIVEN a registered user
    # WHEN they log in and the client follows the redirect
    response = auth.login(follow_redirects=True)

    # THEN one redirect led to the books page, which says they are logged in
    assert len(response.history) == 1
    assert response.history[0].location == BOOKS_INDEX
    assert response.request.path == BOOKS_INDEX
    assert LOGGED_IN in response.text
    assert "Signed in as reader" in response.text


def test_login_ignores_the_letter_case_of_the_email(client, user, auth):
    # GIVEN a user registered as reader@example.com
    # WHEN they log in as READER@Example.com
    response = auth.login(email="READER@Example.com")

    # THEN they are logged in
    assert response.location == BOOKS_INDEX
    assert signed_in_as(client) == "reader"


def test_login_with_a_wrong_password_is_refused(client, user, auth):
    # GIVEN a registered user
    # WHEN someone logs in with a wrong password
    response = auth.login(password="not-the-password")

    # THEN the login page is shown again with one vague message, and nobody is logged in
    assert response.status_code == 200
    assert "<h1>Log in</h1>" in response.text
    assert INVALID_LOGIN in response.text
    assert signed_in_as(client) is None


def test_login_with_an_unknown_email_is_refused(client, user, auth):
    # GIVEN no user with that e-mail
    # WHEN someone logs in with it
    response = auth.login(email="nobody@example.com")

    # THEN the login page is shown again with the same message as for a wrong password
    assert response.status_code == 200
    assert INVALID_LOGIN in response.text
    assert signed_in_as(client) is None


def test_login_failure_does_not_tell_which_emails_are_registered(user, auth):
    # GIVEN a registered user
    # WHEN one login fails on the password and another on an unknown e-mail
    wrong_password = auth.login(email=user.email, password="not-the-password")
    unknown_email = auth.login(email="nobody@example.com")

    # THEN the two pages are identical (apart from the e-mail echoed in the form)
    assert wrong_password.text.replace(user.email, "EMAIL") == unknown_email.text.replace("nobody@example.com", "EMAIL")


def test_login_form_requires_email_and_password(client, user):
    # GIVEN an anonymous visitor
    # WHEN they post the login form empty
    response = client.post(LOGIN_URL, data={})

    # THEN both fields say they are required, and no login is attempted
    assert response.text.count("This field is required.") == 2
    assert INVALID_LOGIN not in response.text


@pytest.mark.parametrize("page", [pytest.param(LOGIN_URL, id="login"), pytest.param(REGISTER_URL, id="register")])
def test_logged_in_user_visiting_login_or_register_goes_to_the_books_page(user_client, page):
    # GIVEN a logged-in user
    # WHEN they open the login or the registration page
    response = user_client.get(page)

    # THEN they are redirected to the books page instead
    assert response.status_code == 302
    assert response.location == BOOKS_INDEX


# --- remember me ----------------------------------------------------------------


def test_remember_me_sets_a_lasting_remember_cookie(client, user, auth):
    # GIVEN a registered user
    # WHEN they log in with "Keep me logged in" ticked
    auth.login(remember=True)

    # THEN an HttpOnly remember_token cookie is set for about a year (Flask-Login's REMEMBER_COOKIE_DURATION default)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.expires - datetime.now(UTC) > timedelta(days=364)


def test_login_without_remember_me_sets_no_remember_cookie(client, user, auth):
    # GIVEN a registered user
    # WHEN they log in without ticking "Keep me logged in"
    auth.login()

    # THEN there is no remember_token cookie (the session cookie ends with the browser)
    assert client.get_cookie("remember_token") is None
    assert client.get_cookie("session").expires is None


def test_remember_cookie_logs_the_user_back_in_without_a_session(client, user, auth):
    # GIVEN a user logged in with remember-me
    auth.login(remember=True)

    # WHEN the session cookie is lost (the browser was closed) and a page is requested
    client.delete_cookie("session")
    name = signed_in_as(client)

    # THEN the remember_token cookie logged them in again
    assert name == "reader"


# --- next and open redirects -------------------------------------------------------


def test_protected_page_redirects_anonymous_visitor_to_login_with_next(client):
    # GIVEN an anonymous visitor
    # WHEN they open a login_required page
    response = client.get(PROTECTED_PAGE, follow_redirects=True)

    # THEN they reach the login page, which keeps the page in ``next`` and says why they are there
    assert response.history[0].location == f"{LOGIN_URL}?next=%2Fbooks%2Fnew"
    assert response.request.path == LOGIN_URL
    assert response.request.args["next"] == PROTECTED_PAGE
    assert "Please log in to access this page." in response.text


def test_login_then_lands_on_the_page_from_next(client, user, auth):
    # GIVEN an anonymous visitor sent to the login page from a protected page
    login_page = client.get(PROTECTED_PAGE, follow_redirects=True)

    # WHEN they log in (the form posts back to the URL with ``next``)
    response = auth.login(next=login_page.request.args["next"], follow_redirects=True)

    # THEN they land on the page they first asked for
    assert response.request.path == PROTECTED_PAGE
    assert LOGGED_IN in response.text


def test_login_keeps_the_query_string_of_next(client, user, auth):
    # GIVEN a ``next`` with a query string and a fragment
    # WHEN the user logs in
    response = auth.login(next="/about?tab=1#team")

    # THEN the redirect keeps them unchanged
    assert response.location == "/about?tab=1#team"


@pytest.mark.parametrize(
    "evil_next",
    [
        pytest.param("https://evil.example/", id="absolute"),
        pytest.param("//evil.example", id="scheme-relative"),
        pytest.param("///evil.example", id="three-slashes"),
        pytest.param("/\\evil.example", id="slash-backslash"),
        pytest.param("\\\\evil.example", id="backslashes"),
        pytest.param("/\t/evil.example", id="tab"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("http:evil.example", id="http-no-slashes"),
        pytest.param("", id="empty"),
    ],
)
def test_login_refuses_to_redirect_off_the_site(client, user, auth, evil_next):
    # GIVEN a login link crafted with ``next`` pointing off the site
    # WHEN the user logs in through it
    response = auth.login(next=evil_next, follow_redirects=True)

    # THEN they land on the books page, not on the attacker's URL
    assert response.history[0].location == BOOKS_INDEX
    assert response.request.path == BOOKS_INDEX
    assert "evil" not in response.text


# --- logout -------------------------------------------------------------------


def test_logout_logs_the_user_out_and_goes_home(user_client):
    # GIVEN a logged-in user
    # WHEN they log out
    response = user_client.post(LOGOUT_URL, follow_redirects=True)

    # THEN they land on the home page, logged out, with a message
    assert response.request.path == "/"
    assert LOGGED_OUT in response.text
    assert "Signed in as" not in response.text
    assert f'href="{LOGIN_URL}"' in response.text


def test_logout_requires_post(user_client):
    # GIVEN a logged-in user
    # WHEN something sends GET /auth/logout (a link or an <img> on another site)
    response = user_client.get(LOGOUT_URL)

    # THEN it is refused with the 405 page, and the user stays logged in
    assert response.status_code == 405
    assert "Method not allowed" in response.text
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}  # order varies
    assert signed_in_as(user_client) == "reader"


def test_after_logout_a_protected_page_redirects_to_login(user_client):
    # GIVEN a user who just logged out
    user_client.post(LOGOUT_URL)

    # WHEN they open a protected page
    response = user_client.get(PROTECTED_PAGE)

    # THEN they are sent to the login page
    assert response.status_code == 302
    assert response.location.startswith(LOGIN_URL)


def test_anonymous_logout_redirects_to_login(client):
    # GIVEN an anonymous visitor
    # WHEN they post to the logout URL
    response = client.post(LOGOUT_URL)

    # THEN login_required sends them to the login page, with ``next``
    assert response.status_code == 302
    assert response.location == f"{LOGIN_URL}?next=%2Fauth%2Flogout"


# --- CSRF ----------------------------------------------------------------------


@pytest.mark.options(WTF_CSRF_ENABLED=True)
class TestCsrfProtectedForms:
    """CSRF protection on, as in production (the marker changes app.config for these tests only)."""

    def test_login_with_the_token_from_the_form_succeeds(self, client, user):
        # GIVEN the login page, whose form carries a CSRF token tied to the session
        token = csrf_token_from(client.get(LOGIN_URL).text)

        # WHEN the form is posted back with that token
        response = client.post(LOGIN_URL, data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token})

        # THEN the login succeeds
        assert response.status_code == 302
        assert response.location == BOOKS_INDEX

    @pytest.mark.parametrize(
        ("token", "message"),
        [
            pytest.param(None, "The CSRF token is missing.", id="missing"),
            pytest.param("forged-token", "The CSRF token is invalid.", id="wrong"),
        ],
    )
    def test_login_without_a_valid_token_is_a_400(self, client, user, token, message):
        # GIVEN CSRF protection on
        client.get(LOGIN_URL)  # a real session, so only the token is wrong
        data = {"email": user.email, "password": DEFAULT_PASSWORD}
        if token is not None:
            data["csrf_token"] = token

        # WHEN the login form is posted without a token, or with a wrong one
        response = client.post(LOGIN_URL, data=data)

        # THEN the answer is the 400 page naming the CSRF problem, and nobody is logged in
        assert response.status_code == 400
        assert "Bad request" in response.text
        assert message in response.text
        assert signed_in_as(client) is None

    def test_logout_with_the_token_from_the_nav_bar_succeeds(self, user_client):
        # GIVEN a logged-in user, and the log-out form in the nav bar of any page
        token = csrf_token_from(user_client.get("/about").text)

        # WHEN that form is posted with its token
        response = user_client.post(LOGOUT_URL, data={"csrf_token": token}, follow_redirects=True)

        # THEN the user is logged out
        assert LOGGED_OUT in response.text
        assert signed_in_as(user_client) is None
