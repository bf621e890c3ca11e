"""Checks on text that comes from outside (URLs, cookies, tokens), shared by several modules."""


def is_ascii_digits(text):
    """True for a non-empty string of the digits 0-9 and nothing else.

    ``str.isdigit()`` alone also accepts "²" (which ``int()`` rejects) and
    "٣" (which ``int()`` reads as 3): neither belongs in an id or an ISBN.
    """
    return text.isascii() and text.isdigit()
