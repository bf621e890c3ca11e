"""Unit tests of the API's reading of query strings (sample_app/api/services.py):
plain functions that need no app, no request and no database.

Patterns: pure functions without an app; boundary values; parametrize with ids.
"""

import pytest
from werkzeug.datastructures import MultiDict

from sample_app.api.services import parse_filters, parse_pagination
from sample_app.text import InvalidNumber

PAGING = {"API_PAGE_SIZE": 20, "API_MAX_PAGE_SIZE": 100}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param({}, (1, 20), id="defaults-first-page-of-configured-size"),
        pytest.param({"page": "3", "per_page": "7"}, (3, 7), id="both-read-as-ints"),
        pytest.param({"page": "1", "per_page": "1"}, (1, 1), id="smallest-allowed"),
        pytest.param({"per_page": "100"}, (1, 100), id="per-page-at-the-maximum"),
        pytest.param({"per_page": "101"}, (1, 100), id="per-page-capped"),
        pytest.param({"per_page": "999999999"}, (1, 100), id="largest-per-page-capped"),
    ],
)
def test_pagination_reads_page_and_capped_page_size(args, expected):
    # GIVEN page and per_page in the query string, or not
    # WHEN pagination is parsed
    page_and_size = parse_pagination(MultiDict(args), PAGING)

    # THEN they are ints, page 1 and API_PAGE_SIZE by default; a per_page above API_MAX_PAGE_SIZE is capped, not refused
    assert page_and_size == expected


@pytest.mark.parametrize("name", ["page", "per_page"])
def test_bad_pagination_value_names_the_parameter(name):
    # GIVEN page or per_page that is not a whole number from 1 up (test_text.py tries every kind of bad value)
    args = MultiDict({name: "0"})

    # WHEN pagination is parsed, THEN InvalidNumber names the parameter (the app turns it into a 400)
    with pytest.raises(InvalidNumber, match=rf"^{name} must be a whole number from 1 to 999999999\.$"):
        parse_pagination(args, PAGING)


def test_filters_are_trimmed_and_empty_ones_dropped():
    # GIVEN author=" Le Guin ", an empty tag and an unrelated parameter
    args = MultiDict({"author": " Le Guin ", "tag": "  ", "page": "2"})

    # WHEN the filters are parsed
    filters = parse_filters(args)

    # THEN only the trimmed author is kept
    assert filters == {"author": "Le Guin"}
