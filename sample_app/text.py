"""Checks on text that comes from outside (URLs, cookies, tokens), shared by several modules."""


def is_ascii_digits(text):
    """True for a non-empty string of the digits 0-9 and nothing else.

    ``str.isdigit()`` alone also accepts "²" (which ``int()`` rejects) and
    "٣" (which ``int()`` reads as 3): neither belongs in an id or an ISBN.
    """
    return text.isascii() and text.isdigit()


MAX_WHOLE_NUMBER = 999_999_999


class InvalidNumber(ValueError):
    """A query-string value that is not a whole number from 1 up (a 400)."""


def whole_number(raw, name, default):
    """The query-string value ``raw`` as a whole number from 1 to 999,999,999.

    Missing (``None``) means ``default``. Nine digits at most: ``int()`` of a
    huge digit string is slow (or refused), and a page number times a page
    size must fit in the database's OFFSET.
    """
    if raw is None:
        return default
    if len(raw) > 9 or not is_ascii_digits(raw) or int(raw) < 1:
        raise InvalidNumber(f"{name} must be a whole number from 1 to {MAX_WHOLE_NUMBER}.")
    return int(raw)
