"""Login and registration forms (Flask-WTF: CSRF token included)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from .services import email_registered, username_taken

EMAIL_MAX_LENGTH = 254  # the users.email column
USERNAME_PATTERN = r"^[A-Za-z0-9_.]+\Z"  # \Z, not $: "$" also matches before a final newline
PASSWORD_MIN_LENGTH = 8


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = StringField("Email", filters=[strip_whitespace], validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember_me = BooleanField("Keep me logged in")
    submit = SubmitField("Log in")


class RegistrationForm(FlaskForm):
    email = StringField(
        "Email",
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH), Email()],
    )
    username = StringField(
        "Username",
        filters=[strip_whitespace],
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(USERNAME_PATTERN, message="Usernames may only contain letters, digits, dots and underscores."),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(min=PASSWORD_MIN_LENGTH, message=f"Use at least {PASSWORD_MIN_LENGTH} characters."),
        ],
    )
    password2 = PasswordField(
        "Confirm password", validators=[DataRequired(), EqualTo("password", message="Passwords must match.")]
    )
    submit = SubmitField("Register")

    # WTForms runs validate_<field> after the field's own validators.
    def validate_email(self, field):
        if email_registered(field.data):
            raise ValidationError("Email already registered.")

    def validate_username(self, field):
        if username_taken(field.data):
            raise ValidationError("Username already in use.")
