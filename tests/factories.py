"""Builders for test data, with sequences so every call makes unique rows.

Patterns: factory fixtures; factory_boy factories in the test transaction.

Two kinds, both called inside an app context, both committing like the app:

- plain functions, ``create_user`` and ``create_book``: no dependency, and a
  book goes through the catalogue's own ``new_book`` (its tag rules). The
  ``make_user`` / ``make_book`` fixtures wrap them; unittest classes call them.
- factory_boy's ``UserFactory`` and ``BookFactory``, declared the way most
  Flask-SQLAlchemy projects declare theirs: ``sqlalchemy_session = db.session``,
  taken when this module is imported. The harness re-points that same object
  at each test's transaction, so their commits are rolled back too. Copy these
  if your project has factory_boy already.
"""

import itertools

import factory
from factory.alchemy import SQLAlchemyModelFactory

from sample_app.catalogue import new_book
from sample_app.clock import utcnow
from sample_app.extensions import db
from sample_app.isbn import isbn13_check_digit
from sample_app.models import Book, Role, User

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


# --- factory_boy ------------------------------------------------------------------


def _role(name):
    return db.session.scalar(db.select(Role).filter_by(name=name))


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session = db.session  # taken at import, as in most projects
        sqlalchemy_session_persistence = "commit"

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    username = factory.Sequence(lambda n: f"member{n}")
    password = DEFAULT_PASSWORD
    confirmed_at = factory.LazyFunction(utcnow)
    role = factory.LazyFunction(lambda: _role("User"))


class BookFactory(SQLAlchemyModelFactory):
    class Meta:
        model = Book
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"

    title = factory.Sequence(lambda n: f"Factory book {n}")
    author = factory.Sequence(lambda n: f"Factory author {n}")
    isbn = factory.LazyFunction(unique_isbn)
    year = 2001
    owner = factory.SubFactory(UserFactory)
