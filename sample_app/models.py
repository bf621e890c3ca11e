"""Database models (SQLAlchemy 2.0 style: ``Mapped`` columns, ``db.select``)."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from .clock import utcnow
from .extensions import db, login_manager
from .isbn import normalize_isbn
from .permissions import ROLES, Permission, has_permission
from .text import is_ascii_digits

# How many values go into one ``IN (...)``: SQLite caps bound parameters.
LOOKUP_BATCH_SIZE = 500


def in_batches(values):
    """The list ``values`` in slices of LOOKUP_BATCH_SIZE: one ``IN (...)`` query each."""
    for start in range(0, len(values), LOOKUP_BATCH_SIZE):
        yield values[start : start + LOOKUP_BATCH_SIZE]


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    SQLite stores no time zone and hands back naive values; this puts UTC
    back so code and tests compare like with like on SQLite and PostgreSQL.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use sample_app.clock.utcnow()")
        # SQLite keeps the wall-clock time and drops the offset: store UTC.
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        # PostgreSQL answers in the session's TimeZone setting.
        return value.astimezone(UTC)


class TimestampMixin:
    # Callables, evaluated per row: ``default=utcnow()`` would stamp every
    # row with the moment the module was imported.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


class Role(db.Model):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    permissions: Mapped[int] = mapped_column(default=0)
    default: Mapped[bool] = mapped_column(default=False, index=True)

    users: Mapped[list["User"]] = relationship(back_populates="role")

    def has_permission(self, permission):
        return has_permission(self.permissions, permission)

    @staticmethod
    def default_role():
        # no_autoflush: called while a new User is being built, before it is added.
        with db.session.no_autoflush:
            return db.session.scalar(db.select(Role).filter_by(default=True))

    @staticmethod
    def insert_roles():
        """Create or update the roles in :data:`ROLES`; safe to run twice."""
        for name, (mask, is_default) in ROLES.items():
            role = db.session.scalar(db.select(Role).filter_by(name=name))
            if role is None:
                role = Role(name=name)
                db.session.add(role)
            role.permissions = int(mask)
            role.default = is_default
        db.session.commit()

    def __repr__(self):
        return f"<Role {self.name}>"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, index=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roles.id"))
    # When the owner of the address followed the link e-mailed to it; None until then.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role: Mapped[Role | None] = relationship(back_populates="users")
    books: Mapped[list["Book"]] = relationship(back_populates="owner", cascade="all, delete-orphan")

    def __init__(self, **kwargs):
        if kwargs.get("role") is None:
            kwargs["role"] = Role.default_role()
        super().__init__(**kwargs)

    @property
    def password(self):
        raise AttributeError("password is write-only; use verify_password()")

    @password.setter
    def password(self, password):
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def verify_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def confirmed(self):
        return self.confirmed_at is not None

    def can(self, permission):
        return self.role is not None and self.role.has_permission(permission)

    @property
    def is_administrator(self):
        return self.can(Permission.ADMIN)

    def __repr__(self):
        return f"<User {self.username}>"


class AnonymousUser(AnonymousUserMixin):
    def can(self, permission):
        return False

    @property
    def is_administrator(self):
        return False


login_manager.anonymous_user = AnonymousUser


@login_manager.user_loader
def load_user(user_id):
    if not is_ascii_digits(user_id):
        return None
    return db.session.get(User, int(user_id))


book_tags = sa.Table(
    "book_tags",
    db.metadata,
    sa.Column("book_id", sa.ForeignKey("books.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)

    books: Mapped[list["Book"]] = relationship(secondary=book_tags, back_populates="tags")

    # See Book._sentinel: new tags are inserted in one statement on SQLite too.
    _sentinel: Mapped[int | None] = orm_insert_sentinel()

    @staticmethod
    def normalize(name):
        return " ".join(name.split()).lower()

    @classmethod
    def normalize_all(cls, names):
        """``names`` normalised as stored, blanks and repeats dropped, order kept."""
        return list(dict.fromkeys(name for name in map(cls.normalize, names) if name))

    @classmethod
    def get_or_create(cls, names):
        """Tags for ``names`` (normalised, de-duplicated, order kept), created if new.

        One query per 500 names. No autoflush: the query must not send a
        half-built book to the database.
        """
        wanted = cls.normalize_all(names)
        known = {}
        with db.session.no_autoflush:
            for batch in in_batches(wanted):
                known.update((tag.name, tag) for tag in db.session.scalars(db.select(cls).where(cls.name.in_(batch))))
        for name in wanted:
            if name not in known:
                known[name] = cls(name=name)
                db.session.add(known[name])
        return [known[name] for name in wanted]

    def __repr__(self):
        return f"<Tag {self.name}>"


class Book(TimestampMixin, db.Model):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    author: Mapped[str] = mapped_column(sa.String(200), index=True)
    isbn: Mapped[str] = mapped_column(sa.String(13), unique=True)
    year: Mapped[int | None]
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)

    owner: Mapped[User] = relationship(back_populates="books")
    tags: Mapped[list[Tag]] = relationship(secondary=book_tags, back_populates="books", order_by=Tag.name)

    # SQLite does not promise the order of the rows an INSERT ... RETURNING
    # sends back, so without a column to match them on, SQLAlchemy inserts
    # new books one statement at a time there: an import of 20,000 books
    # would be 20,000 INSERTs instead of a few batched ones.
    _sentinel: Mapped[int | None] = orm_insert_sentinel()

    @validates("isbn")
    def _normalize_isbn(self, key, value):
        return normalize_isbn(value)

    def can_be_changed_by(self, user):
        return user.is_authenticated and (user.id == self.owner_id or user.can(Permission.ADMIN))

    def to_dict(self):
        return {
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "isbn": self.isbn,
            "year": self.year,
            "owner": self.owner.username,
            "tags": [tag.name for tag in self.tags],
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    def __repr__(self):
        return f"<Book {self.isbn} {self.title!r}>"
