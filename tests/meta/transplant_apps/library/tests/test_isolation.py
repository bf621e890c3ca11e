"""The isolation proof on both databases: each test commits, through factory_boy, the
same unique member and the same unique audit entry; each passes only if the other's
commits were rolled back on both, whichever runs first."""

from library.models import AuditEntry, Member
from tests.factories import AuditEntryFactory, MemberFactory

EMAIL = "committed-once@example.com"
ACTION = "committed once"


def counts(db):
    members = db.session.scalar(db.select(db.func.count()).where(Member.email == EMAIL))
    entries = db.session.scalar(db.select(db.func.count()).where(AuditEntry.action == ACTION))
    return members, entries


def test_factory_rows_in_both_databases_are_rolled_back_first(app, db, assert_in_test_transaction):
    with app.app_context():
        assert_in_test_transaction(db.session)
        MemberFactory(email=EMAIL)
        AuditEntryFactory(action=ACTION)

        assert counts(db) == (1, 1)


def test_factory_rows_in_both_databases_are_rolled_back_second(app, db, assert_in_test_transaction):
    with app.app_context():
        assert_in_test_transaction(db.session)
        MemberFactory(email=EMAIL)
        AuditEntryFactory(action=ACTION)

        assert counts(db) == (1, 1)
