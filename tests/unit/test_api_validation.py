"""Unit tests of the API's input checks (sample_app/api/services.py):
``validate_book_payload``, ``parse_pagination`` and ``parse_filters``, plain functions that
need no app, no request and no database.

Patterns: plain functions tested without HTTP; pure functions without an app;
parametrize with ids; stacked parametrize; boundary values; frozen clock with
time-machine; property-based tests with Hypothesis; composite strategies;
round-trip properties; never-raises properties.

In detail: ``pytest.mark.parametrize`` with readable ids; stacked parametrize
decorators for a cartesian product (every text field x every bad value);
boundary values (year 1449/1450, next year / the year after, 200/201
characters); the clock frozen with time-machine so "next year" is fixed;
property-based tests with Hypothesis (``@given`` with strategies that build
payload dicts: the validator never raises and never returns both data and
errors; valid payloads come back clean, and clean data validates to itself). No
function-scoped fixtures inside ``@given`` tests: Hypothesis runs the body many
times per fixture set-up.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from sample_app.api.services import (
    CLEANERS,
    InvalidQuery,
    parse_filters,
    parse_pagination,
    validate_book_payload,
)
from sample_app.clock import utcnow
from sample_app.isbn import isbn10_check_digit, isbn13_check_digit

VALID = {"title": "Kindred", "author": "Octavia E. Butler", "isbn": "9780807083697"}
PAGING = {"API_PAGE_SIZE": 20, "API_MAX_PAGE_SIZE": 100}
IN_2030 = datetime(2030, 6, 1, tzinfo=UTC)


def payload(**fields):
    """VALID with some fields changed; a field set to ... is left out."""
    data = {**VALID, **fields}
    return {key: value for key, value in data.items() if value is not ...}


# --- validate_book_payload: examples ------------------------------------------------


def test_valid_payload_is_returned_clean_without_errors():
    """
    GIVEN a payload with every field valid and some padding spaces
    WHEN it is validated
    THEN the clean data is trimmed, tags are normalised, and there are no errors
    """
    data = payload(title="  Kindred ", year=1979, tags=["Science  Fiction", "classic", "CLASSIC"])

    clean, errors = validate_book_payload(data)

    assert errors == {}
    assert clean == {
        "title": "Kindred",
        "author": "Octavia E. Butler",
        "isbn": "9780807083697",
        "year": 1979,
        "tags": ["science fiction", "classic"],
    }


@pytest.mark.parametrize("field", ["title", "author", "isbn"])
def test_required_field_left_out_is_an_error(field):
    """
    GIVEN a full payload without one of title, author, isbn
    WHEN it is validated (not partial: POST and PUT)
    THEN that field, and only it, is reported as required, with no clean data
    """
    clean, errors = validate_book_payload(payload(**{field: ...}))

    assert errors == {field: "This field is required."}
    assert clean == {}


def test_partial_payload_checks_only_the_fields_it_has():
    """
    GIVEN a payload with just a year
    WHEN it is validated as partial (PATCH)
    THEN it is clean: missing title, author and isbn are not errors
    """
    assert validate_book_payload({"year": 2001}, partial=True) == ({"year": 2001}, {})


def test_partial_payload_still_rejects_bad_values():
    """
    GIVEN a partial payload with a blank title
    WHEN it is validated as partial
    THEN the title is still an error
    """
    assert validate_book_payload({"title": " "}, partial=True) == ({}, {"title": "Must not be blank."})


def test_empty_partial_payload_is_a_valid_no_op():
    """
    GIVEN an empty object
    WHEN it is validated as partial
    THEN there is nothing to change and nothing wrong
    """
    assert validate_book_payload({}, partial=True) == ({}, {})


@pytest.mark.parametrize("key", ["id", "owner", "Title", "rating"])
def test_unknown_key_is_an_error(key):
    """
    GIVEN a valid payload plus a key the API does not know (or mis-capitalised)
    WHEN it is validated
    THEN that key is reported, rather than silently ignored
    """
    clean, errors = validate_book_payload(payload(**{key: 1}))

    assert errors == {key: "Unknown field."}
    assert clean == {}


# Stacked parametrize: each bad value is tried on each text field (2 x 7 tests).
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Must be a string."),
        (42, "Must be a string."),
        (["Kindred"], "Must be a string."),
        ("", "Must not be blank."),
        (" \t\n", "Must not be blank."),
        ("x" * 201, "Must be at most 200 characters."),
        ("a\x00b", "Must not contain NUL characters."),
    ],
    ids=["null", "number", "list", "empty", "whitespace", "201-chars", "nul-char"],
)
@pytest.mark.parametrize("field", ["title", "author"])
def test_bad_text_field_is_an_error(field, value, message):
    """
    GIVEN a payload whose title or author is not a usable string
    WHEN it is validated
    THEN that field gets the matching message
    """
    _, errors = validate_book_payload(payload(**{field: value}))

    assert errors == {field: message}


@pytest.mark.parametrize("field", ["title", "author"])
def test_text_of_exactly_200_characters_is_allowed(field):
    """
    GIVEN a title or author of 200 characters (the column size)
    WHEN it is validated
    THEN it is accepted whole
    """
    clean, _ = validate_book_payload(payload(**{field: "x" * 200}))

    assert clean[field] == "x" * 200


def test_lone_surrogate_is_an_error():
    """
    GIVEN a title holding a lone surrogate (JSON "\\ud800" decodes to one)
    WHEN it is validated
    THEN it is refused: it cannot be encoded to store in the database
    """
    _, errors = validate_book_payload(payload(title="bad \ud800"))

    assert errors == {"title": "Must be valid Unicode text."}


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("9780807083697", "9780807083697"),
        ("978-0-8070-8369-7", "9780807083697"),
        ("0-306-40615-2", "9780306406157"),
        ("0 8044 2957 x", "9780804429573"),
    ],
    ids=["isbn13", "isbn13-hyphens", "isbn10-hyphens", "isbn10-lower-x"],
)
def test_isbn_is_stored_as_13_digits(raw, stored):
    """
    GIVEN an ISBN-10 or ISBN-13, with or without separators
    WHEN it is validated
    THEN the clean ISBN is the bare 13-digit form
    """
    clean, _ = validate_book_payload(payload(isbn=raw))

    assert clean["isbn"] == stored


@pytest.mark.parametrize(
    ("raw", "message_part"),
    [
        ("9780807083698", "not a valid ISBN-13"),
        ("0306406153", "not a valid ISBN-10"),
        ("12345", "expected 10 or 13 digits"),
        ("٩٧٨٠٨٠٧٠٨٣٦٩٧", "not a valid ISBN-13"),
        ("²" * 13, "not a valid ISBN-13"),
        (9780807083697, "Must be a string"),
    ],
    ids=["bad-isbn13-check", "bad-isbn10-check", "wrong-length", "arabic-indic-digits", "superscript", "number"],
)
def test_bad_isbn_is_an_error(raw, message_part):
    """
    GIVEN an ISBN with a wrong check digit, length, characters or type
    WHEN it is validated
    THEN the isbn error says what is wrong
    """
    _, errors = validate_book_payload(payload(isbn=raw))

    assert message_part in errors["isbn"]


@pytest.mark.parametrize(
    ("year", "ok"),
    [(1449, False), (1450, True), (2030, True), (2031, True), (2032, False), (None, True)],
    ids=["1449", "1450", "this-year", "next-year", "year-after-next", "null"],
)
def test_year_must_be_from_1450_to_next_year(year, ok):
    """
    GIVEN the clock frozen in 2030
    WHEN a payload with a year at each boundary is validated
    THEN 1450 through 2031 (and null) pass; 1449 and 2032 do not
    """
    with time_machine.travel(IN_2030, tick=False):
        _, errors = validate_book_payload(payload(year=year))

    assert ("year" not in errors) is ok
    if not ok:
        assert errors["year"] == "Must be a whole number from 1450 to 2031, or null."


@pytest.mark.parametrize(
    "year",
    [True, False, 1999.0, "1999", [1999]],
    ids=["true", "false", "float", "string", "list"],
)
def test_year_that_is_not_an_int_is_an_error(year):
    """
    GIVEN a year that is a bool (bool is a subclass of int!), float, string or list
    WHEN it is validated
    THEN it is refused
    """
    _, errors = validate_book_payload(payload(year=year))

    assert "year" in errors


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("sf", "Must be a list of strings."),
        ({"sf": 1}, "Must be a list of strings."),
        (["sf", 3], "Tag 2: Must be a string."),
        (["sf", "a\x00"], "Tag 2: Must not contain NUL characters."),
        (["sf", "  "], "Tags must not be blank."),
        (["x" * 65], "Each tag must be at most 64 characters."),
    ],
    ids=["string", "object", "number-in-list", "nul-in-tag", "blank-tag", "65-chars"],
)
def test_bad_tags_are_an_error(tags, message):
    """
    GIVEN tags that are not a list of usable strings
    WHEN they are validated
    THEN the tags error says what is wrong
    """
    _, errors = validate_book_payload(payload(tags=tags))

    assert errors == {"tags": message}


def test_tag_of_exactly_the_maximum_length_is_allowed():
    """
    GIVEN a tag of 64 characters, the most Tag.name holds
    WHEN it is validated
    THEN it is kept as it is
    """
    clean, errors = validate_book_payload(payload(tags=["x" * 64]))

    assert (clean["tags"], errors) == (["x" * 64], {})


def test_empty_tag_list_is_allowed():
    """
    GIVEN tags: []
    WHEN validated
    THEN the clean tags are an empty list (a book may have none)
    """
    clean, errors = validate_book_payload(payload(tags=[]))

    assert (clean["tags"], errors) == ([], {})


# --- validate_book_payload: properties (Hypothesis) -----------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)
# Keys mostly from the real fields, so the checks past "unknown field" run too.
payload_keys = st.sampled_from([*CLEANERS, "id", "owner"]) | st.text(max_size=10)
any_payload = st.dictionaries(payload_keys, json_values, max_size=7)

# Characters a database can hold: no NUL, no lone surrogates (category Cs).
storable = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
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


valid_payloads = st.fixed_dictionaries(
    {"title": good_text, "author": good_text, "isbn": isbns()},
    optional={
        "year": st.none() | st.integers(1450, utcnow().year),
        # 32: lower-casing can double a tag's length ("İ" becomes "i" + a combining dot).
        "tags": st.lists(st.text(storable, max_size=32).filter(str.strip), max_size=5),
    },
)


@given(data=any_payload, partial=st.booleans())
def test_validator_never_raises_and_never_returns_data_and_errors(data, partial):
    """
    GIVEN any JSON object at all
    WHEN it is validated, partial or not
    THEN it returns (clean, errors), not both non-empty, with
         clean keys and error keys taken from the payload or the required fields
    """
    clean, errors = validate_book_payload(data, partial=partial)

    assert not (clean and errors)
    assert set(clean) <= set(data)
    assert set(errors) <= set(data) | {"title", "author", "isbn"}
    assert all(isinstance(message, str) and message for message in errors.values())


@given(data=valid_payloads)
def test_valid_payload_passes_and_clean_data_validates_to_itself(data):
    """
    GIVEN a valid payload (random text, ISBN in any accepted form, optional year and tags)
    WHEN it is validated, and then its clean data is validated again
    THEN the first pass has no errors, the ISBN is 13 digits, text is trimmed,
         and the second pass returns the clean data unchanged
    """
    clean, errors = validate_book_payload(data)

    assert errors == {}
    assert clean["title"] == data["title"].strip()
    assert len(clean["isbn"]) == 13
    assert clean["isbn"].isdigit()
    assert validate_book_payload(clean) == (clean, {})


# --- parse_pagination ------------------------------------------------------------------


def test_pagination_defaults_to_first_page_of_configured_size():
    """
    GIVEN no page or per_page in the query string
    WHEN pagination is parsed
    THEN it is page 1 of API_PAGE_SIZE
    """
    assert parse_pagination(MultiDict(), PAGING) == (1, 20)


def test_pagination_reads_page_and_per_page():
    """
    GIVEN page=3&per_page=7
    WHEN pagination is parsed
    THEN both are returned as ints
    """
    assert parse_pagination(MultiDict({"page": "3", "per_page": "7"}), PAGING) == (3, 7)


def test_pagination_accepts_page_1_and_per_page_1():
    """
    GIVEN page=1&per_page=1, the smallest values allowed
    WHEN pagination is parsed
    THEN both are accepted
    """
    assert parse_pagination(MultiDict({"page": "1", "per_page": "1"}), PAGING) == (1, 1)


@pytest.mark.parametrize("per_page", ["100", "101", "999999999"])
def test_per_page_is_capped_at_max_page_size(per_page):
    """
    GIVEN a per_page at or above API_MAX_PAGE_SIZE
    WHEN pagination is parsed
    THEN per_page is the maximum, not an error
    """
    assert parse_pagination({"per_page": per_page}, PAGING) == (1, 100)


@pytest.mark.parametrize("name", ["page", "per_page"])
@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "one", "", " 2", "+2", "²", "1000000000", "9" * 5000])
def test_bad_pagination_value_raises_invalid_query(name, raw):
    """
    GIVEN page or per_page that is not a whole number from 1 to 999999999
    WHEN pagination is parsed
    THEN InvalidQuery names the parameter (the view turns it into a 400)
    """
    with pytest.raises(InvalidQuery, match=f"^{name} must be a whole number from 1 to 999999999$"):
        parse_pagination({name: raw}, PAGING)


# --- parse_filters ------------------------------------------------------------------------


def test_filters_are_trimmed_and_empty_ones_dropped():
    """
    GIVEN author=" Le Guin ", an empty tag and an unrelated parameter
    WHEN the filters are parsed
    THEN only the trimmed author is kept
    """
    args = MultiDict({"author": " Le Guin ", "tag": "  ", "page": "2"})

    assert parse_filters(args) == {"author": "Le Guin"}
