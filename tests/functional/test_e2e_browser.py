"""End-to-end tests: the app on a live server, driven by a real browser (Chromium
through Playwright): logging in, adding a book, importing a CSV file, registering
and confirming the address from the e-mailed link.

Patterns: live server in a thread; browser tests with Playwright; fixture
overridden in one module; screenshot on failure; skip with an install hint;
e-mail outbox fixture.

Why these tests do not use the rollback harness: the live server answers from
another thread, which must not share the test's connection and transaction.
The ``app`` fixture below replaces the root one for this module with an app on
its own SQLite file, whose data is really committed. Each test uses data no
other test touches, so order does not matter.

They carry the ``e2e`` mark, which ``make test`` leaves out so that their run
time is reported separately: run them with ``make test-e2e``.
"""

import shutil
from pathlib import Path

import pytest

from sample_app import create_app
from sample_app.extensions import db
from sample_app.models import Book, Role, User
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.helpers import confirmation_link

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -c constraints.txt -e '.[test,e2e]'"
)

# own_app: the app fixture below is this module's own, on purpose (the harness refuses an unmarked one).
pytestmark = [pytest.mark.e2e, pytest.mark.own_app]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Headless Chromium as root on a machine without network access: no sandbox,
# and none of the background calls it would otherwise keep retrying.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN_EMAIL = "e2e-admin@example.com"
VALID_CSV_ISBNS = {"9780547928227", "9780465026562", "9780451524935"}  # tests/assets/books_valid.csv
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Overrides the root ``app``: a committed database the server process can open."""
    database = tmp_path_factory.mktemp("e2e") / "e2e.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        Role.insert_roles()
        create_user(email=ADMIN_EMAIL, username="e2e-admin", role="Administrator")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test; a screenshot in test-results/ if the test fails."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    failures_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failures_before:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{request.node.name}.png", full_page=True)
    context.close()


def log_in(page, live_server, email=ADMIN_EMAIL, password=DEFAULT_PASSWORD):
    """Fill in and submit the real login form in the browser (tests.helpers.log_in is for the test client)."""
    page.goto(live_server.url("/auth/login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    # Wait for the page the POST answers with: a wrong password comes back to the same
    # URL, and a check made before it loads would read the old form.
    with page.expect_navigation():
        page.click("input[type=submit]")


def test_admin_logs_in_and_sees_their_name(live_server, page):
    """
    GIVEN an administrator account on the live server
    WHEN they log in through the login form in Chromium
    THEN the navigation bar names them and offers the CSV import
    """
    log_in(page, live_server)

    assert page.locator("nav").get_by_text("Signed in as e2e-admin").is_visible()
    assert page.locator("nav").get_by_role("link", name="Import CSV").is_visible()


def test_admin_adds_a_book_and_finds_it_in_the_list(live_server, page):
    """
    GIVEN a logged-in administrator
    WHEN they fill in the "Add a book" form and submit it
    THEN the flash message confirms it and the book is listed on the books page
    """
    log_in(page, live_server)

    page.goto(live_server.url("/books/new"))
    page.fill("input[name=title]", "The Browser Book")
    page.fill("input[name=author]", "Ada Playwright")
    page.fill("input[name=isbn]", "978-0-306-40615-7")
    page.click("input[type=submit]")

    assert page.locator(".flash").inner_text() == 'Added "The Browser Book".'
    page.goto(live_server.url("/books/?q=Browser"))
    assert page.get_by_text("The Browser Book").is_visible()


def test_admin_imports_a_csv_and_sees_the_count(live_server, page, assets, app):
    """
    GIVEN a logged-in administrator and tests/assets/books_valid.csv (3 books)
    WHEN they choose the file on the import page and upload it
    THEN the flash says "3 records loaded" and the database holds those books
    """
    log_in(page, live_server)

    page.goto(live_server.url("/admin/import"))
    page.set_input_files("input[name=csv_file]", assets / "books_valid.csv")
    page.click("input[type=submit]")

    assert "3 records loaded" in page.locator(".flash").inner_text()
    with app.app_context():
        imported = set(db.session.scalars(db.select(Book.isbn).where(Book.isbn.in_(VALID_CSV_ISBNS))))
    assert imported == VALID_CSV_ISBNS


def test_wrong_password_shows_the_error_in_the_browser(live_server, page):
    """
    GIVEN the login page in Chromium
    WHEN a wrong password is submitted
    THEN the page says so and the navigation still offers "Log in"
    """
    log_in(page, live_server, password="not-the-password")

    assert page.get_by_text("Invalid email or password.").is_visible()
    assert page.locator("nav").get_by_role("link", name="Log in").is_visible()


def test_new_user_registers_and_confirms_from_the_emailed_link(live_server, page, outbox, app):
    """
    GIVEN the registration form in Chromium, and the outbox fixture capturing
          e-mails (the live server runs in a thread of this process: the patch applies to it)
    WHEN a visitor registers, and the browser opens the link of the welcome e-mail
    THEN the page says the account is confirmed, the navigation now offers
         "Add a book", and the account is confirmed in the database
    """
    page.goto(live_server.url("/auth/register"))
    page.fill("input[name=email]", "e2e-new@example.com")
    page.fill("input[name=username]", "e2e_new")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.fill("input[name=password2]", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.locator("nav").get_by_role("link", name="Confirm your e-mail").wait_for()
    [welcome] = outbox
    link = confirmation_link(welcome, base=live_server.url())

    page.goto(link)

    assert page.locator(".flash").inner_text() == "Thank you! Your account is confirmed."
    assert page.locator("nav").get_by_role("link", name="Add a book").is_visible()
    with app.app_context():
        assert db.session.scalar(db.select(User.confirmed_at).filter_by(email="e2e-new@example.com")) is not None
