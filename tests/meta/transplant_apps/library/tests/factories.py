"""factory_boy factories, declared as most projects declare them: the session is
taken from ``db`` when this module is imported."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from library import db
from library.models import AuditEntry, Member


class MemberFactory(SQLAlchemyModelFactory):
    class Meta:
        model = Member
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"

    name = factory.Sequence(lambda n: f"Member {n}")
    email = factory.Sequence(lambda n: f"member{n}@example.com")


class AuditEntryFactory(SQLAlchemyModelFactory):
    class Meta:
        model = AuditEntry
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"

    action = factory.Sequence(lambda n: f"action {n}")
