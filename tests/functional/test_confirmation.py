"""Functional tests of account confirmation by e-mail, through the test client: the
link taken from the captured e-mail and followed, every way it can fail, what a
user may do before confirming, and asking for a new link.

Patterns: e-mail outbox fixture; AuthActions helper; logged-in client fixtures;
following redirects; flashed messages; frozen clock with time-machine; token
expiry; login_required redirect with next; forged tokens; invalid post writes
nothing; app context only around database work; parametrize with ids; per-case
ids and marks with pytest.param; CSRF turned on for one test; expected values
written in the test; API errors are JSON, never HTML; HTTP Basic with the test
client; status codes for missing rows and wrong methods; link followed from a
captured e-mail; request gate tested over a table of pages; signed link
failures told apart.
"""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sample_app.models import Book, User
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import (
    assert_json_error,
    confirmation_link,
    csrf_token_from,
    flip_signature_character,
    log_in,
    row_count,
    stored_book,
)

UNCONFIRMED_URL = "/auth/unconfirmed"
RESEND_URL = "/auth/confirm/resend"
BOOKS_INDEX = "/books/"
CONFIRMED = "Thank you! Your account is confirmed."
EXPIRED = "This confirmation link has expired: ask for a new one below."
INVALID = "This confirmation link is not valid."
OTHER_ACCOUNT = "This confirmation link is for another account."
ALREADY_CONFIRMED = "Your account is already confirmed."
SIGNED_IN_AS_NEWCOMER = "Signed in as newcomer"
RESEND_BUTTON = '<button type="submit">Send me a new link</button>'
# A whole second: the link's token is stamped in whole seconds.
NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
# A link works for a day (CONFIRM_TOKEN_TTL); one second more and it has expired.
JUST_EXPIRED = NOW + timedelta(hours=24, seconds=1)
BOOK_FORM = {"title": "Changed", "author": "Someone Else", "isbn": "9780306406157", "year": "2001", "tag_names": ""}


@pytest.fixture
def newcomer(make_user):
    """A user who registered and has not followed the e-mailed link yet."""
    return make_user(username="newcomer", email="newcomer@example.com", confirmed=False)


@pytest.fixture
def newcomer_client(app, newcomer):
    """A client logged in as ``newcomer``."""
    return log_in(app.test_client(), newcomer)


@pytest.fixture
def newcomer_book(make_book, newcomer):
    """A book the newcomer owns (so only the missing confirmation can stop them changing it)."""
    return make_book(owner=newcomer, title="Kindred")


def stored_confirmed_at(app, db, email):
    """The ``confirmed_at`` stored for the user with ``email``."""
    with app.app_context():
        return db.session.scalar(db.select(User.confirmed_at).filter_by(email=email))


# --- the link in the e-mail -----------------------------------------------------


def test_link_in_the_welcome_email_confirms_the_new_account(app, db, client, auth, outbox):
    # GIVEN a visitor who has just registered (and is logged in), the clock frozen at NOW
    with time_machine.travel(NOW, tick=False):
        auth.register(email="new@example.com", username="newreader")
        [welcome] = outbox

        # WHEN they follow the link in the welcome e-mail
        response = client.get(confirmation_link(welcome), follow_redirects=True)

    # THEN one redirect leads to the books page, which thanks them, and their account is confirmed at NOW
    assert [r.status_code for r in response.history] == [302]
    assert response.request.path == BOOKS_INDEX
    assert CONFIRMED in response.text
    assert stored_confirmed_at(app, db, "new@example.com") == NOW


def test_confirmed_user_may_add_a_book(client, auth, outbox):
    # GIVEN a new user who followed the link in the welcome e-mail
    auth.register(email="new@example.com", username="newreader")
    client.get(confirmation_link(outbox[0]))

    # WHEN they open the "Add a book" form
    response = client.get("/books/new")

    # THEN it is shown, and the navigation offers it
    assert response.status_code == 200
    assert "<h1>Add a book</h1>" in response.text
    assert '<a href="/books/new">Add a book</a>' in response.text


def test_logged_out_visitor_following_the_link_logs_in_and_comes_back_to_it(app, db, client, auth, outbox):
    # GIVEN a new user who logged out before opening the welcome e-mail
    auth.register(email="new@example.com", username="newreader")
    auth.logout()
    link = confirmation_link(outbox[0])
    token = link.rpartition("/")[2]

    # WHEN they follow the link, are sent to the login form, and log in there
    login_page = client.get(link, follow_redirects=True)
    response = auth.login(email="new@example.com", next=login_page.request.args["next"], follow_redirects=True)

    # THEN the login form kept the link in ``next``; logging in leads back to it, and it confirms the account
    assert login_page.history[0].location == f"/auth/login?next=%2Fauth%2Fconfirm%2F{token}"
    assert "Please log in to access this page." in login_page.text
    assert [r.location for r in response.history] == [f"/auth/confirm/{token}", BOOKS_INDEX]
    assert CONFIRMED in response.text
    assert stored_confirmed_at(app, db, "new@example.com") is not None


# --- links that confirm nothing ---------------------------------------------------


def test_expired_link_shows_its_page_and_changes_nothing(app, db, client, auth, outbox):
    # GIVEN a welcome e-mail sent at NOW
    with time_machine.travel(NOW, tick=False) as traveller:
        auth.register(email="new@example.com", username="newreader")
        traveller.move_to(JUST_EXPIRED)

        # WHEN its link is followed one second after its 24 hours
        response = client.get(confirmation_link(outbox[0]))

    # THEN the page says it has expired (410 Gone), offers a new link, and the account is still unconfirmed
    assert response.status_code == 410
    assert EXPIRED in response.text
    assert RESEND_BUTTON in response.text
    assert stored_confirmed_at(app, db, "new@example.com") is None


def test_new_link_asked_for_from_the_expired_page_confirms_the_account(app, db, client, auth, outbox):
    # GIVEN a user whose welcome link has expired
    with time_machine.travel(NOW, tick=False) as traveller:
        auth.register(email="new@example.com", username="newreader")
        traveller.move_to(JUST_EXPIRED)
        client.get(confirmation_link(outbox[0]))

        # WHEN they press "Send me a new link" and follow the link in the new e-mail
        client.post(RESEND_URL)
        response = client.get(confirmation_link(outbox[1]), follow_redirects=True)

    # THEN their account is confirmed
    assert CONFIRMED in response.text
    assert stored_confirmed_at(app, db, "new@example.com") == JUST_EXPIRED


@pytest.mark.parametrize(
    "change",
    [pytest.param("tampered", id="tampered-signature"), pytest.param("not-a-token", id="not-a-token")],
)
def test_invalid_link_shows_its_page_and_changes_nothing(app, db, client, auth, outbox, change):
    # GIVEN a new user's confirmation link with its signature changed, or a link with no token at all
    auth.register(email="new@example.com", username="newreader")
    if change == "tampered":
        link = flip_signature_character(confirmation_link(outbox[0]))
    else:
        link = "/auth/confirm/not-a-token"

    # WHEN it is followed
    response = client.get(link)

    # THEN the page says the link is not valid (400) and offers a new one, and the account is still unconfirmed
    assert response.status_code == 400
    assert INVALID in response.text
    assert RESEND_BUTTON in response.text
    assert stored_confirmed_at(app, db, "new@example.com") is None


def test_link_followed_again_says_the_account_is_already_confirmed(app, db, client, auth, outbox):
    # GIVEN a user who confirmed their account with the welcome link at NOW
    with time_machine.travel(NOW, tick=False) as traveller:
        auth.register(email="new@example.com", username="newreader")
        link = confirmation_link(outbox[0])
        client.get(link)
        traveller.move_to(NOW + timedelta(hours=1))

        # WHEN they follow the same link again an hour later
        response = client.get(link)

    # THEN a friendly page (200) says it is already confirmed, offering no new link; the first date is kept
    assert response.status_code == 200
    assert ALREADY_CONFIRMED in response.text
    assert RESEND_BUTTON not in response.text
    assert '<a href="/books/">Browse the books</a>' in response.text
    assert stored_confirmed_at(app, db, "new@example.com") == NOW


def test_another_users_link_shows_its_page_and_confirms_nobody(app, db, newcomer_client, auth, outbox):
    # GIVEN the newcomer logged in, and the welcome link e-mailed to someone else
    auth.register(email="new@example.com", username="newreader")

    # WHEN the newcomer follows that link
    response = newcomer_client.get(confirmation_link(outbox[0]))

    # THEN the page says it is for another account (403), and neither account is confirmed
    assert response.status_code == 403
    assert OTHER_ACCOUNT in response.text
    assert stored_confirmed_at(app, db, "newcomer@example.com") is None
    assert stored_confirmed_at(app, db, "new@example.com") is None


# --- before confirming ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="home"),
        pytest.param("/about", id="about"),
        pytest.param("/books/", id="book-list"),
        pytest.param("/books/{book_id}", id="book-detail"),
        pytest.param("/books/?q=Kindred", id="book-search"),
        pytest.param(UNCONFIRMED_URL, id="please-confirm"),
    ],
)
def test_unconfirmed_user_may_browse(newcomer_client, newcomer_book, path):
    # GIVEN a logged-in user who has not confirmed their address
    # WHEN they open a page that only reads the catalogue, or the "please confirm" page
    response = newcomer_client.get(path.format(book_id=newcomer_book.id))

    # THEN it is shown
    assert response.status_code == 200
    assert SIGNED_IN_AS_NEWCOMER in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/books/new", id="add-form"),
        pytest.param("POST", "/books/new", id="add"),
        pytest.param("GET", "/books/{book_id}/edit", id="edit-form"),
        pytest.param("POST", "/books/{book_id}/edit", id="edit"),
        pytest.param("POST", "/books/{book_id}/delete", id="delete"),
    ],
)
def test_unconfirmed_user_may_not_change_books_and_nothing_changes(
    app, db, newcomer_client, newcomer_book, method, path
):
    # GIVEN a logged-in user who has not confirmed their address, owner of a book
    before = (row_count(app, db, Book), stored_book(app, db, newcomer_book.id))

    # WHEN they open or post a form that adds, edits or deletes a book
    response = newcomer_client.open(path.format(book_id=newcomer_book.id), method=method, data=BOOK_FORM)

    # THEN they are sent to the "please confirm" page, and no book is added, changed or deleted
    assert response.status_code == 302
    assert response.location == UNCONFIRMED_URL
    assert (row_count(app, db, Book), stored_book(app, db, newcomer_book.id)) == before


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unconfirmed_admin_may_not_import_books(app, db, make_user, assets, method):
    # GIVEN a logged-in administrator who has not confirmed their address
    admin = make_user(username="newadmin", role="Administrator", confirmed=False)
    client = log_in(app.test_client(), admin)
    upload = {"csv_file": (io.BytesIO((assets / "books_valid.csv").read_bytes()), "books_valid.csv")}

    # WHEN they open the CSV import page, or upload tests/assets/books_valid.csv to it
    response = client.open("/admin/import", method=method, data=upload if method == "POST" else None)

    # THEN they are sent to the "please confirm" page and no book is imported
    assert response.status_code == 302
    assert response.location == UNCONFIRMED_URL
    assert row_count(app, db, Book) == 0


def test_please_confirm_page_names_the_address_and_offers_a_new_link(newcomer_client):
    # GIVEN a logged-in user who has not confirmed their address
    # WHEN a page they may not use yet sends them to the "please confirm" page
    response = newcomer_client.get("/books/new", follow_redirects=True)

    # THEN it says where the link went and offers a new one; the navigation links to it, not to the add form
    assert response.request.path == UNCONFIRMED_URL
    assert "<h1>Confirm your e-mail address</h1>" in response.text
    assert "We have e-mailed a link to <strong>newcomer@example.com</strong>" in response.text
    assert RESEND_BUTTON in response.text
    assert '<a href="/auth/unconfirmed">Confirm your e-mail</a>' in response.text
    assert '<a href="/books/new">' not in response.text


def test_unconfirmed_user_may_log_in(client, newcomer, auth):
    # GIVEN a user who has not confirmed their address
    # WHEN they log in
    response = auth.login(email="newcomer@example.com", follow_redirects=True)

    # THEN they land on the books page, logged in
    assert response.request.path == BOOKS_INDEX
    assert "Logged in." in response.text
    assert SIGNED_IN_AS_NEWCOMER in response.text


def test_unconfirmed_user_may_log_out(newcomer_client):
    # GIVEN a logged-in user who has not confirmed their address
    # WHEN they log out
    response = newcomer_client.post("/auth/logout", follow_redirects=True)

    # THEN they land on the home page, logged out
    assert response.request.path == "/"
    assert "You have been logged out." in response.text
    assert "Signed in as" not in response.text


def test_unconfirmed_user_asking_for_a_missing_page_gets_the_404_page(newcomer_client):
    # GIVEN a logged-in user who has not confirmed their address
    # WHEN they ask for a URL that no route answers
    response = newcomer_client.get("/no-such-page")

    # THEN they get the 404 page, not the "please confirm" page
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_unconfirmed_user_logged_in_on_the_site_gets_a_json_403_from_the_api(newcomer_client):
    # GIVEN a user logged in on the site (a session cookie) who has not confirmed their address
    # WHEN the same client asks the API for a token with their password
    response = newcomer_client.post("/api/v1/tokens", auth=("newcomer@example.com", DEFAULT_PASSWORD))

    # THEN the API answers its own JSON 403, not a redirect to the "please confirm" page
    assert_json_error(
        response, 403, "Confirm your e-mail address (follow the link e-mailed to you) to get an API token"
    )


def test_please_confirm_page_sends_a_confirmed_user_to_the_books(user_client):
    # GIVEN a logged-in user whose address is confirmed
    # WHEN they open the "please confirm" page
    response = user_client.get(UNCONFIRMED_URL)

    # THEN they are sent to the books page
    assert response.status_code == 302
    assert response.location == BOOKS_INDEX


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", UNCONFIRMED_URL, id="please-confirm"),
        pytest.param("POST", RESEND_URL, id="resend"),
        pytest.param("GET", "/auth/confirm/not-a-token", id="confirm"),
    ],
)
def test_confirmation_pages_send_a_logged_out_visitor_to_the_login_form(client, outbox, method, path):
    # GIVEN nobody logged in
    # WHEN a confirmation page is opened or posted to
    response = client.open(path, method=method)

    # THEN the visitor is sent to the login form, which remembers the page in ``next``, and no e-mail is sent
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=%2Fauth%2F")
    assert outbox == []


# --- asking for a new link --------------------------------------------------------


def test_resend_emails_a_new_link_that_confirms_the_account(app, db, newcomer_client, outbox):
    # GIVEN a logged-in user who has not confirmed their address
    # WHEN they press "Send me a new link", then follow the link in the e-mail
    response = newcomer_client.post(RESEND_URL, follow_redirects=True)
    [message] = outbox
    newcomer_client.get(confirmation_link(message))

    # THEN the page says a new link is on its way, one e-mail brings it, and it confirms the account
    assert response.request.path == UNCONFIRMED_URL
    assert "A new confirmation link is on its way to newcomer@example.com." in response.text
    assert message["To"] == "newcomer@example.com"
    assert message["Subject"] == "Confirm your Bookshelf account"
    assert message.get_content().startswith("Hello newcomer,\n")
    assert stored_confirmed_at(app, db, "newcomer@example.com") is not None


def test_resend_for_a_confirmed_user_sends_nothing_and_says_so(user_client, outbox):
    # GIVEN a logged-in user whose address is confirmed
    # WHEN they post to the resend URL
    response = user_client.post(RESEND_URL, follow_redirects=True)

    # THEN no e-mail is sent, and the books page says the account is already confirmed
    assert response.request.path == BOOKS_INDEX
    assert ALREADY_CONFIRMED in response.text
    assert outbox == []


def test_resend_by_get_sends_nothing(app, db, newcomer_client, outbox):
    # GIVEN a logged-in user who has not confirmed their address
    # WHEN something sends GET to the resend URL (a link or an <img> on another site)
    response = newcomer_client.get(RESEND_URL)

    # THEN no e-mail is sent: GET /auth/confirm/resend is a confirmation link with the invalid token "resend"
    assert response.status_code == 400
    assert INVALID in response.text
    assert outbox == []
    assert stored_confirmed_at(app, db, "newcomer@example.com") is None


@pytest.mark.options(WTF_CSRF_ENABLED=True)
def test_resend_without_the_csrf_token_is_a_400_and_sends_nothing(newcomer_client, outbox):
    # GIVEN CSRF protection on, as in production
    newcomer_client.get(UNCONFIRMED_URL)  # a real session, so only the token is missing

    # WHEN the resend form is posted without its token (as another site would)
    response = newcomer_client.post(RESEND_URL)

    # THEN the answer is the 400 page and no e-mail is sent
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text
    assert outbox == []


@pytest.mark.options(WTF_CSRF_ENABLED=True)
def test_resend_with_the_csrf_token_from_the_page_sends_the_link(newcomer_client, outbox):
    # GIVEN CSRF protection on, and the resend button of the "please confirm" page
    page = newcomer_client.get(UNCONFIRMED_URL).text
    form = page[page.index('action="/auth/confirm/resend"') :]
    token = csrf_token_from(form)

    # WHEN its form is posted with the token it carries
    response = newcomer_client.post(RESEND_URL, data={"csrf_token": token})

    # THEN one e-mail is sent
    assert response.status_code == 302
    assert len(outbox) == 1
