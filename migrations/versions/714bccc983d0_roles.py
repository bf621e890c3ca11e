"""roles: the three roles a new database needs, so that `flask db upgrade` alone gives a working app

Revision ID: 714bccc983d0
Revises: 2c4d3ed67aa0
Create Date: 2026-12-01 20:45:00

Without them a user who registers gets no role (and no permission), and
``flask create-admin`` has no Administrator role to give. The roles and their
permission masks are written out as they were when this revision was made, not
imported from ``sample_app.permissions``: a migration must still run when the
code beside it has changed. A role that exists already (made by ``flask
init-db`` or ``seed-demo`` before this revision) is left as it is.

Downgrading leaves the roles in place: they are rows that users refer to, and
the schema of the revision before is the same with or without them.
"""

import sqlalchemy as sa
from alembic import op

revision = "714bccc983d0"
down_revision = "2c4d3ed67aa0"
branch_labels = None
depends_on = None

roles = sa.table(
    "roles",
    sa.column("name", sa.String),
    sa.column("permissions", sa.Integer),
    sa.column("default", sa.Boolean),
)
# name, permission mask (browse 1, write 2, moderate 4, admin 8), default for new users
ROLES = [("User", 3, True), ("Moderator", 7, False), ("Administrator", 15, False)]


def upgrade():
    # INSERT ... SELECT ... WHERE NOT EXISTS: one statement per role, which also
    # renders as plain SQL for `flask db upgrade --sql`.
    for name, permissions, default in ROLES:
        values = sa.select(sa.literal(name), sa.literal(permissions), sa.literal(default))
        op.execute(
            roles.insert().from_select(
                ["name", "permissions", "default"],
                values.where(~sa.exists().where(roles.c.name == name)),
            )
        )


def downgrade():
    pass
