"""Unit tests of the WTForms validators made from the app's rules (sample_app/validators.py).

Patterns: plain functions tested without HTTP.

The forms build their validators once, at import, so the tests of the forms
never run ``rule()`` itself: these call it inside the test.
"""

import pytest
from wtforms.validators import StopValidation

from sample_app.validators import rule


class Field:
    """The part of a WTForms field a validator uses."""

    def __init__(self, data):
        self.data = data


def stripped_and_not_blank(value):
    return (value.strip(), None) if value.strip() else (None, "Must not be blank.")


def test_a_kept_rule_leaves_the_clean_value_on_the_field():
    """
    GIVEN a validator made from a rule that strips its value
    WHEN it checks a field holding " Dune "
    THEN it raises nothing and the field's ``clean`` value is "Dune"
    """
    field = Field(" Dune ")

    rule(stripped_and_not_blank)(form=None, field=field)

    assert (field.data, field.clean) == (" Dune ", "Dune")


def test_a_broken_rule_stops_the_field_with_the_rules_message():
    """
    GIVEN the same validator
    WHEN it checks a blank field
    THEN it stops the field's validation with the rule's message, and sets no clean value
    """
    field = Field("   ")

    with pytest.raises(StopValidation, match=r"^Must not be blank\.$"):
        rule(stripped_and_not_blank)(form=None, field=field)

    assert not hasattr(field, "clean")
