"""Library: lending books to members, every loan written to an audit database of its own."""

from flask import Flask, abort, request
from flask_sqlalchemy import SQLAlchemy

from . import settings

db = SQLAlchemy()


def create_app(**overrides):
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=settings.DATABASE_URL,
        SQLALCHEMY_BINDS={"audit": settings.AUDIT_DATABASE_URL},
    )
    app.config.update(overrides)
    db.init_app(app)

    from .models import AuditEntry, Loan, Member

    @app.post("/members/<int:member_id>/loans")
    def lend(member_id):
        member = db.get_or_404(Member, member_id)
        if len(member.loans) >= settings.LOAN_LIMIT:
            abort(409, description=f"{member.name} has {settings.LOAN_LIMIT} books already")
        loan = Loan(member=member, title=request.get_json()["title"])
        db.session.add_all([loan, AuditEntry(action=f"lent {loan.title!r} to {member.name}")])
        db.session.commit()
        return {"id": loan.id, "title": loan.title}, 201

    return app
