from library import settings
from library.models import AuditEntry, Loan
from tests.factories import MemberFactory


def test_settings_read_at_import_ignore_the_shell():
    # The shell exports LIBRARY_LOAN_LIMIT=100; the harness removed it before this module was imported.
    assert settings.LOAN_LIMIT == 2


def test_lending_writes_the_loan_and_its_audit_entry(app, db, client):
    with app.app_context():
        member_id = MemberFactory(name="Ada").id

    response = client.post(f"/members/{member_id}/loans", json={"title": "Dune"})

    assert response.status_code == 201
    with app.app_context():
        assert db.session.scalars(db.select(Loan.title)).all() == ["Dune"]
        assert db.session.scalars(db.select(AuditEntry.action)).all() == ["lent 'Dune' to Ada"]


def test_lending_past_the_limit_is_refused_and_not_audited(app, db, client):
    with app.app_context():
        member_id = MemberFactory(name="Ada").id
    for title in ("Dune", "Emma"):
        client.post(f"/members/{member_id}/loans", json={"title": title})

    response = client.post(f"/members/{member_id}/loans", json={"title": "Kindred"})

    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == 2
