"""tracking: each workspace's key for the web tracking API (existing workspaces get one)

Revision ID: 88b5fcf8ccf6
Revises: 9d0b2134f56c
Create Date: 2026-12-02 06:08:21.990391
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "88b5fcf8ccf6"
down_revision: str | None = "9d0b2134f56c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN and an index: SQLite keeps the table (no batch copy of workspaces).
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracking_key", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    for (workspace_id,) in bind.execute(sa.text("SELECT id FROM workspaces")).all():
        bind.execute(
            sa.text("UPDATE workspaces SET tracking_key = :key WHERE id = :id"),
            {"key": secrets.token_urlsafe(24), "id": workspace_id},
        )
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.create_index("uq_workspaces_tracking_key", ["tracking_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_index("uq_workspaces_tracking_key")
        batch_op.drop_column("tracking_key")
