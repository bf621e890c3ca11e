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
    # GIVEN a validator made from a rule that strips its value, and a field holding " Dune "
    validator = rule(stripped_and_not_blank)
    field = Field(" Dune ")

    # WHEN it checks the field
    validator(form=None, field=field)

    # THEN it raises nothing: the field keeps its data, and its ``clean`` value is "Dune"
    assert (field.data, field.clean) == (" Dune ", "Dune")


def test_a_broken_rule_stops_the_field_with_the_rules_message():
    # GIVEN a validator made from the same rule, and a blank field
    validator = rule(stripped_and_not_blank)
    field = Field("   ")

    # WHEN it checks the field
    with pytest.raises(StopValidation, match=r"^Must not be blank\.$"):
        validator(form=None, field=field)

    # THEN it stopped the field's validation with the rule's message (above), and set no clean value
    assert not hasattr(field, "clean")
