"""Unit tests of the catalogue's rules for each field, and of ``validate()``
(sample_app/catalogue.py): pure functions, no app, no request, no database.

The form, the API and the importer all use these rules, so their messages are
checked here once; the other modules check that each caller shows them.

Patterns: pure functions without an app; parametrize with ids; stacked
parametrize; boundary values; frozen clock with time-machine; property-based
tests with Hypothesis; composite strategies; round-trip properties; never-raises
properties.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from sample_app.catalogue import (
    check_isbn,
    check_tags,
    check_text,
    check_year,
    latest_allowed_year,
    parse_year,
    split_tags,
    validate,
)
from sample_app.clock import utcnow
from sample_app.isbn import isbn10_check_digit, isbn13_check_digit
from tests.helpers import year_range_message

VALID = {"title": "Kindred", "author": "Octavia E. Butler", "isbn": "9780807083697"}
IN_2030 = datetime(2030, 6, 1, tzinfo=UTC)


# --- the year ------------------------------------------------------------------------


def test_latest_allowed_year_is_next_year_on_the_day_it_is_asked():
    # GIVEN the clock on New Year's Eve 2030, then on New Year's Day 2031
    # WHEN the latest allowed publication year is asked each time
    with time_machine.travel(datetime(2030, 12, 31, 23, 59, tzinfo=UTC), tick=False):
        before = latest_allowed_year()
    with time_machine.travel(datetime(2031, 1, 1, 0, 1, tzinfo=UTC), tick=False):
        after = latest_allowed_year()

    # THEN it is 2031, then 2032 (computed per call, not once at import)
    assert (before, after) == (2031, 2032)


@pytest.mark.parametrize(
    ("year", "ok"),
    [
        pytest.param(1449, False, id="1449"),
        pytest.param(1450, True, id="1450"),
        pytest.param(2030, True, id="this-year"),
        pytest.param(2031, True, id="next-year"),
        pytest.param(2032, False, id="year-after-next"),
        pytest.param(None, True, id="none"),
    ],
)
def test_year_must_be_from_1450_to_next_year(year, ok):
    # GIVEN the clock frozen in 2030
    # WHEN a year at each boundary is checked
    with time_machine.travel(IN_2030, tick=False):
        result = check_year(year)

    # THEN 1450 through 2031 (and None, unknown) pass; 1449 and 2032 do not
    assert result == ((year, None) if ok else (None, year_range_message(2031)))


@pytest.mark.parametrize(
    "year",
    [
        pytest.param(True, id="true"),
        pytest.param(False, id="false"),
        pytest.param(1999.0, id="float"),
        pytest.param("1999", id="string"),
        pytest.param([1999], id="list"),
    ],
)
def test_year_that_is_not_an_int_is_refused(year):
    # GIVEN a year that is a bool (bool is a subclass of int!), float, string or list
    # WHEN it is checked
    with time_machine.travel(IN_2030, tick=False):
        result = check_year(year)

    # THEN it is refused with the year's message
    assert result == (None, year_range_message(2031))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1965", (1965, None), id="digits"),
        pytest.param(" 1965 ", (1965, None), id="padded"),
        pytest.param("", (None, None), id="blank-is-unknown"),
        pytest.param("   ", (None, None), id="spaces-are-unknown"),
        pytest.param("someday", (None, year_range_message(2031)), id="word"),
        pytest.param("1965.0", (None, year_range_message(2031)), id="decimal"),
        pytest.param("+1965", (None, year_range_message(2031)), id="plus-sign"),
        pytest.param("١٩٦٥", (None, year_range_message(2031)), id="arabic-indic-digits"),
        pytest.param("01965", (None, year_range_message(2031)), id="five-digits"),
        pytest.param("1200", (None, year_range_message(2031)), id="too-early"),
    ],
)
def test_parse_year_reads_typed_text(text, expected):
    # GIVEN a year as typed into a form or a CSV cell
    # WHEN it is parsed
    with time_machine.travel(IN_2030, tick=False):
        result = parse_year(text)

    # THEN blank means unknown, four ASCII digits in range are the year, anything else gets the year's one message
    assert result == expected


# --- text, ISBN, tags -------------------------------------------------------------------


# Stacked in the test below: each bad value is tried on each text field (2 x 9 cases).
@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(None, "Must be a string.", id="null"),
        pytest.param(42, "Must be a string.", id="number"),
        pytest.param(["Kindred"], "Must be a string.", id="list"),
        pytest.param("", "Must not be blank.", id="empty"),
        pytest.param(" \t\n", "Must not be blank.", id="whitespace"),
        pytest.param("x" * 201, "Must be at most 200 characters.", id="201-chars"),
        pytest.param("a\x00b", "Must not contain control characters.", id="nul-char"),
        pytest.param("a\x1bb", "Must not contain control characters.", id="escape-char"),
        pytest.param("bad \ud800", "Must be valid Unicode text.", id="lone-surrogate"),
    ],
)
@pytest.mark.parametrize("field", ["title", "author"])
def test_bad_text_field_is_an_error(field, value, message):
    # GIVEN a book whose title or author is not usable text
    data = {**VALID, field: value}

    # WHEN it is validated
    result = validate(data)

    # THEN that field, and only it, gets the matching message, and nothing is clean
    assert result == ({}, {field: message})


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        pytest.param("x" * 200, "x" * 200, id="200-chars"),
        pytest.param("  Kindred \n", "Kindred", id="stripped"),
    ],
)
def test_text_is_stripped_and_may_be_200_characters(value, clean):
    # GIVEN a title of exactly 200 characters, or one with padding around it
    # WHEN it is checked
    result = check_text(value)

    # THEN it is accepted, stripped
    assert result == (clean, None)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        pytest.param("9780807083697", "9780807083697", id="isbn13"),
        pytest.param("978-0-8070-8369-7", "9780807083697", id="isbn13-hyphens"),
        pytest.param("0-306-40615-2", "9780306406157", id="isbn10-hyphens"),
        pytest.param("0 8044 2957 x", "9780804429573", id="isbn10-lower-x"),
    ],
)
def test_isbn_is_kept_as_13_digits(raw, stored):
    # GIVEN an ISBN-10 or ISBN-13, with or without separators
    # WHEN it is checked
    result = check_isbn(raw)

    # THEN the clean ISBN is the bare 13-digit form
    assert result == (stored, None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            "9780807083698",
            "'9780807083698' is not a valid ISBN-13 (bad check digit or characters).",
            id="bad-isbn13-check",
        ),
        pytest.param(
            "0306406153", "'0306406153' is not a valid ISBN-10 (bad check digit or characters).", id="bad-isbn10-check"
        ),
        pytest.param("12345", "'12345' is not an ISBN: expected 10 or 13 digits.", id="wrong-length"),
        pytest.param(
            "٩٧٨٠٨٠٧٠٨٣٦٩٧",
            "'٩٧٨٠٨٠٧٠٨٣٦٩٧' is not a valid ISBN-13 (bad check digit or characters).",
            id="arabic-indic-digits",
        ),
        pytest.param("  ", "Must not be blank.", id="blank"),
        pytest.param(9780807083697, "Must be a string.", id="number"),
    ],
)
def test_bad_isbn_says_what_is_wrong(raw, message):
    # GIVEN an ISBN with a wrong check digit, length, characters or type
    # WHEN it is checked
    result = check_isbn(raw)

    # THEN the message says what is wrong
    assert result == (None, message)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        pytest.param("sf", "Must be a list of strings.", id="string"),
        pytest.param({"sf": 1}, "Must be a list of strings.", id="object"),
        pytest.param(["sf", 3], "Tag 2: Must be a string.", id="number-in-list"),
        pytest.param(["sf", "a\x00"], "Tag 2: Must not contain control characters.", id="nul-in-tag"),
        pytest.param(["sf", "  "], "Tags must not be blank.", id="blank-tag"),
        pytest.param(["x" * 65], "Each tag must be at most 64 characters.", id="65-chars"),
    ],
)
def test_bad_tags_say_what_is_wrong(tags, message):
    # GIVEN tags that are not a list of usable names
    # WHEN they are checked
    result = check_tags(tags)

    # THEN the message says what is wrong
    assert result == (None, message)


@pytest.mark.parametrize(
    ("tags", "clean"),
    [
        pytest.param(["x" * 64], ["x" * 64], id="64-chars"),
        pytest.param([], [], id="none"),
        pytest.param(["Science  Fiction", "classic", "CLASSIC"], ["science fiction", "classic"], id="normalised"),
        pytest.param(["b", "a"], ["b", "a"], id="order-kept"),
        pytest.param(["sci\tfi"], ["sci fi"], id="tab-is-a-space"),
    ],
)
def test_tags_are_normalised_and_deduplicated(tags, clean):
    # GIVEN tag names in any case and spacing, up to 64 characters
    # WHEN they are checked
    result = check_tags(tags)

    # THEN they are lower-cased, spaces collapsed, repeats dropped, order kept
    assert result == (clean, None)


@pytest.mark.parametrize(
    ("text", "separator", "names"),
    [
        pytest.param("a, b ,,A", ",", ["a", " b ", "A"], id="form"),
        pytest.param(" , ,", ",", [], id="only-commas"),
        pytest.param("sf;classic", ";", ["sf", "classic"], id="csv-cell"),
        pytest.param("", ";", [], id="empty"),
    ],
)
def test_split_tags_drops_blank_parts(text, separator, names):
    # GIVEN a field of tags typed as text
    # WHEN it is split on the separator
    parts = split_tags(text, separator)

    # THEN the blank parts are dropped and the rest left for check_tags to normalise
    assert parts == names


# --- validate(): a whole book ---------------------------------------------------------


def test_valid_book_is_returned_clean_without_errors():
    # GIVEN a book with every field valid and some padding
    data = {**VALID, "title": "  Kindred ", "year": 1979, "tags": ["Science  Fiction", "classic", "CLASSIC"]}

    # WHEN it is validated
    clean, errors = validate(data)

    # THEN the clean data is trimmed, tags are normalised, and there are no errors
    assert errors == {}
    assert clean == {**VALID, "year": 1979, "tags": ["science fiction", "classic"]}


@pytest.mark.parametrize("field", ["title", "author", "isbn"])
def test_required_field_left_out_is_an_error(field):
    # GIVEN a book without one of title, author, isbn
    data = {key: value for key, value in VALID.items() if key != field}

    # WHEN it is validated whole (POST and PUT)
    result = validate(data)

    # THEN that field, and only it, is reported as required, with no clean data
    assert result == ({}, {field: "This field is required."})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"year": 2001}, ({"year": 2001}, {}), id="missing-fields-are-fine"),
        pytest.param({"title": " "}, ({}, {"title": "Must not be blank."}), id="bad-values-are-not"),
        pytest.param({}, ({}, {}), id="nothing-is-a-no-op"),
    ],
)
def test_partial_validation_checks_only_the_fields_given(data, expected):
    # GIVEN a partial book (PATCH)
    # WHEN it is validated with partial=True
    result = validate(data, partial=True)

    # THEN missing fields are not errors, but the given ones are checked
    assert result == expected


@pytest.mark.parametrize("key", ["id", "owner", "Title", "rating"])
def test_unknown_key_is_an_error(key):
    # GIVEN a valid book plus a key the catalogue does not know (or mis-capitalised)
    data = {**VALID, key: 1}

    # WHEN it is validated
    result = validate(data)

    # THEN that key is reported, rather than silently ignored
    assert result == ({}, {key: "Unknown field."})


# --- validate(): properties (Hypothesis) ------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)
# Keys mostly the real fields, so the checks past "unknown field" run too.
book_keys = st.sampled_from(["title", "author", "isbn", "year", "tags", "id", "owner"]) | st.text(max_size=10)
any_book = st.dictionaries(book_keys, json_values, max_size=7)

# Characters a database can hold and the rules accept: no control characters, no lone surrogates.
storable = st.characters(exclude_categories=("Cc", "Cs"))
good_text = st.text(storable, min_size=1, max_size=200).filter(str.strip)


@st.composite
def isbns(draw):
    """A valid ISBN as a client might type it: ISBN-10 or -13, maybe hyphenated."""
    # Nine digits drawn as one integer: st.from_regex draws them one by one, a slower test.
    nine_digits = f"{draw(st.integers(0, 10**9 - 1)):09d}"
    if draw(st.booleans()):
        body = draw(st.sampled_from(["978", "979"])) + nine_digits
        isbn = body + isbn13_check_digit(body)
    else:
        body = nine_digits
        isbn = body + isbn10_check_digit(body)
    return "-".join(isbn[i : i + 3] for i in range(0, len(isbn), 3)) if draw(st.booleans()) else isbn


valid_books = st.fixed_dictionaries(
    {"title": good_text, "author": good_text, "isbn": isbns()},
    optional={
        "year": st.none() | st.integers(1450, utcnow().year),
        # 32: lower-casing can double a tag's length ("İ" becomes "i" + a combining dot).
        "tags": st.lists(st.text(storable, max_size=32).filter(str.strip), max_size=5),
    },
)


@given(data=any_book, partial=st.booleans())
def test_validate_never_raises_and_never_returns_data_and_errors(data, partial):
    # GIVEN any JSON object at all
    # WHEN it is validated, partial or not
    clean, errors = validate(data, partial=partial)

    # THEN not both are non-empty; their keys come from the object (or the required fields); every message is text
    assert not (clean and errors)
    assert set(clean) <= set(data)
    assert set(errors) <= set(data) | {"title", "author", "isbn"}
    assert all(isinstance(message, str) and message for message in errors.values())


@given(data=valid_books)
def test_valid_book_passes_and_clean_data_validates_to_itself(data):
    # GIVEN a valid book (random text, an ISBN in any accepted form, optional year and tags)
    # WHEN it is validated
    clean, errors = validate(data)

    # THEN there are no errors, the ISBN is 13 digits, text is trimmed, and the clean data validates to itself
    assert errors == {}
    assert clean["title"] == data["title"].strip()
    assert len(clean["isbn"]) == 13
    assert clean["isbn"].isdigit()
    assert validate(clean) == (clean, {})
