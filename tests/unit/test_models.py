"""Unit tests of the models (books, tags, timestamps, the UTC column type), as pytest functions.

Patterns: parametrize with ids; pytest.raises with match and excinfo; one suite
on SQLite and PostgreSQL; tests that run only on PostgreSQL or SQLite; frozen
clock with time-machine; callable column defaults; time zones stored and read
back; fast password hashing in tests only.

The unittest.TestCase classes for users, roles and tags, which also run under
``python -m unittest``, are in test_models_unittest.py.
"""

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from sample_app.isbn import InvalidISBN
from sample_app.models import AnonymousUser, Book, Role, Tag, User, UTCDateTime
from tests.helpers import row_count

PASSWORD = "a long and secret passphrase"

EARLIER = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
LATER = datetime(2024, 6, 1, 18, 0, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))


def test_password_outside_an_app_context_uses_the_strong_default():
    # GIVEN no app context (e.g. a script building users)
    # WHEN a password is set
    user = User(role=Role(name="Reader"), password=PASSWORD)

    # THEN it is hashed with scrypt, the strong default, not a test setting
    assert user.password_hash.startswith("scrypt:")
    assert user.verify_password(PASSWORD)


def test_book_isbn_is_normalised_on_assignment():
    # GIVEN a book made with an ISBN-10 with hyphens
    book = Book(title="Dune", isbn="0-306-40615-2")
    isbn_given_to_the_constructor = book.isbn

    # WHEN an ISBN-13 with spaces is assigned
    book.isbn = "978 0 8044 2957 3"

    # THEN the attribute held the bare ISBN-13 each time
    assert isbn_given_to_the_constructor == "9780306406157"
    assert book.isbn == "9780804429573"


def test_book_rejects_an_invalid_isbn_on_assignment():
    # GIVEN a book
    book = Book(title="Dune", isbn="9780306406157")

    # WHEN an ISBN with a wrong check digit is assigned
    with pytest.raises(InvalidISBN, match="not a valid ISBN-13"):
        book.isbn = "9780306406158"

    # THEN InvalidISBN is raised at once (above), before anything reaches the database: the ISBN is unchanged
    assert book.isbn == "9780306406157"


def test_book_and_tag_reprs():
    # GIVEN a book and a tag
    book, tag = Book(title="Dune", isbn="0306406152"), Tag(name="classic")

    # WHEN they are shown with repr()
    shown = (repr(book), repr(tag))

    # THEN the book shows its ISBN and title, the tag its name
    assert shown == ("<Book 9780306406157 'Dune'>", "<Tag classic>")


def test_book_can_be_changed_by_its_owner(app, db, make_user, make_book):
    # GIVEN a book and its owner, an ordinary user
    owner = make_user()
    book = make_book(owner=owner)

    # WHEN the book is asked whether the owner may change it
    with app.app_context():
        allowed = db.session.get(Book, book.id).can_be_changed_by(db.session.get(User, owner.id))

    # THEN the answer is yes
    assert allowed is True


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param("User", False, id="other-user-may-not"),
        pytest.param("Moderator", False, id="moderator-may-not"),
        pytest.param("Administrator", True, id="administrator-may"),
    ],
)
def test_book_can_be_changed_by_someone_else_only_if_administrator(app, db, make_user, make_book, role, expected):
    # GIVEN someone else's book and a signed-in user with a role
    book = make_book()
    other = make_user(role=role)

    # WHEN the book is asked whether that user may change it
    with app.app_context():
        allowed = db.session.get(Book, book.id).can_be_changed_by(db.session.get(User, other.id))

    # THEN only an administrator may
    assert allowed is expected


def test_book_cannot_be_changed_by_an_anonymous_visitor(app, db, make_book):
    # GIVEN a book
    book = make_book()

    # WHEN the book is asked whether a visitor who is not signed in may change it
    with app.app_context():
        allowed = db.session.get(Book, book.id).can_be_changed_by(AnonymousUser())

    # THEN the answer is no
    assert allowed is False


def test_book_to_dict(app, db, make_user, make_book):
    # GIVEN a book with an owner and tags, created at a known time
    owner = make_user(username="dunereader")
    with time_machine.travel(EARLIER, tick=False):
        book = make_book(owner=owner, tags=["sf", "classic"], title="Dune", author="Frank Herbert", year=1965)

    # WHEN it is serialised with to_dict()
    with app.app_context():
        data = db.session.get(Book, book.id).to_dict()

    # THEN every field is there: owner by username, tags sorted, times in ISO 8601 UTC
    assert data == {
        "id": book.id,
        "title": "Dune",
        "author": "Frank Herbert",
        "isbn": book.isbn,
        "year": 1965,
        "owner": "dunereader",
        "tags": ["classic", "sf"],
        "created_at": "2024-01-15T09:30:00+00:00",
        "updated_at": "2024-01-15T09:30:00+00:00",
    }


def test_get_or_create_reuses_an_existing_tag(app, db, make_book):
    # GIVEN a tag already saved with a book
    make_book(tags=["poetry"])

    # WHEN get_or_create() is asked for it (in another case) and a new one
    with app.app_context():
        saved_id = db.session.scalar(db.select(Tag.id).filter_by(name="poetry"))
        poetry, essays = Tag.get_or_create(["Poetry", "essays"])
        db.session.commit()
        poetry_id, essays_id = poetry.id, essays.id

    # THEN the saved tag is reused and only the new one is added
    assert poetry_id == saved_id
    assert essays_id != saved_id
    assert row_count(app, db, Tag) == 2


# --- timestamps: callable defaults, controlled with time-machine -------------


def test_timestamp_defaults_are_callables_not_values():
    """``default=utcnow()`` would be a single value, fixed when the module was imported."""
    # GIVEN the timestamp columns of users and books
    tables = (User.__table__, Book.__table__)

    # WHEN their defaults (created_at's, updated_at's and its onupdate) are inspected
    is_callable = {
        table.name: (
            table.c.created_at.default.is_callable,
            table.c.updated_at.default.is_callable,
            table.c.updated_at.onupdate.is_callable,
        )
        for table in tables
    }

    # THEN they are functions, called per row
    assert is_callable == {"users": (True, True, True), "books": (True, True, True)}


def test_rows_created_at_different_times_get_different_created_at(make_user):
    # GIVEN the clock frozen at one time, then at a later one (no sleeping)
    # WHEN a user is created at each
    with time_machine.travel(EARLIER, tick=False):
        first = make_user()
    with time_machine.travel(LATER, tick=False):
        second = make_user()

    # THEN each row has the time it was created at
    assert first.created_at == EARLIER
    assert second.created_at == LATER


def test_update_moves_updated_at_but_not_created_at(app, db, make_user):
    # GIVEN a user created at one time
    with time_machine.travel(EARLIER, tick=False):
        user = make_user()

    # WHEN it is changed at a later time
    with time_machine.travel(LATER, tick=False), app.app_context():
        db.session.get(User, user.id).username = "renamed"
        db.session.commit()

    # THEN updated_at is the later time and created_at is unchanged
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert (stored.username, stored.created_at, stored.updated_at) == ("renamed", EARLIER, LATER)


def test_saving_a_naive_datetime_is_refused(app, db, make_user):
    # GIVEN a saved user
    user = make_user()

    # WHEN a naive datetime (no time zone) is assigned and flushed
    with app.app_context():
        db.session.get(User, user.id).created_at = datetime(2024, 1, 1)
        with pytest.raises(sa.exc.StatementError, match="naive datetime") as excinfo:
            db.session.flush()
        db.session.rollback()

    # THEN the flush fails with the type's ValueError, wrapped by SQLAlchemy
    assert isinstance(excinfo.value.orig, ValueError)
    assert str(excinfo.value.orig) == "naive datetime given; use sample_app.clock.utcnow()"


def test_aware_datetime_in_another_zone_is_stored_as_the_same_instant(app, db, make_user):
    """A regression: SQLite once kept 12:00 and lost the +02:00."""
    # GIVEN a datetime at UTC+2
    user = make_user()
    noon_at_plus_two = datetime(2024, 3, 1, 12, 0, tzinfo=PLUS_TWO)

    # WHEN it is saved and read back
    with app.app_context():
        db.session.get(User, user.id).created_at = noon_at_plus_two
        db.session.commit()
    with app.app_context():
        stored = db.session.get(User, user.id).created_at

    # THEN it is the same instant, in UTC
    assert stored == noon_at_plus_two
    assert stored.tzinfo is UTC
    assert stored.hour == 10


@pytest.mark.sqlite
def test_sqlite_stores_naive_text_but_the_model_returns_aware_utc(app, db, make_user):
    # GIVEN SQLite, which has no time zone type
    with time_machine.travel(EARLIER, tick=False):
        user = make_user()

    # WHEN a timestamp is read raw and through the model
    with app.app_context():
        raw = db.session.scalar(db.text("SELECT created_at FROM users WHERE id = :id"), {"id": user.id})

    # THEN the raw value is zone-less text, the model value is aware UTC
    assert raw == "2024-01-15 09:30:00.000000"
    assert user.created_at.tzinfo is UTC


@pytest.mark.postgres
def test_postgresql_session_time_zone_does_not_leak_into_the_model(app, db, make_user):
    # GIVEN PostgreSQL with the session's TimeZone set to New York
    with time_machine.travel(EARLIER, tick=False):
        user = make_user()

    # WHEN a timestamp is read raw and through the model
    with app.app_context():
        # SET LOCAL lasts until the test's transaction is rolled back.
        db.session.execute(db.text("SET LOCAL TIME ZONE 'America/New_York'"))
        raw = db.session.scalar(db.text("SELECT created_at FROM users WHERE id = :id"), {"id": user.id})
        stored = db.session.get(User, user.id).created_at

    # THEN the raw value carries -05:00, the model value is the same instant in UTC
    assert raw.utcoffset() == timedelta(hours=-5)
    assert stored == EARLIER
    assert stored.tzinfo is UTC


# The type's two conversions, called directly: every branch on any backend.


@pytest.fixture
def local_time_zone_plus_nine():
    """The process's local time zone set to UTC+9 for one test (POSIX TZ
    syntax: no tz database needed). CI machines often run in UTC, where
    "local time" and UTC cannot be told apart."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "JST-9")
        time.tzset()
        yield
    time.tzset()


def test_utc_datetime_binds_utc_whatever_the_local_time_zone(local_time_zone_plus_nine):
    # GIVEN a machine whose local time zone is UTC+9, and a datetime at UTC+2
    noon_at_plus_two = datetime(2024, 3, 1, 12, 0, tzinfo=PLUS_TWO)

    # WHEN the column type prepares it for the database
    bound = UTCDateTime().process_bind_param(noon_at_plus_two, dialect=None)

    # THEN the value bound is the same instant in UTC, not in local time
    assert (bound.hour, bound.utcoffset()) == (10, timedelta(0))


def test_utc_datetime_passes_none_through():
    # GIVEN the UTCDateTime column type
    column_type = UTCDateTime()

    # WHEN NULL goes in or comes out
    bound = column_type.process_bind_param(None, dialect=None)
    result = column_type.process_result_value(None, dialect=None)

    # THEN it stays None
    assert (bound, result) == (None, None)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(datetime(2024, 3, 1, 10, 0), id="naive-means-utc"),
        pytest.param(datetime(2024, 3, 1, 10, 0, tzinfo=UTC), id="utc"),
        pytest.param(datetime(2024, 3, 1, 12, 0, tzinfo=PLUS_TWO), id="plus-two"),
    ],
)
def test_utc_datetime_results_are_aware_utc(value):
    # GIVEN a value as a driver may return it (naive from SQLite, aware in any zone)
    # WHEN the type converts it
    result = UTCDateTime().process_result_value(value, dialect=None)

    # THEN the result is 10:00 UTC, aware
    assert result == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert result.tzinfo is UTC
