import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from werkzeug.security import check_password_hash, generate_password_hash


class SoftDeleteSession(Session):
    """Items are never deleted: ``session.delete(item)`` retires them."""

    def delete(self, instance):
        if isinstance(instance, Item):
            instance.retired = True
        else:
            super().delete(instance)


db = SQLAlchemy(session_options={"class_": SoftDeleteSession})


class Category(db.Model):
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(40), unique=True, nullable=False)


class Item(db.Model):
    id = sa.Column(sa.Integer, primary_key=True)
    sku = sa.Column(sa.String(20), unique=True, nullable=False)
    name = sa.Column(sa.String(80), nullable=False)
    quantity = sa.Column(sa.Integer, nullable=False, default=0)
    retired = sa.Column(sa.Boolean, nullable=False, default=False)
    category_id = sa.Column(sa.ForeignKey("category.id"), nullable=False)
    category = sa.orm.relationship(Category)

    def to_dict(self):
        return {"sku": self.sku, "name": self.name, "quantity": self.quantity, "category": self.category.name}


class Clerk(db.Model):
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(120), unique=True, nullable=False)
    password_hash = sa.Column(sa.String(200), nullable=False)

    def set_password(self, password):
        # Werkzeug's default (scrypt), with no setting to change it.
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


CATEGORIES = ["tools", "parts", "consumables"]


def insert_categories():
    for name in CATEGORIES:
        if db.session.scalar(db.select(Category).filter_by(name=name)) is None:
            db.session.add(Category(name=name))
