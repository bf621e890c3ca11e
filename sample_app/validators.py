"""WTForms validators made from the app's rules, so a form and the code behind
the API and the CLI refuse the same input with the same message."""

from wtforms.validators import StopValidation


def rule(check):
    """A validator from a rule ``check(value) -> (clean value, None) | (None, message)``.

    The field's ``clean`` attribute holds the clean value once it is valid. A
    broken rule stops the field's later validators (``validate_<field>`` on the
    form among them), which may then rely on ``clean``.
    """

    def validator(form, field):
        value, problem = check(field.data)
        if problem:
            raise StopValidation(problem)
        field.clean = value

    return validator
