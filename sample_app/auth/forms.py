"""Login and registration forms (Flask-WTF: CSRF token included)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..validators import rule
from .services import check_password, check_username, email_registered, username_taken

EMAIL_MAX_LENGTH = 254  # the users.email column


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
        validators=[DataRequired(), rule(check_username)],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), rule(check_password)],
    )
    password2 = PasswordField(
        "Confirm password", validators=[DataRequired(), EqualTo("password", message="Passwords must match.")]
    )
    submit = SubmitField("Register")

    # WTForms runs validate_<field> after the field's own validators.
    def validate_email(self, field):
        if email_registered(field.data):
            raise ValidationError("That e-mail is already registered.")

    def validate_username(self, field):
        if username_taken(field.data):
            raise ValidationError("That username is taken.")
