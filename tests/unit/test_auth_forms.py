"""Unit tests of the login and registration forms, without the views: each form is
validated inside ``app.test_request_context(method="POST", data=...)`` and its
``errors`` are what the tests assert.

Patterns: form validated in a test request context; custom validators that
query the database; parametrize with ids; per-case ids and marks with
pytest.param; boundary values.
"""

import pytest

from sample_app.auth.forms import LoginForm, RegistrationForm
from tests.factories import DEFAULT_PASSWORD

BAD_USERNAME = "A username has 3 to 64 letters, digits, dots or underscores."
VALID_REGISTRATION = {
    "email": "new@example.com",
    "username": "new.reader_1",
    "password": DEFAULT_PASSWORD,
    "password2": DEFAULT_PASSWORD,
}


def registration_errors(app, **changes):
    """Validate the registration form posted with ``changes`` applied; return its errors."""
    with app.test_request_context(method="POST", data={**VALID_REGISTRATION, **changes}):
        form = RegistrationForm()
        form.validate()
        return form.errors


# --- RegistrationForm ---------------------------------------------------------


def test_registration_form_accepts_valid_data(app):
    # GIVEN a POST with a valid e-mail, username and matching passwords
    # WHEN the registration form validates it
    with app.test_request_context(method="POST", data=VALID_REGISTRATION):
        form = RegistrationForm()
        valid = form.validate()

    # THEN it is valid
    assert valid is True
    assert form.errors == {}


def test_registration_form_strips_whitespace_around_email_and_username(app):
    # GIVEN an e-mail and username typed with spaces around them
    data = {**VALID_REGISTRATION, "email": "  new@example.com ", "username": " newreader\n"}

    # WHEN the registration form validates them
    with app.test_request_context(method="POST", data=data):
        form = RegistrationForm()
        valid = form.validate()

    # THEN it is valid and the data has the spaces removed
    assert valid is True
    assert (form.email.data, form.username.data) == ("new@example.com", "newreader")


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"username": "abc"}, id="username-3-chars"),
        pytest.param({"username": "a" * 64}, id="username-64-chars"),
        pytest.param({"username": "Jane.Doe_42"}, id="username-all-allowed-characters"),
        pytest.param({"password": "8-chars!", "password2": "8-chars!"}, id="password-8-chars"),
    ],
)
def test_registration_form_accepts_values_at_the_limits(app, changes):
    # GIVEN a registration POST with a value just inside a length or character rule
    # WHEN the form validates it
    errors = registration_errors(app, **changes)

    # THEN there are no errors (the limits are inclusive)
    assert errors == {}


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        pytest.param("email", {"email": ""}, "This field is required.", id="email-missing"),
        pytest.param("email", {"email": "not-an-email"}, "Invalid email address.", id="email-malformed"),
        pytest.param(
            "email", {"email": "a" * 250 + "@example.com"}, "Field cannot be longer than 254", id="email-too-long"
        ),
        pytest.param("username", {"username": "ab"}, BAD_USERNAME, id="username-too-short"),
        pytest.param("username", {"username": "a" * 65}, BAD_USERNAME, id="username-too-long"),
        pytest.param("username", {"username": "new reader"}, BAD_USERNAME, id="username-with-space"),
        pytest.param("username", {"username": "new<b>reader"}, BAD_USERNAME, id="username-with-markup"),
        pytest.param("username", {"username": "new\nreader"}, BAD_USERNAME, id="username-with-newline"),
        pytest.param(
            "password",
            {"password": "7-chars", "password2": "7-chars"},
            "A password has at least 8 characters.",
            id="password-too-short",
        ),
        pytest.param("password2", {"password2": "something-else"}, "Passwords must match.", id="passwords-differ"),
    ],
)
def test_registration_form_rejects_invalid_field(app, field, changes, message):
    # GIVEN a registration POST with one invalid field
    # WHEN the form validates it
    errors = registration_errors(app, **changes)

    # THEN that field, and only that field, has the expected error
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)


@pytest.mark.parametrize(
    "email",
    [pytest.param("reader@example.com", id="same-case"), pytest.param("Reader@EXAMPLE.com", id="other-case")],
)
def test_registration_form_rejects_a_registered_email(app, user, email):
    # GIVEN a user registered as reader@example.com
    # WHEN someone registers with that e-mail in any letter case
    errors = registration_errors(app, email=email)

    # THEN validate_email rejects it
    assert errors == {"email": ["That e-mail is already registered."]}


@pytest.mark.parametrize("username", [pytest.param("reader", id="same-case"), pytest.param("READER", id="other-case")])
def test_registration_form_rejects_a_username_in_use(app, user, username):
    # GIVEN a user called "reader"
    # WHEN someone registers as "reader" in any letter case
    errors = registration_errors(app, username=username)

    # THEN validate_username rejects it
    assert errors == {"username": ["That username is taken."]}


def test_registration_form_is_not_submitted_on_get(app):
    # GIVEN a GET request (the page being displayed)
    with app.test_request_context(method="GET"):
        # WHEN the view asks validate_on_submit()
        submitted = RegistrationForm().validate_on_submit()

    # THEN it is False, so the view only renders the form
    assert submitted is False


# --- LoginForm ----------------------------------------------------------------


def test_login_form_has_exactly_the_expected_fields(app):
    # GIVEN the login form (CSRF is off in TestingConfig, so no csrf_token field)
    with app.test_request_context():
        # WHEN its fields are listed
        names = [field.name for field in LoginForm()]

    # THEN they are email, password, remember_me and submit, in that order
    assert names == ["email", "password", "remember_me", "submit"]


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        pytest.param({"remember_me": "y"}, True, id="ticked"),
        pytest.param({}, False, id="not-ticked"),
    ],
)
def test_login_form_reads_remember_me(app, sent, expected):
    # GIVEN a login POST with or without the remember-me box ticked
    data = {"email": "reader@example.com", "password": DEFAULT_PASSWORD, **sent}

    # WHEN the form validates it
    with app.test_request_context(method="POST", data=data):
        form = LoginForm()
        valid = form.validate()

    # THEN it is valid and remember_me.data is True or False
    assert valid is True
    assert form.remember_me.data is expected


@pytest.mark.parametrize("missing", ["email", "password"])
def test_login_form_requires_email_and_password(app, missing):
    # GIVEN a login POST without the e-mail or the password
    data = {"email": "reader@example.com", "password": DEFAULT_PASSWORD}
    del data[missing]

    # WHEN the form validates it
    with app.test_request_context(method="POST", data=data):
        form = LoginForm()
        valid = form.validate()

    # THEN that field is required
    assert valid is False
    assert form.errors == {missing: ["This field is required."]}
