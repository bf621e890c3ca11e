"""users.confirmed_at: when the account's e-mail address was confirmed

Revision ID: 2c4d3ed67aa0
Revises: 812a3d983f3c
Create Date: 2026-12-01 17:35:12

Nullable, and left empty for the users that exist: they have not followed a
link yet. (Had they all to count as confirmed, this would fill it in with
``op.execute(users.update().values(confirmed_at=sa.func.now()))``.)
"""

import sqlalchemy as sa
from alembic import op

revision = "2c4d3ed67aa0"
down_revision = "812a3d983f3c"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("confirmed_at")
