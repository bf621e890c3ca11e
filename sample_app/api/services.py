"""The API's reading of query strings, as plain functions (no request, no app).

Everything about books themselves lives in :mod:`sample_app.catalogue`; the
views in ``views.py`` read the request, call these and the catalogue, and turn
the catalogue's exceptions into JSON errors.
"""

from ..text import whole_number

FILTERS = ("author", "tag")


def parse_pagination(args, config):
    """``(page, per_page)`` from query-string ``args``.

    Raises :class:`sample_app.text.InvalidNumber` for a value that is not a
    whole number from 1 up; ``per_page`` defaults to API_PAGE_SIZE and is
    capped (not refused) at API_MAX_PAGE_SIZE.
    """
    page = whole_number(args.get("page"), "page", 1)
    per_page = whole_number(args.get("per_page"), "per_page", config["API_PAGE_SIZE"])
    return page, min(per_page, config["API_MAX_PAGE_SIZE"])


def parse_filters(args):
    """The non-empty list filters (``author``, ``tag``) in query-string ``args``.

    (A NUL character never gets this far: sample_app.hooks refuses it for
    every query string.)
    """
    filters = {}
    for name in FILTERS:
        value = args.get(name, "").strip()
        if value:
            filters[name] = value
    return filters
