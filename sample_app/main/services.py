"""Queries behind the home page."""

from ..extensions import db
from ..models import Book, User


def shelf_stats():
    return {
        "books": db.session.scalar(db.select(db.func.count(Book.id))),
        "readers": db.session.scalar(db.select(db.func.count(User.id))),
    }


def recent_books(limit=5):
    return db.session.scalars(db.select(Book).order_by(Book.created_at.desc(), Book.id.desc()).limit(limit)).all()
