"""Unit tests of the plain functions behind the CLI commands (sample_app/commands.py).

Patterns: plain functions tested without HTTP; parametrize with ids; boundary
values; unordered results exposed with a pragma; app context only around
database work; frozen clock with time-machine.

tests/functional/test_cli.py runs the commands through ``app.test_cli_runner()``.
The click wrappers always pass every argument, so the functions' own defaults
(``init_db()`` keeps data, ``pytest_command()`` measures no coverage) are
checked here, by calling them as another caller would.
"""

import sys
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from sample_app.commands import (
    CommandError,
    create_admin,
    demo_data_exists,
    find_import_owner,
    init_db,
    pytest_command,
    seed_demo,
)
from sample_app.models import Book, Role, User
from tests.helpers import row_count, unordered_selects_reversed

BAD_USERNAME = "A username has 3 to 64 letters, digits, dots or underscores."
NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
NO_ADMIN = "There is no administrator to own the books: create one with create-admin, or use --owner."


def test_init_db_keeps_existing_data_by_default(app, db, make_book):
    # GIVEN a database with a book in it
    book = make_book()

    # WHEN init_db() is called without arguments
    with app.app_context():
        init_db()
        stored = db.session.get(Book, book.id)

    # THEN the book is still there: only drop=True deletes data
    assert stored is not None


def test_pytest_command_without_arguments_runs_the_suite_without_coverage():
    # GIVEN no pytest arguments and no coverage flag
    # WHEN the command line is built
    command = pytest_command()

    # THEN it is plain ``python -m pytest`` with this interpreter
    assert command == [sys.executable, "-m", "pytest"]


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        pytest.param({"email": "admin@bookshelf.example", "username": "someone"}, True, id="demo-admin-email"),
        pytest.param({"email": "someone@example.com", "username": "demo_reader"}, True, id="demo-reader-username"),
        pytest.param({"email": "someone@example.com", "username": "someone"}, False, id="unrelated-user"),
    ],
)
def test_demo_data_exists_when_a_demo_email_or_username_is_taken(app, make_user, existing, expected):
    # GIVEN one user who shares only the e-mail, or only the username, of a demo user (or neither)
    make_user(**existing)

    # WHEN demo data is looked for
    with app.app_context():
        exists = demo_data_exists()

    # THEN either one counts as existing demo data (seeding would collide with it)
    assert exists is expected


def test_demo_data_exists_when_a_demo_isbn_is_taken(app, make_book):
    # GIVEN an unrelated book, then a book added by hand with the ISBN of the last demo book
    # WHEN demo data is looked for after each
    make_book()
    with app.app_context():
        after_the_unrelated_book = demo_data_exists()
    make_book(isbn="9780262510875")
    with app.app_context():
        after_the_demo_isbn = demo_data_exists()

    # THEN the demo ISBN counts as existing demo data, while the unrelated book does not
    assert after_the_unrelated_book is False
    assert after_the_demo_isbn is True


@pytest.mark.parametrize(
    ("email", "username"),
    [
        pytest.param("ab@example.com", "ab_", id="two-characters"),
        pytest.param("a@example.com", "a__", id="one-character"),
    ],
)
def test_create_admin_pads_a_short_derived_username_with_underscores(app, db, email, username):
    # GIVEN an e-mail whose part before the @ is shorter than a username may be
    # WHEN an administrator is created without a username
    with app.app_context():
        derived = create_admin(email, "secret-pass").username

    # THEN the username is that part padded on the right with "_" to 3 characters
    assert derived == username


@pytest.mark.parametrize(
    "username",
    [pytest.param("ab", id="too-short"), pytest.param("a b", id="space"), pytest.param("x" * 65, id="too-long")],
)
def test_create_admin_refuses_a_bad_username_saying_what_a_username_is(app, db, username):
    # GIVEN a username that is too short, too long or has a character not allowed
    # WHEN an administrator is created with it
    with app.app_context(), pytest.raises(CommandError) as excinfo:
        create_admin("boss@example.com", "secret-pass", username=username)

    # THEN CommandError describes a valid username
    assert str(excinfo.value) == BAD_USERNAME


def test_create_admin_refuses_a_username_taken_in_another_letter_case(app, db, user):
    """Letter case makes no new name: "Reader" would pass for "reader"."""
    # GIVEN a user called "reader"
    # WHEN an administrator is created with the username "Reader"
    with app.app_context(), pytest.raises(CommandError) as excinfo:
        create_admin("other@example.com", "a-long-password", username="Reader")

    # THEN CommandError says the name is taken and how to choose another, and no user is created
    assert str(excinfo.value) == "The username Reader is taken: choose another with --username."
    assert row_count(app, db, User) == 1


def test_create_admin_without_the_administrator_role_refuses_and_writes_nothing(app, db):
    """An "administrator" without the role would have no permission at all."""
    with app.app_context():
        # GIVEN a database without roles (tables made, no migration or init-db added the roles)
        db.session.execute(sa.delete(Role))

        # WHEN an administrator is created
        with pytest.raises(CommandError) as excinfo:
            create_admin("boss@example.com", "a-long-password")

    # THEN CommandError says what to run first, and no user is created
    assert str(excinfo.value) == "There is no Administrator role: run flask db upgrade (or flask init-db) first."
    assert row_count(app, db, User) == 0


def test_create_admin_accepts_a_password_of_exactly_the_minimum_length(app, db):
    # GIVEN a password of exactly 8 characters (7 is refused: tests/functional/test_cli.py)
    password = "p" * 8

    # WHEN an administrator is created with it
    with app.app_context():
        verifies = create_admin("boss@example.com", password).verify_password(password)

    # THEN it is accepted
    assert verifies


def test_create_admin_makes_an_account_confirmed_now(app, db):
    # GIVEN the clock frozen at NOW
    # WHEN an administrator is created from the command line
    with app.app_context(), time_machine.travel(NOW, tick=False):
        admin_id = create_admin("boss@example.com", "secret-pass").id
        confirmed_at = db.session.get(User, admin_id).confirmed_at

    # THEN the account is confirmed at NOW: an operator made it, no e-mail link is needed
    assert confirmed_at == NOW


def test_seed_demo_makes_both_demo_accounts_confirmed_now(app, db):
    # GIVEN an empty database and the clock frozen at NOW
    # WHEN the demo data is added
    with app.app_context(), time_machine.travel(NOW, tick=False):
        seed_demo()
        confirmed = db.session.execute(db.select(User.email, User.confirmed_at).order_by(User.email)).all()

    # THEN the demo administrator and reader are confirmed at NOW, ready to log in and write
    assert confirmed == [("admin@bookshelf.example", NOW), ("reader@bookshelf.example", NOW)]


def test_find_import_owner_without_an_administrator_says_what_to_do(app, user):
    # GIVEN readers but no administrator
    # WHEN the default owner of an import is looked for
    with app.app_context(), pytest.raises(CommandError) as excinfo:
        find_import_owner()

    # THEN CommandError says how to get one
    assert str(excinfo.value) == NO_ADMIN


@pytest.mark.sqlite
def test_find_import_owner_picks_the_first_administrator_even_when_the_database_would_not(app, db, make_user):
    # GIVEN two administrators, and SQLite told to return unordered rows backwards
    first = make_user(role="Administrator")
    make_user(role="Administrator")

    # WHEN the default owner of an import is looked for
    with app.app_context(), unordered_selects_reversed(db):
        owner_id = find_import_owner().id

    # THEN it is the first administrator created (lowest id): the order is in the query
    assert owner_id == first.id
