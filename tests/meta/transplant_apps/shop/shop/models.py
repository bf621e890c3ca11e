import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from . import db


class Product(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
