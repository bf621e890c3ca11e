"""CLI commands: ``flask --app sample_app <command>``.

Each command is a thin click wrapper around a plain function below, so the
logic can be tested without click and the commands with ``app.test_cli_runner()``.
``flask test`` runs pytest in a subprocess from an argument list, never a shell.
"""

import re
import subprocess  # nosec B404
import sys
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from . import catalogue
from .auth.services import check_password, check_username, email_registered, username_taken
from .clock import utcnow
from .extensions import db
from .importer import CSVImportError, import_books
from .models import Role, User
from .permissions import Permission

# Published demo credentials (seed-demo prints them), not secrets.
DEMO_ADMIN = {
    "email": "admin@bookshelf.example",
    "username": "demo_admin",
    "password": "bookshelf-admin",  # nosec B105
}
DEMO_READER = {
    "email": "reader@bookshelf.example",
    "username": "demo_reader",
    "password": "bookshelf-reader",  # nosec B105
}
# (title, author, isbn, year, tags): real books, so their ISBN-13s pass the checksum.
DEMO_BOOKS = [
    ("The Left Hand of Darkness", "Ursula K. Le Guin", "9780441478125", 1969, ["science fiction", "classic"]),
    ("Dune", "Frank Herbert", "9780441172719", 1965, ["science fiction"]),
    ("Pride and Prejudice", "Jane Austen", "9780141439518", 1813, ["classic", "romance"]),
    ("Middlemarch", "George Eliot", "9780141439549", 1871, ["classic"]),
    ("The Pragmatic Programmer", "Andrew Hunt and David Thomas", "9780201616224", 1999, ["programming"]),
    (
        "Structure and Interpretation of Computer Programs",
        "Harold Abelson and Gerald Jay Sussman",
        "9780262510875",
        1996,
        ["programming", "classic"],
    ),
]


class CommandError(Exception):
    """A problem to report to the operator (the command exits with status 1)."""


# --- plain functions -----------------------------------------------------------


def init_db(drop=False):
    """Create the tables (dropping them first with ``drop``) and the roles.

    The DDL runs on the session's own connection and is committed with it:
    ``db.create_all()`` would open a second connection, which waits forever
    for a test's open transaction on PostgreSQL and finds SQLite locked.
    """
    connection = db.session.connection()
    if drop:
        db.metadata.drop_all(bind=connection)
    db.metadata.create_all(bind=connection)
    db.session.commit()
    Role.insert_roles()


def demo_data_exists():
    """True when a demo user's e-mail or username (in any letter case, as
    registration compares them) or a demo book's ISBN is already taken."""
    users = [DEMO_ADMIN, DEMO_READER]
    user_found = any(email_registered(user["email"]) or username_taken(user["username"]) for user in users)
    return user_found or bool(catalogue.isbns_in_use(book[2] for book in DEMO_BOOKS))


def seed_demo():
    """Add the demo users and books, once. Returns False (and changes
    nothing) if any of them exists already."""
    if demo_data_exists():
        return False
    Role.insert_roles()  # the admin needs its role, even if init-db was skipped
    admin_role = db.session.scalar(db.select(Role).filter_by(name="Administrator"))
    # Made here, not through registration: their addresses count as confirmed.
    admin = User(role=admin_role, confirmed_at=utcnow(), **DEMO_ADMIN)
    reader = User(confirmed_at=utcnow(), **DEMO_READER)
    db.session.add_all([admin, reader])
    db.session.flush()  # assigns reader.id
    books = [
        {"title": title, "author": author, "isbn": isbn, "year": year, "tags": tags}
        for title, author, isbn, year, tags in DEMO_BOOKS
    ]
    catalogue.add_books(reader, books)  # commits the users with the books
    return True


def find_import_owner(email=None):
    """The user with ``email`` (any case), or by default the first administrator."""
    if email is not None:
        owner = db.session.scalar(db.select(User).where(db.func.lower(User.email) == email.strip().lower()))
        if owner is None:
            raise CommandError(f"No user with e-mail {email}.")
        return owner
    owner = db.session.scalar(
        db.select(User).join(User.role).where(Role.name == "Administrator").order_by(User.id).limit(1)
    )
    if owner is None:
        raise CommandError("There is no administrator to own the books: create one with create-admin, or use --owner.")
    return owner


def create_admin(email, password, username=None):
    """Create an administrator; raise :class:`CommandError` for bad input."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise CommandError(f"{email!r} is not a valid e-mail address: {exc}") from None
    if username is None:
        # The part before "@", reduced to the characters a username may have.
        username = re.sub(r"[^A-Za-z0-9._]", "_", email.split("@")[0])[:64].ljust(3, "_")
    for _, problem in (check_username(username), check_password(password)):
        if problem:
            raise CommandError(problem)
    if email_registered(email):
        raise CommandError(f"A user with e-mail {email} already exists.")
    # In any letter case, as registration checks it: "Reader" would pass for "reader".
    if username_taken(username):
        raise CommandError(f"The username {username} is taken: choose another with --username.")
    role = db.session.scalar(db.select(Role).filter_by(name="Administrator"))
    if role is None:  # else the "administrator" would have no permission at all
        raise CommandError("There is no Administrator role: run flask db upgrade (or flask init-db) first.")
    # Made by an operator, not through registration: the address counts as confirmed.
    user = User(email=email, username=username, password=password, role=role, confirmed_at=utcnow())
    db.session.add(user)
    db.session.commit()
    return user


def pytest_command(pytest_args=(), coverage=False):
    """The argument list that runs the test suite with this interpreter."""
    command = [sys.executable, "-m", "pytest"]
    if coverage:
        command += ["--cov", "--cov-report=term-missing"]
    return command + list(pytest_args)


# --- click commands ------------------------------------------------------------


@click.command("init-db")
@click.option("--drop", is_flag=True, help="Drop every table first (deletes all data).")
@click.option("--yes", is_flag=True, help="Do not ask before dropping.")
@with_appcontext
def init_db_command(drop, yes):
    """Create the database tables and the roles."""
    if drop and not yes:
        click.confirm("This deletes every table and all their data. Continue?", abort=True)
    init_db(drop=drop)
    if drop:
        click.echo("Dropped all tables.")
    click.echo("Created the tables and the roles.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Add a demo administrator, a demo reader and a few books."""
    if not seed_demo():
        click.echo("Demo data already exists; nothing was changed.")
        return
    click.echo(f"Added 2 demo users and {len(DEMO_BOOKS)} books. Log in as:")
    click.echo(f"  administrator: {DEMO_ADMIN['email']} / {DEMO_ADMIN['password']}")
    click.echo(f"  reader:        {DEMO_READER['email']} / {DEMO_READER['password']}")


@click.command("import-books")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", metavar="EMAIL", help="Who owns the books (default: the first administrator).")
@with_appcontext
def import_books_command(path, owner):
    """Import the books in the CSV file PATH (all or nothing)."""
    try:
        count = import_books(path.read_bytes(), find_import_owner(owner))
    except CommandError as exc:
        raise click.ClickException(str(exc)) from None
    except CSVImportError as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(f"Nothing was imported ({len(exc.errors)} problem(s)).") from None
    click.echo(f"{count} records loaded")


@click.command("create-admin")
@click.argument("email")
@click.option("--username", help="Defaults to the part of the e-mail before the @.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin_command(email, username, password):
    """Create an administrator account with e-mail EMAIL."""
    try:
        user = create_admin(email, password, username=username)
    except CommandError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created administrator {user.username} <{user.email}>.")


@click.command("test", context_settings={"ignore_unknown_options": True})
@click.option("--coverage", is_flag=True, help="Measure branch coverage of sample_app.")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def run_tests_command(coverage, pytest_args):
    """Run the test suite; extra arguments go to pytest (e.g. -x -k login)."""
    # An argument list and no shell: nothing the user typed is interpreted.
    returncode = subprocess.call(pytest_command(pytest_args, coverage))  # nosec B603
    sys.exit(returncode)


def shell_context():
    """What ``flask shell`` adds to ``app``, ``g``, and ``db`` and the models (which
    Flask-SQLAlchemy adds itself): the catalogue's functions and the permissions."""
    return {"catalogue": catalogue, "Permission": Permission}


def register_commands(app):
    for command in (init_db_command, seed_demo_command, import_books_command, create_admin_command, run_tests_command):
        app.cli.add_command(command)
    app.shell_context_processor(shell_context)
