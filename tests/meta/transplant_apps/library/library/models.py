import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import db


class Member(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    email: Mapped[str] = mapped_column(sa.String(120), unique=True)
    loans: Mapped[list["Loan"]] = relationship(back_populates="member")


class Loan(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    member: Mapped[Member] = relationship(back_populates="loans")


class AuditEntry(db.Model):
    """Stored in the "audit" database (SQLALCHEMY_BINDS), not the main one."""

    __bind_key__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(300), unique=True)
