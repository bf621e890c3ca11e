"""Unit tests of the models: users, roles, books, tags, timestamps.

Patterns: FlaskTestCase base class; setUpClass for expensive set-up;
assertRaises as a context manager; subTest; addCleanup and addClassCleanup;
parametrized unittest methods; parametrize with ids; pytest.raises with match
and excinfo; one suite on SQLite and PostgreSQL; tests that run only on
PostgreSQL or SQLite; frozen clock with time-machine; callable column defaults;
time zones stored and read back; fast password hashing in tests only;
permissions as bit masks.

In detail: unittest.TestCase classes on ``tests.base.FlaskTestCase`` (app built
once per class in setUpClass, app context and schema per test, run by pytest
AND ``python -m unittest``), ``assertRaises`` as a context manager,
``self.subTest``, ``addCleanup`` to undo a change to the shared app,
``@parameterized.expand`` with a case table from ``itertools.product`` and a
``name_func``, ``param(...)`` keyword cases; then pytest functions on the
harness fixtures (same models on SQLite and PostgreSQL),
``pytest.mark.parametrize`` with ``ids``, ``pytest.raises`` with ``match`` and
``excinfo``, backend markers, and time control with time-machine (``travel(...,
tick=False)``) to prove callable column defaults.
"""

import itertools
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine
from parameterized import param, parameterized

from sample_app.extensions import db
from sample_app.isbn import InvalidISBN
from sample_app.models import (
    AnonymousUser,
    Book,
    Role,
    Tag,
    User,
    UTCDateTime,
    load_user,
)
from sample_app.permissions import Permission
from tests.base import FlaskTestCase
from tests.factories import create_user

PASSWORD = "a long and secret passphrase"

# The permissions each role must have, written out by hand: computing them
# from sample_app.permissions.ROLES would test the table against itself.
EXPECTED_PERMISSIONS = {
    "User": {Permission.BROWSE, Permission.WRITE},
    "Moderator": {Permission.BROWSE, Permission.WRITE, Permission.MODERATE},
    "Administrator": set(Permission),
}

# 3 roles x 4 permissions = 12 cases: (role, permission, expected answer).
ROLE_PERMISSION_CASES = [
    (role, permission, permission in EXPECTED_PERMISSIONS[role])
    for role, permission in itertools.product(EXPECTED_PERMISSIONS, Permission)
]


def role_case_name(func, num, params):
    """``test_role_grants_administrator_can_admin``: readable in test reports."""
    role, permission, allowed = params.args
    verdict = "can" if allowed else "cannot"
    return parameterized.to_safe_name(f"{func.__name__}_{role}_{verdict}_{permission.name}").lower()


class UserPasswordTestCase(FlaskTestCase):
    """The password is stored only as a salted hash and can't be read back."""

    def test_password_setter_stores_a_hash_not_the_password(self):
        """
        GIVEN a new user
        WHEN a password is set
        THEN a hash is stored, and the password itself is nowhere in it
        """
        user = User(password=PASSWORD)

        self.assertIsNotNone(user.password_hash)
        self.assertNotIn(PASSWORD, user.password_hash)

    def test_password_is_write_only(self):
        """
        GIVEN a user with a password
        WHEN the password attribute is read
        THEN AttributeError is raised, with a message pointing to verify_password()
        """
        user = User(password=PASSWORD)

        with self.assertRaises(AttributeError) as cm:
            user.password

        self.assertIn("verify_password", str(cm.exception))

    def test_verify_password_accepts_only_the_right_password(self):
        """
        GIVEN a user with a password
        WHEN candidates are verified
        THEN only the exact password is accepted
        """
        user = User(password=PASSWORD)

        self.assertTrue(user.verify_password(PASSWORD))
        for wrong in ["", PASSWORD.upper(), PASSWORD + " ", "something else"]:
            with self.subTest(candidate=wrong):
                self.assertFalse(user.verify_password(wrong))

    def test_same_password_gives_different_hashes(self):
        """
        GIVEN two users with the same password
        WHEN their hashes are compared
        THEN they differ (each hash has its own salt), and each verifies
        """
        first, second = User(password=PASSWORD), User(password=PASSWORD)

        self.assertNotEqual(first.password_hash, second.password_hash)
        self.assertTrue(first.verify_password(PASSWORD))
        self.assertTrue(second.verify_password(PASSWORD))

    def test_testing_config_hashes_with_the_fast_method(self):
        """
        GIVEN the testing config (PASSWORD_HASH_METHOD lowered for speed)
        WHEN a password is set inside the app context
        THEN the configured method is used
        """
        user = User(password=PASSWORD)

        self.assertTrue(user.password_hash.startswith("pbkdf2:sha256:1$"))

    def test_password_hashing_follows_the_configured_method(self):
        """
        GIVEN PASSWORD_HASH_METHOD changed on the app for this test
        WHEN a password is set
        THEN the new method is used
        """
        original = self.app.config["PASSWORD_HASH_METHOD"]
        self.app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:2"
        # The app is shared by every test of the class: put the setting back
        # even if an assertion below fails (a cleanup always runs).
        self.addCleanup(self.app.config.__setitem__, "PASSWORD_HASH_METHOD", original)

        user = User(password=PASSWORD)

        self.assertTrue(user.password_hash.startswith("pbkdf2:sha256:2$"))


class UserRoleTestCase(FlaskTestCase):
    """Roles and what they allow."""

    def _role(self, name):
        return db.session.scalar(db.select(Role).filter_by(name=name))

    def test_new_user_gets_the_default_role(self):
        """
        GIVEN the roles inserted by Role.insert_roles()
        WHEN a user is created without a role
        THEN the user gets the default role, "User"
        """
        user = User(email="new@example.com", username="new")

        self.assertEqual(user.role.name, "User")

    def test_explicit_role_is_kept(self):
        """
        GIVEN the Moderator role
        WHEN a user is created with it
        THEN the default role does not replace it
        """
        user = User(email="mod@example.com", username="mod", role=self._role("Moderator"))

        self.assertEqual(user.role.name, "Moderator")

    @parameterized.expand(ROLE_PERMISSION_CASES, name_func=role_case_name)
    def test_role_grants(self, role_name, permission, allowed):
        """
        GIVEN a user with a role (one case per role x permission)
        WHEN the user is asked whether it can do something
        THEN the answer matches the table in EXPECTED_PERMISSIONS
        """
        user = User(email="u@example.com", username="u", role=self._role(role_name))

        self.assertEqual(user.can(permission), allowed)

    @parameterized.expand(
        [
            param("user", role="User", expected=False),
            param("moderator", role="Moderator", expected=False),
            param("administrator", role="Administrator", expected=True),
        ]
    )
    def test_is_administrator(self, _case, role, expected):
        """
        GIVEN a user with a role (keyword cases built with param())
        WHEN is_administrator is read
        THEN only the Administrator role is an administrator
        """
        user = User(email="u@example.com", username="u", role=self._role(role))

        self.assertEqual(user.is_administrator, expected)

    def test_user_without_a_role_can_do_nothing(self):
        """
        GIVEN a user whose role was removed
        WHEN any permission is checked
        THEN every check is False (no error on the missing role)
        """
        user = User(email="u@example.com", username="u")
        user.role = None

        for permission in Permission:
            with self.subTest(permission=permission.name):
                self.assertFalse(user.can(permission))

    def test_anonymous_user_can_do_nothing(self):
        """
        GIVEN the anonymous user Flask-Login uses for visitors
        WHEN any permission is checked
        THEN every check is False and it is not an administrator
        """
        anonymous = AnonymousUser()

        for permission in Permission:
            with self.subTest(permission=permission.name):
                self.assertFalse(anonymous.can(permission))
        self.assertFalse(anonymous.is_administrator)

    def test_insert_roles_is_idempotent_and_repairs_changed_roles(self):
        """
        GIVEN the roles already inserted (by setUp), one then changed by hand
        WHEN insert_roles() runs again
        THEN there are still three roles, with their permissions restored
        """
        self._role("Moderator").permissions = 0
        db.session.commit()

        Role.insert_roles()

        roles = {r.name: r for r in db.session.scalars(db.select(Role))}
        self.assertEqual(set(roles), set(EXPECTED_PERMISSIONS))
        self.assertEqual(roles["Moderator"].permissions, sum(EXPECTED_PERMISSIONS["Moderator"]))
        self.assertEqual([name for name, role in roles.items() if role.default], ["User"])

    def test_reprs_name_the_object(self):
        """
        GIVEN a role and a user
        WHEN they are shown with repr()
        THEN the representation names them (useful in assertion messages)
        """
        role = self._role("User")
        user = User(email="reader@example.com", username="reader", role=role)

        self.assertEqual(repr(role), "<Role User>")
        self.assertEqual(repr(user), "<User reader>")


class LoadUserTestCase(FlaskTestCase):
    """Flask-Login's user loader gets whatever id the session holds."""

    def test_load_user_returns_the_user_for_its_id(self):
        """
        GIVEN a saved user
        WHEN the loader is given the user's id as a string
        THEN it returns that user
        """
        user = create_user()

        self.assertEqual(load_user(str(user.id)), user)

    def test_load_user_returns_none_for_bad_ids(self):
        """
        GIVEN ids that are not the id of a saved user
        WHEN the loader is given each of them
        THEN it returns None instead of raising ("²" once reached int())
        """
        for user_id in ["", "abc", "-1", "1.0", " 1", "²", "999999"]:
            with self.subTest(user_id=user_id):
                self.assertIsNone(load_user(user_id))


class TagNormalisationTestCase(FlaskTestCase):
    @parameterized.expand(
        [
            param("normalises_case_and_spaces", names=["  Science   FICTION "], expected=["science fiction"]),
            param(
                "drops_duplicates_keeping_order",
                names=["poetry", "Essays", "POETRY"],
                expected=["poetry", "essays"],
            ),
            param("skips_blank_names", names=["", "   ", "poetry"], expected=["poetry"]),
            param("no_names_no_tags", names=[], expected=[]),
        ]
    )
    def test_get_or_create(self, _case, names, expected):
        """
        GIVEN tag names as a user typed them
        WHEN Tag.get_or_create() is called
        THEN it returns one tag per normalised name, in the order given
        """
        tags = Tag.get_or_create(names)

        self.assertEqual([tag.name for tag in tags], expected)


# --- pytest functions: the harness fixtures, on SQLite and PostgreSQL ---------

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
    [("User", False), ("Moderator", False), ("Administrator", True)],
    ids=["other-user-may-not", "moderator-may-not", "administrator-may"],
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
        count = db.session.scalar(db.select(db.func.count(Tag.id)).where(Tag.name.in_(["poetry", "essays"])))

        assert poetry.id == saved_id
        assert essays.id != saved_id
        assert count == 2


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
        datetime(2024, 3, 1, 10, 0),
        datetime(2024, 3, 1, 10, 0, tzinfo=UTC),
        datetime(2024, 3, 1, 12, 0, tzinfo=PLUS_TWO),
    ],
    ids=["naive-means-utc", "utc", "plus-two"],
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
