"""ISBN normalisation and checksum validation: pure functions, no Flask."""

import re

from .text import is_ascii_digits

_SEPARATORS = re.compile(r"[\s-]")


class InvalidISBN(ValueError):
    """Raised with a message a user can act on."""


def isbn10_check_digit(first_nine):
    total = sum((10 - i) * int(d) for i, d in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first_twelve):
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def is_valid_isbn10(value):
    return (
        len(value) == 10
        and is_ascii_digits(value[:9])
        and (is_ascii_digits(value[9]) or value[9] == "X")
        and isbn10_check_digit(value[:9]) == value[9]
    )


def is_valid_isbn13(value):
    return len(value) == 13 and is_ascii_digits(value) and isbn13_check_digit(value[:12]) == value[12]


def isbn10_to_isbn13(isbn10):
    body = "978" + isbn10[:9]
    return body + isbn13_check_digit(body)


def normalize_isbn(raw):
    """Return ``raw`` as a 13-digit ISBN, or raise :class:`InvalidISBN`.

    Hyphens and spaces are ignored, a lower-case ``x`` check digit is
    accepted, and a valid ISBN-10 is converted so each book has one key.
    """
    if not isinstance(raw, str):
        raise InvalidISBN("ISBN must be a string.")
    value = _SEPARATORS.sub("", raw).upper()
    if len(value) == 10:
        if not is_valid_isbn10(value):
            raise InvalidISBN(f"{raw!r} is not a valid ISBN-10 (bad check digit or characters).")
        return isbn10_to_isbn13(value)
    if len(value) == 13:
        if not is_valid_isbn13(value):
            raise InvalidISBN(f"{raw!r} is not a valid ISBN-13 (bad check digit or characters).")
        return value
    raise InvalidISBN(f"{raw!r} is not an ISBN: expected 10 or 13 digits.")
