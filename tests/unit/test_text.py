"""Unit tests of the shared text checks (sample_app/text.py).

Patterns: pure functions without an app; parametrize with ids.
"""

import pytest

from sample_app.text import is_ascii_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", True),
        ("9780306406157", True),
        ("", False),
        ("12a", False),
        (" 12", False),
        ("-1", False),
        ("²", False),
        ("٣", False),
    ],
    ids=["zero", "many-digits", "empty", "letter", "space", "minus", "superscript-two", "arabic-indic-three"],
)
def test_is_ascii_digits_accepts_only_0_to_9(text, expected):
    """
    GIVEN text from outside (an id in a cookie or token, an ISBN)
    WHEN it is checked for digits
    THEN only a non-empty run of 0-9 passes; Unicode digits that
         str.isdigit() accepts ("²", "٣") do not
    """
    assert is_ascii_digits(text) is expected
