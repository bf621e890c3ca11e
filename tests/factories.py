"""Builders for test data, with sequences so every call makes unique rows.

Patterns: factory fixtures.

Plain functions (not fixtures) so unittest classes can call them too; the
``make_user`` / ``make_book`` fixtures in the root conftest wrap them.
Call them inside an app context; they commit, like the app would.
"""

import itertools

from sample_app.catalogue import new_book
from sample_app.clock import utcnow
from sample_app.extensions import db
from sample_app.isbn import isbn13_check_digit
from sample_app.models import Role, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"

_sequence = itertools.count(1)


def unique_isbn():
    """A valid ISBN-13 that no other call returns."""
    body = f"979{next(_sequence):09d}"
    return body + isbn13_check_digit(body)


def create_user(role="User", password=DEFAULT_PASSWORD, confirmed=True, **fields):
    """A user, committed; confirmed (as if the e-mailed link was followed) unless ``confirmed=False``."""
    n = next(_sequence)
    fields.setdefault("email", f"reader{n}@example.com")
    fields.setdefault("username", f"reader{n}")
    if confirmed:
        fields.setdefault("confirmed_at", utcnow())
    role = db.session.scalar(db.select(Role).filter_by(name=role))
    user = User(password=password, role=role, **fields)
    db.session.add(user)
    db.session.commit()
    return user


def create_book(owner=None, tags=(), **fields):
    """A book made by the catalogue (``sample_app.catalogue.new_book``), committed.

    Other keywords set columns the catalogue does not take, such as
    ``created_at`` (for ordering tests) or ``id``.
    """
    n = next(_sequence)
    fields.setdefault("title", f"Book {n}")
    fields.setdefault("author", f"Author {n}")
    fields.setdefault("year", 2000 + n % 25)
    fields.setdefault("isbn", unique_isbn())
    if owner is None:
        owner = create_user()
    book_fields = {name: fields.pop(name) for name in ("title", "author", "isbn", "year")}
    book = new_book(owner, tags=tags, **book_fields)
    for name, value in fields.items():
        setattr(book, name, value)
    db.session.commit()
    return book
