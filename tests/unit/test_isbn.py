"""Unit tests of ISBN validation (``sample_app.isbn``): normalising ISBN-10s and
ISBN-13s as users type them, check digits and error messages. Pure functions, no app.

Patterns: pure functions without an app; parametrize with ids; per-case ids and
marks with pytest.param; strict xfail for a known limitation; stacked
parametrize; pytest.raises with match and excinfo; property-based tests with
Hypothesis; composite strategies; assume and example.
"""

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from sample_app.isbn import (
    InvalidISBN,
    is_valid_isbn10,
    is_valid_isbn13,
    isbn10_check_digit,
    isbn10_to_isbn13,
    isbn13_check_digit,
    normalize_isbn,
)

# --- examples ----------------------------------------------------------------


# Worked examples: one book as ISBN-10 0306406152 and ISBN-13 9780306406157, and one
# whose ISBN-10 check digit is "X" (the check value 10). The last case carries a mark.
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("9780306406157", "9780306406157", id="isbn13"),
        pytest.param("0306406152", "9780306406157", id="isbn10-converted"),
        pytest.param("978-0-306-40615-7", "9780306406157", id="isbn13-hyphens"),
        pytest.param("0 306 40615 2", "9780306406157", id="isbn10-spaces"),
        pytest.param(" 0-306-40615-2 ", "9780306406157", id="outer-spaces"),
        pytest.param("080442957X", "9780804429573", id="check-digit-x"),
        pytest.param("0-8044-2957-x", "9780804429573", id="lower-case-x"),
        pytest.param(
            "ISBN 978-0-306-40615-7",
            "9780306406157",
            marks=pytest.mark.xfail(
                raises=InvalidISBN,
                strict=True,
                reason="deliberate: the form asks for the number only; an 'ISBN' prefix is rejected, not guessed away",
            ),
            id="isbn-prefix-not-stripped",
        ),
    ],
)
def test_normalize_isbn_returns_the_isbn13(raw, expected):
    # GIVEN an ISBN as a user might type it
    # WHEN it is normalised
    isbn = normalize_isbn(raw)

    # THEN the result is the bare 13-digit ISBN (ISBN-10s converted)
    assert isbn == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("0306406153", "not a valid ISBN-10", id="isbn10-bad-check-digit"),
        pytest.param("9780306406158", "not a valid ISBN-13", id="isbn13-bad-check-digit"),
        pytest.param("03064061X2", "not a valid ISBN-10", id="x-not-last"),
        pytest.param("978030640615X", "not a valid ISBN-13", id="x-in-isbn13"),
        pytest.param("12345", "expected 10 or 13 digits", id="too-short"),
        pytest.param("", "expected 10 or 13 digits", id="empty"),
        pytest.param("²" * 10, "not a valid ISBN-10", id="superscript-digits"),
        pytest.param("٠٣٠٦٤٠٦١٥2", "not a valid ISBN-10", id="arabic-indic-digits"),
    ],
)
def test_normalize_isbn_rejects_invalid_input_with_a_clear_message(raw, message):
    """The last two cases are regressions: once a bare ValueError from int(), and a stored non-ASCII ISBN."""
    # GIVEN a string that is not a valid ISBN
    # WHEN it is normalised, THEN InvalidISBN says what is wrong
    with pytest.raises(InvalidISBN, match=message):
        normalize_isbn(raw)


def test_invalid_isbn_error_is_a_value_error_that_quotes_the_input():
    # GIVEN an ISBN with a wrong check digit
    # WHEN it is normalised
    with pytest.raises(ValueError, match="check digit") as excinfo:
        normalize_isbn("0-306-40615-3")

    # THEN the exception (read through excinfo) is an InvalidISBN, so a ValueError, quoting what the user typed
    assert excinfo.type is InvalidISBN
    assert isinstance(excinfo.value, ValueError)
    assert "'0-306-40615-3'" in str(excinfo.value)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(9780306406157, id="int"),
        pytest.param(None, id="none"),
        pytest.param(b"9780306406157", id="bytes"),
    ],
)
def test_normalize_isbn_rejects_non_strings(raw):
    # GIVEN a value that is not a str (e.g. a number from a JSON body)
    # WHEN it is normalised, THEN InvalidISBN is raised, not a TypeError or AttributeError
    with pytest.raises(InvalidISBN, match=r"^ISBN must be a string\.$"):
        normalize_isbn(raw)


@pytest.mark.parametrize(
    "separator",
    [pytest.param("-", id="hyphen"), pytest.param(" ", id="space"), pytest.param("\t", id="tab")],
)
@pytest.mark.parametrize(
    "isbn",
    [
        pytest.param("0306406152", id="isbn10"),
        pytest.param("9780306406157", id="isbn13"),
        pytest.param("080442957X", id="isbn10-x"),
    ],
)
def test_any_separator_between_every_character_is_ignored(isbn, separator):
    # GIVEN an ISBN with a separator between every character (3 ISBNs x 3 separators)
    separated = separator.join(isbn)

    # WHEN it is normalised
    result = normalize_isbn(separated)

    # THEN the result is the same as for the bare ISBN
    assert result == normalize_isbn(isbn)


@pytest.mark.parametrize(
    ("first_nine", "check"),
    [
        pytest.param("030640615", "2", id="digit"),
        pytest.param("080442957", "X", id="ten-is-x"),
        pytest.param("000000000", "0", id="zero"),
    ],
)
def test_isbn10_check_digit(first_nine, check):
    # GIVEN the first nine digits of an ISBN-10
    # WHEN the check digit is computed
    computed = isbn10_check_digit(first_nine)

    # THEN it matches the published one (10 is written "X")
    assert computed == check


# --- properties (Hypothesis) -------------------------------------------------
# These take no pytest fixtures: a function-scoped fixture is set up once
# per test, not once per generated example, so state would leak between
# examples (Hypothesis fails such tests with a health check). Build what an
# example needs inside the test, from the drawn values.

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


@st.composite
def valid_isbn10s(draw):
    first_nine = draw(nine_digits)
    return first_nine + isbn10_check_digit(first_nine)


@st.composite
def valid_isbn13s(draw):
    first_twelve = draw(twelve_digits)
    return first_twelve + isbn13_check_digit(first_twelve)


@st.composite
def with_separators(draw, isbn):
    """``isbn`` with random runs of hyphens and spaces around its characters."""
    separators = st.text(alphabet="- ", max_size=2)
    return draw(separators) + "".join(char + draw(separators) for char in isbn)


@given(valid_isbn10s())
def test_any_nine_digits_with_computed_check_digit_is_a_valid_isbn10(isbn10):
    # GIVEN any nine digits followed by their computed check digit
    # WHEN validated as an ISBN-10
    valid = is_valid_isbn10(isbn10)

    # THEN it is valid
    assert valid


@given(valid_isbn10s())
def test_isbn10_converts_to_a_valid_isbn13_with_the_same_body(isbn10):
    # GIVEN any valid ISBN-10
    # WHEN converted to ISBN-13
    isbn13 = isbn10_to_isbn13(isbn10)

    # THEN the result is a valid ISBN-13: 978 + the first nine digits + a new check digit
    assert is_valid_isbn13(isbn13)
    assert isbn13[:12] == "978" + isbn10[:9]


@given(st.one_of(valid_isbn10s(), valid_isbn13s()))
def test_normalize_isbn_is_idempotent(isbn):
    # GIVEN any valid ISBN-10 or ISBN-13, normalised once
    once = normalize_isbn(isbn)

    # WHEN normalised again
    twice = normalize_isbn(once)

    # THEN the second pass changes nothing and the result is a valid ISBN-13
    assert twice == once
    assert is_valid_isbn13(once)


@given(st.one_of(valid_isbn10s(), valid_isbn13s()), st.data())
def test_changing_one_digit_makes_an_isbn_invalid(isbn, data):
    # GIVEN any valid ISBN with one digit (check digit included) replaced by a different digit
    position = data.draw(st.integers(0, len(isbn) - 1), label="position")
    digit = data.draw(st.sampled_from("0123456789"), label="digit")
    assume(digit != isbn[position])
    changed = isbn[:position] + digit + isbn[position + 1 :]

    # WHEN it is normalised, THEN it is no longer valid (both checksums catch every single-digit error)
    with pytest.raises(InvalidISBN):
        normalize_isbn(changed)


@given(st.data())
def test_hyphens_and_spaces_are_ignored(data):
    # GIVEN any valid ISBN with hyphens and spaces inserted anywhere
    isbn = data.draw(st.one_of(valid_isbn10s(), valid_isbn13s()), label="isbn")
    decorated = data.draw(with_separators(isbn), label="decorated")

    # WHEN normalised
    result = normalize_isbn(decorated)

    # THEN the result is the same as for the bare ISBN
    assert result == normalize_isbn(isbn)


@given(st.text(max_size=20))
@example("²" * 10)  # always tried: the input that once escaped as a bare ValueError
def test_normalize_isbn_returns_ascii_isbn13_or_raises_invalid_isbn(raw):
    # GIVEN any text at all
    # WHEN it is normalised (InvalidISBN allowed: any other exception would become a 500)
    try:
        result = normalize_isbn(raw)
    except InvalidISBN:
        return

    # THEN the result is 13 ASCII digits
    assert len(result) == 13
    assert result.isascii()
    assert result.isdigit()
