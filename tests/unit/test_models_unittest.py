"""Unit tests of the models (passwords, roles, the user loader, tag names), as unittest.TestCase classes.

Patterns: FlaskTestCase base class; setUpClass for expensive set-up;
assertRaises as a context manager; subTest; addCleanup and addClassCleanup;
parametrized unittest methods; fast password hashing in tests only;
permissions as bit masks.

They run under pytest and under ``python -m unittest``; the pytest functions
for the same models (on SQLite and PostgreSQL) are in test_models.py.
"""

import itertools

from parameterized import param, parameterized

from sample_app.extensions import db
from sample_app.models import AnonymousUser, Role, Tag, User, load_user
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
            user.password  # noqa: B018 (reading the write-only property is the behaviour under test)

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
