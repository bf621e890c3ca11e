"""Unit tests of the shared checks on text from outside (sample_app/text.py).

Patterns: pure functions without an app; parametrize with ids; boundary values.
"""

import pytest

from sample_app.text import InvalidNumber, is_ascii_digits, whole_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("0", True, id="zero"),
        pytest.param("9780306406157", True, id="many-digits"),
        pytest.param("", False, id="empty"),
        pytest.param("12a", False, id="letter"),
        pytest.param(" 12", False, id="space"),
        pytest.param("-1", False, id="minus"),
        pytest.param("²", False, id="superscript-two"),
        pytest.param("٣", False, id="arabic-indic-three"),
    ],
)
def test_is_ascii_digits_accepts_only_0_to_9(text, expected):
    # GIVEN text from outside (an id in a cookie or token, an ISBN)
    # WHEN it is checked for digits
    result = is_ascii_digits(text)

    # THEN only a non-empty run of 0-9 passes; Unicode digits that str.isdigit() accepts ("²", "٣") do not
    assert result is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, 7, id="missing-means-the-default"),
        pytest.param("1", 1, id="one"),
        pytest.param("007", 7, id="leading-zeros"),
        pytest.param("999999999", 999_999_999, id="largest"),
    ],
)
def test_whole_number_accepts_1_to_999999999(raw, expected):
    # GIVEN a query-string value (or none)
    # WHEN it is read as a whole number, with 7 as the default
    number = whole_number(raw, "page", 7)

    # THEN it is the number, and a missing value is the default
    assert number == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("0", id="zero"),
        pytest.param("-1", id="negative"),
        pytest.param("abc", id="word"),
        pytest.param("", id="empty"),
        pytest.param("2.5", id="decimal"),
        pytest.param(" 3", id="space"),
        pytest.param("+3", id="plus-sign"),
        pytest.param("1e3", id="exponent"),
        pytest.param("²", id="superscript"),
        pytest.param("1000000000", id="one-past-the-largest"),
        pytest.param("9" * 5000, id="five-thousand-digits"),
    ],
)
def test_whole_number_refuses_anything_else_naming_the_parameter(raw):
    # GIVEN a value that is not a plain whole number from 1 to 999999999
    # WHEN it is read, THEN InvalidNumber names the parameter and the range (the app's 400 says it)
    with pytest.raises(InvalidNumber, match=r"^page must be a whole number from 1 to 999999999\.$"):
        whole_number(raw, "page", 1)
