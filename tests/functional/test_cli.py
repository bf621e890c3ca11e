"""Tests of the CLI commands (sample_app/commands.py), run with Flask's CLI runner.

Patterns: CLI command with the runner; CLI command with a prompt; exit codes,
stdout and stderr; CLI command that runs a subprocess; mock.patch with
autospec; asserting how a mock was called; patching where the name is looked
up; assets folder fixture; invalid post writes nothing; app context only around
database work.
"""

import sys
from datetime import UTC, datetime
from unittest import mock

import pytest
import sqlalchemy as sa
import time_machine

from sample_app.models import Book, Role, User
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import row_count

DEMO_DATA_EXISTS = "Demo data already exists; nothing was changed.\n"


def book_owner_ids(app, db):
    """The ids of the users who own the stored books, each once."""
    with app.app_context():
        return db.session.scalars(db.select(Book.owner_id).distinct()).all()


def stored_username(app, db, email):
    """The username stored for the user with ``email``."""
    with app.app_context():
        return db.session.scalar(db.select(User.username).filter_by(email=email))


# --- init-db -----------------------------------------------------------------------


def test_init_db_creates_missing_tables_and_roles(app, db, runner):
    # GIVEN a database missing the book_tags table and the Moderator role
    with app.app_context():
        db.session.execute(db.delete(Role).where(Role.name == "Moderator"))
        db.metadata.tables["book_tags"].drop(bind=db.session.connection())
        db.session.commit()

    # WHEN ``flask init-db`` runs
    result = runner.invoke(args=["init-db"])

    # THEN both are back and the command says what it did
    assert result.exit_code == 0
    assert result.stdout == "Created the tables and the roles.\n"
    with app.app_context():
        assert "book_tags" in sa.inspect(db.session.connection()).get_table_names()
        assert db.session.scalars(db.select(Role.name).order_by(Role.name)).all() == [
            "Administrator",
            "Moderator",
            "User",
        ]


def test_init_db_drop_with_yes_deletes_all_data_without_asking(app, db, runner, make_book):
    # GIVEN a book in the database
    make_book()

    # WHEN ``flask init-db --drop --yes`` runs
    result = runner.invoke(args=["init-db", "--drop", "--yes"])

    # THEN no question is asked, the tables are recreated empty, and the roles are back
    assert result.exit_code == 0
    assert result.stdout == "Dropped all tables.\nCreated the tables and the roles.\n"
    assert row_count(app, db, Book) == 0
    assert row_count(app, db, User) == 0
    assert row_count(app, db, Role) == 3


def test_init_db_drop_asks_and_aborts_on_no(app, db, runner, make_book):
    # GIVEN a book in the database
    make_book()

    # WHEN ``flask init-db --drop`` runs and the operator answers "n"
    result = runner.invoke(args=["init-db", "--drop"], input="n\n")

    # THEN the command aborts with exit code 1 and the book is still there
    assert result.exit_code == 1
    assert "This deletes every table and all their data. Continue? [y/N]: n" in result.stdout
    assert "Aborted!" in result.stderr
    assert row_count(app, db, Book) == 1


def test_init_db_drop_goes_ahead_on_yes(app, db, runner, make_book):
    # GIVEN a book in the database
    make_book()

    # WHEN ``flask init-db --drop`` runs and the operator answers "y"
    result = runner.invoke(args=["init-db", "--drop"], input="y\n")

    # THEN the tables are dropped and recreated empty
    assert result.exit_code == 0
    assert "Dropped all tables." in result.stdout
    assert row_count(app, db, Book) == 0


# --- seed-demo ---------------------------------------------------------------------


def test_seed_demo_creates_users_and_books_and_prints_the_credentials(app, db, runner):
    # GIVEN an empty database
    # WHEN ``flask seed-demo`` runs
    result = runner.invoke(args=["seed-demo"])

    # THEN it prints both logins, and the demo admin, the reader and the books exist
    assert result.exit_code == 0
    assert "admin@bookshelf.example / bookshelf-admin" in result.stdout
    assert "reader@bookshelf.example / bookshelf-reader" in result.stdout
    with app.app_context():
        admin = db.session.scalar(db.select(User).filter_by(email="admin@bookshelf.example"))
        reader = db.session.scalar(db.select(User).filter_by(email="reader@bookshelf.example"))
        assert admin.is_administrator
        assert admin.verify_password("bookshelf-admin")
        assert not reader.is_administrator
        assert reader.verify_password("bookshelf-reader")
        books = db.session.scalars(db.select(Book)).all()
        assert sorted((book.isbn, book.year) for book in books) == [
            ("9780141439518", 1813),
            ("9780141439549", 1871),
            ("9780201616224", 1999),
            ("9780262510875", 1996),
            ("9780441172719", 1965),
            ("9780441478125", 1969),
        ]
        assert all(book.tags for book in books)


def test_seed_demo_twice_says_so_and_changes_nothing(app, db, runner):
    # GIVEN ``flask seed-demo`` has run once
    runner.invoke(args=["seed-demo"])
    before = (row_count(app, db, User), row_count(app, db, Book))

    # WHEN it runs again
    result = runner.invoke(args=["seed-demo"])

    # THEN it exits 0 saying the data exists, and there are no extra users or books
    assert result.exit_code == 0
    assert result.stdout == DEMO_DATA_EXISTS
    assert (row_count(app, db, User), row_count(app, db, Book)) == before == (2, 6)


def test_seed_demo_changes_nothing_when_one_demo_book_exists(app, db, runner, make_book):
    # GIVEN a database that already holds one of the demo books (Dune), added by hand
    make_book(isbn="9780441172719")

    # WHEN ``flask seed-demo`` runs
    result = runner.invoke(args=["seed-demo"])

    # THEN it reports existing data instead of failing on the duplicate ISBN, and adds no user
    assert result.exit_code == 0
    assert result.stdout == DEMO_DATA_EXISTS
    assert row_count(app, db, Book) == 1
    with app.app_context():
        assert db.session.scalar(db.select(User).filter_by(email="admin@bookshelf.example")) is None


# --- import-books ------------------------------------------------------------------


def test_import_books_loads_the_file_for_the_first_administrator(app, db, runner, admin, assets):
    # GIVEN an administrator and a valid CSV file
    # WHEN ``flask import-books FILE`` runs
    result = runner.invoke(args=["import-books", str(assets / "books_valid.csv")])

    # THEN it prints "3 records loaded" and the books belong to the administrator
    assert result.exit_code == 0
    assert result.stdout == "3 records loaded\n"
    assert book_owner_ids(app, db) == [admin.id]


def test_import_books_owner_option_picks_the_owner_by_email(app, db, runner, admin, user, assets):
    # GIVEN an administrator and a reader
    # WHEN ``flask import-books FILE --owner`` names the reader (in upper case)
    result = runner.invoke(args=["import-books", str(assets / "books_valid.csv"), "--owner", user.email.upper()])

    # THEN the books belong to the reader
    assert result.exit_code == 0
    assert book_owner_ids(app, db) == [user.id]


# The latest year allowed is next year: frozen in 2026, the message says 2027 on any day.
@time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False)
def test_import_books_prints_every_bad_line_to_stderr_and_exits_1(app, db, runner, admin, tmp_path):
    # GIVEN a file with bad rows on lines 2 and 4 and a good one on line 3, in 2026
    path = tmp_path / "books.csv"
    path.write_text(
        "title,author,isbn,year,tags\n"
        ",Nobody,9780547928227,1937,\n"
        "Nineteen Eighty-Four,George Orwell,9780451524935,1949,\n"
        "The Great Gatsby,F. Scott Fitzgerald,9780743273565,someday,\n",
        encoding="utf-8",
    )

    # WHEN ``flask import-books FILE`` runs
    result = runner.invoke(args=["import-books", str(path)])

    # THEN each "Line N: message" goes to stderr, the exit code is 1 and nothing is loaded
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "Line 2: title: Must not be blank."
    assert lines[1] == "Line 4: year: Must be a whole number from 1450 to 2027."
    assert lines[2] == "Error: Nothing was imported (2 problem(s))."
    assert row_count(app, db, Book) == 0


def test_import_books_without_an_administrator_exits_1(app, db, runner, user, assets):
    # GIVEN no administrator in the database and no --owner
    # WHEN ``flask import-books FILE`` runs
    result = runner.invoke(args=["import-books", str(assets / "books_valid.csv")])

    # THEN it exits 1 explaining there is no owner, and nothing is loaded
    assert result.exit_code == 1
    assert "There is no administrator to own the books" in result.stderr
    assert row_count(app, db, Book) == 0


def test_import_books_with_unknown_owner_exits_1(app, db, runner, admin, assets):
    # GIVEN an --owner e-mail that no user has
    # WHEN ``flask import-books FILE --owner`` runs
    result = runner.invoke(args=["import-books", str(assets / "books_valid.csv"), "--owner", "ghost@example.com"])

    # THEN it exits 1 naming the e-mail, and nothing is loaded
    assert result.exit_code == 1
    assert "No user with e-mail ghost@example.com." in result.stderr
    assert row_count(app, db, Book) == 0


def test_import_books_with_missing_file_is_a_usage_error(runner, tmp_path):
    # GIVEN a path to a file that does not exist
    # WHEN ``flask import-books`` runs
    result = runner.invoke(args=["import-books", str(tmp_path / "missing.csv")])

    # THEN click itself rejects the argument with exit code 2
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


# --- create-admin ------------------------------------------------------------------


def test_create_admin_prompts_twice_and_retries_on_mismatch(app, db, runner):
    # GIVEN an operator who mistypes the confirmation once
    typed = "first-try-pw\nsecond-try-pw\nsecret-pass\nsecret-pass\n"

    # WHEN ``flask create-admin EMAIL`` prompts for the hidden password
    result = runner.invoke(args=["create-admin", "Boss@Example.com"], input=typed)

    # THEN it says the entries differ, asks again, and creates the administrator
    assert result.exit_code == 0
    # click writes its prompts, and the mismatch message, to stdout.
    assert result.stdout.count("Password: ") == 2
    assert "Error: The two entered values do not match." in result.stdout
    assert "secret-pass" not in result.stdout  # hidden input is not echoed
    assert "Created administrator boss <boss@example.com>." in result.stdout
    with app.app_context():
        boss = db.session.scalar(db.select(User).filter_by(email="boss@example.com"))
        assert boss.is_administrator
        assert boss.verify_password("secret-pass")


def test_create_admin_username_option(app, db, runner):
    # GIVEN a --username and the password given as an option (no prompt)
    # WHEN ``flask create-admin`` runs
    result = runner.invoke(
        args=["create-admin", "boss@example.com", "--username", "chief", "--password", "secret-pass"]
    )

    # THEN the administrator gets that username
    assert result.exit_code == 0
    assert stored_username(app, db, "boss@example.com") == "chief"


def test_create_admin_derives_a_valid_username_from_the_email(app, db, runner):
    # GIVEN an e-mail whose local part has characters a username may not have
    # WHEN ``flask create-admin`` runs without --username
    result = runner.invoke(args=["create-admin", "jane.doe+admin@example.com", "--password", "secret-pass"])

    # THEN the username is the local part with those characters replaced by "_"
    assert result.exit_code == 0
    assert stored_username(app, db, "jane.doe+admin@example.com") == "jane.doe_admin"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["new@example.com", "--password", "short"], "A password has at least 8 characters.", id="short-password"
        ),
        pytest.param(["not-an-email", "--password", "secret-pass"], "is not a valid e-mail address", id="bad-email"),
        pytest.param(
            ["new@example.com", "--username", "a b", "--password", "secret-pass"],
            "A username has 3 to 64 letters",
            id="bad-username",
        ),
        pytest.param(
            ["READER@example.com", "--password", "secret-pass"],
            "A user with e-mail reader@example.com already exists.",
            id="email-taken-any-case",
        ),
        pytest.param(
            ["new@example.com", "--username", "reader", "--password", "secret-pass"],
            "The username reader is taken",
            id="username-taken",
        ),
    ],
)
def test_create_admin_rejects_bad_input_with_exit_1(app, db, runner, user, args, message):
    # GIVEN a reader (reader@example.com, username "reader") already registered
    # WHEN ``flask create-admin`` gets a bad password, e-mail or username, or a taken one
    result = runner.invoke(args=["create-admin", *args])

    # THEN it exits 1 with a message and no user is added
    assert result.exit_code == 1
    assert message in result.stderr
    assert row_count(app, db, User) == 1
    with app.app_context():
        assert db.session.get(User, user.id).verify_password(DEFAULT_PASSWORD)


def test_create_admin_refuses_a_username_taken_in_another_letter_case(app, db, runner, user):
    # GIVEN a reader registered with the username "reader"
    # WHEN ``flask create-admin other@example.com --username Reader`` runs
    result = runner.invoke(
        args=["create-admin", "other@example.com", "--username", "Reader", "--password", "secret-pass"]
    )

    # THEN it exits 1 saying the username is taken, and no user is added
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: The username Reader is taken: choose another with --username.\n"
    assert row_count(app, db, User) == 1
    with app.app_context():
        assert db.session.scalar(db.select(User).filter_by(email="other@example.com")) is None


# --- test --------------------------------------------------------------------------


@pytest.fixture
def subprocess_call():
    """``subprocess.call`` as seen by the commands module, replaced: no nested pytest."""
    with mock.patch("sample_app.commands.subprocess.call", autospec=True, return_value=0) as call:
        yield call


def test_test_command_runs_pytest_with_the_extra_arguments(runner, subprocess_call):
    # GIVEN pytest options after the command name
    # WHEN ``flask test -x -k login`` runs
    result = runner.invoke(args=["test", "-x", "-k", "login"])

    # THEN pytest is started once, with this interpreter and exactly those options
    assert result.exit_code == 0
    subprocess_call.assert_called_once_with([sys.executable, "-m", "pytest", "-x", "-k", "login"])


def test_test_command_coverage_option_adds_cov_arguments(runner, subprocess_call):
    # GIVEN the --coverage flag
    # WHEN ``flask test --coverage tests/unit`` runs
    runner.invoke(args=["test", "--coverage", "tests/unit"])

    # THEN pytest gets --cov and a missing-lines report before the path
    subprocess_call.assert_called_once_with(
        [sys.executable, "-m", "pytest", "--cov", "--cov-report=term-missing", "tests/unit"]
    )


@pytest.mark.parametrize("returncode", [pytest.param(1, id="tests-failed"), pytest.param(5, id="no-tests-collected")])
def test_test_command_exits_with_the_pytest_exit_code(runner, subprocess_call, returncode):
    # GIVEN pytest ending with a non-zero code
    subprocess_call.return_value = returncode

    # WHEN ``flask test`` runs
    result = runner.invoke(args=["test"])

    # THEN the command exits with that same code (so CI sees the failure)
    assert result.exit_code == returncode
