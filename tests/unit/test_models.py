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
    """
    GIVEN no app context (e.g. a script building users)
    WHEN a password is set
    THEN it is hashed with scrypt, the strong default, not a test setting
    """
    user = User(role=Role(name="Reader"), password=PASSWORD)

    assert user.password_hash.startswith("scrypt:")
    assert user.verify_password(PASSWORD)


def test_book_isbn_is_normalised_on_assignment():
    """
    GIVEN a book
    WHEN an ISBN-10 with hyphens is assigned, then an ISBN-13 with spaces
    THEN the attribute holds the bare ISBN-13 each time
    """
    book = Book(title="Dune", isbn="0-306-40615-2")
    assert book.isbn == "9780306406157"

    book.isbn = "978 0 8044 2957 3"
    assert book.isbn == "9780804429573"


def test_book_rejects_an_invalid_isbn_on_assignment():
    """
    GIVEN a book
    WHEN an ISBN with a wrong check digit is assigned
    THEN InvalidISBN is raised at once, before anything reaches the database
    """
    book = Book(title="Dune", isbn="9780306406157")

    with pytest.raises(InvalidISBN, match="not a valid ISBN-13"):
        book.isbn = "9780306406158"

    assert book.isbn == "9780306406157"


def test_book_and_tag_reprs():
    """
    GIVEN a book and a tag
    WHEN they are shown with repr()
    THEN the book shows its ISBN and title, the tag its name
    """
    assert repr(Book(title="Dune", isbn="0306406152")) == "<Book 9780306406157 'Dune'>"
    assert repr(Tag(name="classic")) == "<Tag classic>"


def test_book_can_be_changed_by_its_owner(app, db, make_user, make_book):
    """
    GIVEN a book and its owner, an ordinary user
    WHEN the book is asked whether the owner may change it
    THEN the answer is yes
    """
    owner = make_user()
    book = make_book(owner=owner)

    with app.app_context():
        assert db.session.get(Book, book.id).can_be_changed_by(db.session.get(User, owner.id))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param("User", False, id="other-user-may-not"),
        pytest.param("Moderator", False, id="moderator-may-not"),
        pytest.param("Administrator", True, id="administrator-may"),
    ],
)
def test_book_can_be_changed_by_someone_else_only_if_administrator(app, db, make_user, make_book, role, expected):
    """
    GIVEN someone else's book and a signed-in user with a role
    WHEN the book is asked whether that user may change it
    THEN only an administrator may
    """
    book = make_book()
    other = make_user(role=role)

    with app.app_context():
        assert db.session.get(Book, book.id).can_be_changed_by(db.session.get(User, other.id)) is expected


def test_book_cannot_be_changed_by_an_anonymous_visitor(app, db, make_book):
    """
    GIVEN a book
    WHEN the book is asked whether a visitor who is not signed in may change it
    THEN the answer is no
    """
    book = make_book()

    with app.app_context():
        assert db.session.get(Book, book.id).can_be_changed_by(AnonymousUser()) is False


def test_book_to_dict(app, db, make_user, make_book):
    """
    GIVEN a book with an owner and tags, created at a known time
    WHEN it is serialised with to_dict()
    THEN every field is there: owner by username, tags sorted, times in ISO 8601 UTC
    """
    owner = make_user(username="dunereader")
    with time_machine.travel(EARLIER, tick=False):
        book = make_book(owner=owner, tags=["sf", "classic"], title="Dune", author="Frank Herbert", year=1965)

    with app.app_context():
        data = db.session.get(Book, book.id).to_dict()

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
    """
    GIVEN a tag already saved with a book
    WHEN get_or_create() is asked for it (in another case) and a new one
    THEN the saved tag is reused and only the new one is added
    """
    make_book(tags=["poetry"])

    with app.app_context():
        saved_id = db.session.scalar(db.select(Tag.id).filter_by(name="poetry"))
        poetry, essays = Tag.get_or_create(["Poetry", "essays"])
        db.session.commit()

        assert poetry.id == saved_id
        assert essays.id != saved_id
    assert row_count(app, db, Tag) == 2


# --- timestamps: callable defaults, controlled with time-machine -------------


def test_timestamp_defaults_are_callables_not_values():
    """
    GIVEN the timestamp columns
    WHEN their defaults are inspected
    THEN they are functions called per row (``default=utcnow()`` would be a
         single value fixed when the module was imported)
    """
    for table in (User.__table__, Book.__table__):
        assert table.c.created_at.default.is_callable
        assert table.c.updated_at.default.is_callable
        assert table.c.updated_at.onupdate.is_callable


def test_rows_created_at_different_times_get_different_created_at(make_user):
    """
    GIVEN the clock frozen at one time, then at a later one (no sleeping)
    WHEN a user is created at each
    THEN each row has the time it was created at
    """
    with time_machine.travel(EARLIER, tick=False):
        first = make_user()
    with time_machine.travel(LATER, tick=False):
        second = make_user()

    assert first.created_at == EARLIER
    assert second.created_at == LATER


def test_update_moves_updated_at_but_not_created_at(app, db, make_user):
    """
    GIVEN a user created at one time
    WHEN it is changed at a later time
    THEN updated_at is the later time and created_at is unchanged
    """
    with time_machine.travel(EARLIER, tick=False):
        user = make_user()

    with time_machine.travel(LATER, tick=False), app.app_context():
        db.session.get(User, user.id).username = "renamed"
        db.session.commit()

    with app.app_context():
        stored = db.session.get(User, user.id)
        assert (stored.username, stored.created_at, stored.updated_at) == ("renamed", EARLIER, LATER)


def test_saving_a_naive_datetime_is_refused(app, db, make_user):
    """
    GIVEN a saved user
    WHEN a naive datetime (no time zone) is assigned and flushed
    THEN the flush fails with the type's ValueError, wrapped by SQLAlchemy
    """
    user = make_user()

    with app.app_context():
        db.session.get(User, user.id).created_at = datetime(2024, 1, 1)
        with pytest.raises(sa.exc.StatementError, match="naive datetime") as excinfo:
            db.session.flush()
        db.session.rollback()

    assert isinstance(excinfo.value.orig, ValueError)
    assert str(excinfo.value.orig) == "naive datetime given; use sample_app.clock.utcnow()"


def test_aware_datetime_in_another_zone_is_stored_as_the_same_instant(app, db, make_user):
    """
    GIVEN a datetime at UTC+2
    WHEN it is saved and read back
    THEN it is the same instant, in UTC (SQLite once kept 12:00 and lost the +02:00)
    """
    user = make_user()
    noon_at_plus_two = datetime(2024, 3, 1, 12, 0, tzinfo=PLUS_TWO)

    with app.app_context():
        db.session.get(User, user.id).created_at = noon_at_plus_two
        db.session.commit()
    with app.app_context():
        stored = db.session.get(User, user.id).created_at

    assert stored == noon_at_plus_two
    assert stored.tzinfo is UTC
    assert stored.hour == 10


@pytest.mark.sqlite
def test_sqlite_stores_naive_text_but_the_model_returns_aware_utc(app, db, make_user):
    """
    GIVEN SQLite, which has no time zone type
    WHEN a timestamp is read raw and through the model
    THEN the raw value is zone-less text, the model value is aware UTC
    """
    with time_machine.travel(EARLIER, tick=False):
        user = make_user()

    with app.app_context():
        raw = db.session.scalar(db.text("SELECT created_at FROM users WHERE id = :id"), {"id": user.id})

    assert raw == "2024-01-15 09:30:00.000000"
    assert user.created_at.tzinfo is UTC


@pytest.mark.postgres
def test_postgresql_session_time_zone_does_not_leak_into_the_model(app, db, make_user):
    """
    GIVEN PostgreSQL with the session's TimeZone set to New York
    WHEN a timestamp is read raw and through the model
    THEN the raw value carries -05:00, the model value is the same instant in UTC
    """
    with time_machine.travel(EARLIER, tick=False):
        user = make_user()

    with app.app_context():
        # SET LOCAL lasts until the test's transaction is rolled back.
        db.session.execute(db.text("SET LOCAL TIME ZONE 'America/New_York'"))
        raw = db.session.scalar(db.text("SELECT created_at FROM users WHERE id = :id"), {"id": user.id})
        stored = db.session.get(User, user.id).created_at

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
    """
    GIVEN a machine whose local time zone is UTC+9, and a datetime at UTC+2
    WHEN the column type prepares it for the database
    THEN the value bound is the same instant in UTC, not in local time
    """
    bound = UTCDateTime().process_bind_param(datetime(2024, 3, 1, 12, 0, tzinfo=PLUS_TWO), dialect=None)

    assert (bound.hour, bound.utcoffset()) == (10, timedelta(0))


def test_utc_datetime_passes_none_through():
    """
    GIVEN the UTCDateTime column type
    WHEN NULL goes in or comes out
    THEN it stays None
    """
    assert UTCDateTime().process_bind_param(None, dialect=None) is None
    assert UTCDateTime().process_result_value(None, dialect=None) is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(datetime(2024, 3, 1, 10, 0), id="naive-means-utc"),
        pytest.param(datetime(2024, 3, 1, 10, 0, tzinfo=UTC), id="utc"),
        pytest.param(datetime(2024, 3, 1, 12, 0, tzinfo=PLUS_TWO), id="plus-two"),
    ],
)
def test_utc_datetime_results_are_aware_utc(value):
    """
    GIVEN a value as a driver may return it (naive from SQLite, aware in any zone)
    WHEN the type converts it
    THEN the result is 10:00 UTC, aware
    """
    result = UTCDateTime().process_result_value(value, dialect=None)

    assert result == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert result.tzinfo is UTC
